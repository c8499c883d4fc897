/*
** api_desk.c -- the service desk over HTTP. A message comes in from a member (she
** is known by her token), from a shop or app's key (it names the sender's identity:
** a device, an openid, a phone, an e-mail) or from staff logging a call; agents
** (service agents and managers) read their inbox and the queue, open a
** conversation beside the customer's identities, reply on the medium she last used,
** resolve, and say whether they take conversations and how many at once.
*/
#include "api/api.h"
#include "desk/handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/util.h"
#include "desk/conversation.h"
#include "org/location.h"

static json_t *conv_json(const struct desk_conversation *x)
{
    return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "id", (json_int_t)x->id,
                     "contact_id", (json_int_t)x->contact_id, "medium", x->medium, "topic", x->topic, "status",
                     x->status, "agent_id", x->agent_id ? json_integer(x->agent_id) : json_null(), "opened_at",
                     jtime(x->opened_at), "assigned_at", jtime(x->assigned_at), "resolved_at", jtime(x->resolved_at),
                     "last_message_at", jtime(x->last_message_at), "order_id",
                     x->order_id ? json_integer(x->order_id) : json_null());
}

/* ---- intake ---- */

struct receive_arg {
    struct desk_inbound in;
};

static int receive_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct receive_arg *a = arg;
    struct desk_intake r;
    int rc;
    (void)who;
    if ((rc = desk_receive(c, &a->in, &r)))
        return rc;
    *out = json_pack("{s:I, s:o, s:I, s:I, s:o, s:b}", "contact_id", (json_int_t)r.contact_id, "member_id",
                     r.member_id ? json_integer(r.member_id) : json_null(), "conversation_id",
                     (json_int_t)r.conversation_id, "message_id", (json_int_t)r.message_id, "agent_id",
                     r.agent_id ? json_integer(r.agent_id) : json_null(), "opened", r.opened);
    return 0;
}

int api_desk_receive(struct http_req *rq)
{
    struct receive_arg *a = xcalloc(1, sizeof *a);
    char store[65] = "";
    int rc = jin_str(rq->json, "medium", true, a->in.medium, sizeof a->in.medium);
    if (!rc)
        rc = jin_str(rq->json, "body", true, a->in.body, sizeof a->in.body);
    if (!rc)
        rc = jin_str(rq->json, "topic", false, a->in.topic, sizeof a->in.topic);
    if (!rc)
        rc = jin_str(rq->json, "name", false, a->in.name, sizeof a->in.name);
    if (!rc)
        rc = jin_str(rq->json, "store", false, store, sizeof store);
    if (!rc && store[0]) {
        struct location l;
        if (location_cached_by_code(api_reader(), store, &l))
            rc = err_set(O2O_ENOTFOUND, "unknown_location", "store", "no location with code %.64s", store);
        else
            a->in.location_id = l.id;
    }
    if (!rc && rq->who.role == ROLE_MEMBER) { /* she is who her token says, whatever the body claims */
        str_copy(a->in.id_kind, sizeof a->in.id_kind, "member");
        snprintf(a->in.id_value, sizeof a->in.id_value, "%lld", (long long)rq->who.id);
    } else if (!rc) {
        rc = jin_str(rq->json, "from_kind", true, a->in.id_kind, sizeof a->in.id_kind);
        if (!rc)
            rc = jin_str(rq->json, "from", true, a->in.id_value, sizeof a->in.id_value);
        if (!rc && !strcmp(a->in.id_kind, "member"))
            rc = err_set(O2O_EFORBIDDEN, "unverified_identity", "from_kind",
                         "a member speaks for herself, signed in: no key or account names her by number");
    }
    if (rc) {
        free(a);
        return rc;
    }
    a->in.at = now_ms();
    return api_write(rq, receive_body, a, 201);
}

/* ---- the agent's side ---- */

static int conv_cb(const struct desk_conversation *x, void *arg)
{
    json_array_append_new(arg, conv_json(x));
    return 0;
}

int api_desk_inbox(struct http_req *rq)
{
    json_t *mine = json_array(), *queue = json_array();
    int rc = desk_open(api_reader(), rq->who.id, 200, conv_cb, mine);
    if (!rc)
        rc = desk_open(api_reader(), 0, 200, conv_cb, queue);
    if (rc) {
        json_decref(mine);
        json_decref(queue);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o, s:o}", "mine", mine, "queue", queue));
}

static int message_cb(const struct desk_message *m, void *arg)
{
    json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)m->id, "direction",
                                         m->direction, "medium", m->medium, "author", m->author, "body", m->body, "at",
                                         jtime(m->created_at)));
    return 0;
}

