/*
 * orders.js -- the orders screen: the list with its filters (status, channel,
 * store, fulfilment, day, and a search by order number, phone or pickup code),
 * paged by the server's cursor; and one order's page: lines, totals, the
 * fulfilments with the step each can take next (pick, ready, hand over against
 * the customer's code, ship with carrier and tracking number, receive a transfer,
 * reject), payments, refunds, the routing decision with its candidates, and the
 * timeline, kept live by a long-poll on its events.
 */
import {h, put, money, newKey, when as whenIn} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

export default async function show(ctx) {
  if (ctx.params[0]) return showOrder(ctx, ctx.params[0]);
  return showList(ctx);
}

/* ---- the list ---- */

const FILTERS = 'o2o.orders.filter';

async function showList(ctx) {
  let f;
  try { f = JSON.parse(sessionStorage.getItem(FILTERS) || 'null'); } catch (e) { f = null; }
  f = f || {status: '', channel: '', fulfilment: '', store: '', day: '', q: '', member_id: ''};
  if (f.member_id === undefined) f.member_id = '';
  const sel = (name, values) => h('select', {name, 'aria-label': t('orders.' + name)},
    h('option', {value: ''}, t('orders.any_' + name)),
    values.map((v) => h('option', {value: v, selected: f[name] === v}, t(name + '.' + v))));
  const stores = ctx.places;
  const form = h('form', {id: 'order-filters', class: 'filters'},
    h('input', {name: 'q', value: f.q, placeholder: t('orders.search'), 'aria-label': t('orders.search'), maxlength: 64}),
    sel('status', ['placed', 'paid', 'completed', 'cancelled', 'returned']),
    sel('channel', ['pos', 'web', 'app', 'miniprogram', 'phone', 'marketplace']),
    sel('fulfilment', ['carry_out', 'pickup', 'delivery']),
    ctx.home ? null : h('select', {name: 'store', 'aria-label': t('orders.store')},
      h('option', {value: ''}, t('orders.any_store')),
      stores.map((l) => h('option', {value: l.code, selected: f.store === l.code}, l.code + ' ' + l.name))),
    h('input', {name: 'day', type: 'date', value: f.day, 'aria-label': t('orders.day')}),
    h('input', {name: 'member_id', inputmode: 'numeric', value: f.member_id, maxlength: 12, class: 'narrow-in',
                placeholder: t('orders.member_no'), 'aria-label': t('orders.member_no')}),
    h('button', {type: 'submit', class: 'primary'}, t('orders.filter')),
    h('button', {type: 'button', class: 'link', onclick: () => { form.reset(); for (const k of Object.keys(f)) f[k] = ''; run(); }},
      t('orders.clear')));
  const body = h('tbody');
  const more = h('button', {type: 'button', id: 'more', hidden: true}, t('orders.more'));
  const count = h('span', {class: 'muted', id: 'count'});
  put(ctx.el, h('h2', {}, t('nav.orders')), form,
    h('table', {class: 'grid', id: 'orders'},
      h('thead', {}, h('tr', {}, ['id', 'created', 'channel', 'fulfilment', 'store', 'member', 'items', 'total', 'status']
        .map((k) => h('th', {class: k === 'total' || k === 'items' ? 'num' : ''}, t('orders.col_' + k))))),
      body),
    h('div', {class: 'row'}, count, more));
  let cursor = null, tz = ctx.tz(ctx.home ? ctx.home.code : ''), shown = 0;

  async function page(first) {
    const q = {...f, limit: 50};
    if (!first && cursor) q.cursor = cursor;
    const r = await api.get('/v1/orders' + api.query(q));
    tz = r.time_zone || tz;
    if (first) { put(body); shown = 0; }
    for (const o of r.items) {
      const zone = ctx.tz(o.location || o.pickup_store || '') || tz;
      body.appendChild(h('tr', {class: 'link-row', 'data-order': o.id, onclick: () => ctx.go('#/orders/' + o.id)},
        h('td', {}, h('a', {href: '#/orders/' + o.id}, '#' + o.id)),
        h('td', {}, whenIn(o.created_at, zone)),
        h('td', {}, t('channel.' + o.channel)),
        h('td', {}, t('fulfilment.' + o.fulfilment)),
        h('td', {}, o.location || o.pickup_store || '—'),
        h('td', {}, o.member_phone || '—'),
        h('td', {class: 'num'}, o.items),
        h('td', {class: 'num'}, money(o.total)),
        h('td', {}, h('span', {class: 'status s-' + o.status}, t('status.' + o.status)))));
    }
    shown += r.items.length;
    cursor = r.next_cursor;
    more.hidden = !cursor;
    put(count, shown ? t('orders.shown', {n: shown}) : t('orders.none'));
  }

  function run() {
    try { sessionStorage.setItem(FILTERS, JSON.stringify(f)); } catch (e) { /* tab only */ }
    page(true).catch(ctx.fail);
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    for (const k of Object.keys(f)) { const el = form.elements.namedItem(k); f[k] = el ? el.value.trim() : ''; }
    run();
  });
  more.addEventListener('click', () => page(false).catch(ctx.fail));
  await page(true);
}


