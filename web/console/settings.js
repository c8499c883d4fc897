/*
 * settings.js -- settings, one tab each: staff accounts (create within what the
 * role may grant, deactivate, reactivate) and API keys (a new key is shown once;
 * revoke); the chain's rules for the owner (earn rule, tiers, routing and store
 * capacities, quiet hours and caps: every setting, checked by the server; life-stage
 * and place-and-time rules); report subscriptions; the audit trail (owner).
 */
import {h, put, fen, when, newKey} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

const GRANTS = {owner: ['owner', 'region_manager', 'store_manager', 'clerk', 'service_agent'],
                region_manager: ['store_manager', 'clerk', 'service_agent'], store_manager: ['clerk']};

export default async function show(ctx) {
  const owner = ctx.me.role === 'owner';
  const tabs = ['staff', 'keys', owner ? 'rules' : null, owner ? 'life' : null, owner ? 'presence' : null, 'reports',
                owner ? 'audit' : null].filter(Boolean);
  const tab = tabs.includes(ctx.params[0]) ? ctx.params[0] : 'staff';
  const body = h('div', {id: 'settings-body'});
  put(ctx.el, h('h2', {}, t('nav.settings')), h('nav', {class: 'tabs', id: 'settings-tabs'}, tabs.map((x) =>
    h('a', {href: '#/settings/' + x, class: x === tab ? 'on' : '', 'data-tab': x}, t('settings.tab_' + x)))), body);
  await ({staff, keys, rules, life, presence, reports, audit})[tab](ctx, body);
}

const tz = (ctx) => (ctx.home && ctx.home.timezone) || (ctx.settings && ctx.settings.timezone) || 'Asia/Shanghai';

function grid(id, head, rows) {
  return h('table', {class: 'grid', id}, h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))), h('tbody', {}, rows));
}

