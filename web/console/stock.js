/*
 * stock.js -- stock at a store: look a SKU up by its barcode (a scanner types it)
 * or its code; the stock here, where else it is available nearest first, the
 * movement journal; an adjustment or a receipt of goods with its reason (managers
 * and clerks), and a transfer to another location (managers). Every figure comes
 * back from the server after a change, never computed here.
 */
import {h, put, newKey, when} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

const MOVERS = ['owner', 'region_manager', 'store_manager', 'clerk'];
const TRANSFERRERS = ['owner', 'region_manager', 'store_manager'];

export default async function show(ctx) {
  const places = ctx.places;
  let store = ctx.home ? ctx.home.code : (sessionStorage.getItem('o2o.stock.store') || (places[0] || {}).code);
  const q = h('input', {id: 'stock-q', autocomplete: 'off', placeholder: t('stock.q'), 'aria-label': t('stock.q'),
                        maxlength: 64, value: ctx.params[0] || ''});
  const at = ctx.home ? null : h('select', {id: 'stock-store', 'aria-label': t('till.store')},
    places.map((l) => h('option', {value: l.code}, l.code + ' ' + l.name)));
  if (at) { at.value = store; at.addEventListener('change', () => { store = at.value; sessionStorage.setItem('o2o.stock.store', store); }); }
  const form = h('form', {class: 'row', id: 'stock-find'}, q, at, h('button', {type: 'submit', class: 'primary'}, t('till.find')));
  const out = h('div', {id: 'stock-out'});
  put(ctx.el, h('h2', {}, t('nav.stock')), form, out);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = q.value.trim();
    if (!v) return;
    try {
      let sku;
      if (/^\d{8,14}$/.test(v)) sku = (await api.get('/v1/skus/lookup' + api.query({barcode: v, store}))).code;
      else sku = (await api.get('/v1/skus/' + encodeURIComponent(v))).code;
      ctx.fail(null);
      await render(sku);
    } catch (e) {
      put(out);
      ctx.fail(e.status === 404 ? t('stock.unknown', {q: v}) : e);
    }
  });

  async function render(code) {
    const [k, here, avail, journal] = await Promise.all([
      api.get('/v1/skus/' + encodeURIComponent(code)),
      api.get('/v1/stock' + api.query({sku: code, location: store})),
      api.get('/v1/skus/' + encodeURIComponent(code) + '/availability' + api.query({near: store, limit: 10})),
      api.get('/v1/stock/movements' + api.query({sku: code, location: store, limit: 30}))]);
    const tz = ctx.tz(store);
    put(out,
      h('div', {class: 'card', id: 'stock-here'},
        h('h3', {}, k.name, ' ', h('span', {class: 'muted'}, [k.code, k.size, k.colour].filter(Boolean).join(' · '))),
        h('div', {class: 'kpis'},
          h('div', {class: 'kpi'}, h('div', {class: 'muted'}, t('stock.on_hand')), h('div', {class: 'big', id: 'on-hand'}, String(here.on_hand))),
          h('div', {class: 'kpi'}, h('div', {class: 'muted'}, t('stock.reserved')), h('div', {class: 'big'}, String(here.reserved))),
          h('div', {class: 'kpi'}, h('div', {class: 'muted'}, t('stock.available')), h('div', {class: 'big', id: 'available'}, String(here.available))))),
      h('div', {class: 'cols'},
        h('div', {},
          h('h3', {}, t('stock.journal')),
          h('table', {class: 'grid', id: 'journal'}, h('tbody', {}, journal.items.map((m) => h('tr', {},
            h('td', {class: 'muted small'}, when(m.created_at, tz)), h('td', {}, t('movement.' + m.kind)),
            h('td', {class: 'num'}, (m.qty > 0 ? '+' : '') + m.qty), h('td', {}, m.reason || m.ref || ''),
            h('td', {class: 'muted small'}, m.actor)))))),
        h('div', {},
          h('h3', {}, t('stock.nearby')),
          h('table', {class: 'grid', id: 'availability'}, h('tbody', {}, avail.items.filter((s) => s.location !== store).map((s) =>
            h('tr', {}, h('td', {}, s.location, ' ', h('span', {class: 'muted'}, s.name)),
              h('td', {class: 'num'}, String(s.available)),
              h('td', {class: 'num'}, s.distance_m !== undefined ? t('till.km', {km: (s.distance_m / 1000).toFixed(1)}) : ''))))),
          MOVERS.includes(ctx.me.role) ? moveForm(code) : null,
          TRANSFERRERS.includes(ctx.me.role) ? transferForm(code, avail.items) : null)));
  }

  function moveForm(code) {
    const key = newKey('move');
    const kind = h('select', {name: 'kind', 'aria-label': t('stock.kind')},
      h('option', {value: 'adjust'}, t('movement.adjust')), h('option', {value: 'receive'}, t('movement.receive')));
    const qty = h('input', {name: 'qty', type: 'number', required: true, 'aria-label': t('till.qty'), placeholder: t('stock.qty_signed')});
    const reason = h('input', {name: 'reason', required: true, maxlength: 128, placeholder: t('stock.reason'), 'aria-label': t('stock.reason')});
    const f = h('form', {class: 'card', id: 'move-form'}, h('h3', {}, t('stock.adjust')), h('div', {class: 'row'}, kind, qty, reason,
      h('button', {type: 'submit', class: 'primary'}, t('stock.record'))));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api.post('/v1/stock/movements', {sku: code, location: store, kind: kind.value, qty: Number(qty.value),
                                               reason: reason.value.trim()}, {key});
        ctx.note(t('stock.recorded'));
        await render(code);
      } catch (e) { ctx.fail(e); }
    });
    return f;
  }

  function transferForm(code, others) {
    const key = newKey('transfer');
    /* any location: those in her scope and those that stock it are offered as she types */
    const to = h('input', {name: 'to', list: 'transfer-places', required: true, maxlength: 64, autocomplete: 'off',
                           placeholder: t('stock.to_code'), 'aria-label': t('stock.to')});
    const known = new Map();
    for (const l of ctx.places) known.set(l.code, l.name);
    for (const l of others) known.set(l.location, l.name);
    known.delete(store);
    const list = h('datalist', {id: 'transfer-places'}, [...known].map(([c, n]) => h('option', {value: c}, n)));
    const qty = h('input', {name: 'qty', type: 'number', min: 1, required: true, 'aria-label': t('till.qty')});
    const f = h('form', {class: 'card', id: 'transfer-form'}, h('h3', {}, t('stock.transfer')), h('div', {class: 'row'},
      t('stock.to'), to, list, qty, h('button', {type: 'submit', class: 'primary'}, t('stock.send'))));
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await api.post('/v1/stock/transfers', {sku: code, from: store, to: to.value.trim().toUpperCase(),
                                               qty: Number(qty.value)}, {key});
        ctx.note(t('stock.sent'));
        await render(code);
      } catch (e) { ctx.fail(e); }
    });
    return f;
  }

  if (ctx.params[0]) form.requestSubmit();
}
