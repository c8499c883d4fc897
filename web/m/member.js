/*
 * member.js -- the member's pages (/m/), for her phone and WeChat's browser: she
 * signs in with her phone number and a one-time code; then her points and their
 * history, her coupons, her orders with tracking and the pickup code, a receipt
 * to claim (a link from the e-receipt page opens #/claim/TOKEN; the e-receipt page
 * shares this sign-in), and recommendations with their reasons. Chinese by
 * default, English by the switch; every text from the server is shown as text.
 */
import {h, put, $, money, when} from '/console/dom.js';
import {t, language, setLanguage, addCatalogs} from '/console/i18n.js';
import * as api from '/console/api.js';
import czh from '/console/msg-zh.js';
import cen from '/console/msg-en.js';
import zh from './msg-zh.js';
import en from './msg-en.js';

addCatalogs(czh, cen);   /* statuses, channels, tenders: the console's words */
addCatalogs(zh, en);
api.storeUnder('o2o.member_token');
const TZ = 'Asia/Shanghai';
const app = $('#app');
let me = null;        /* her member record */

function fail(err) {
  const bar = $('#msg');
  if (!bar) return;
  if (!err) { bar.hidden = true; return; }
  put(bar, typeof err === 'string' ? err : err.status === 0 ? t('err.network') : err.message);
  bar.hidden = false;
}

function langSwitch(after) {
  const sel = h('select', {id: 'lang', 'aria-label': 'Language / 语言'},
    h('option', {value: 'zh-CN'}, '中文'), h('option', {value: 'en'}, 'English'));
  sel.value = language();
  sel.addEventListener('change', () => { setLanguage(sel.value); after(); });
  return sel;
}

/* ---- sign-in: phone, then the code sent to it ---- */
function signIn(then) {
  document.title = t('m.title');
  let e164 = '';
  const phone = h('input', {id: 'phone', type: 'tel', inputmode: 'tel', autocomplete: 'tel', maxlength: 20, required: true});
  const code = h('input', {id: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: 8});
  const codeBox = h('div', {id: 'codebox', hidden: true}, h('label', {}, t('m.code'), code),
    h('button', {type: 'submit', class: 'primary wide', id: 'verify'}, t('m.verify')));
  const state = h('p', {id: 'state', role: 'status'});
  const send = h('button', {type: 'button', id: 'send', class: 'wide'}, t('m.send'));
  const form = h('form', {id: 'signin', class: 'card narrow'}, h('h1', {}, t('m.title')), h('p', {class: 'muted'}, t('m.signin_lead')),
    h('label', {}, t('m.phone'), phone), send, codeBox, state, langSwitch(() => signIn(then)));
  send.addEventListener('click', async () => {
    if (!phone.value.trim()) { phone.focus(); return; }
    put(state, t('m.sending'));
    send.disabled = true;
    try {
      const r = await api.post('/v1/auth/otp', {phone: phone.value.trim()}, {anonymous: true});
      e164 = r.phone;
      put(state, t('m.sent', {phone: e164}));
      codeBox.hidden = false;
      code.focus();
    } catch (e) {
      put(state, e.status === 429 ? t('m.throttled') : e.status === 0 ? t('err.network') : e.message);
    }
    send.disabled = false;
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!e164 || !code.value.trim()) return;
    try {
      const r = await api.post('/v1/auth/otp/verify', {phone: e164, code: code.value.trim()}, {anonymous: true});
      api.keep({token: r.token, me: {role: 'member', id: r.member_id}});
      await then();
    } catch (e) {
      put(state, e.status === 401 || e.status === 400 ? t('m.wrong') : e.status === 0 ? t('err.network') : e.message);
    }
  });
  put(app, form);
  phone.focus();
}

/* ---- the pages ---- */
const PAGES = {home: showHome, orders: showOrders, points: showPoints, coupons: showCoupons, claim: showClaim};