async function staff(ctx, el) {
  const r = await api.get('/v1/staff?limit=500');
  const roles = GRANTS[ctx.me.role] || [];
  const rows = r.items.map((s) => h('tr', {'data-staff': s.username}, h('td', {}, s.username), h('td', {}, s.name),
    h('td', {}, t('role.' + s.role)), h('td', {}, s.scope || t('board.chain')),
    h('td', {}, s.active ? t('settings.active') : t('settings.inactive')),
    h('td', {}, s.id !== ctx.me.id && roles.includes(s.role) ? h('button', {type: 'button', class: s.active ? 'warn small' : 'small',
      onclick: async () => {
        try {
          await api.call('PATCH', '/v1/staff/' + s.id, {active: !s.active});
          ctx.note(s.active ? t('settings.deactivated', {u: s.username}) : t('settings.reactivated', {u: s.username}));
          await staff(ctx, el);
        } catch (e) { ctx.fail(e); }
      }}, s.active ? t('settings.deactivate') : t('settings.reactivate')) : null)));
  const key = newKey('staff');
  const scopeKind = h('select', {name: 'scope_kind', 'aria-label': t('settings.scope_kind')},
    ['location', 'region', 'chain'].filter((k) => ctx.me.scope === 'chain' || k !== 'chain')
      .map((k) => h('option', {value: k}, t('settings.scope_' + k))));
  const scope = h('input', {name: 'scope', list: 'scope-codes', value: ctx.home ? ctx.home.code : '', maxlength: 64,
                            placeholder: t('settings.scope_code'), 'aria-label': t('settings.scope_code')});
  const codes = h('datalist', {id: 'scope-codes'}, ctx.places.map((l) => h('option', {value: l.code}, l.name)));
  const form = h('form', {class: 'card', id: 'staff-new'}, h('h3', {}, t('settings.new_staff')), h('div', {class: 'row'},
    h('input', {name: 'username', required: true, maxlength: 64, placeholder: t('signin.username'), 'aria-label': t('signin.username')}),
    h('input', {name: 'name', maxlength: 128, placeholder: t('settings.name'), 'aria-label': t('settings.name')}),
    h('input', {name: 'password', type: 'password', required: true, minlength: 10, autocomplete: 'new-password',
                placeholder: t('settings.password'), 'aria-label': t('settings.password')}),
    h('select', {name: 'role', 'aria-label': t('settings.role')}, roles.map((x) => h('option', {value: x}, t('role.' + x)))),
    scopeKind, scope, codes, h('button', {type: 'submit', class: 'primary'}, t('settings.create'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = form.elements;
    const body = {username: e.username.value.trim(), password: e.password.value, role: e.role.value, scope_kind: scopeKind.value};
    if (e.name.value.trim()) body.name = e.name.value.trim();
    if (scopeKind.value !== 'chain') body.scope = scope.value.trim().toUpperCase();
    try {
      await api.post('/v1/staff', body, {key});
      ctx.note(t('settings.created', {u: body.username}));
      await staff(ctx, el);
    } catch (err) { ctx.fail(err); }
  });
  put(el, grid('staff-list', [t('signin.username'), t('settings.name'), t('settings.role'), t('settings.scope_code'),
    t('settings.state'), ''], rows), roles.length ? form : null);
}

async function keys(ctx, el) {
  const r = await api.get('/v1/api-keys?limit=500');
  const owner = ctx.me.role === 'owner';
  const shown = h('div', {id: 'key-shown'});
  const rows = r.items.map((k) => h('tr', {'data-key': k.id}, h('td', {}, k.prefix + '…'), h('td', {}, k.name),
    h('td', {}, t('channel.' + k.channel)), h('td', {}, k.location || '—'),
    h('td', {}, k.active ? t('settings.active') : t('settings.revoked')),
    h('td', {}, owner && k.active ? h('button', {type: 'button', class: 'warn small', onclick: async () => {
      try { await api.call('DELETE', '/v1/api-keys/' + k.id); ctx.note(t('settings.key_revoked')); await keys(ctx, el); }
      catch (e) { ctx.fail(e); }
    }}, t('settings.revoke')) : null)));
  let form = null;
  if (owner) {
    const key = newKey('key');
    form = h('form', {class: 'card', id: 'key-new'}, h('h3', {}, t('settings.new_key')), h('div', {class: 'row'},
      h('select', {name: 'channel', 'aria-label': t('orders.channel')}, ['pos', 'web', 'app', 'miniprogram', 'phone', 'marketplace']
        .map((c) => h('option', {value: c}, t('channel.' + c)))),
      h('input', {name: 'location', list: 'key-places', maxlength: 64, placeholder: t('settings.key_location'),
                  'aria-label': t('settings.key_location')}),
      h('datalist', {id: 'key-places'}, ctx.places.map((l) => h('option', {value: l.code}, l.name))),
      h('input', {name: 'name', maxlength: 128, placeholder: t('settings.name'), 'aria-label': t('settings.name')}),
      h('button', {type: 'submit', class: 'primary'}, t('settings.create'))));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const e = form.elements;
      const body = {channel: e.channel.value};
      if (e.location.value.trim()) body.location = e.location.value.trim().toUpperCase();
      if (e.name.value.trim()) body.name = e.name.value.trim();
      try {
        const k = await api.post('/v1/api-keys', body, {key});
        await keys(ctx, el);
        /* shown once: the server keeps only its hash */
        put($key(el), h('div', {class: 'card warn'}, h('p', {}, t('settings.key_once')),
          h('code', {id: 'new-key', class: 'code small'}, k.key)));
      } catch (err) { ctx.fail(err); }
    });
  }
  put(el, shown, grid('key-list', [t('settings.prefix'), t('settings.name'), t('orders.channel'), t('settings.key_location'),
    t('settings.state'), ''], rows), form);
}

function $key(el) { return el.querySelector('#key-shown'); }

