/*
 * catalog.js -- products and SKUs: search by any part of the code or name, filter
 * by brand and category; a product's page with its SKUs, prices and launch time.
 * The owner creates and edits (one price for every channel; a launch time in the
 * chain's time zone, before which no channel or member sees the product); other
 * staff read.
 */
import {h, put, money, fen, when, fromLocal, toLocal, newKey} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

export default async function show(ctx) {
  const [brands, cats] = await Promise.all([api.get('/v1/brands'), api.get('/v1/categories')]);
  const lists = {brands: brands.items, cats: cats.items};
  if (ctx.params[0]) return showProduct(ctx, ctx.params[0], lists);
  return showList(ctx, lists);
}

const owner = (ctx) => ctx.me.role === 'owner';
const chainTz = (ctx) => (ctx.settings && ctx.settings.timezone) || 'Asia/Shanghai';

function choose(name, items, value, any) {
  return h('select', {name, 'aria-label': t('catalog.' + name)}, h('option', {value: ''}, any),
    items.map((x) => h('option', {value: x.code, selected: x.code === value}, x.code + ' ' + x.name)));
}

async function showList(ctx, lists) {
  const q = h('input', {name: 'q', id: 'catalog-q', placeholder: t('catalog.q'), 'aria-label': t('catalog.q'), maxlength: 64});
  const form = h('form', {class: 'filters', id: 'catalog-filters'}, q, choose('brand', lists.brands, '', t('catalog.any_brand')),
    choose('category', lists.cats, '', t('catalog.any_category')), h('button', {type: 'submit', class: 'primary'}, t('orders.filter')));
  const body = h('tbody');
  const more = h('button', {type: 'button', hidden: true}, t('orders.more'));
  put(ctx.el, h('h2', {}, t('nav.catalog')), form,
    h('table', {class: 'grid', id: 'products'}, h('thead', {}, h('tr', {}, ['code', 'name', 'brand', 'category', 'launch']
      .map((k) => h('th', {}, t('catalog.col_' + k))))), body), more, owner(ctx) ? createForm(ctx, lists) : null);
  let cursor = null;
  async function page(first) {
    const r = await api.get('/v1/products' + api.query({q: q.value.trim(), brand: form.elements.brand.value,
      category: form.elements.category.value, limit: 50, cursor: first ? '' : cursor}));
    if (first) put(body);
    for (const p of r.items) body.appendChild(h('tr', {class: 'link-row', 'data-product': p.code,
      onclick: () => ctx.go('#/catalog/' + encodeURIComponent(p.code))},
      h('td', {}, h('a', {href: '#/catalog/' + encodeURIComponent(p.code)}, p.code)), h('td', {}, p.name),
      h('td', {}, p.brand || '—'), h('td', {}, p.category || '—'),
      h('td', {class: 'muted small'}, p.launch_at ? when(p.launch_at, chainTz(ctx)) : t('catalog.launched'))));
    cursor = r.next_cursor;
    more.hidden = !cursor;
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); page(true).catch(ctx.fail); });
  more.addEventListener('click', () => page(false).catch(ctx.fail));
  await page(true);
}

function createForm(ctx, lists) {
  const key = newKey('product');
  const f = h('form', {class: 'card', id: 'product-new'}, h('h3', {}, t('catalog.new')),
    h('div', {class: 'row'},
      h('input', {name: 'code', required: true, maxlength: 64, placeholder: t('catalog.col_code'), 'aria-label': t('catalog.col_code')}),
      h('input', {name: 'name', required: true, maxlength: 256, placeholder: t('catalog.col_name'), 'aria-label': t('catalog.col_name')}),
      choose('brand', lists.brands, '', t('catalog.no_brand')), choose('category', lists.cats, '', t('catalog.no_category')),
      h('input', {name: 'launch_at', type: 'datetime-local', 'aria-label': t('catalog.col_launch')}),
      h('button', {type: 'submit', class: 'primary'}, t('catalog.create'))));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = f.elements;
    const body = {code: e.code.value.trim(), name: e.name.value.trim()};
    if (e.brand.value) body.brand = e.brand.value;
    if (e.category.value) body.category = e.category.value;
    if (e.launch_at.value) body.launch_at = fromLocal(e.launch_at.value, chainTz(ctx));
    try {
      const p = await api.post('/v1/products', body, {key});
      ctx.go('#/catalog/' + encodeURIComponent(p.code));
    } catch (err) { ctx.fail(err); }
  });
  return f;
}