/* ---- one order ---- */

const NEXT = {
  /* fulfilment kind -> status -> the steps it can take */
  carry_out: {},
  pickup: {allocated: ['pick', 'reject'], picked: ['ready', 'reject'], ready_for_pickup: ['handover']},
  delivery: {allocated: ['pick', 'reject'], picked: ['ship', 'reject'], shipped: ['deliver']},
  transfer: {allocated: ['pick', 'reject'], picked: ['ship', 'reject'], shipped: ['receive']},
};

async function showOrder(ctx, id) {
  if (!/^\d+$/.test(id)) { ctx.fail(t('orders.bad_id')); return; }
  let o = await api.get('/v1/orders/' + id);
  const tz = ctx.tz(o.location || o.pickup_store || '');
  const head = h('div', {id: 'order-head'});
  const lines = h('div', {id: 'order-lines'});
  const fuls = h('div', {id: 'fulfilments'});
  const money_ = h('div', {id: 'order-money'});
  const routing = h('div', {id: 'routing'});
  const timeline = h('ol', {id: 'timeline', class: 'timeline'});
  put(ctx.el, h('p', {}, h('a', {href: '#/orders'}, '← ' + t('nav.orders'))), head,
    h('div', {class: 'cols'}, h('div', {}, lines, fuls, money_), h('div', {}, routing,
      h('h3', {}, t('order.timeline')), timeline)));

  function render() {
    put(head, h('h2', {}, t('order.title', {id: o.id}), ' ', h('span', {class: 'status s-' + o.status, id: 'order-status'},
      t('status.' + o.status))),
      h('p', {class: 'muted'}, t('channel.' + o.channel), ' · ', t('fulfilment.' + o.fulfilment), ' · ',
        whenIn(o.created_at, tz), o.location ? ' · ' + o.location : '', o.pickup_store ? ' · ' + t('order.pickup_at', {s: o.pickup_store}) : ''),
      o.address ? h('p', {}, t('order.address'), ' ', o.address.text, o.contact_phone ? ' · ' + o.contact_phone : '') : null);
    put(lines, h('table', {class: 'grid'},
      h('thead', {}, h('tr', {}, h('th', {}, t('till.item')), h('th', {class: 'num'}, t('till.qty')),
        h('th', {class: 'num'}, t('till.amount')), h('th', {class: 'num'}, t('order.returned')))),
      h('tbody', {}, o.lines.map((l) => h('tr', {}, h('td', {}, l.name, h('div', {class: 'muted small'}, l.sku)),
        h('td', {class: 'num'}, l.qty), h('td', {class: 'num'}, money(l.amount)), h('td', {class: 'num'}, l.returned_qty || ''))))),
      h('table', {class: 'totals'}, h('tbody', {},
        h('tr', {}, h('td', {}, t('till.subtotal')), h('td', {class: 'num'}, money(o.subtotal))),
        o.discount ? h('tr', {}, h('td', {}, t('till.discount')), h('td', {class: 'num'}, money(-o.discount))) : null,
        h('tr', {class: 'big'}, h('td', {}, t('till.total')), h('td', {class: 'num'}, money(o.total))),
        h('tr', {}, h('td', {}, t('order.paid')), h('td', {class: 'num'}, money(o.paid))),
        o.refunded ? h('tr', {}, h('td', {}, t('order.refunded')), h('td', {class: 'num'}, money(o.refunded))) : null)));
    put(fuls, h('h3', {}, t('order.fulfilments')), o.fulfilments.map(fulCard),
      (o.status === 'placed' || o.status === 'paid') ? cancelForm() : null);
    put(money_, h('h3', {}, t('order.payments')),
      h('table', {class: 'grid', id: 'payments'}, h('tbody', {}, o.payments.map((p) => h('tr', {},
        h('td', {}, t('tender.' + p.tender)), h('td', {class: 'num'}, money(p.amount)),
        h('td', {}, t('payment.' + p.status)), h('td', {class: 'muted'}, p.reference || ''))))),
      o.refunds.length ? [h('h3', {}, t('order.refunds')), h('table', {class: 'grid', id: 'refunds'}, h('tbody', {},
        o.refunds.map((r) => h('tr', {}, h('td', {}, t('tender.' + r.tender)), h('td', {class: 'num'}, money(r.amount)),
          h('td', {}, r.status), h('td', {class: 'muted'}, r.reason)))))] : null);
    put(routing, o.routing.length ? [h('h3', {}, t('order.routing')), o.routing.map((d) => h('div', {class: 'card'},
      h('p', {}, h('strong', {}, d.rule), ' · ', d.summary),
      h('table', {class: 'grid small'}, h('tbody', {}, d.candidates.map((c) => h('tr', {class: 'v-' + c.verdict},
        h('td', {}, c.location), h('td', {class: 'num'}, c.distance_km === null ? '' : t('till.km', {km: c.distance_km.toFixed(1)})),
        h('td', {class: 'num'}, c.lines_available), h('td', {}, t('verdict.' + c.verdict))))))))] : null);
    put(timeline, o.timeline.map(eventItem));
  }

  function eventItem(e) {
    const k = t('event.' + e.kind);
    return h('li', {'data-seq': e.seq, 'data-kind': e.kind}, h('span', {class: 'muted'}, whenIn(e.at, tz)), ' ',
      h('strong', {}, k === 'event.' + e.kind ? e.kind : k), ' ',
      e.detail, e.actor ? h('span', {class: 'muted'}, ' · ' + e.actor) : null);
  }

  function fulCard(f) {
    const steps = ((NEXT[f.kind] || {})[f.status] || []).filter(mayAct(f));
    const card = h('div', {class: 'card fulfilment', 'data-fulfilment': f.id},
      h('p', {}, h('strong', {}, t('fulfilment.' + f.kind)), ' · ', f.location, f.to_location ? ' → ' + f.to_location : '',
        ' · ', h('span', {class: 'status'}, t('fstatus.' + f.status))),
      f.carrier ? h('p', {class: 'muted'}, f.carrier, ' ', f.tracking_no || '') : null,
      f.pickup_until ? h('p', {class: 'muted'}, t('order.pickup_until', {at: whenIn(f.pickup_until, tz)})) : null,
      f.reason ? h('p', {class: 'muted'}, f.reason) : null);
    for (const s of steps) card.appendChild(stepForm(f, s));
    return card;
  }

  /* staff act on fulfilments of their own stores (the server says so too) */
  function mayAct(f) {
    return (s) => {
      if (!ctx.home) return true;
      const at = s === 'receive' ? f.to_location : f.location;
      return at === ctx.home.code;
    };
  }

  /* Cancel: stock released, every tender refunded, points taken back (the server's rules). */
  function cancelForm() {
    const reason = h('input', {name: 'reason', required: true, maxlength: 128, placeholder: t('order.cancel_reason'),
                               'aria-label': t('order.cancel_reason')});
    const key = newKey('cancel-' + o.id);
    const form = h('form', {class: 'row card', id: 'cancel-form'}, reason,
      h('button', {type: 'submit', class: 'warn'}, o.paid ? t('order.cancel_refund') : t('order.cancel')));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {reason: reason.value.trim()};
      if (ctx.home) body.location = ctx.home.code;
      try {
        o = await api.post('/v1/orders/' + o.id + '/cancel', body, {key});
        ctx.note(t('order.cancelled'));
        render();
      } catch (e) { ctx.fail(e); }
    });
    return form;
  }

  function stepForm(f, step) {
    const inputs = [];
    if (step === 'handover') inputs.push(h('input', {name: 'code', placeholder: t('order.pickup_code'), required: true,
      inputmode: 'numeric', autocomplete: 'off', maxlength: 16, 'aria-label': t('order.pickup_code')}));
    if (step === 'ship') inputs.push(h('input', {name: 'carrier', placeholder: t('order.carrier'), maxlength: 32,
      'aria-label': t('order.carrier')}), h('input', {name: 'tracking_no', placeholder: t('order.tracking'), maxlength: 64,
      'aria-label': t('order.tracking')}));
    if (step === 'reject') inputs.push(h('input', {name: 'reason', placeholder: t('order.reason'), required: true, maxlength: 128,
      'aria-label': t('order.reason')}));
    const key = newKey(step + '-' + f.id);
    const form = h('form', {class: 'row step', 'data-step': step}, inputs,
      h('button', {type: 'submit', class: step === 'reject' ? 'warn' : 'primary'}, t('step.' + step)));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {};
      for (const i of inputs) if (i.value.trim()) body[i.name] = i.value.trim();
      try {
        o = await api.post('/v1/fulfilments/' + f.id + '/' + step, body, {key});
        ctx.fail(null);
        ctx.note(t('step.done_' + step));
        render();
      } catch (e) { ctx.fail(e); }
    });
    return form;
  }

  render();
  live();

  /* live timeline: long-poll for the events after the last one shown, until the
   * screen is left (its signal aborts the call in flight) */
  async function live() {
    let seq = o.seq;
    while (!ctx.signal.aborted) {
      let r;
      try {
        r = await api.get('/v1/orders/' + o.id + '/events' + api.query({after: seq, wait: 25}), {signal: ctx.signal});
      } catch (e) {
        if (ctx.signal.aborted) return;
        await new Promise((res) => setTimeout(res, 3000));
        continue;
      }
      if (r.events.length) {
        seq = r.seq;
        try { o = await api.get('/v1/orders/' + o.id, {signal: ctx.signal}); } catch (e) { if (ctx.signal.aborted) return; }
        render();
      }
    }
  }
}