/* Every chain setting as the server lists it; saved together, each checked by the server. */
async function rules(ctx, el) {
  const [s, tiers] = await Promise.all([api.get('/v1/settings'), api.get('/v1/tiers')]);
  const inputs = Object.keys(s).sort().map((k) => h('label', {class: 'setting'}, h('span', {}, t('setting.' + k) === 'setting.' + k ? k
    : t('setting.' + k)), h('input', {name: k, value: s[k], 'data-was': s[k], maxlength: 200, 'aria-label': k})));
  const form = h('form', {class: 'card', id: 'settings-form'}, h('h3', {}, t('settings.chain_rules')),
    h('div', {class: 'settings-grid'}, inputs), h('button', {type: 'submit', class: 'primary'}, t('catalog.save')));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const i of inputs.map((l) => l.querySelector('input'))) {
      if (i.value === i.dataset.was) continue;
      body[i.name] = /^-?\d+$/.test(i.value) ? Number(i.value) : i.value;
    }
    if (!Object.keys(body).length) return;
    try { await api.call('PATCH', '/v1/settings', body); ctx.note(t('catalog.saved')); await rules(ctx, el); }
    catch (e) { ctx.fail(e); }
  });
  const tierRows = tiers.items.map((x) => {
    const spend = h('input', {value: (x.min_spend_12m / 100).toFixed(2), inputmode: 'decimal', 'aria-label': t('settings.min_spend')});
    const pct = h('input', {value: x.earn_pct, type: 'number', min: 0, max: 1000, 'aria-label': t('settings.earn_pct')});
    return h('tr', {'data-tier': x.code}, h('td', {}, x.code), h('td', {}, '¥', spend), h('td', {}, pct, '%'),
      h('td', {}, h('button', {type: 'button', class: 'small', onclick: async () => {
        try {
          await api.call('PUT', '/v1/tiers/' + encodeURIComponent(x.code), {min_spend_12m: fen(spend.value), earn_pct: Number(pct.value)});
          ctx.note(t('catalog.saved'));
        } catch (e) { ctx.fail(e); }
      }}, t('catalog.save'))));
  });
  const capStore = h('input', {list: 'cap-places', maxlength: 64, placeholder: t('settings.scope_code'), 'aria-label': t('till.store')});
  const capValue = h('input', {type: 'number', min: 0, 'aria-label': t('settings.capacity')});
  const capOut = h('span', {class: 'muted', id: 'capacity-out'});
  const cap = h('form', {class: 'card', id: 'capacity-form'}, h('h3', {}, t('settings.capacity')), h('div', {class: 'row'},
    capStore, h('datalist', {id: 'cap-places'}, ctx.places.map((l) => h('option', {value: l.code}, l.name))), capValue,
    h('button', {type: 'submit', class: 'primary'}, t('catalog.save')), capOut));
  capStore.addEventListener('change', async () => {
    try {
      const c = await api.get('/v1/routing/capacity/' + encodeURIComponent(capStore.value.trim().toUpperCase()));
      capValue.value = c.chain_default ? '' : c.daily_capacity;
      put(capOut, t('settings.capacity_now', {n: c.daily_capacity || '∞', used: c.used_today}));
    } catch (e) { ctx.fail(e); }
  });
  cap.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const c = await api.call('PUT', '/v1/routing/capacity/' + encodeURIComponent(capStore.value.trim().toUpperCase()),
                               {daily_capacity: Number(capValue.value || 0)});
      put(capOut, t('settings.capacity_now', {n: c.daily_capacity || '∞', used: c.used_today}));
    } catch (e) { ctx.fail(e); }
  });
  put(el, form, h('div', {class: 'card'}, h('h3', {}, t('settings.tiers')),
    grid('tiers', [t('settings.tier'), t('settings.min_spend'), t('settings.earn_pct'), ''], tierRows)), cap);
}

