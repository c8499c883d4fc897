/*
 * board.js -- the today board for owners and managers: sales today against the
 * same weekday last week (at the same local time, and drawn hour by hour), orders
 * by channel, returns, the work waiting (pickups to prepare, waiting and overdue,
 * transfers to ship and receive, late deliveries) and the shelves running low; of
 * her store, her region or the chain (a picker for those who oversee several). It
 * refreshes every minute while it is open. Days are the store's (or the chain's)
 * local days.
 */
import {h, put, money} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';
import {lines} from './chart.js';

const KEEP = 'o2o.board.scope';

export default async function show(ctx) {
  const picker = await scopePicker(ctx);
  const out = h('div', {id: 'board'});
  put(ctx.el, h('div', {class: 'row'}, h('h2', {}, t('nav.board')), h('span', {class: 'grow'}), picker), out);
  const refresh = () => draw(ctx, out, picker ? picker.value : '').catch((e) => { if (!ctx.signal.aborted) ctx.fail(e); });
  if (picker) picker.addEventListener('change', () => { sessionStorage.setItem(KEEP, picker.value); refresh(); });
  await draw(ctx, out, picker ? picker.value : '');
  const timer = setInterval(() => { if (ctx.signal.aborted) clearInterval(timer); else refresh(); }, 60000);
  ctx.signal.addEventListener('abort', () => clearInterval(timer));
}

/* "" (her own scope), "region:EAST" or "store:SH01" */
async function scopePicker(ctx) {
  if (ctx.me.scope === 'location') return null;
  const regions = ctx.me.scope === 'chain' ? (await api.get('/v1/regions')).items || [] : [];
  const sel = h('select', {id: 'board-scope', 'aria-label': t('board.scope')},
    h('option', {value: ''}, ctx.me.scope === 'chain' ? t('board.chain') : t('board.my_region')),
    regions.map((r) => h('option', {value: 'region:' + r.code}, t('board.region', {name: r.name}))),
    ctx.places.filter((l) => l.kind === 'store').map((l) => h('option', {value: 'store:' + l.code}, l.code + ' ' + l.name)));
  sel.value = sessionStorage.getItem(KEEP) || '';
  if (sel.selectedIndex < 0) sel.value = '';
  return sel;
}

function pct(now, then) {
  if (!then) return now ? '' : '±0%';
  const p = Math.round((now - then) * 100 / then);
  return (p > 0 ? '+' : '') + p + '%';
}

async function draw(ctx, out, scope) {
  const [kind, code] = scope ? scope.split(':') : ['', ''];
  const b = await api.get('/v1/board' + api.query({[kind]: code}), {signal: ctx.signal});
  const card = (id, label, value, sub) => h('div', {class: 'card kpi', id}, h('div', {class: 'muted'}, label),
    h('div', {class: 'big'}, value), sub ? h('div', {class: 'muted small'}, sub) : null);
  const w = b.work;
  const work = (id, n, label, hash, warn) => h('a', {class: 'card kpi' + (warn && n ? ' warn' : ''), id, href: hash},
    h('div', {class: 'big'}, String(n)), h('div', {class: 'muted'}, label));
  const chart = h('div', {id: 'board-chart', class: 'chart'});
  const name = b.scope.kind === 'chain' ? t('board.chain') : b.scope.name || b.scope.code;
  put(out,
    h('p', {class: 'muted', id: 'board-when'}, t('board.when', {scope: name, day: b.today.day, tz: b.time_zone})),
    h('div', {class: 'kpis'},
      card('kpi-sales', t('board.sales'), money(b.today.sales),
        t('board.vs', {v: money(b.last_week.sales), p: pct(b.today.sales, b.last_week.sales)})),
      card('kpi-orders', t('board.orders'), String(b.today.orders),
        t('board.vs', {v: b.last_week.orders, p: pct(b.today.orders, b.last_week.orders)})),
      card('kpi-returns', t('board.returns'), String(b.returns.count), money(b.returns.amount))),
    h('div', {class: 'card'}, h('h3', {}, t('board.by_hour')), chart),
    h('div', {class: 'cols'},
      h('div', {},
        h('h3', {}, t('board.work')),
        h('div', {class: 'kpis'},
          work('work-prepare', w.pickups_to_prepare, t('board.pickups_to_prepare'), '#/orders'),
          work('work-waiting', w.pickups_waiting, t('board.pickups_waiting'), '#/orders'),
          work('work-overdue', w.pickups_overdue, t('board.pickups_overdue'), '#/orders', true),
          work('work-ship', w.transfers_to_ship, t('board.transfers_to_ship'), '#/orders'),
          work('work-receive', w.transfers_to_receive, t('board.transfers_to_receive'), '#/orders'),
          work('work-late', w.deliveries_late, t('board.deliveries_late'), '#/orders', true)),
        h('h3', {}, t('board.channels')),
        b.channels.length ? h('table', {class: 'grid', id: 'board-channels'}, h('tbody', {}, b.channels.map((c) => h('tr', {},
          h('td', {}, t('channel.' + c.channel)), h('td', {class: 'num'}, c.orders), h('td', {class: 'num'}, money(c.sales))))))
          : h('p', {class: 'muted'}, t('board.no_sales'))),
      h('div', {},
        h('h3', {}, t('board.low_stock')),
        b.low_stock.length ? h('table', {class: 'grid', id: 'board-low'}, h('tbody', {}, b.low_stock.map((l) => h('tr', {},
          h('td', {}, l.name, h('div', {class: 'muted small'}, l.sku)), h('td', {}, l.location),
          h('td', {class: 'num'}, String(l.available))))))
          : h('p', {class: 'muted'}, t('board.no_low')))));
  /* cumulative sales through the day: today so far against that weekday last week */
  const cum = (v) => { let s = 0; return v.map((x) => (s += x)); };
  const hours = Math.max(b.today.hourly_sales.length, b.last_week.hourly_sales.length);
  const x = Array.from({length: hours + 1}, (_, i) => i);
  const nowHour = Math.min(hours, Math.floor((Date.parse(b.as_of) - Date.parse(b.today.day + 'T00:00:00Z') +
    tzOffsetGuess(b)) / 3600000) + 1);
  const today = [0].concat(cum(b.today.hourly_sales)).map((v, i) => (i <= nowHour ? v : null));
  const last = [0].concat(cum(b.last_week.hourly_sales));
  while (today.length < x.length) today.push(null);
  while (last.length < x.length) last.push(null);
  try {
    await lines(chart, {x, xLabel: (v) => String(v).padStart(2, '0') + ':00', money: true, xName: t('board.hour'),
      series: [{label: t('board.today', {day: b.today.day}), values: today},
               {label: t('board.last_week', {day: b.last_week.day}), values: last, dash: true}]});
  } catch (e) {
    put(chart, h('p', {class: 'muted'}, t('board.no_chart')));
  }
}

/* The board's local offset, from its own figures: hours since local midnight. */
function tzOffsetGuess(b) {
  try {
    const f = new Intl.DateTimeFormat('en-CA', {timeZone: b.time_zone, timeZoneName: 'longOffset'});
    const part = f.formatToParts(new Date(b.as_of)).find((p) => p.type === 'timeZoneName').value;
    const m = /GMT([+-])(\d\d):?(\d\d)?/.exec(part);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] || 0)) * 60000 : 0;
  } catch (e) { return 0; }
}
