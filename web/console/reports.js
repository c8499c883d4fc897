/*
 * reports.js -- reports for managers and owners, one tab each: a day of a store,
 * a region or the chain (tables, and CSV and XLSX downloads fetched with the
 * token, never a token in a link); months with their chart; demand for
 * manufacturers with the forecast drawn against the history (owners); a funnel
 * built step by step, drawn, with its breakdown; the paths around an event; and a
 * store's footfall by hour and zone, dwell and routes.
 */
import {h, put, money, day as localDay} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';
import {bars, lines} from './chart.js';

const TABS = ['daily', 'monthly', 'demand', 'funnel', 'paths', 'footfall'];

export default async function show(ctx) {
  const tabs = TABS.filter((x) => x !== 'demand' || ctx.me.role === 'owner');
  const tab = tabs.includes(ctx.params[0]) ? ctx.params[0] : 'daily';
  const body = h('div', {id: 'report-body'});
  put(ctx.el, h('h2', {}, t('nav.reports')),
    h('nav', {class: 'tabs', id: 'report-tabs'}, tabs.map((x) => h('a', {href: '#/reports/' + x, class: x === tab ? 'on' : '',
      'data-tab': x}, t('reports.tab_' + x)))), body);
  await ({daily, monthly, demand, funnel, paths, footfall})[tab](ctx, body);
}

const chainTz = (ctx) => (ctx.home && ctx.home.timezone) || (ctx.settings && ctx.settings.timezone) || 'Asia/Shanghai';

/* store / region / chain, as the report routes take them */
async function scopeSelect(ctx) {
  if (ctx.home) return {el: null, query: () => ({store: ctx.home.code}), label: () => ctx.home.code};
  const regions = ctx.me.scope === 'chain' ? (await api.get('/v1/regions')).items || [] : [];
  const sel = h('select', {id: 'report-scope', 'aria-label': t('board.scope')},
    ctx.me.scope === 'chain' ? h('option', {value: ''}, t('board.chain')) : null,
    regions.map((r) => h('option', {value: 'region:' + r.code}, t('board.region', {name: r.name}))),
    ctx.places.filter((l) => l.kind === 'store').map((l) => h('option', {value: 'store:' + l.code}, l.code + ' ' + l.name)));
  return {el: sel, query: () => { const [k, c] = sel.value.split(':'); return k ? {[k]: c} : {}; },
          label: () => sel.value.replace(':', '-') || 'chain'};
}

/* A file of the report, fetched with the token, offered as a download link. */
function download(ctx, path, params, format, name) {
  return h('button', {type: 'button', class: 'small', 'data-format': format, onclick: async (ev) => {
    try {
      const blob = await api.get(path + api.query({...params(), format}));
      const a = h('a', {href: URL.createObjectURL(blob), download: name() + '.' + format, class: 'download',
                        'data-format': format}, t('reports.save_file', {name: name() + '.' + format}));
      ev.target.after(a);
      a.click();
    } catch (e) { ctx.fail(e); }
  }}, format.toUpperCase());
}

