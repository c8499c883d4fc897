/*
 * members.js -- members for staff: search by any part of a name or phone number,
 * or an identity (GET /v1/members?q=); her page: profile (RFM segment, spend,
 * favourite store, channels), tags and life stage, identities, points ledger,
 * coupons, orders, recommendations with their reasons, relations; and, for those
 * who may, merging another record into hers, after a confirmation that shows what
 * moves.
 */
import {h, put, money, when, newKey} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

const MERGERS = ['owner', 'service_agent'];

export default async function show(ctx) {
  if (ctx.params[0]) return showMember(ctx, ctx.params[0]);
  const q = h('input', {id: 'member-search', placeholder: t('members.q'), 'aria-label': t('members.q'), maxlength: 120,
                        value: sessionStorage.getItem('o2o.members.q') || ''});
  const form = h('form', {class: 'row', id: 'members-find'}, q, h('button', {type: 'submit', class: 'primary'}, t('till.find')));
  const body = h('tbody');
  const note = h('p', {class: 'muted', id: 'members-count'});
  put(ctx.el, h('h2', {}, t('nav.members')), form, note, h('table', {class: 'grid', id: 'members'},
    h('thead', {}, h('tr', {}, ['name', 'phone', 'tier', 'points', 'home', 'matched'].map((k) =>
      h('th', {class: k === 'points' ? 'num' : ''}, t('members.col_' + k))))), body));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = q.value.trim();
    if (!v) return;
    sessionStorage.setItem('o2o.members.q', v);
    try {
      const r = await api.get('/v1/members' + api.query({q: v, limit: 50}));
      put(body, r.items.map((m) => h('tr', {class: 'link-row', 'data-member': m.id, onclick: () => ctx.go('#/members/' + m.id)},
        h('td', {}, h('a', {href: '#/members/' + m.id}, m.name || t('till.no_name'))), h('td', {}, m.phone),
        h('td', {}, m.tier), h('td', {class: 'num'}, String(m.points)), h('td', {}, m.home_location || '—'),
        h('td', {class: 'muted small'}, t('members.matched_' + m.matched)))));
      put(note, r.items.length ? t('members.found', {n: r.items.length}) : t('members.none'));
      ctx.fail(null);
    } catch (e) { ctx.fail(e); }
  });
  if (q.value) form.requestSubmit();
}

async function showMember(ctx, id) {
  if (!/^\d+$/.test(id)) { ctx.fail(t('orders.bad_id')); return; }
  const m = await api.get('/v1/members/' + id);
  const soft = (p) => p.catch(() => null);   /* a part she may not see (scope) leaves its box empty */
  const [profile, tags, pts, coupons, orders, reco, rel] = await Promise.all([
    soft(api.get('/v1/members/' + id + '/profile')), soft(api.get('/v1/members/' + id + '/tags?limit=12')),
    soft(api.get('/v1/members/' + id + '/points?limit=20')), soft(api.get('/v1/members/' + id + '/coupons')),
    soft(api.get('/v1/orders' + api.query({member_id: id, limit: 20}))),
    soft(api.get('/v1/members/' + id + '/recommendations?limit=6')), soft(api.get('/v1/members/' + id + '/relations'))]);
  const tz = ctx.tz(m.home_location || '');
  const box = (title, idName, content) => h('div', {class: 'card', id: idName}, h('h3', {}, title), content);
  put(ctx.el, h('p', {}, h('a', {href: '#/members'}, '← ' + t('nav.members'))),
    h('h2', {id: 'member-title'}, m.name || t('till.no_name'), ' ', h('span', {class: 'tag'}, m.tier)),
    h('p', {class: 'muted'}, m.phone, ' · ', t('till.points', {n: m.points}), m.home_location ? ' · ' + m.home_location : '',
      m.status === 'merged' ? ' · ' + t('members.merged_into', {id: m.merged_into}) : ''),
    h('div', {class: 'cols'},
      h('div', {},
        profile ? box(t('members.profile'), 'member-profile', h('table', {class: 'totals'}, h('tbody', {},
          row(t('members.segment'), h('strong', {id: 'segment'}, t('segment.' + profile.rfm.segment))),
          row(t('members.rfm'), profile.rfm.recency + ' / ' + profile.rfm.frequency + ' / ' + profile.rfm.monetary),
          row(t('members.orders'), String(profile.orders)), row(t('members.spend'), money(profile.spend)),
          row(t('members.ltv'), money(profile.lifetime_value)),
          row(t('members.last'), when(profile.last_purchase_at, tz)),
          row(t('members.favourite'), profile.favourite_store || '—'),
          row(t('members.channels'), Object.entries(profile.channels).map(([k, v]) => t('channel.' + k) + ' ' + v).join(' · ')))))
          : box(t('members.profile'), 'member-profile', h('p', {class: 'muted'}, t('members.no_profile'))),
        orders ? box(t('nav.orders'), 'member-orders', orders.items.length ? h('table', {class: 'grid'}, h('tbody', {},
          orders.items.map((o) => h('tr', {}, h('td', {}, h('a', {href: '#/orders/' + o.id}, '#' + o.id)),
            h('td', {class: 'muted small'}, when(o.created_at, ctx.tz(o.location || o.pickup_store || ''))),
            h('td', {}, t('channel.' + o.channel)), h('td', {class: 'num'}, money(o.total)),
            h('td', {}, t('status.' + o.status)))))) : h('p', {class: 'muted'}, t('orders.none'))) : null,
        pts ? box(t('members.ledger'), 'member-ledger', !pts.items.length ? h('p', {class: 'muted'}, '—') : h('table', {class: 'grid'}, h('tbody', {}, pts.items.map((e) =>
          h('tr', {}, h('td', {class: 'muted small'}, when(e.created_at, tz)), h('td', {}, e.kind),
            h('td', {class: 'num'}, (e.points > 0 ? '+' : '') + e.points), h('td', {}, e.reason || e.ref || '')))))) : null),
      h('div', {},
        tags ? box(t('members.tags'), 'member-tags', tags.tags.length ? h('ul', {class: 'plain'}, tags.tags.map((x) =>
          h('li', {}, h('span', {class: 'tag'}, x.tag), ' ', h('span', {class: 'muted small'}, x.kind + ' ' + x.weight.toFixed(2)))))
          : h('p', {class: 'muted'}, t('members.no_tags'))) : null,
        box(t('members.identities'), 'member-identities', m.identities.length ? h('ul', {class: 'plain'}, m.identities.map((x) =>
          h('li', {}, x.kind, ': ', x.value))) : h('p', {class: 'muted'}, '—')),
        coupons ? box(t('members.coupons'), 'member-coupons', !coupons.items.length ? h('p', {class: 'muted'}, '—') : h('ul', {class: 'plain'}, coupons.items.map((c) => h('li', {},
          c.code, ' · ', c.kind === 'percent' ? c.value + '%' : money(c.value), ' · ', c.status)))) : null,
        reco ? box(t('members.reco'), 'member-reco', h('ul', {class: 'plain'}, reco.items.map((r) => h('li', {},
          h('strong', {}, r.name), ' ', money(r.price), h('div', {class: 'muted small'}, reason(r.reason)))))) : null,
        rel ? box(t('members.relations'), 'member-relations', rel.related.length ? h('ul', {class: 'plain'}, rel.related.map((r) =>
          h('li', {}, h('a', {href: '#/members/' + r.member_id}, '#' + r.member_id), ' ', r.kind, ' · ', r.status)))
          : h('p', {class: 'muted'}, '—')) : null,
        MERGERS.includes(ctx.me.role) && m.status === 'active' ? mergeBox(ctx, m) : null)));
}

