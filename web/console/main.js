/*
 * main.js -- the console's shell: sign-in, the header (screens this role may use,
 * the store, the language switch, sign-out), and the router: #/till, #/orders/42
 * ... load their screen module on first use. A screen is a module whose default
 * export is show(ctx): ctx.el is its container, ctx.me the principal, ctx.places
 * the locations in scope, ctx.home her store (staff of one store), ctx.tz(code)
 * a location's time zone, ctx.fail(err) the message bar.
 */
import {h, put, $} from './dom.js';
import {t, language, setLanguage, addCatalogs} from './i18n.js';
import * as api from './api.js';
import zh from './msg-zh.js';
import en from './msg-en.js';

addCatalogs(zh, en);

const STAFF = ['owner', 'region_manager', 'store_manager', 'clerk', 'service_agent'];
const MANAGERS = ['owner', 'region_manager', 'store_manager'];
/* Each screen: who may open it (the server checks every call again). */
const SCREENS = [
  {id: 'board', roles: MANAGERS, load: () => import('./board.js')},
  {id: 'till', roles: [...MANAGERS, 'clerk'], load: () => import('./till.js')},
  {id: 'desk', roles: [...MANAGERS, 'service_agent'], load: () => import('./desk.js')},
  {id: 'orders', roles: STAFF, load: () => import('./orders.js')},
  {id: 'returns', roles: STAFF, load: () => import('./returns.js')},
  {id: 'stock', roles: [...MANAGERS, 'clerk'], load: () => import('./stock.js')},
  {id: 'members', roles: [...MANAGERS, 'service_agent'], load: () => import('./members.js')},
  {id: 'catalog', roles: MANAGERS, load: () => import('./catalog.js')},
  {id: 'reports', roles: MANAGERS, load: () => import('./reports.js')},
  {id: 'settings', roles: MANAGERS, load: () => import('./settings.js')},
];

const app = $('#app');
let ctx = null;
let seq = 0;
let leaving = null; /* aborts the calls of the screen being left (long-polls) */

function fail(err) {
  const bar = $('#msg');
  if (!err) { bar.hidden = true; put(bar); return; }
  let text;
  if (typeof err === 'string') text = err;
  else if (err.status === 0) text = t('err.network');
  else if (!(err instanceof api.ApiError)) text = t('err.bug', {message: String(err.message || err)});
  else {
    /* the server's code in the console's words when the catalog knows it; its own message otherwise */
    const known = t('code.' + err.code);
    const said = known === 'code.' + err.code ? err.message : known + (err.field ? ' (' + err.field + ')' : '');
    text = t('err.server', {message: said, code: err.code}) + (err.requestId ? ' · ' + err.requestId : '');
  }
  put(bar, h('span', {}, text), h('button', {type: 'button', class: 'link', onclick: () => fail(null)}, '×'));
  bar.hidden = false;
}

function note(text) {
  const bar = $('#note');
  put(bar, text);
  bar.hidden = !text;
  if (text) setTimeout(() => { if (bar.textContent === text) { bar.hidden = true; } }, 4000);
}

function signInPage(problem) {
  document.title = t('app.title');
  const form = h('form', {id: 'signin', class: 'card narrow'},
    h('h1', {}, t('app.title')),
    h('p', {class: 'sub'}, t('signin.lead')),
    h('label', {}, t('signin.username'), h('input', {name: 'username', id: 'username', autocomplete: 'username',
                                                      required: true, maxlength: 64})),
    h('label', {}, t('signin.password'), h('input', {name: 'password', id: 'password', type: 'password',
                                                      autocomplete: 'current-password', required: true, maxlength: 256})),
    h('p', {id: 'signin-error', class: 'error', role: 'alert'}, problem || ''),
    h('button', {type: 'submit', class: 'primary'}, t('signin.submit')),
    langSwitch());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const u = form.elements.username.value.trim(), p = form.elements.password.value;
    put($('#signin-error'), t('signin.busy'));
    try {
      await api.signIn(u, p);
      if (!STAFF.includes(api.current().me.role)) {
        await api.signOut();
        put($('#signin-error'), t('signin.not_staff'));
        return;
      }
      await start();
    } catch (e) {
      put($('#signin-error'), e.status === 401 ? t('signin.wrong') : e.status === 429 ? t('signin.throttled')
        : e.status === 0 ? t('err.network') : e.message);
    }
  });
  put(app, form);
  form.elements.username.focus();
}