function frame() {
  const nav = h('nav', {id: 'nav'}, ['home', 'orders', 'points', 'coupons'].map((p) =>
    h('a', {href: '#/' + p, 'data-page': p}, t('m.nav_' + p))));
  put(app, h('header', {id: 'top'}, h('strong', {class: 'brand'}, 'o2o'), h('span', {class: 'grow'}),
    langSwitch(() => { frame(); route(); }),
    h('button', {type: 'button', class: 'link', id: 'signout', onclick: async () => {
      await api.signOut(); me = null; location.hash = ''; signIn(start);
    }}, t('m.signout')), nav),
  h('div', {id: 'msg', class: 'msg', role: 'alert', hidden: true}),
  h('main', {id: 'page'}));
}

let leaving = null;
async function route() {
  const parts = (location.hash || '').replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const name = PAGES[parts[0]] ? parts[0] : 'home';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('on', a.dataset.page === name);
  if (leaving) leaving.abort();
  leaving = new AbortController();
  const el = h('section', {id: 'page-' + name});
  put($('#page'), el);
  fail(null);
  try {
    await PAGES[name](el, parts.slice(1), leaving.signal);
  } catch (e) {
    if (!leaving.signal.aborted) fail(e);
  }
}

async function showHome(el) {
  const [pts, reco] = await Promise.all([api.get('/v1/members/' + me.id + '/points?limit=1'),
    api.get('/v1/members/' + me.id + '/recommendations?limit=6').catch(() => ({items: []}))]);
  put(el, h('div', {class: 'card'},
    h('h2', {id: 'hello'}, t('m.hello', {name: me.name || t('m.member')})),
    h('p', {class: 'muted'}, me.phone, ' · ', t('m.tier', {tier: pts.tier})),
    h('div', {class: 'muted'}, t('m.points_balance')),
    h('div', {class: 'balance', id: 'balance'}, String(pts.balance)),
    pts.value !== undefined ? h('div', {class: 'muted'}, t('m.points_value', {v: money(pts.value)})) : null),
  claimCard(),
  h('div', {class: 'card'}, h('h3', {}, t('m.reco')),
    reco.items.length ? h('ul', {class: 'plain reco', id: 'reco'}, reco.items.map((r) => h('li', {},
      h('div', {}, h('strong', {}, r.name), ' ', h('span', {class: 'muted'}, money(r.price))),
      h('div', {class: 'muted small'}, reason(r.reason))))) : h('p', {class: 'muted'}, t('m.no_reco'))));
}

function reason(r) {
  const k = 'reco.' + r.code;
  const s = t(k, {label: r.label || r.because || ''});
  return s === k ? r.text : s;
}

function claimCard(token) {
  const input = h('input', {id: 'receipt', value: token || '', maxlength: 300, placeholder: t('m.claim_input'),
                            'aria-label': t('m.claim_input')});
  const state = h('p', {id: 'claim-state', role: 'status'});
  const form = h('form', {class: 'card', id: 'claim-form'}, h('h3', {}, t('m.claim_title')),
    h('p', {class: 'muted small'}, t('m.claim_lead')), input, h('button', {type: 'submit', class: 'primary'}, t('m.claim')), state);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    const m = /(?:\/r\/)?(\d+-[0-9a-f]{24})\b/.exec(v);
    if (!m) { put(state, t('m.bad_receipt')); return; }
    try {
      const o = await api.post('/v1/receipts/claim', {token: m[1]}, {key: 'claim-' + m[1]});
      put(state, t('m.claimed', {n: o.points_credited !== undefined ? o.points_credited : o.points_earned}));
    } catch (e) { put(state, e.status === 0 ? t('err.network') : e.message); }
  });
  return form;
}

async function showClaim(el, params) {
  put(el, claimCard(params[0] || ''));
  if (params[0]) $('#claim-form').requestSubmit();
}

async function showPoints(el) {
  const list = h('ul', {class: 'plain', id: 'ledger'});
  const more = h('button', {type: 'button', hidden: true}, t('m.more'));
  let cursor = null;
  async function page() {
    const r = await api.get('/v1/members/' + me.id + '/points' + api.query({limit: 30, cursor}));
    for (const e of r.items) list.appendChild(h('li', {class: 'row'},
      h('span', {class: 'grow'}, t('m.kind.' + e.kind), e.reason ? h('div', {class: 'muted small'}, e.reason) : null),
      h('span', {class: 'muted small'}, when(e.created_at, TZ)),
      h('strong', {class: 'num'}, (e.points > 0 ? '+' : '') + e.points)));
    cursor = r.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) put(list, h('li', {class: 'muted'}, t('m.no_points')));
    return r;
  }
  more.addEventListener('click', () => page().catch(fail));
  const first = await page();
  put(el, h('div', {class: 'card'}, h('div', {class: 'muted'}, t('m.points_balance')),
    h('div', {class: 'balance'}, String(first.balance))), h('h3', {}, t('m.points_history')), list, more);
}

