/*
 * desk.js -- the service desk for agents (service agents and managers): whether she
 * takes conversations and how many at once; the conversations she holds and the
 * queue, oldest first; a conversation beside who the customer is (her member page,
 * her identities), every message, a reply (sent on the medium she last wrote by),
 * and resolving it (her freed place takes the oldest waiting). Refreshed every ten
 * seconds while open.
 */
import {h, put, when, newKey} from './dom.js';
import {t} from './i18n.js';
import * as api from './api.js';

const tz = (ctx) => (ctx.home && ctx.home.timezone) || (ctx.settings && ctx.settings.timezone) || 'Asia/Shanghai';

export default async function show(ctx) {
  if (ctx.params[0]) return showConversation(ctx, ctx.params[0]);
  const avail = h('form', {class: 'row card', id: 'desk-agent'},
    h('label', {class: 'inline'}, h('input', {type: 'checkbox', name: 'available', id: 'desk-available'}), t('desk.available')),
    h('label', {class: 'inline'}, t('desk.cap'), ' ', h('input', {type: 'number', name: 'cap', min: 0, max: 1000, value: 5,
      class: 'narrow-in', 'aria-label': t('desk.cap')})),
    h('button', {type: 'submit', class: 'primary'}, t('catalog.save')));
  avail.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api.call('PUT', '/v1/desk/agents/me', {available: avail.elements.available.checked,
                                                     cap: Number(avail.elements.cap.value)});
      ctx.note(t('desk.saved'));
      await refresh();
    } catch (e) { ctx.fail(e); }
  });
  const mine = h('div', {id: 'desk-mine'});
  const queue = h('div', {id: 'desk-queue'});
  put(ctx.el, h('h2', {}, t('nav.desk')), avail, h('div', {class: 'cols'},
    h('div', {}, h('h3', {}, t('desk.mine')), mine), h('div', {}, h('h3', {}, t('desk.queue')), queue)));
  const rows = (list, id) => list.length ? h('table', {class: 'grid', id}, h('tbody', {}, list.map((x) =>
    h('tr', {class: 'link-row', 'data-conversation': x.id, onclick: () => ctx.go('#/desk/' + x.id)},
      h('td', {}, h('a', {href: '#/desk/' + x.id}, '#' + x.id)), h('td', {}, t('medium.' + x.medium)),
      h('td', {class: 'muted small'}, when(x.last_message_at, tz(ctx))))))) : h('p', {class: 'muted'}, t('desk.none'));
  async function refresh() {
    const r = await api.get('/v1/desk/inbox', {signal: ctx.signal});
    put(mine, rows(r.mine, 'desk-mine-list'));
    put(queue, rows(r.queue, 'desk-queue-list'));
  }
  await refresh();
  const timer = setInterval(() => { if (!ctx.signal.aborted) refresh().catch(() => {}); }, 10000);
  ctx.signal.addEventListener('abort', () => clearInterval(timer));
}

async function showConversation(ctx, id) {
  if (!/^\d+$/.test(id)) { ctx.fail(t('orders.bad_id')); return; }
  const x = await api.get('/v1/desk/conversations/' + id);
  const zone = tz(ctx);
  const reply = h('textarea', {id: 'desk-reply', rows: 3, maxlength: 4000, 'aria-label': t('desk.reply')});
  const key = newKey('reply-' + id);
  const form = h('form', {class: 'card', id: 'desk-reply-form'}, reply,
    h('div', {class: 'row'}, h('button', {type: 'submit', class: 'primary'}, t('desk.send')), h('span', {class: 'grow'}),
      h('button', {type: 'button', class: 'warn', id: 'desk-resolve', onclick: async () => {
        try {
          await api.post('/v1/desk/conversations/' + id + '/resolve', {}, {key: 'resolve-' + id});
          ctx.note(t('desk.resolved'));
          ctx.go('#/desk');
        } catch (e) { ctx.fail(e); }
      }}, t('desk.resolve'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!reply.value.trim()) return;
    try {
      const r = await api.post('/v1/desk/conversations/' + id + '/replies', {body: reply.value.trim()}, {key});
      ctx.note(r.sent_to ? t('desk.sent_to', {to: r.sent_to}) : t('desk.kept'));
      await showConversation(ctx, id);
    } catch (e) { ctx.fail(e); }
  });
  const c = x.contact;
  put(ctx.el, h('p', {}, h('a', {href: '#/desk'}, '← ' + t('nav.desk'))),
    h('h2', {id: 'desk-title'}, t('desk.conversation', {id: x.id}), ' ', h('span', {class: 'status'}, t('desk.status_' + x.status))),
    h('div', {class: 'cols'},
      h('div', {},
        h('ol', {class: 'plain', id: 'desk-messages'}, x.messages.map((m) => h('li', {class: 'card msg-' + m.direction,
          'data-direction': m.direction}, h('div', {class: 'muted small'}, when(m.at, zone), ' · ', t('medium.' + m.medium),
            m.author ? ' · ' + m.author : ''), h('div', {class: 'body'}, m.body)))),
        x.status !== 'resolved' ? form : null),
      h('div', {class: 'card', id: 'desk-contact'}, h('h3', {}, t('desk.who')),
        c.name ? h('p', {}, c.name) : null,
        c.member_id ? h('p', {}, h('a', {href: '#/members/' + c.member_id, id: 'desk-member'}, t('desk.member', {id: c.member_id})))
          : h('p', {class: 'muted'}, t('desk.not_member')),
        h('ul', {class: 'plain'}, c.identities.map((i) => h('li', {}, i.kind, ': ', i.value))))));
}