async function life(ctx, el) {
  const r = await api.get('/v1/life-rules');
  const rows = r.items.map((x) => h('tr', {'data-rule': x.name}, h('td', {}, x.name), h('td', {}, x.tag),
    h('td', {}, x.categories.join(', ')), h('td', {}, t('settings.life_when', {n: x.min_purchases, d: x.window_days})),
    h('td', {}, h('button', {type: 'button', class: 'warn small', onclick: async () => {
      try { await api.call('DELETE', '/v1/life-rules/' + encodeURIComponent(x.name)); await life(ctx, el); } catch (e) { ctx.fail(e); }
    }}, t('settings.delete')))));
  const form = h('form', {class: 'card', id: 'life-new'}, h('h3', {}, t('settings.new_life')), h('div', {class: 'row'},
    h('input', {name: 'name', required: true, maxlength: 64, placeholder: t('settings.rule_name'), 'aria-label': t('settings.rule_name')}),
    h('input', {name: 'categories', required: true, placeholder: t('settings.categories'), 'aria-label': t('settings.categories')}),
    h('input', {name: 'min_purchases', type: 'number', min: 1, value: 1, 'aria-label': t('settings.min_purchases')}),
    h('input', {name: 'window_days', type: 'number', min: 1, value: 180, 'aria-label': t('settings.window_days')}),
    h('button', {type: 'submit', class: 'primary'}, t('catalog.save'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = form.elements;
    try {
      await api.call('PUT', '/v1/life-rules/' + encodeURIComponent(e.name.value.trim()), {
        categories: e.categories.value.split(/[,，\s]+/).filter(Boolean), min_purchases: Number(e.min_purchases.value),
        window_days: Number(e.window_days.value)});
      await life(ctx, el);
    } catch (err) { ctx.fail(err); }
  });
  put(el, grid('life-rules', [t('settings.rule_name'), t('settings.tag'), t('settings.categories'), t('settings.when'), ''], rows), form);
}

async function presence(ctx, el) {
  const r = await api.get('/v1/presence-rules');
  const rows = r.rules.map((x) => h('tr', {'data-rule': x.name}, h('td', {}, x.name), h('td', {}, x.tag),
    h('td', {}, x.store + ' / ' + x.zone), h('td', {}, x.from_hour + ':00–' + x.to_hour + ':00'), h('td', {}, x.message),
    h('td', {class: 'num'}, x.sent + ' / ' + x.held), h('td', {}, h('button', {type: 'button', class: 'warn small', onclick: async () => {
      try { await api.call('DELETE', '/v1/presence-rules/' + encodeURIComponent(x.name)); await presence(ctx, el); } catch (e) { ctx.fail(e); }
    }}, t('settings.delete')))));
  const f = (name, extra) => h('input', {name, maxlength: 200, placeholder: t('settings.p_' + name), 'aria-label': t('settings.p_' + name), ...extra});
  const form = h('form', {class: 'card', id: 'presence-new'}, h('h3', {}, t('settings.new_presence')), h('div', {class: 'row'},
    f('name', {required: true}), f('tag', {required: true}), f('store', {required: true, list: 'presence-places'}),
    h('datalist', {id: 'presence-places'}, ctx.places.map((l) => h('option', {value: l.code}, l.name))),
    f('zone', {required: true}), f('from_hour', {type: 'number', min: 0, max: 23, value: 10}),
    f('to_hour', {type: 'number', min: 1, max: 24, value: 22}), f('message', {required: true}),
    f('per_day', {type: 'number', min: 1, value: 1}), h('button', {type: 'submit', class: 'primary'}, t('catalog.save'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const e = form.elements;
    try {
      await api.call('PUT', '/v1/presence-rules/' + encodeURIComponent(e.name.value.trim()), {tag: e.tag.value.trim(),
        store: e.store.value.trim().toUpperCase(), zone: e.zone.value.trim(), from_hour: Number(e.from_hour.value),
        to_hour: Number(e.to_hour.value), message: e.message.value, per_day: Number(e.per_day.value)});
      await presence(ctx, el);
    } catch (err) { ctx.fail(err); }
  });
  put(el, grid('presence-rules', [t('settings.rule_name'), t('settings.tag'), t('settings.p_zone'), t('settings.hours'),
    t('settings.p_message'), t('settings.sent_held'), ''], rows), form);
}

async function reports(ctx, el) {
  const r = await api.get('/v1/report-subscriptions');
  const rows = r.subscriptions.map((x) => h('tr', {'data-sub': x.id}, h('td', {}, x.channel), h('td', {}, x.target),
    h('td', {}, h('button', {type: 'button', class: 'warn small', onclick: async () => {
      try { await api.call('DELETE', '/v1/report-subscriptions/' + x.id); await reports(ctx, el); } catch (e) { ctx.fail(e); }
    }}, t('settings.unsubscribe')))));
  const kind = h('select', {name: 'kind', 'aria-label': t('settings.sub_channel')}, h('option', {value: 'email'}, t('settings.email')),
    h('option', {value: 'webhook'}, t('settings.webhook')));
  const target = h('input', {name: 'target', required: true, maxlength: 300, placeholder: t('settings.sub_target'),
                             'aria-label': t('settings.sub_target')});
  const key = newKey('sub');
  const form = h('form', {class: 'card', id: 'sub-new'}, h('h3', {}, t('settings.subscribe')), h('p', {class: 'muted'},
    t('settings.sub_lead')), h('div', {class: 'row'}, kind, target, h('button', {type: 'submit', class: 'primary'}, t('settings.subscribe'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try { await api.post('/v1/report-subscriptions', {[kind.value]: target.value.trim()}, {key}); await reports(ctx, el); }
    catch (e) { ctx.fail(e); }
  });
  put(el, grid('subscriptions', [t('settings.sub_channel'), t('settings.sub_target'), ''], rows), form);
}

async function audit(ctx, el) {
  const action = h('select', {id: 'audit-action', 'aria-label': t('settings.action')}, h('option', {value: ''}, t('settings.any_action')),
    ['member', 'points', 'order', 'stock', 'staff', 'key', 'settings'].map((a) => h('option', {value: a}, t('settings.kind_' + a))));
  const body = h('tbody');
  const more = h('button', {type: 'button', hidden: true}, t('orders.more'));
  let cursor = null;
  const page = async (first) => {
    const r = await api.get('/v1/audit' + api.query({action: action.value, limit: 100, cursor: first ? '' : cursor}));
    if (first) put(body);
    for (const x of r.items) body.appendChild(h('tr', {'data-action': x.action}, h('td', {class: 'muted small'}, when(x.at, tz(ctx))),
      h('td', {}, x.actor), h('td', {}, x.action), h('td', {}, x.subject), h('td', {}, x.detail)));
    cursor = r.next_cursor;
    more.hidden = !cursor;
  };
  action.addEventListener('change', () => page(true).catch(ctx.fail));
  more.addEventListener('click', () => page(false).catch(ctx.fail));
  put(el, h('div', {class: 'row'}, action), h('table', {class: 'grid', id: 'audit'}, h('thead', {}, h('tr', {},
    [t('settings.at'), t('settings.actor'), t('settings.action'), t('settings.subject'), t('settings.detail')].map((x) => h('th', {}, x)))),
  body), more);
  await page(true);
}