async function daily(ctx, el) {
  const scope = await scopeSelect(ctx);
  const date = h('input', {type: 'date', id: 'report-date', value: localDay(Date.now() - 86400000, chainTz(ctx)),
                           'aria-label': t('reports.date')});
  const out = h('div', {id: 'daily-out'});
  const params = () => ({...scope.query(), date: date.value});
  const name = () => 'daily-' + scope.label() + '-' + date.value;
  const form = h('form', {class: 'filters'}, scope.el, date, h('button', {type: 'submit', class: 'primary'}, t('reports.show')),
    download(ctx, '/v1/reports/daily', params, 'csv', name), download(ctx, '/v1/reports/daily', params, 'xlsx', name));
  put(el, form, out);
  const run = async () => {
    const r = await api.get('/v1/reports/daily' + api.query(params()));
    const kpi = (label, v) => h('div', {class: 'card kpi'}, h('div', {class: 'muted'}, label), h('div', {class: 'big'}, v));
    put(out, h('p', {class: 'muted'}, r.name, ' · ', r.date, ' · ', r.timezone, r.stored ? ' · ' + t('reports.stored') : ''),
      h('div', {class: 'kpis', id: 'daily-kpis'}, kpi(t('board.sales'), money(r.sales)), kpi(t('board.orders'), String(r.orders)),
        kpi(t('reports.basket'), money(r.average_basket)), kpi(t('board.returns'), r.returns.count + ' · ' + money(r.returns.amount)),
        kpi(t('reports.new_members'), String(r.new_members)), kpi(t('reports.points'), r.points.issued + ' / ' + r.points.redeemed)),
      h('div', {class: 'cols'},
        h('div', {class: 'card'}, h('h3', {}, t('reports.sales_by_channel')), bars(r.by_channel.map((c) =>
          ({label: t('channel.' + c.channel), value: c.sales, text: money(c.sales)})), 'daily-channels')),
        h('div', {class: 'card'}, h('h3', {}, t('reports.best_sellers')), bars(r.best_sellers.slice(0, 10).map((x) =>
          ({label: x.name || x.sku, value: x.amount, text: money(x.amount)})), 'daily-best'))),
      h('div', {class: 'cols'},
        h('div', {}, table(t('board.channels'), r.by_channel.map((c) => [t('channel.' + c.channel), c.orders, money(c.sales)])),
          table(t('reports.tenders'), r.by_tender.map((x) => [t('tender.' + x.tender), x.payments, money(x.amount)])),
          r.stores ? table(t('reports.stores'), r.stores.map((s) => [s.store + ' ' + s.name, s.orders, money(s.sales)])) : null),
        h('div', {}, table(t('reports.best_sellers'), r.best_sellers.map((s) => [s.name || s.sku, s.qty, money(s.amount)]),
          'best-sellers'))));
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); run().catch(ctx.fail); });
  await run();
}

function table(title, rows, id) {
  return h('div', {class: 'card', id}, h('h3', {}, title), rows.length ? h('table', {class: 'grid'}, h('tbody', {},
    rows.map((r) => h('tr', {}, r.map((c, i) => h('td', {class: i ? 'num' : ''}, String(c)))))))
    : h('p', {class: 'muted'}, '—'));
}

async function monthly(ctx, el) {
  const scope = await scopeSelect(ctx);
  const now = localDay(Date.now(), chainTz(ctx)).slice(0, 7);
  const y = Number(now.slice(0, 4));
  const from = h('input', {type: 'month', id: 'report-from', value: (y - 1) + now.slice(4), 'aria-label': t('reports.from')});
  const to = h('input', {type: 'month', id: 'report-to', value: now, 'aria-label': t('reports.to')});
  const out = h('div', {id: 'monthly-out'});
  const params = () => ({...scope.query(), from: from.value, to: to.value});
  const name = () => 'monthly-' + scope.label() + '-' + from.value + '-' + to.value;
  const form = h('form', {class: 'filters'}, scope.el, from, to, h('button', {type: 'submit', class: 'primary'}, t('reports.show')),
    download(ctx, '/v1/reports/monthly', params, 'csv', name), download(ctx, '/v1/reports/monthly', params, 'xlsx', name));
  put(el, form, out);
  const run = async () => {
    const r = await api.get('/v1/reports/monthly' + api.query(params()));
    const chart = h('div', {class: 'chart', id: 'monthly-chart'});
    put(out, h('div', {class: 'card'}, h('h3', {}, t('reports.sales_by_month')), chart),
      table(t('reports.months'), r.months.map((m) => [m.month, m.orders, m.customers, money(m.sales)]), 'months'));
    await lines(chart, {x: r.months.map((_, i) => i), xLabel: (i) => (r.months[i] || {}).month || '', money: true,
      series: [{label: t('board.sales'), values: r.months.map((m) => m.sales)}]});
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); run().catch(ctx.fail); });
  await run();
}