async function showCoupons(el) {
  const r = await api.get('/v1/members/' + me.id + '/coupons');
  const items = r.items.filter((c) => c.status === 'issued');
  put(el, h('h3', {}, t('m.coupons')), items.length ? h('div', {id: 'coupons'}, items.map((c) => h('div', {class: 'card coupon'},
    h('div', {class: 'big'}, c.kind === 'percent' ? t('m.coupon_pct', {v: c.value}) : t('m.coupon_amt', {v: money(c.value)})),
    c.min_spend ? h('div', {}, t('m.min_spend', {v: money(c.min_spend)})) : null,
    c.valid_until ? h('div', {class: 'muted small'}, t('m.valid_until', {at: when(c.valid_until, TZ)})) : null,
    h('div', {class: 'muted small'}, c.code)))) : h('p', {class: 'muted'}, t('m.no_coupons')));
}

async function showOrders(el, params, signal) {
  if (params[0]) return showOrder(el, params[0], signal);
  const r = await api.get('/v1/orders?limit=50');
  put(el, h('h3', {}, t('m.orders')), r.items.length ? h('ul', {class: 'plain', id: 'my-orders'}, r.items.map((o) =>
    h('li', {class: 'card', 'data-order': o.id}, h('a', {href: '#/orders/' + o.id}, t('m.order', {id: o.id})), ' ',
      h('span', {class: 'status s-' + o.status}, t('status.' + o.status)),
      h('div', {class: 'muted small'}, when(o.created_at, TZ), ' · ', t('m.items', {n: o.items}), ' · ', money(o.total))))) :
    h('p', {class: 'muted'}, t('m.no_orders')));
}

async function showOrder(el, id, signal) {
  if (!/^\d+$/.test(id)) return;
  const o = await api.get('/v1/orders/' + id, {signal});
  put(el, h('p', {}, h('a', {href: '#/orders'}, '← ' + t('m.back'))),
    h('h3', {}, t('m.order', {id: o.id}), ' ', h('span', {class: 'status s-' + o.status}, t('status.' + o.status))),
    o.fulfilments.map((f) => h('div', {class: 'card', 'data-fulfilment': f.id},
      h('div', {}, t('fulfilment.' + f.kind), ' · ', t('fstatus.' + f.status)),
      f.pickup_code ? h('div', {}, h('div', {class: 'muted'}, t('m.pickup_code')), h('div', {class: 'code', id: 'pickup-code'}, f.pickup_code),
        h('div', {class: 'small'}, t('m.pickup_where', {store: f.location, at: when(f.pickup_until, TZ)}))) : null,
      f.tracking_no ? h('div', {class: 'tracking'}, t('m.tracking', {carrier: f.carrier || '', no: f.tracking_no})) : null)),
    h('ul', {class: 'plain'}, o.lines.map((l) => h('li', {class: 'row'}, h('span', {class: 'grow'}, l.name), '×' + l.qty,
      h('span', {class: 'num'}, money(l.amount))))),
    h('h3', {}, t('m.timeline')),
    h('ol', {class: 'timeline', id: 'timeline'}, o.timeline.map((e) => h('li', {}, h('span', {class: 'muted small'},
      when(e.at, TZ)), ' ', e.detail))));
}

async function start() {
  const who = await api.get('/v1/me');
  if (who.role !== 'member') { await api.signOut(); signIn(start); return; }
  me = await api.get('/v1/members/' + who.id);
  frame();
  await route();
}

api.whenSignedOut(() => { me = null; signIn(start); });
window.addEventListener('hashchange', () => { if (me) route(); });
if (api.current()) start().catch(() => signIn(start));
else signIn(start);
