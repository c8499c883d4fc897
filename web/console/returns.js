/*
 * returns.js -- goods back at this store, whatever store or channel sold them:
 * the order number (from the receipt, the customer's app or the order list) opens
 * what can still come back and until when; the clerk sets the quantities and a
 * reason, and the answer says what to hand back on which tender. Staff of any
 * store see only the lines (GET /v1/orders/{id}/returnable), never the customer.
 */
import {h, put, money, newKey, when} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

export default async function show(ctx) {
  const stores = ctx.places.filter((l) => l.kind === 'store');
  const store = ctx.home ? ctx.home.code : null;
  const num = h('input', {id: 'return-order', inputmode: 'numeric', placeholder: t('returns.order_no'), maxlength: 20,
                          'aria-label': t('returns.order_no'), value: ctx.params[0] || ''});
  const form = h('form', {class: 'row', id: 'return-find'}, num, h('button', {type: 'submit', class: 'primary'}, t('returns.find')));
  const out = h('div', {id: 'return-out'});
  const at = store ? null : h('select', {id: 'return-store', 'aria-label': t('returns.at')},
    stores.map((l) => h('option', {value: l.code}, l.code + ' ' + l.name)));
  put(ctx.el, h('h2', {}, t('nav.returns')), h('p', {class: 'muted'}, t('returns.lead')),
    at ? h('label', {class: 'inline'}, t('returns.at'), ' ', at) : null, form, out);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = num.value.trim().replace(/^#/, '');
    if (!/^\d+$/.test(id)) { ctx.fail(t('orders.bad_id')); return; }
    try {
      const r = await api.get('/v1/orders/' + id + '/returnable');
      ctx.fail(null);
      render(r);
    } catch (e) { put(out); ctx.fail(e); }
  });

  function render(r) {
    const tz = ctx.tz(store || (at && at.value));
    const qty = new Map();
    const key = newKey('return-' + r.id);
    const reason = h('input', {id: 'return-reason', placeholder: t('returns.reason'), maxlength: 128, 'aria-label': t('returns.reason')});
    const rows = r.lines.map((l) => {
      const input = h('input', {type: 'number', min: 0, max: l.returnable, value: 0, class: 'qty-in', 'data-line': l.line,
                                disabled: !l.returnable, 'aria-label': t('till.qty') + ' ' + l.name});
      qty.set(l.line, input);
      return h('tr', {}, h('td', {}, l.name, h('div', {class: 'muted small'}, l.sku)), h('td', {class: 'num'}, l.qty),
        h('td', {class: 'num'}, money(l.amount)), h('td', {class: 'num'}, l.returnable), h('td', {class: 'num'}, input));
    });
    const go = h('button', {type: 'button', class: 'primary', id: 'return-go'}, t('returns.take'));
    put(out, h('div', {class: 'card'},
      h('p', {}, t('order.title', {id: r.id}), ' · ', t('channel.' + r.channel), ' · ', t('status.' + r.status), ' · ',
        when(r.created_at, tz), r.return_until ? ' · ' + t('returns.until', {at: when(r.return_until, tz)}) : ''),
      h('table', {class: 'grid'}, h('thead', {}, h('tr', {}, h('th', {}, t('till.item')), h('th', {class: 'num'}, t('till.qty')),
        h('th', {class: 'num'}, t('till.amount')), h('th', {class: 'num'}, t('returns.can')), h('th', {class: 'num'}, t('returns.back')))),
      h('tbody', {}, rows)), reason, go));
    go.addEventListener('click', async () => {
      const lines = [];
      for (const [line, input] of qty) { const n = Number(input.value); if (n > 0) lines.push({line, qty: n}); }
      if (!lines.length) { ctx.fail(t('returns.nothing')); return; }
      const body = {lines};
      if (store || at) body.location = store || at.value;
      if (reason.value.trim()) body.reason = reason.value.trim();
      try {
        const done = await api.post('/v1/orders/' + r.id + '/returns', body, {key});
        const ret = done.return || {};
        ctx.fail(null);
        put(out, h('div', {class: 'card', id: 'return-done'}, h('h3', {}, t('returns.done', {id: ret.id || ''})),
          h('p', {class: 'big'}, t('returns.refunded', {v: money(ret.refunded)})),
          ret.withheld ? h('p', {}, t('returns.withheld', {v: money(ret.withheld)})) : null,
          h('ul', {class: 'plain'}, (ret.refunds || []).map((x) => h('li', {}, t('tender.' + x.tender), ' ', money(x.amount),
            x.points ? ' (' + t('till.points', {n: x.points}) + ')' : '', ' · ', x.status)))));
      } catch (e) { ctx.fail(e); }
    });
  }
  if (ctx.params[0]) form.requestSubmit();
}
