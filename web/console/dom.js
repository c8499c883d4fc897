/*
 * dom.js -- building the page without markup: h() makes elements whose children
 * are nodes or plain text (text always becomes a text node, never HTML), and the
 * formats every screen shares: money in fen as ¥ with two decimals, times in a
 * store's own time zone.
 */

/* h('button', {class: 'primary', onclick: fn, disabled: true}, 'Pay', ...) */
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  add(el, kids);
  return el;
}

function add(el, kids) {
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    if (Array.isArray(k)) add(el, k);
    else if (k instanceof Node) el.appendChild(k);
    else el.appendChild(document.createTextNode(String(k)));
  }
}

/* Replace an element's children. */
export function put(el, ...kids) {
  while (el.firstChild) el.removeChild(el.firstChild);
  add(el, kids);
  return el;
}

export const $ = (sel, root) => (root || document).querySelector(sel);

/* 12345 -> "¥123.45"; -150 -> "-¥1.50" */
export function money(fen) {
  if (fen === null || fen === undefined) return '';
  const n = Math.round(Number(fen));
  const a = Math.abs(n);
  return (n < 0 ? '-' : '') + '¥' + Math.floor(a / 100).toLocaleString('en-US') + '.' + String(a % 100).padStart(2, '0');
}

/* "12.34" or "12" (yuan as typed) -> fen; NaN when it is not an amount */
export function fen(text) {
  const s = String(text).trim().replace(/^¥/, '');
  if (!/^\d{1,9}(\.\d{0,2})?$/.test(s)) return NaN;
  const [y, f = ''] = s.split('.');
  return Number(y) * 100 + Number((f + '00').slice(0, 2));
}

const fmts = new Map();
function fmt(tz, opts) {
  const key = tz + JSON.stringify(opts);
  if (!fmts.has(key)) {
    let f;
    try { f = new Intl.DateTimeFormat('en-CA', {timeZone: tz || 'Asia/Shanghai', hourCycle: 'h23', ...opts}); }
    catch (e) { f = new Intl.DateTimeFormat('en-CA', {timeZone: 'UTC', hourCycle: 'h23', ...opts}); }
    fmts.set(key, f);
  }
  return fmts.get(key);
}

function parts(t, tz, opts) {
  const d = typeof t === 'number' ? new Date(t) : new Date(String(t));
  if (isNaN(d)) return null;
  const o = {};
  for (const p of fmt(tz, opts).formatToParts(d)) o[p.type] = p.value;
  return o;
}

/* "2026-12-07 18:05" in the time zone tz */
export function when(t, tz) {
  if (!t) return '';
  const p = parts(t, tz, {year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'});
  return p ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : '';
}

/* "2026-12-07": the local day of t (default: now) in tz */
export function day(t, tz) {
  const p = parts(t === undefined ? Date.now() : t, tz, {year: 'numeric', month: '2-digit', day: '2-digit'});
  return `${p.year}-${p.month}-${p.day}`;
}

/* "2026-12-08T10:30" as a wall time in tz -> the instant (ISO-8601 UTC), or "" */
export function fromLocal(text, tz) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)$/.exec(text || '');
  if (!m) return '';
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let t = wall;
  for (let i = 0; i < 3; i++) {     /* the offset at the instant itself (daylight saving) */
    const p = parts(t, tz, {year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'});
    const seen = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute);
    t += wall - seen;
  }
  return new Date(t).toISOString();
}

/* The instant t as "2026-12-08T10:30" in tz (for a datetime-local input). */
export function toLocal(t, tz) {
  return t ? when(t, tz).replace(' ', 'T') : '';
}

/* A key for a write the client may retry: the same key for the same attempt. */
export function newKey(prefix) {
  const r = (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now());
  return (prefix || 'c') + '-' + r;
}

/* A form's fields by name. */
export function field(form, name) { return form.elements.namedItem(name); }