function langSwitch() {
  const sel = h('select', {id: 'lang', 'aria-label': 'Language / 语言'},
    h('option', {value: 'zh-CN'}, '中文'), h('option', {value: 'en'}, 'English'));
  sel.value = language();
  sel.addEventListener('change', () => {
    setLanguage(sel.value);
    if (ctx) { header(); route(); } else signInPage();
  });
  return sel;
}

function allowed() {
  return SCREENS.filter((s) => s.roles.includes(ctx.me.role));
}

function header() {
  const nav = h('nav', {id: 'nav'}, allowed().map((s) =>
    h('a', {href: '#/' + s.id, 'data-screen': s.id}, t('nav.' + s.id))));
  const who = h('span', {id: 'who'}, ctx.me.name, ' · ', t('role.' + ctx.me.role),
    ctx.home ? ' · ' + ctx.home.name : '');
  const out = h('button', {type: 'button', id: 'signout', class: 'link', onclick: async () => {
    if (leaving) leaving.abort();
    await api.signOut();
    ctx = null;
    location.hash = '';
    signInPage(t('signin.signed_out'));
  }}, t('nav.signout'));
  put(app,
    h('header', {id: 'top'}, h('strong', {class: 'brand'}, 'o2o'), nav, h('span', {class: 'grow'}), who, langSwitch(), out),
    h('div', {id: 'msg', class: 'msg', role: 'alert', hidden: true}),
    h('div', {id: 'note', class: 'note', role: 'status', hidden: true}),
    h('main', {id: 'screen'}));
}

async function route() {
  if (!ctx) return;
  const parts = (location.hash || '').replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const list = allowed();
  let screen = list.find((s) => s.id === parts[0]);
  if (!screen) {
    if (parts[0] && SCREENS.some((s) => s.id === parts[0])) {
      fail(t('err.not_yours'));
    }
    screen = list[0];
    if (!screen) { put($('#screen'), t('err.no_screens')); return; }
    history.replaceState(null, '', '#/' + screen.id);
  }
  for (const a of document.querySelectorAll('#nav a'))
    a.classList.toggle('on', a.dataset.screen === screen.id);
  const mine = ++seq;
  if (leaving) leaving.abort();
  leaving = new AbortController();
  const signal = leaving.signal;
  const el = h('section', {id: 'screen-' + screen.id, class: 'screen'});
  put($('#screen'), el);
  document.title = t('nav.' + screen.id) + ' · ' + t('app.title');
  try {
    const mod = await screen.load();
    if (mine !== seq) return;
    await mod.default({...ctx, el, signal, params: parts.slice(1)});
  } catch (e) {
    if (mine === seq && !signal.aborted) fail(e);
  }
}

async function start() {
  const s = api.current();
  const [locs, settings] = await Promise.all([api.get('/v1/locations'), api.get('/v1/settings').catch(() => ({}))]);
  const places = locs.items || [];
  const byCode = new Map(places.map((l) => [l.code, l]));
  const home = s.me.scope === 'location' ? places.find((l) => l.id === s.me.scope_id) || null : null;
  const chainTz = settings.timezone || 'Asia/Shanghai';
  ctx = {
    me: s.me, places, home, settings, fail, note,
    place: (code) => byCode.get(code) || null,
    tz: (code) => (byCode.get(code) || home || {}).timezone || chainTz,
    go: (hash) => { location.hash = hash; },
  };
  header();
  await route();
}

api.whenSignedOut(() => { ctx = null; signInPage(t('signin.expired')); });
window.addEventListener('hashchange', () => { fail(null); route(); });
if (api.current()) start().catch(() => signInPage());
else signInPage();
