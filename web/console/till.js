/*
 * till.js -- the web till: a tablet's or pop-up store's till, and the reference
 * client for a chain's own POS. A USB scanner types the barcode into the scan box
 * and presses Enter; the member is found by phone or by the member code her app
 * shows; her coupons apply at a tap; points, cash (with change) and bank card
 * split the bill; the e-receipt's QR code is shown for her to scan. A size that is
 * not here shows the nearest stores that have it, and the sale becomes an order
 * for pickup here or delivery to her home ("endless aisle"). The sale in progress
 * is kept in this tab (sessionStorage), so a failed request or a reload loses
 * nothing; every write carries an idempotency key kept until it succeeds.
 */
import {h, put, money, fen, newKey} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

const KEEP = 'o2o.till';

function fresh(store) {
  return {store, lines: [], member: null, coupons: [], coupon: null, mode: 'carry_out', address: '', contact: '',
          order: null, tenders: [], checkoutKey: newKey('sale'), payKey: newKey('pay'), done: null, aisle: null};
}

function load(store) {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEEP) || 'null');
    if (s && s.store === store) return s;
  } catch (e) { /* nothing kept */ }
  return fresh(store);
}

export default async function show(ctx) {
  const stores = ctx.places.filter((l) => l.kind === 'store');
  let store = ctx.home ? ctx.home.code : (sessionStorage.getItem('o2o.till.store') || (stores[0] || {}).code);
  if (!store) { put(ctx.el, t('till.no_store')); return; }
  let st = load(store);
  const pointValue = Number((ctx.settings || {}).points_value_fen || 1);
  const save = () => { try { sessionStorage.setItem(KEEP, JSON.stringify(st)); } catch (e) { /* tab only */ } };

  const scan = h('input', {id: 'scan', autocomplete: 'off', inputmode: 'numeric', placeholder: t('till.scan_here'),
                           'aria-label': t('till.scan')});
  const scanForm = h('form', {id: 'scan-form', class: 'row'}, scan, h('button', {type: 'submit'}, t('till.add')));
  const cart = h('div', {id: 'cart'});
  const aisle = h('div', {id: 'aisle'});
  const member = h('div', {id: 'member'});
  const totals = h('div', {id: 'totals'});
  const pay = h('div', {id: 'pay'});

  let picker = null;
  if (!ctx.home) {
    picker = h('select', {id: 'till-store', 'aria-label': t('till.store')},
      stores.map((l) => h('option', {value: l.code}, l.code + ' ' + l.name)));
    picker.value = store;
    picker.addEventListener('change', () => {
      sessionStorage.setItem('o2o.till.store', picker.value);
      store = picker.value;
      st = load(store);
      render();
    });
  }

  put(ctx.el, h('div', {class: 'till'},
    h('div', {class: 'till-left'},
      h('div', {class: 'row'}, h('h2', {}, t('till.title')), picker || h('span', {class: 'tag'}, ctx.home.name)),
      scanForm, cart, aisle),
    h('div', {class: 'till-right'}, member, totals, pay)));

  /* ---- the basket ---- */
  scanForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const code = scan.value.trim();
    if (!code || st.order) return;
    scan.value = '';
    try {
      const k = await api.get('/v1/skus/lookup' + api.query({barcode: code, store}));
      const line = st.lines.find((l) => l.sku === k.code);
      if (line) line.qty += 1;
      else st.lines.push({sku: k.code, name: k.name, size: k.size, colour: k.colour, price: k.price, qty: 1,
                          here: k.stock.available, nearby: k.nearby || []});
      const l = st.lines.find((x) => x.sku === k.code);
      l.here = k.stock.available;
      l.nearby = k.nearby || [];
      st.aisle = l.qty > l.here ? l.sku : st.aisle;
      ctx.fail(null);
      save();
      render();
    } catch (e) {
      scan.value = code;
      ctx.fail(e.status === 404 ? t('till.unknown_barcode', {code}) : e);
    }
    scan.focus();
  });

  function renderCart() {
    if (!st.lines.length) { put(cart, h('p', {class: 'muted'}, t('till.empty'))); return; }
    const locked = !!st.order;
    put(cart, h('table', {class: 'grid'},
      h('thead', {}, h('tr', {}, h('th', {}, t('till.item')), h('th', {class: 'num'}, t('till.qty')),
        h('th', {class: 'num'}, t('till.price')), h('th', {class: 'num'}, t('till.amount')), h('th'))),
      h('tbody', {}, st.lines.map((l, i) => h('tr', {'data-sku': l.sku},
        h('td', {}, h('div', {class: 'name'}, l.name), h('div', {class: 'muted small'}, l.sku),
          l.qty > l.here ? h('button', {type: 'button', class: 'warn small', onclick: () => { st.aisle = l.sku; render(); }},
            t('till.not_here', {n: l.here})) : null),
        h('td', {class: 'num'},
          h('button', {type: 'button', class: 'small', disabled: locked, 'aria-label': '-',
                       onclick: () => { l.qty -= 1; if (!l.qty) st.lines.splice(i, 1); save(); render(); }}, '−'),
          h('span', {class: 'qty'}, l.qty),
          h('button', {type: 'button', class: 'small', disabled: locked, 'aria-label': '+',
                       onclick: () => { l.qty += 1; save(); render(); }}, '+')),
        h('td', {class: 'num'}, money(l.price)),
        h('td', {class: 'num'}, money(l.price * l.qty)),
        h('td', {}, h('button', {type: 'button', class: 'link', disabled: locked, 'aria-label': t('till.remove'),
                                 onclick: () => { st.lines.splice(i, 1); save(); render(); }}, '×')))))));
  }

  /* out of her size here: the nearest stores that have it, and the order that gets it to her */
  function renderAisle() {
    const l = st.lines.find((x) => x.sku === st.aisle);
    if (!l || st.order) { put(aisle); return; }
    const near = l.nearby.filter((n) => n.available > 0).slice(0, 5);
    put(aisle, h('div', {class: 'card'},
      h('h3', {}, t('till.aisle_title', {name: l.name})),
      near.length ? h('table', {class: 'grid', id: 'nearby'}, h('tbody', {}, near.map((n) => h('tr', {},
        h('td', {}, n.location, ' ', h('span', {class: 'muted'}, n.name || '')), h('td', {class: 'num'}, t('till.units', {n: n.available})),
        h('td', {class: 'num'}, n.distance_m !== undefined ? t('till.km', {km: (n.distance_m / 1000).toFixed(1)}) : '')))))
        : h('p', {class: 'muted'}, t('till.nowhere')),
      h('div', {class: 'row'},
        h('label', {class: 'inline'}, h('input', {type: 'radio', name: 'mode', value: 'carry_out', checked: st.mode === 'carry_out',
          onchange: () => { st.mode = 'carry_out'; save(); render(); }}), t('till.mode_carry_out')),
        h('label', {class: 'inline'}, h('input', {type: 'radio', name: 'mode', value: 'pickup', id: 'mode-pickup',
          checked: st.mode === 'pickup', onchange: () => { st.mode = 'pickup'; save(); render(); }}), t('till.mode_pickup')),
        h('label', {class: 'inline'}, h('input', {type: 'radio', name: 'mode', value: 'delivery', id: 'mode-delivery',
          checked: st.mode === 'delivery', onchange: () => { st.mode = 'delivery'; save(); render(); }}), t('till.mode_delivery'))),
      st.mode === 'delivery' ? h('div', {},
        h('label', {}, t('till.address'), h('input', {id: 'address', value: st.address, maxlength: 256,
          oninput: (e) => { st.address = e.target.value; save(); }})),
        h('label', {}, t('till.contact'), h('input', {id: 'contact', type: 'tel', value: st.contact, maxlength: 20,
          oninput: (e) => { st.contact = e.target.value; save(); }}))) : null));
  }

  /* ---- the member ---- */
  function renderMember() {
    if (st.member) {
      const m = st.member;
      const usable = st.coupons.filter((c) => c.status === 'issued');
      put(member, h('div', {class: 'card', id: 'member-card'},
        h('div', {class: 'row'}, h('strong', {id: 'member-name'}, m.name || t('till.no_name')),
          h('span', {class: 'tag'}, m.tier), h('span', {class: 'grow'}),
          h('button', {type: 'button', class: 'link', disabled: !!st.order,
                       onclick: () => { st.member = null; st.coupons = []; st.coupon = null; save(); render(); }}, t('till.forget'))),
        h('div', {class: 'muted'}, m.phone, ' · ', t('till.points', {n: m.points})),
        usable.length ? h('ul', {id: 'coupons', class: 'plain'}, usable.map((c) => h('li', {},
          h('button', {type: 'button', class: st.coupon === c.code ? 'on small' : 'small', disabled: !!st.order,
                       'data-coupon': c.code,
                       onclick: () => { st.coupon = st.coupon === c.code ? null : c.code; save(); render(); }},
            c.kind === 'percent' ? t('till.coupon_pct', {v: c.value}) : t('till.coupon_amt', {v: money(c.value)}),
            c.min_spend ? ' ' + t('till.min_spend', {v: money(c.min_spend)}) : '')))) : null));
      return;
    }
    const q = h('input', {id: 'member-q', autocomplete: 'off', placeholder: t('till.member_q'), maxlength: 64,
                          'aria-label': t('till.member')});
    const form = h('form', {class: 'row', id: 'member-form'}, q, h('button', {type: 'submit'}, t('till.find')));
    const out = h('div', {id: 'member-out'});
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const v = q.value.trim();
      if (!v) return;
      try {
        let m;
        if (/^\+?[\d\s-]{11,16}$/.test(v)) m = await api.get('/v1/members/lookup' + api.query({phone: v}));
        else m = (await api.post('/v1/till/identify', {member_code: v})).member;
        await setMember(m);
      } catch (e) {
        if (e.status === 404 && /^\+?[\d\s-]{11,16}$/.test(v)) {
          put(out, h('p', {}, t('till.no_member')), h('button', {type: 'button', id: 'register', onclick: async () => {
            try {
              await setMember(await api.post('/v1/members', {phone: v, home_location: store}, {key: 'reg-' + v}));
            } catch (e2) { ctx.fail(e2); }
          }}, t('till.register', {phone: v})));
        } else ctx.fail(e);
      }
    });
    put(member, h('div', {class: 'card'}, h('h3', {}, t('till.member')), form, out));
  }

  async function setMember(m) {
    st.member = m;
    st.coupons = [];
    try {
      const now = Date.now();
      const c = await api.get('/v1/members/' + m.id + '/coupons');
      st.coupons = (c.items || []).filter((x) => x.status === 'issued' &&
        (!x.valid_until || Date.parse(x.valid_until) > now) && (!x.valid_from || Date.parse(x.valid_from) <= now));
    } catch (e) { ctx.fail(e); }
    if (!st.contact) st.contact = m.phone;
    save();
    render();
  }

  /* ---- checkout and tenders ---- */
  function renderTotals() {
    const sub = st.lines.reduce((s, l) => s + l.price * l.qty, 0);
    const o = st.order;
    put(totals, h('table', {class: 'totals'}, h('tbody', {},
      h('tr', {}, h('td', {}, t('till.subtotal')), h('td', {class: 'num', id: 'subtotal'}, money(o ? o.subtotal : sub))),
      o && o.discount ? h('tr', {}, h('td', {}, t('till.discount')), h('td', {class: 'num', id: 'discount'}, money(-o.discount))) : null,
      o ? h('tr', {class: 'big'}, h('td', {}, t('till.total')), h('td', {class: 'num', id: 'total'}, money(o.total))) : null)));
  }

  async function checkout() {
    if (!st.lines.length) return;
    const body = {lines: st.lines.map((l) => ({sku: l.sku, qty: l.qty})), fulfilment: st.mode, location: store};
    if (st.member) body.member_id = st.member.id;
    if (st.coupon) body.coupon = st.coupon;
    if (st.mode === 'pickup') body.pickup_store = store;
    if (st.mode === 'delivery') {
      body.address = st.address.trim();
      if (st.contact.trim()) body.contact_phone = st.contact.trim();
    }
    try {
      st.order = await api.post('/v1/orders', body, {key: st.checkoutKey});
      st.tenders = [{tender: 'cash', amount: (st.order.due / 100).toFixed(2), reference: '', points: ''}];
      ctx.fail(null);
      save();
      render();
    } catch (e) { ctx.fail(e); }
  }

  /* Back to the basket: the order placed for it is cancelled (its stock released). */
  async function reopen() {
    try {
      await api.post('/v1/orders/' + st.order.id + '/cancel', {location: store, reason: 'changed at the till'},
                     {key: 'cancel-' + st.order.id});
      st.order = null;
      st.checkoutKey = newKey('sale');
      save();
      render();
    } catch (e) { ctx.fail(e); }
  }

  function tenderValue(x) {
    if (x.tender === 'points') { const p = Number(x.points); return Number.isInteger(p) && p > 0 ? p * pointValue : NaN; }
    return fen(x.amount);
  }

  function renderPay() {
    if (st.done) { renderDone(); return; }
    if (!st.order) {
      /* an order that follows her home or to the store belongs to a member */
      const needsMember = st.mode !== 'carry_out' && !st.member;
      put(pay, needsMember ? h('p', {class: 'muted', id: 'needs-member'}, t('till.needs_member')) : null,
        h('button', {type: 'button', id: 'checkout', class: 'primary wide', disabled: !st.lines.length || needsMember ||
          (st.mode === 'delivery' && !st.address.trim()), onclick: checkout},
          st.mode === 'carry_out' ? t('till.checkout') : t('till.checkout_' + st.mode)));
      return;
    }
    const due = st.order.due;
    /* a tender without a value, points without a member, a code not scanned yet */
    const bad = () => st.tenders.some((x) => !(tenderValue(x) > 0) || (x.tender === 'scan' && !/^\d{10,32}$/.test(x.code || ''))) ||
      (st.member === null && st.tenders.some((x) => x.tender === 'points'));
    const rows = st.tenders.map((x, i) => h('div', {class: 'row tender', 'data-tender': i},
      h('select', {'aria-label': t('till.tender'), class: 'tender-kind', onchange: (e) => { x.tender = e.target.value; save(); renderPay(); }},
        ['cash', 'bank_card', 'points', 'scan'].map((k) => h('option', {value: k, selected: x.tender === k}, t('tender.' + k)))),
      x.tender === 'points'
        ? h('input', {class: 'tender-points', inputmode: 'numeric', value: x.points, placeholder: t('till.points_n'),
                      'aria-label': t('till.points_n'), oninput: (e) => { x.points = e.target.value; save(); refresh(); }})
        : h('input', {class: 'tender-amount', inputmode: 'decimal', value: x.amount, 'aria-label': t('till.amount'),
                      oninput: (e) => { x.amount = e.target.value; save(); refresh(); }}),
      x.tender === 'bank_card' ? h('input', {class: 'tender-ref', value: x.reference, placeholder: t('till.card_ref'),
        maxlength: 64, oninput: (e) => { x.reference = e.target.value; save(); }}) : null,
      /* her WeChat Pay or Alipay payment code, typed by the scanner */
      x.tender === 'scan' ? h('input', {class: 'tender-code', value: x.code || '', placeholder: t('till.pay_code'),
        inputmode: 'numeric', autocomplete: 'off', maxlength: 32, 'aria-label': t('till.pay_code'),
        oninput: (e) => { x.code = e.target.value.trim(); save(); refresh(); }}) : null,
      st.tenders.length > 1 ? h('button', {type: 'button', class: 'link', onclick: () => { st.tenders.splice(i, 1); save(); renderPay(); }}, '×') : null));
    const status = h('div', {id: 'pay-status'});
    const takeButton = h('button', {type: 'button', id: 'take', class: 'primary', onclick: take}, t('till.take'));
    function refresh() {
      takeButton.disabled = bad();
      const g = st.tenders.reduce((s, x) => s + (tenderValue(x) || 0), 0);
      const c = st.tenders.filter((x) => x.tender === 'cash').reduce((s, x) => s + (tenderValue(x) || 0), 0);
      put(status, h('div', {}, t('till.due'), ' ', h('strong', {id: 'due'}, money(due))),
        g < due ? h('div', {class: 'muted', id: 'remaining'}, t('till.remaining', {v: money(due - g)})) : null,
        g > due && c ? h('div', {class: 'big', id: 'change'}, t('till.change', {v: money(Math.min(g - due, c))})) : null);
    }
    put(pay, h('div', {class: 'card'},
      h('h3', {}, t('till.pay', {id: st.order.id})),
      status, rows,
      h('div', {class: 'row'},
        h('button', {type: 'button', id: 'add-tender', class: 'small', onclick: () => {
          const left = Math.max(due - st.tenders.reduce((s, x) => s + (tenderValue(x) || 0), 0), 0);
          st.tenders.push({tender: 'bank_card', amount: (left / 100).toFixed(2), reference: '', points: ''});
          save(); renderPay();
        }}, t('till.split'))),
      h('div', {class: 'row'},
        h('button', {type: 'button', class: 'link', id: 'back', onclick: reopen}, t('till.back')),
        h('span', {class: 'grow'}),
        takeButton)));
    refresh();
  }

  /* The tenders a cashier takes (cash, card, points) in one payment, then each
   * scanned payment code through its gateway; every call with its own key, so a
   * retry never charges twice, and a declined code leaves the rest paid. */
  async function take() {
    const counter = st.tenders.filter((x) => x.tender !== 'scan');
    const scans = st.tenders.filter((x) => x.tender === 'scan');
    const given = counter.reduce((s, x) => s + (x.tender === 'points' ? Number(x.points) * pointValue : fen(x.amount)), 0) +
      scans.reduce((s, x) => s + fen(x.amount), 0);
    try {
      let o = st.order;
      if (counter.length) {
        const tenders = counter.map((x) => {
          if (x.tender === 'points') return {tender: 'points', points: Number(x.points)};
          const b = {tender: x.tender, amount: fen(x.amount)};
          if (x.tender === 'bank_card' && x.reference.trim()) b.reference = x.reference.trim();
          return b;
        });
        o = await api.post('/v1/orders/' + st.order.id + '/payments', {tenders, location: store}, {key: st.payKey});
        st.order = o;
        st.tenders = scans;
        st.payKey = newKey('pay');
        save();
      }
      for (const x of scans) {
        o = await api.post('/v1/orders/' + st.order.id + '/payments/gateway',
                           {tender: 'scan', auth_code: x.code, amount: fen(x.amount), location: store},
                           {key: 'scan-' + st.order.id + '-' + x.code});
        st.order = o;
        st.tenders = st.tenders.filter((y) => y !== x);
        save();
      }
      if (o.due > 0) {
        st.tenders = [{tender: 'cash', amount: (o.due / 100).toFixed(2), reference: '', points: ''}];
      } else {
        st.done = {order: o, change: Math.max(given - (o.paid || o.total), 0)};
        if (o.member_id && !st.member) {     /* her payment code told who she is */
          try { st.done.payer = await api.get('/v1/members/' + o.member_id); } catch (e) { st.done.payer = null; }
        }
      }
      ctx.fail(null);
      save();
      render();
    } catch (e) {
      ctx.fail(e);
      render();
    }
  }

  function renderDone() {
    const o = st.done.order;
    const r = o.receipt;
    const paidBy = (o.payments || []).filter((p) => p.status === 'captured');
    put(pay, h('div', {class: 'card', id: 'done'},
      h('h3', {}, t('till.paid', {id: o.id})),
      h('ul', {class: 'plain'}, paidBy.map((p) => h('li', {}, t('tender.' + p.tender) || p.tender, ' ', money(p.amount),
        p.points ? ' (' + t('till.points', {n: p.points}) + ')' : '')),
      st.done.change ? h('p', {class: 'big', id: 'change'}, t('till.change', {v: money(st.done.change)})) : null,
      st.done.payer ? h('p', {id: 'payer'}, t('till.payer_member', {name: st.done.payer.name || st.done.payer.phone})) : null,
      r ? h('figure', {id: 'receipt'},
        h('img', {src: '/r/' + encodeURIComponent(r.token) + '/qr.svg', alt: t('till.receipt_qr'), width: 180, height: 180}),
        h('figcaption', {}, o.member_id ? t('till.receipt_member') : t('till.receipt_scan'))) : null,
      o.fulfilment !== 'carry_out' ? h('p', {}, t('till.order_follows'), ' ',
        h('a', {href: '#/orders/' + o.id}, t('till.open_order', {id: o.id}))) : null,
      h('button', {type: 'button', id: 'next-sale', class: 'primary wide', onclick: () => {
        st = fresh(store); save(); render(); scan.focus();
      }}, t('till.next')))));
  }

  function render() {
    renderCart();
    renderAisle();
    renderMember();
    renderTotals();
    renderPay();
    scanForm.hidden = !!st.order;
  }

  render();
  scan.focus();
}