async function showProduct(ctx, code, lists) {
  const p = await api.get('/v1/products/' + encodeURIComponent(code));
  const tz = chainTz(ctx);
  const edit = owner(ctx);
  const head = h('div', {id: 'product-head'}, h('h2', {}, p.name, ' ', h('span', {class: 'muted'}, p.code)),
    h('p', {class: 'muted'}, [p.brand, p.category].filter(Boolean).join(' · '), ' · ',
      p.launch_at ? t('catalog.launch_at', {at: when(p.launch_at, tz)}) : t('catalog.launched')),
    p.description ? h('p', {}, p.description) : null);
  const skus = h('table', {class: 'grid', id: 'skus'}, h('thead', {}, h('tr', {}, ['code', 'size', 'colour', 'barcode', 'price']
    .map((k) => h('th', {class: k === 'price' ? 'num' : ''}, t('catalog.sku_' + k))))),
  h('tbody', {}, p.skus.map((k) => h('tr', {'data-sku': k.code}, h('td', {}, k.code), h('td', {}, k.size), h('td', {}, k.colour),
    h('td', {}, k.barcode || '—'), h('td', {class: 'num'}, edit ? priceForm(ctx, k) : money(k.price))))));
  put(ctx.el, h('p', {}, h('a', {href: '#/catalog'}, '← ' + t('nav.catalog'))), head, skus,
    edit ? editForm(ctx, p, lists, tz) : null, edit ? skuForm(ctx, p) : null);
}

function priceForm(ctx, k) {
  const input = h('input', {name: 'price', class: 'price-in', inputmode: 'decimal', value: (k.price / 100).toFixed(2),
                            'aria-label': t('catalog.sku_price') + ' ' + k.code});
  const f = h('form', {class: 'row price'}, '¥', input, h('button', {type: 'submit', class: 'small'}, t('catalog.save')));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const price = fen(input.value);
    if (!(price >= 0)) { ctx.fail(t('catalog.bad_price')); return; }
    try {
      const r = await api.call('PATCH', '/v1/skus/' + encodeURIComponent(k.code), {price});
      input.value = (r.price / 100).toFixed(2);
      ctx.note(t('catalog.price_saved', {code: k.code, v: money(r.price)}));
    } catch (err) { ctx.fail(err); }
  });
  return f;
}

function editForm(ctx, p, lists, tz) {
  const f = h('form', {class: 'card', id: 'product-edit'}, h('h3', {}, t('catalog.edit')),
    h('label', {}, t('catalog.col_name'), h('input', {name: 'name', value: p.name, required: true, maxlength: 256})),
    h('label', {}, t('catalog.description'), h('input', {name: 'description', value: p.description, maxlength: 1024})),
    h('div', {class: 'row'}, choose('brand', lists.brands, p.brand || '', t('catalog.no_brand')),
      choose('category', lists.cats, p.category || '', t('catalog.no_category'))),
    h('label', {}, t('catalog.launch_local', {tz}), h('input', {name: 'launch_at', type: 'datetime-local',
      value: toLocal(p.launch_at, tz)})),
    h('button', {type: 'submit', class: 'primary'}, t('catalog.save')));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = f.elements;
    const body = {name: e.name.value.trim(), description: e.description.value, brand: e.brand.value || null,
                  category: e.category.value || null, launch_at: e.launch_at.value ? fromLocal(e.launch_at.value, tz) : null};
    try {
      await api.call('PATCH', '/v1/products/' + encodeURIComponent(p.code), body);
      ctx.note(t('catalog.saved'));
      await showProduct(ctx, p.code, lists);
    } catch (err) { ctx.fail(err); }
  });
  return f;
}

function skuForm(ctx, p) {
  const key = newKey('sku');
  const f = h('form', {class: 'card', id: 'sku-new'}, h('h3', {}, t('catalog.new_sku')), h('div', {class: 'row'},
    ['code', 'size', 'colour', 'barcode'].map((k) => h('input', {name: k, maxlength: 64, required: k === 'code',
      placeholder: t('catalog.sku_' + k), 'aria-label': t('catalog.sku_' + k)})),
    h('input', {name: 'price', inputmode: 'decimal', required: true, placeholder: t('catalog.sku_price'), 'aria-label': t('catalog.sku_price')}),
    h('button', {type: 'submit', class: 'primary'}, t('catalog.add_sku'))));
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = f.elements;
    const price = fen(e.price.value);
    if (!(price >= 0)) { ctx.fail(t('catalog.bad_price')); return; }
    const body = {code: e.code.value.trim(), product: p.code, price};
    for (const k of ['size', 'colour', 'barcode']) if (e[k].value.trim()) body[k] = e[k].value.trim();
    try {
      await api.post('/v1/skus', body, {key});
      ctx.note(t('catalog.sku_added', {code: body.code}));
      await showProduct(ctx, p.code, await lists());
    } catch (err) { ctx.fail(err); }
  });
  async function lists() {
    const [b, c] = await Promise.all([api.get('/v1/brands'), api.get('/v1/categories')]);
    return {brands: b.items, cats: c.items};
  }
  return f;
}