async function demand(ctx, el) {
  const r = await api.get('/v1/insight/demand');
  if (!r.series.length) { put(el, h('p', {class: 'muted'}, t('reports.no_demand'))); return; }
  const pick = h('select', {id: 'demand-series', 'aria-label': t('reports.series')}, r.series.map((s, i) =>
    h('option', {value: i}, [s.category, s.size, s.price_band].filter(Boolean).join(' · ') + ' (' + s.total_units + ')')));
  const chart = h('div', {class: 'chart', id: 'demand-chart'});
  const facts = h('p', {class: 'muted', id: 'demand-facts'});
  put(el, h('div', {class: 'row'}, pick), facts, h('div', {class: 'card'}, chart));
  const draw = async () => {
    const s = r.series[Number(pick.value)];
    const n = r.months.length;
    const months = r.months.concat([r.next_month]);
    const history = s.units.concat([null]);
    const forecast = months.map((_, i) => (i === n - 1 ? s.units[n - 1] : i === n ? s.forecast.exponential_smoothing : null));
    put(facts, t('reports.forecast', {month: r.next_month, es: s.forecast.exponential_smoothing.toFixed(1),
      naive: s.forecast.seasonal_naive.toFixed(1), trend: s.trend_per_month.toFixed(2)}));
    await lines(chart, {x: months.map((_, i) => i), xLabel: (i) => months[i] || '',
      series: [{label: t('reports.units'), values: history}, {label: t('reports.forecast_line'), values: forecast, dash: true}]});
  };
  pick.addEventListener('change', () => draw().catch(ctx.fail));
  await draw();
}

async function funnel(ctx, el) {
  const tz = chainTz(ctx);
  const steps = h('div', {id: 'funnel-steps'});
  const addStep = (v) => steps.appendChild(h('div', {class: 'row step-row'},
    h('input', {class: 'funnel-step', value: v || '', placeholder: t('reports.event'), maxlength: 64, 'aria-label': t('reports.event')}),
    h('button', {type: 'button', class: 'link', onclick: (e) => e.target.parentNode.remove()}, '×')));
  ['view', 'add_to_cart', 'purchase'].forEach(addStep);
  const from = h('input', {type: 'date', id: 'funnel-from', value: localDay(Date.now() - 30 * 86400000, tz), 'aria-label': t('reports.from')});
  const to = h('input', {type: 'date', id: 'funnel-to', value: localDay(Date.now() + 86400000, tz), 'aria-label': t('reports.to')});
  const win = h('select', {id: 'funnel-window', 'aria-label': t('reports.window')}, ['1h', '1d', '7d', '30d'].map((w) =>
    h('option', {value: w, selected: w === '7d'}, w)));
  const by = h('select', {id: 'funnel-by', 'aria-label': t('reports.by')}, h('option', {value: ''}, t('reports.by_none')),
    ['channel', 'store', 'day'].map((b) => h('option', {value: b}, t('reports.by_' + b))));
  const out = h('div', {id: 'funnel-out'});
  const form = h('form', {class: 'card', id: 'funnel-form'}, h('h3', {}, t('reports.steps')), steps,
    h('button', {type: 'button', class: 'small', onclick: () => addStep('')}, t('reports.add_step')),
    h('div', {class: 'filters'}, from, to, win, by, h('button', {type: 'submit', class: 'primary'}, t('reports.draw'))));
  put(el, form, out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const names = [...steps.querySelectorAll('.funnel-step')].map((i) => i.value.trim()).filter(Boolean);
    if (names.length < 2) { ctx.fail(t('reports.two_steps')); return; }
    const body = {steps: names, from: from.value, to: to.value, window: win.value, timezone: tz};
    if (by.value) body.by = by.value;
    try {
      const r = await api.post('/v1/analytics/funnel', body);
      const chart = h('div', {class: 'chart', id: 'funnel-chart'});
      put(out, h('div', {class: 'card'}, chart),
        h('table', {class: 'grid', id: 'funnel-table'}, h('tbody', {}, r.steps.map((s) => h('tr', {},
          h('td', {}, s.name), h('td', {class: 'num'}, String(s.users)), h('td', {class: 'num'}, pct(s.conversion)),
          h('td', {class: 'num'}, pct(s.overall)))))),
        r.groups ? table(t('reports.breakdown'), r.groups.map((g) => [g.key].concat(g.steps.map((s) => s.users))), 'funnel-groups') : null);
      await lines(chart, {x: r.steps.map((_, i) => i), xLabel: (i) => (r.steps[i] || {}).name || '',
        series: [{label: t('reports.users'), values: r.steps.map((s) => s.users)}].concat((r.groups || []).slice(0, 5).map((g) =>
          ({label: g.key, values: g.steps.map((s) => s.users), dash: true})))});
      ctx.fail(null);
    } catch (e) { ctx.fail(e); }
  });
}

