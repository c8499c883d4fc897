/*
 * chart.js -- charts on the console's screens, drawn by uPlot (the npm package
 * embedded as /console/uplot.js, loaded on first use): lines over a series of x
 * values, money on the y axis shown as ¥. Each chart is sized to its container.
 */
import {h, money} from './dom.js';

let loading = null;

function load() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.appendChild(h('link', {rel: 'stylesheet', href: '/console/uplot.css'}));
      const s = h('script', {src: '/console/uplot.js'});
      s.addEventListener('load', () => resolve(window.uPlot));
      s.addEventListener('error', () => { loading = null; reject(new Error('uplot.js')); });
      document.head.appendChild(s);
    });
  }
  return loading;
}

const COLOURS = ['#c8102e', '#7a8799', '#0b57d0', '#1b7f3b', '#b45309', '#6b21a8'];

/*
 * lines(el, {x: [..], xLabel: (v) => text, series: [{label, values, dash}], money: true})
 * draws into el (emptied first) and returns the uPlot instance.
 */
export async function lines(el, spec) {
  const uPlot = await load();
  while (el.firstChild) el.removeChild(el.firstChild);
  const width = Math.max(280, el.clientWidth || 600);
  const fmt = spec.money ? (v) => (v === null || v === undefined ? '' : money(v)) : (v) => (v === null ? '' : String(v));
  const opts = {
    width, height: spec.height || 260,
    scales: {x: {time: false}},
    legend: {show: true},
    axes: [
      {values: (u, vals) => vals.map((v) => (spec.xLabel ? spec.xLabel(v) : String(v)))},
      {values: (u, vals) => vals.map((v) => (spec.money ? money(v).replace(/\.00$/, '') : String(v))), size: 96},
    ],
    series: [{label: spec.xName || '', value: (u, v) => (v === null ? '' : spec.xLabel ? spec.xLabel(v) : v)}].concat(
      spec.series.map((s, i) => ({label: s.label, stroke: s.colour || COLOURS[i % COLOURS.length], width: 2,
                                  dash: s.dash ? [6, 4] : undefined, value: (u, v) => fmt(v)}))),
  };
  const data = [spec.x].concat(spec.series.map((s) => s.values));
  return new uPlot(opts, data, el);
}

/* Horizontal bars drawn with the page's own elements (no library): rows of
 * {label, value, text}; widths set through the style object (the policy allows no
 * style attribute). */
export function bars(rows, id) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return h('div', {class: 'bars', id}, rows.map((r) => {
    const bar = h('span', {class: 'bar'});
    bar.style.width = Math.max(0.5, (r.value * 100) / max) + '%';
    return h('div', {class: 'bar-row'}, h('span', {class: 'bar-label'}, r.label), h('span', {class: 'bar-track'}, bar),
      h('span', {class: 'bar-value'}, r.text));
  }));
}
