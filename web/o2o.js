/*
 * o2o.js -- records what a shopper does on a web page and sends it to the o2o
 * server (POST /v1/events) in batches. Served by the server at /o2o.js.
 *
 *   <script src="https://o2o.example.com/o2o.js" data-channel="web" data-store="S001"></script>
 *
 * Records a view of every page, every click (on text or on an image), and
 * whatever the page reports with o2o.track(name, props), e.g.
 *   o2o.track('add_to_cart', {item: 'SKU-1', value: 5990});
 *   o2o.track('search', {label: 'baby formula'});
 * After the shopper signs in, o2o.identify(memberToken) sends her events as a
 * member's; the server stitches this browser's earlier anonymous events to her.
 * Events are kept in localStorage until the server has them, so a closed tab or a
 * failed request loses nothing; each carries an id, so a resend is not counted twice.
 */
(function () {
  'use strict';
  var me = document.currentScript;
  var base = me && me.src ? me.src.replace(/\/o2o\.js(\?.*)?$/, '') : '';
  var channel = (me && me.getAttribute('data-channel')) || 'web';
  var store = (me && me.getAttribute('data-store')) || '';
  var QUEUE = 'o2o.queue', DEVICE = 'o2o.device', TOKEN = 'o2o.token';
  var MAX_BATCH = 100, MAX_QUEUE = 5000, EVERY_MS = 2000;
  var sending = false;

  function get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function set(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode: memory only */ } }

  function randomId() {
    var a = new Uint8Array(16), s = '';
    (window.crypto || window.msCrypto).getRandomValues(a);
    for (var i = 0; i < a.length; i++) s += (a[i] + 256).toString(16).slice(1);
    return s;
  }

  var device = get(DEVICE);
  if (!device) { device = 'w-' + randomId(); set(DEVICE, device); }
  var memory = [];
  function load() { var q = get(QUEUE); return q ? JSON.parse(q) : memory; }
  function save(q) { memory = q; set(QUEUE, JSON.stringify(q)); }

  function track(name, props) {
    var e = { id: randomId(), name: name, ts: Date.now(), channel: channel, device_id: device,
              page: location.pathname + location.search };
    if (store) e.store = store;
    props = props || {};
    var extra = {}, known = ['item', 'category', 'element', 'label', 'value', 'store', 'page'];
    for (var k in props) {
      if (!Object.prototype.hasOwnProperty.call(props, k)) continue;
      if (known.indexOf(k) >= 0) e[k] = props[k]; else extra[k] = props[k];
    }
    if (Object.keys(extra).length) e.props = extra;
    var q = load();
    q.push(e);
    if (q.length > MAX_QUEUE) q.splice(0, q.length - MAX_QUEUE);
    save(q);
  }

  function flush(leaving) {
    var q = load();
    if (sending || !q.length) return Promise.resolve(false);
    var batch = q.slice(0, MAX_BATCH), token = get(TOKEN);
    var headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = 'Bearer ' + token;
    sending = true;
    return fetch(base + '/v1/events', { method: 'POST', headers: headers, keepalive: !!leaving,
                                 body: JSON.stringify({ events: batch }) })
      .then(function (r) {
        sending = false;
        /* a sign-in that expired: send them again as the device's */
        if (r.status === 401 || r.status === 403) { set(TOKEN, ''); return; }
        /* sent (2xx), or refused for good (other 4xx but 429): drop them either way */
        if (r.ok || (r.status >= 400 && r.status < 500 && r.status !== 429)) {
          var ids = {};
          batch.forEach(function (e) { ids[e.id] = 1; });
          save(load().filter(function (e) { return !ids[e.id]; }));
        }
        return r.ok;
      }, function () { sending = false; return false; });
  }

  function describe(el) {
    for (var n = el; n && n !== document.body; n = n.parentElement) {
      if (n.tagName === 'IMG') return { element: 'image', label: n.alt || n.src.split('/').pop() };
      if (n.tagName === 'A' || n.tagName === 'BUTTON' || n.getAttribute && n.getAttribute('data-o2o-item')) break;
    }
    var text = (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 200);
    return { element: 'text', label: text };
  }

  document.addEventListener('click', function (ev) {
    var d = describe(ev.target), holder = ev.target.closest && ev.target.closest('[data-o2o-item]');
    if (holder) d.item = holder.getAttribute('data-o2o-item');
    track('click', d);
  }, true);
  window.addEventListener('pagehide', function () { flush(true); });
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') flush(true);
  });
  setInterval(function () { flush(false); }, EVERY_MS);

  window.o2o = {
    track: track,
    flush: flush,
    identify: function (token) { set(TOKEN, token || ''); },
    device: function () { return device; },
    pending: function () { return load().length; }
  };
  track('view', {});
})();