/* A recommendation's reason in the console's language (the server's English text otherwise). */
function reason(r) {
  const k = 'reco.' + r.code;
  const s = t(k, {label: r.label || r.because || ''});
  return s === k ? r.text : s;
}

function row(label, value) {
  return h('tr', {}, h('td', {class: 'muted'}, label), h('td', {class: 'num'}, value));
}

/* Merge another record into hers: find it, show what moves, then confirm. */
function mergeBox(ctx, m) {
  const other = h('input', {id: 'merge-other', placeholder: t('members.merge_q'), 'aria-label': t('members.merge_q'), maxlength: 20});
  const preview = h('div', {id: 'merge-preview'});
  const key = newKey('merge-' + m.id);
  const form = h('form', {class: 'row'}, other, h('button', {type: 'submit'}, t('members.merge_check')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const v = other.value.trim();
    try {
      const o = /^\d{1,10}$/.test(v) ? await api.get('/v1/members/' + v)
        : await api.get('/v1/members/lookup' + api.query({phone: v}));
      if (o.id === m.id) { ctx.fail(t('members.merge_self')); return; }
      const [pts, orders, coupons] = await Promise.all([api.get('/v1/members/' + o.id + '/points?limit=1'),
        api.get('/v1/orders' + api.query({member_id: o.id, limit: 200})), api.get('/v1/members/' + o.id + '/coupons')]);
      const n = orders.items.length + (orders.next_cursor ? '+' : '');
      put(preview, h('div', {class: 'card warn'},
        h('p', {id: 'merge-what'}, t('members.merge_what', {name: o.name || o.phone, phone: o.phone, into: m.name || m.phone,
          points: pts.balance, orders: n, coupons: coupons.items.filter((c) => c.status === 'issued').length,
          identities: o.identities.length})),
        h('p', {class: 'muted'}, t('members.merge_final')),
        h('button', {type: 'button', class: 'warn', id: 'merge-go', onclick: async () => {
          try {
            await api.post('/v1/members/' + m.id + '/merge', {merge_id: o.id}, {key});
            ctx.note(t('members.merged'));
            await showMember(ctx, String(m.id));
          } catch (e) { ctx.fail(e); }
        }}, t('members.merge_confirm', {id: o.id}))));
      ctx.fail(null);
    } catch (e) { ctx.fail(e); }
  });
  return h('div', {class: 'card', id: 'member-merge'}, h('h3', {}, t('members.merge')), form, preview);
}