int api_desk_conversation(struct http_req *rq)
{
    struct desk_conversation x;
    int64_t id, member = 0;
    char name[129], ids[1024];
    json_t *out, *messages, *idents;
    int rc = api_param_id(rq, 0, "conversation", &id);
    if (!rc)
        rc = desk_conversation_get(api_reader(), id, &x);
    if (!rc)
        rc = desk_contact(api_reader(), x.contact_id, &member, name, ids);
    if (rc)
        return rc;
    messages = json_array();
    if ((rc = desk_messages(api_reader(), id, message_cb, messages))) {
        json_decref(messages);
        return rc;
    }
    idents = json_array();
    for (char *line = ids, *nl; *line; line = nl + 1) {
        char *colon = strchr(line, ':');
        nl = strchr(line, '\n');
        if (!nl || !colon || colon > nl)
            break;
        *nl = 0;
        *colon = 0;
        json_array_append_new(idents, json_pack("{s:s, s:s}", "kind", line, "value", colon + 1));
    }
    out = conv_json(&x);
    json_object_set_new(out, "contact", json_pack("{s:I, s:o, s:s, s:o}", "id", (json_int_t)x.contact_id, "member_id",
                                                  member ? json_integer(member) : json_null(), "name", name,
                                                  "identities", idents));
    json_object_set_new(out, "messages", messages);
    return http_reply_json(rq, 200, out);
}

struct reply_arg {
    int64_t id;
    char body[DESK_BODY_MAX + 1];
};

static int reply_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct reply_arg *a = arg;
    char author[48], sent_to[130];
    int64_t message = 0;
    int rc;
    principal_tag(who, author);
    if ((rc = desk_reply(c, a->id, who->id, author, a->body, now_ms(), &message, sent_to)))
        return rc;
    *out = json_pack("{s:I, s:I, s:o}", "conversation_id", (json_int_t)a->id, "message_id", (json_int_t)message,
                     "sent_to", jstr_or_null(sent_to));
    return 0;
}

int api_desk_reply(struct http_req *rq)
{
    struct reply_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "conversation", &a->id);
    if (!rc)
        rc = jin_str(rq->json, "body", true, a->body, sizeof a->body);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, reply_body, a, 201);
}

static int resolve_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    int64_t id = *(int64_t *)arg, served = 0;
    struct desk_conversation x;
    int rc = desk_conversation_get(c, id, &x);
    if (!rc && x.agent_id && x.agent_id != who->id && !(who->role & ROLE_MANAGERS))
        rc = err_set(O2O_EFORBIDDEN, "not_yours", NULL, "another agent holds conversation %lld", (long long)id);
    if (!rc)
        rc = desk_resolve(c, id, now_ms(), &served);
    if (!rc)
        *out = json_pack("{s:I, s:o}", "conversation_id", (json_int_t)id, "served",
                         served ? json_integer(served) : json_null());
    return rc;
}

int api_desk_resolve(struct http_req *rq)
{
    int64_t *id = xcalloc(1, sizeof *id);
    int rc = api_param_id(rq, 0, "conversation", id);
    if (rc) {
        free(id);
        return rc;
    }
    return api_write(rq, resolve_body, id, 200);
}

struct agent_arg {
    bool available;
    int64_t cap;
};

static int agent_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct agent_arg *a = arg;
    int rc = desk_agent_set(c, who->id, a->available, a->cap, now_ms());
    if (!rc)
        *out = json_pack("{s:I, s:b, s:I}", "staff_id", (json_int_t)who->id, "available", a->available, "cap",
                         (json_int_t)a->cap);
    return rc;
}

int api_desk_agent_put(struct http_req *rq)
{
    struct agent_arg *a = xcalloc(1, sizeof *a);
    int rc = jin_bool(rq->json, "available", &a->available, NULL);
    if (!rc)
        rc = jin_i64(rq->json, "cap", true, 0, 1000, &a->cap, NULL);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, agent_body, a, 200);
}

struct link_arg {
    int64_t contact, member;
};

static int link_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct link_arg *a = arg;
    int64_t into = 0;
    int rc = desk_contact_link(c, a->contact, a->member, now_ms(), &into);
    (void)who;
    if (!rc)
        *out = json_pack("{s:I, s:I}", "contact_id", (json_int_t)into, "member_id", (json_int_t)a->member);
    return rc;
}

/* POST /v1/desk/contacts/{id}/link: the sender is this member; her history follows. */
int api_desk_link(struct http_req *rq)
{
    struct link_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "contact", &a->contact);
    if (!rc)
        rc = jin_i64(rq->json, "member_id", true, 1, INT64_MAX, &a->member, NULL);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, link_body, a, 200);
}
