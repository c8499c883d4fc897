/*
 * api.js -- calls to the JSON API (same origin) for the console and the member's
 * pages: the bearer token is kept in this tab's sessionStorage only (never in a
 * URL, never in localStorage; the console's under o2o.staff, a member's under
 * o2o.member_token, which the e-receipt page shares),
 * every error comes back as an ApiError with the server's code, message, field and
 * request id, and a request that never reached the server says so (status 0) so
 * the screen keeps what was typed and offers to try again.
 */
let KEY = 'o2o.staff';

export class ApiError extends Error {
  constructor(status, body) {
    const e = (body && body.error) || {};
    super(e.message || (status ? 'HTTP ' + status : 'network'));
    this.status = status;
    this.code = e.code || (status ? 'http_' + status : 'network');
    this.field = e.field || null;
    this.requestId = (body && body.request_id) || null;
  }
}

let session;
let onSignedOut = () => {};

/* The member's pages keep their token under another key (call before anything else). */
export function storeUnder(key) { KEY = key; session = undefined; }

/* {token, me} of this tab, or null. (A bare token, as the receipt page once kept it, is read too.) */
export function current() {
  if (session === undefined) {
    let raw = null;
    try { raw = sessionStorage.getItem(KEY); } catch (e) { raw = null; }
    try { session = raw && raw[0] === '{' ? JSON.parse(raw) : raw ? {token: raw, me: null} : null; } catch (e) { session = null; }
  }
  return session;
}
export function whenSignedOut(fn) { onSignedOut = fn; }

export function keep(s) {
  session = s;
  try {
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  } catch (e) { /* private mode: this page only */ }
}

export async function call(method, path, body, opts) {
  const headers = {};
  const o = opts || {};
  const s = current();
  const bearer = o.anonymous ? null : o.token || (s && s.token);
  if (bearer) headers.Authorization = 'Bearer ' + bearer;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (o.key) headers['Idempotency-Key'] = o.key;
  let r;
  try {
    r = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                           cache: 'no-store', signal: o.signal});
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  const type = r.headers.get('content-type') || '';
  const data = type.includes('json') ? await r.json().catch(() => null) : await r.blob();
  if (r.status === 401 && s && !o.token && !o.anonymous) {
    keep(null);
    onSignedOut();
  }
  if (!r.ok) throw new ApiError(r.status, data);
  return data;
}

export const get = (path, opts) => call('GET', path, undefined, opts);
export const post = (path, body, opts) => call('POST', path, body || {}, opts);

/* Query string of the non-empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

export async function signIn(username, password) {
  const r = await call('POST', '/v1/auth/login', {username, password}, {anonymous: true});
  keep({token: r.token, me: r.principal});
  return r.principal;
}

/* Sign-out revokes the token on the server, then forgets it here. */
export async function signOut() {
  try { if (current()) await call('POST', '/v1/auth/logout', {}); } catch (e) { /* forgotten below anyway */ }
  keep(null);
}