function pct(x) { return (x * 100).toFixed(1) + '%'; }

async function paths(ctx, el) {
  const tz = chainTz(ctx);
  const ev = h('input', {id: 'paths-event', value: 'add_to_cart', maxlength: 64, 'aria-label': t('reports.event')});
  const from = h('input', {type: 'date', value: localDay(Date.now() - 30 * 86400000, tz), 'aria-label': t('reports.from')});
  const out = h('div', {id: 'paths-out'});
  const form = h('form', {class: 'filters'}, ev, from, h('button', {type: 'submit', class: 'primary'}, t('reports.show')));
  put(el, form, out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api.get('/v1/analytics/paths' + api.query({event: ev.value.trim(), from: from.value}));
      const rows = (list) => list.map((p) => [p.name, p.count, pct(p.share)]);
      put(out, h('p', {class: 'muted'}, t('reports.occurrences', {n: r.occurrences})),
        h('div', {class: 'cols'}, table(t('reports.before'), rows(r.previous), 'paths-previous'),
          table(t('reports.after'), rows(r.next), 'paths-next')));
    } catch (err) { ctx.fail(err); }
  });
}

async function footfall(ctx, el) {
  const stores = ctx.places.filter((l) => l.kind === 'store');
  const store = h('select', {id: 'footfall-store', 'aria-label': t('till.store')}, stores.map((l) => h('option', {value: l.code}, l.code + ' ' + l.name)));
  const tz = () => ctx.tz(store.value);
  const from = h('input', {type: 'date', value: localDay(Date.now() - 7 * 86400000, tz()), 'aria-label': t('reports.from')});
  const out = h('div', {id: 'footfall-out'});
  const form = h('form', {class: 'filters'}, store, from, h('button', {type: 'submit', class: 'primary'}, t('reports.show')));
  put(el, form, out);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await api.get('/v1/stores/' + encodeURIComponent(store.value) + '/presence' + api.query({from: from.value}));
      const chart = h('div', {class: 'chart', id: 'footfall-chart'});
      put(out, h('div', {class: 'kpis'},
        h('div', {class: 'card kpi'}, h('div', {class: 'muted'}, t('reports.visits')), h('div', {class: 'big'}, String(r.store_visits.visits))),
        h('div', {class: 'card kpi'}, h('div', {class: 'muted'}, t('reports.visitors')), h('div', {class: 'big'}, String(r.store_visits.visitors))),
        h('div', {class: 'card kpi'}, h('div', {class: 'muted'}, t('reports.dwell')), h('div', {class: 'big'}, r.store_visits.avg_dwell_min.toFixed(1)))),
      h('div', {class: 'card'}, h('h3', {}, t('reports.by_hour')), chart),
      h('div', {class: 'cols'}, table(t('reports.zones'), r.zones.map((z) => [z.name || z.zone, z.visits, z.avg_dwell_min.toFixed(1)]), 'footfall-zones'),
        table(t('reports.routes'), r.routes.map((x) => [x.route, x.count]), 'footfall-routes')));
      await lines(chart, {x: Array.from({length: 24}, (_, i) => i), xLabel: (v) => String(v).padStart(2, '0') + ':00',
        series: r.hourly.slice(0, 6).map((z) => ({label: z.zone, values: z.visits_by_hour}))});
    } catch (err) { ctx.fail(err); }
  });
  if (stores.length) form.requestSubmit();
}

