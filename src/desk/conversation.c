/*
** conversation.c -- the service desk's model and dispatch (conversation.h). Owns
** desk_contacts, desk_identities, desk_agents, desk_conversations, desk_messages;
** recognises members through member.h.
*/
#include "desk/conversation.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "member/member.h"
#include "org/outbox.h"

#define CANDIDATES 8

static bool medium_ok(const char *m)
{
    return word_in_list("email|sms|web_form|chat|wechat|weibo|phone|sdk|api|review", m);
}

static bool id_kind_ok(const char *k)
{
    return word_in_list("phone|email|wechat_openid|wechat_unionid|weibo_id|member|device", k);
}

/* The member an identity names, or 0. */
static int member_of(struct db_conn *c, const struct desk_inbound *in, int64_t *member_id)
{
    struct member m;
    int rc;
    *member_id = 0;
    if (!strcmp(in->id_kind, "member")) {
        int64_t id;
        if (parse_i64(in->id_value, 1, INT64_MAX, &id))
            return err_set(O2O_EINVAL, "wrong_type", "id_value", "a member identity is her number");
        rc = member_get(c, id, &m);
    } else if (!strcmp(in->id_kind, "phone") || !strcmp(in->id_kind, "email") ||
               !strcmp(in->id_kind, "wechat_openid") || !strcmp(in->id_kind, "wechat_unionid")) {
        rc = member_find_by_identity(c, in->id_kind, in->id_value, &m);
    } else {
        return 0;
    }
    if (rc == O2O_ENOTFOUND || rc == O2O_EINVAL) { /* not a member (or not a phone number) */
        err_clear();
        return 0;
    }
    if (!rc)
        *member_id = m.id;
    return rc;
}

/* Her contact: by the identity, else by the member it names (one contact per
** member), else a new one; the identity is then hers. */
static int recognise(struct db_conn *c, const struct desk_inbound *in, int64_t now, struct desk_intake *out)
{
    int64_t n, first = 0;
    int rc = db_scalar_i64(c, &out->contact_id, "SELECT contact_id FROM desk_identities WHERE kind = $1 AND value = $2",
                           "tt", in->id_kind, in->id_value);
    if (rc != O2O_ENOTFOUND) {
        if (!rc)
            rc = db_scalar_i64(c, &out->member_id, "SELECT COALESCE(member_id, 0) FROM desk_contacts WHERE id = $1",
                               "i", out->contact_id);
        return rc;
    }
    err_clear();
    if ((rc = member_of(c, in, &out->member_id)))
        return rc;
    rc = O2O_ENOTFOUND;
    if (out->member_id)
        rc = db_scalar_i64(c, &out->contact_id, "SELECT id FROM desk_contacts WHERE member_id = $1", "i",
                           out->member_id);
    if (rc == O2O_ENOTFOUND) {
        /* a member's first message may arrive twice at once: one contact per member */
        err_clear();
        rc = db_scalar_i64(c, &out->contact_id,
                           "INSERT INTO desk_contacts (member_id, name, created_at) VALUES ($1, $2, $3) "
                           "ON CONFLICT (member_id) WHERE member_id IS NOT NULL DO NOTHING RETURNING id",
                           "Iti", out->member_id, in->name, now);
        if (rc == O2O_ENOTFOUND) {
            err_clear();
            rc = db_scalar_i64(c, &out->contact_id, "SELECT id FROM desk_contacts WHERE member_id = $1", "i",
                               out->member_id);
        }
    }
    if (rc)
        return rc;
    /* so may a stranger's: the identity is whoever's took it first */
    rc = db_scalar_i64(c, &first,
                       "INSERT INTO desk_identities (kind, value, contact_id, created_at) VALUES ($1, $2, $3, $4) "
                       "ON CONFLICT (kind, value) DO NOTHING RETURNING contact_id",
                       "ttii", in->id_kind, in->id_value, out->contact_id, now);
    if (rc != O2O_ENOTFOUND)
        return rc;
    err_clear();
    rc = db_scalar_i64(c, &first, "SELECT contact_id FROM desk_identities WHERE kind = $1 AND value = $2", "tt",
                       in->id_kind, in->id_value);
    if (rc)
        return rc;
    if (first != out->contact_id) { /* the contact made here has nothing of its own yet */
        n = db_exec(c, "DELETE FROM desk_contacts WHERE id = $1 AND member_id IS NULL", "i", out->contact_id);
        if (n < 0)
            return (int)n;
        out->contact_id = first;
    }
    return 0;
}

/* Hold conversation id for the agent, if she is available under her cap and it is
** held by nobody: two conditional updates; *held says whether both took. */
static int claim(struct db_conn *c, int64_t conversation, int64_t agent, int64_t now, bool *held)
{
    int64_t n;
    *held = false;
    n = db_exec(c,
                "UPDATE desk_agents SET holding = holding + 1, updated_at = $2 WHERE staff_id = $1 AND available = 1 "
                "AND holding < cap",
                "ii", agent, now);
    if (n <= 0)
        return n < 0 ? (int)n : 0;
    n = db_exec(c,
                "UPDATE desk_conversations SET agent_id = $2, status = 'assigned', assigned_at = $3 "
                "WHERE id = $1 AND status = 'queued' AND agent_id IS NULL",
                "iii", conversation, agent, now);
    if (n < 0)
        return (int)n;
    if (n == 0) { /* somebody else holds it already: give the slot back */
        n = db_exec(c, "UPDATE desk_agents SET holding = holding - 1 WHERE staff_id = $1", "i", agent);
        return n < 0 ? (int)n : 0;
    }
    *held = true;
    return 0;
}

/* The agent who served her last, then the least loaded available ones. */
static int dispatch(struct db_conn *c, int64_t conversation, int64_t contact, int64_t now, int64_t *agent)
{
    struct db_stmt *s = NULL;
    int64_t last = 0, cand[CANDIDATES];
    int n = 0, rc;
    bool held = false;
    *agent = 0;
    rc = db_scalar_i64(c, &last,
                       "SELECT agent_id FROM desk_conversations WHERE contact_id = $1 AND agent_id IS NOT NULL "
                       "AND id <> $2 ORDER BY id DESC LIMIT 1",
                       "ii", contact, conversation);
    if (rc == O2O_ENOTFOUND)
        err_clear();
    else if (rc)
        return rc;
    if (last && (rc = claim(c, conversation, last, now, &held)))
        return rc;
    if (held) {
        *agent = last;
        return 0;
    }
    rc = db_query(c, &s,
                  "SELECT staff_id FROM desk_agents WHERE available = 1 AND holding < cap "
                  "ORDER BY holding, staff_id LIMIT 8",
                  NULL);
    while (rc == DB_ROW && n < CANDIDATES) {
        cand[n++] = db_col_i64(s, 0);
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++) {
        if ((rc = claim(c, conversation, cand[i], now, &held)))
            return rc;
        if (held) {
            *agent = cand[i];
            return 0;
        }
    }
    return 0; /* everyone is full: it waits in the queue */
}

int desk_receive(struct db_conn *c, const struct desk_inbound *in, struct desk_intake *out)
{
    int64_t open = 0;
    size_t len = strlen(in->body);
    int rc;
    memset(out, 0, sizeof *out);
    if (!medium_ok(in->medium))
        return err_set(O2O_EINVAL, "out_of_range", "medium",
                       "medium is email, sms, web_form, chat, wechat, weibo, phone, sdk, api or review");
    if (!id_kind_ok(in->id_kind) || !in->id_value[0])
        return err_set(O2O_EINVAL, "out_of_range", "id_kind",
                       "the sender is known by phone, email, wechat_openid, wechat_unionid, weibo_id, member or device");
    if (!len || len > DESK_BODY_MAX)
        return err_set(O2O_EINVAL, "out_of_range", "body", "a message has 1 to %d bytes", DESK_BODY_MAX);
    if (in->external_ref[0]) {
        struct db_stmt *s = NULL;
        rc = db_query(c, &s,
                      "SELECT m.id, m.conversation_id, v.contact_id, COALESCE(v.agent_id, 0), COALESCE(k.member_id, 0) "
                      "FROM desk_messages m JOIN desk_conversations v ON v.id = m.conversation_id "
                      "JOIN desk_contacts k ON k.id = v.contact_id WHERE m.medium = $1 AND m.external_ref = $2",
                      "tt", in->medium, in->external_ref);
        if (rc == DB_ROW) {
            out->message_id = db_col_i64(s, 0);
            out->conversation_id = db_col_i64(s, 1);
            out->contact_id = db_col_i64(s, 2);
            out->agent_id = db_col_i64(s, 3);
            out->member_id = db_col_i64(s, 4);
            out->duplicate = true;
        }
        db_done(s);
        if (rc != DB_DONE)
            return rc < 0 ? rc : 0;
    }
    if (!strcmp(in->id_kind, "phone")) { /* one form for a number, whatever way it was written */
        struct desk_inbound *norm = xmalloc(sizeof *norm);
        *norm = *in;
        rc = member_normalize_phone(c, in->id_value, norm->id_value);
        if (!rc)
            rc = recognise(c, norm, in->at, out);
        free(norm);
    } else {
        rc = recognise(c, in, in->at, out);
    }
    if (rc)
        return rc;
    rc = db_scalar_i64(c, &open,
                       "SELECT id FROM desk_conversations WHERE contact_id = $1 AND (status = 'queued' OR "
                       "status = 'assigned') ORDER BY id LIMIT 1",
                       "i", out->contact_id);
    if (rc == O2O_ENOTFOUND) {
        /* her messages arriving at once open one conversation between them */
        err_clear();
        rc = db_scalar_i64(c, &open,
                           "INSERT INTO desk_conversations (contact_id, medium, topic, location_id, status, opened_at, "
                           "last_message_at, order_id) VALUES ($1, $2, $3, $4, 'queued', $5, $5, $6) "
                           "ON CONFLICT (contact_id) WHERE status <> 'resolved' DO NOTHING RETURNING id",
                           "ittIiI", out->contact_id, in->medium, in->topic, in->location_id, in->at, in->order_id);
        out->opened = rc == 0;
        if (rc == O2O_ENOTFOUND) {
            err_clear();
            rc = db_scalar_i64(c, &open,
                               "SELECT id FROM desk_conversations WHERE contact_id = $1 AND status <> 'resolved'", "i",
                               out->contact_id);
        }
    }
    if (!rc && !out->opened) {
        int64_t n = db_exec(c, "UPDATE desk_conversations SET last_message_at = $2 WHERE id = $1", "ii", open, in->at);
        rc = n < 0 ? (int)n : 0;
    }
    if (rc)
        return rc;
    out->conversation_id = open;
    rc = db_scalar_i64(c, &out->message_id,
                       "INSERT INTO desk_messages (conversation_id, direction, medium, body, created_at, external_ref) "
                       "VALUES ($1, 'in', $2, $3, $4, $5) RETURNING id",
                       "ittit", open, in->medium, in->body, in->at, in->external_ref[0] ? in->external_ref : NULL);
    if (rc)
        return rc;
    if (out->opened)
        return dispatch(c, open, out->contact_id, in->at, &out->agent_id);
    return db_scalar_i64(c, &out->agent_id, "SELECT COALESCE(agent_id, 0) FROM desk_conversations WHERE id = $1", "i",
                         open);
}

int desk_agent_set(struct db_conn *c, int64_t staff_id, bool available, int64_t cap, int64_t now)
{
    int64_t n;
    if (cap < 0 || cap > 1000)
        return err_set(O2O_EINVAL, "out_of_range", "cap", "cap is 0..1000 conversations");
    n = db_exec(c,
                "INSERT INTO desk_agents (staff_id, available, cap, holding, updated_at) VALUES ($1, $2, $3, 0, $4) "
                "ON CONFLICT (staff_id) DO UPDATE SET available = excluded.available, cap = excluded.cap, "
                "updated_at = excluded.updated_at",
                "iiii", staff_id, (int64_t)available, cap, now);
    return n < 0 ? (int)n : 0;
}

int desk_resolve(struct db_conn *c, int64_t conversation_id, int64_t now, int64_t *served)
{
    struct db_stmt *s = NULL;
    int64_t agent = 0, n, queued[CANDIDATES];
    int nq = 0, rc;
    *served = 0;
    rc = db_scalar_i64(c, &agent,
                       "SELECT COALESCE(agent_id, 0) FROM desk_conversations WHERE id = $1 AND (status = 'queued' OR "
                       "status = 'assigned')",
                       "i", conversation_id);
    if (rc == O2O_ENOTFOUND)
        return err_set(O2O_ECONFLICT, "not_open", NULL, "conversation %lld is not open", (long long)conversation_id);
    if (rc)
        return rc;
    n = db_exec(c,
                "UPDATE desk_conversations SET status = 'resolved', resolved_at = $2 WHERE id = $1 AND (status = "
                "'queued' OR status = 'assigned')",
                "ii", conversation_id, now);
    if (n != 1)
        return n < 0 ? (int)n : err_set(O2O_ECONFLICT, "not_open", NULL, "conversation %lld is not open",
                                         (long long)conversation_id);
    if (!agent)
        return 0;
    n = db_exec(c, "UPDATE desk_agents SET holding = holding - 1, updated_at = $2 WHERE staff_id = $1 AND holding > 0",
                "ii", agent, now);
    if (n < 0)
        return (int)n;
    /* her freed slot serves the queue, oldest first */
    rc = db_query(c, &s,
                  "SELECT id FROM desk_conversations WHERE status = 'queued' AND agent_id IS NULL "
                  "ORDER BY opened_at, id LIMIT 8",
                  NULL);
    while (rc == DB_ROW && nq < CANDIDATES) {
        queued[nq++] = db_col_i64(s, 0);
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    for (int i = 0; i < nq; i++) {
        bool held = false;
        if ((rc = claim(c, queued[i], agent, now, &held)))
            return rc;
        if (held) {
            *served = queued[i];
            break;
        }
    }
    return 0;
}

/* The columns of a conversation and their reading (desk_open shares them). */
#define DESK_CONV_COLS                                                                                         \
    "SELECT id, contact_id, COALESCE(agent_id, 0), COALESCE(location_id, 0), medium, topic, status, opened_at, " \
    "COALESCE(assigned_at, 0), COALESCE(resolved_at, 0), last_message_at, COALESCE(order_id, 0) "                \
    "FROM desk_conversations "

static void read_conversation(struct db_stmt *s, struct desk_conversation *out)
{
    memset(out, 0, sizeof *out);
    out->id = db_col_i64(s, 0);
    out->contact_id = db_col_i64(s, 1);
    out->agent_id = db_col_i64(s, 2);
    out->location_id = db_col_i64(s, 3);
    str_copy(out->medium, sizeof out->medium, db_col_text(s, 4));
    str_copy(out->topic, sizeof out->topic, db_col_text(s, 5));
    str_copy(out->status, sizeof out->status, db_col_text(s, 6));
    out->opened_at = db_col_i64(s, 7);
    out->assigned_at = db_col_i64(s, 8);
    out->resolved_at = db_col_i64(s, 9);
    out->last_message_at = db_col_i64(s, 10);
    out->order_id = db_col_i64(s, 11);
}

int desk_conversation_get(struct db_conn *c, int64_t id, struct desk_conversation *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, DESK_CONV_COLS "WHERE id = $1", "i", id);
    if (rc == DB_ROW)
        read_conversation(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_conversation", NULL, "no conversation %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int desk_conversation_member(struct db_conn *c, int64_t conversation_id, int64_t *member_id)
{
    int rc = db_scalar_i64(c, member_id,
                           "SELECT COALESCE(k.member_id, 0) FROM desk_conversations v JOIN desk_contacts k ON "
                           "k.id = v.contact_id WHERE v.id = $1",
                           "i", conversation_id);
    if (rc == O2O_ENOTFOUND)
        return err_set(O2O_ENOTFOUND, "unknown_conversation", NULL, "no conversation %lld", (long long)conversation_id);
    return rc;
}

int desk_replied(struct db_conn *c, int64_t conversation_id, int64_t since, bool *out)
{
    int64_t n = 0;
    int rc = db_scalar_i64(c, &n,
                           "SELECT COUNT(*) FROM desk_messages WHERE conversation_id = $1 AND direction = 'out' AND "
                           "created_at >= $2",
                           "ii", conversation_id, since);
    *out = n > 0;
    return rc;
}

int desk_open(struct db_conn *c, int64_t agent, int limit, int (*cb)(const struct desk_conversation *x, void *arg),
              void *arg)
{
    struct db_stmt *s = NULL;
    struct desk_conversation x;
    int rc = db_query(c, &s,
                      DESK_CONV_COLS "WHERE ((CAST($1 AS BIGINT) = 0 AND status = 'queued') OR "
                                     "(agent_id = $1 AND status = 'assigned')) ORDER BY opened_at, id LIMIT $2",
                      "ii", agent, (int64_t)(limit > 0 && limit <= 500 ? limit : 100));
    while (rc == DB_ROW) {
        read_conversation(s, &x);
        if ((rc = cb(&x, arg)) != 0)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int desk_reply(struct db_conn *c, int64_t conversation_id, int64_t staff_id, const char *author, const char *body,
               int64_t now, int64_t *message_id, char sent_to[130])
{
    struct desk_conversation x;
    char medium[16] = "", kind[24] = "";
    int64_t n;
    bool held = false;
    size_t len = strlen(body);
    int rc;
    sent_to[0] = 0;
    if (!len || len > DESK_BODY_MAX)
        return err_set(O2O_EINVAL, "out_of_range", "body", "a reply has 1 to %d bytes", DESK_BODY_MAX);
    if ((rc = desk_conversation_get(c, conversation_id, &x)))
        return rc;
    if (!strcmp(x.status, "resolved"))
        return err_set(O2O_ECONFLICT, "not_open", NULL, "conversation %lld is resolved", (long long)conversation_id);
    if (x.agent_id && x.agent_id != staff_id)
        return err_set(O2O_EFORBIDDEN, "not_yours", NULL, "another agent holds conversation %lld",
                       (long long)conversation_id);
    if (!x.agent_id) { /* from the queue: she takes it (a slot of hers, if she has one) */
        if ((rc = claim(c, conversation_id, staff_id, now, &held)))
            return rc;
        if (!held)
            return err_set(O2O_ECONFLICT, "no_slot", NULL,
                           "you are not on the desk or hold as many conversations as your cap");
    }
    /* the medium she last wrote by */
    {
        struct db_stmt *s = NULL;
        rc = db_query(c, &s,
                      "SELECT medium FROM desk_messages WHERE conversation_id = $1 AND direction = 'in' "
                      "ORDER BY id DESC LIMIT 1",
                      "i", conversation_id);
        if (rc == DB_ROW)
            str_copy(medium, sizeof medium, db_col_text(s, 0));
        db_done(s);
        if (rc < 0)
            return rc;
    }
    if (!medium[0])
        str_copy(medium, sizeof medium, x.medium);
    rc = db_scalar_i64(c, message_id,
                       "INSERT INTO desk_messages (conversation_id, direction, medium, body, author, created_at) "
                       "VALUES ($1, 'out', $2, $3, $4, $5) RETURNING id",
                       "ittti", conversation_id, medium, body, author, now);
    if (rc)
        return rc;
    n = db_exec(c, "UPDATE desk_conversations SET last_message_at = $2 WHERE id = $1", "ii", conversation_id, now);
    if (n < 0)
        return (int)n;
    if (!strcmp(medium, "sms"))
        str_copy(kind, sizeof kind, "phone");
    else if (!strcmp(medium, "email"))
        str_copy(kind, sizeof kind, "email");
    else if (!strcmp(medium, "wechat"))
        str_copy(kind, sizeof kind, "wechat_openid");
    if (!kind[0])
        return 0;
    {
        struct db_stmt *s = NULL;
        rc = db_query(c, &s,
                      "SELECT value FROM desk_identities WHERE contact_id = $1 AND kind = $2 "
                      "ORDER BY created_at DESC LIMIT 1",
                      "it", x.contact_id, kind);
        if (rc == DB_ROW)
            str_copy(sent_to, 130, db_col_text(s, 0));
        db_done(s);
        if (rc < 0)
            return rc;
    }
    if (!sent_to[0]) /* no address of that kind: kept for the desk */
        return 0;
    {
        /* on the medium she wrote by; a provider that sends only templates gets the
        ** text's head as the template's one parameter */
        char head[301];
        size_t cut = strlen(body) < 300 ? strlen(body) : 300;
        struct notice note = {"desk_reply", "service", body, 1, {"text"}, {head}, 0};
        struct notice_route r = {!strcmp(kind, "phone") ? "sms" : medium, sent_to, "", "", 0, 0, NULL};
        while (cut && body[cut] && ((unsigned char)body[cut] & 0xc0) == 0x80)
            cut--;
        memcpy(head, body, cut);
        head[cut] = 0;
        return outbox_notice(c, &note, &r, NULL);
    }
}

int desk_contact_link(struct db_conn *c, int64_t contact_id, int64_t member_id, int64_t now, int64_t *into)
{
    struct member m;
    int64_t hers = 0, mine_open = 0, hers_open = 0, agent = 0, n;
    int rc = member_get(c, member_id, &m);
    *into = contact_id;
    if (rc)
        return rc;
    if ((rc = db_scalar_i64(c, &n, "SELECT COALESCE(member_id, 0) FROM desk_contacts WHERE id = $1", "i", contact_id)))
        return rc == O2O_ENOTFOUND ? err_set(O2O_ENOTFOUND, "unknown_contact", NULL, "no contact %lld",
                                             (long long)contact_id)
                                   : rc;
    if (n == member_id)
        return 0;
    if (n)
        return err_set(O2O_ECONFLICT, "already_a_member", "member_id", "contact %lld is member %lld already",
                       (long long)contact_id, (long long)n);
    rc = db_scalar_i64(c, &hers, "SELECT id FROM desk_contacts WHERE member_id = $1", "i", member_id);
    if (rc == O2O_ENOTFOUND) { /* her first contact: this one */
        err_clear();
        n = db_exec(c, "UPDATE desk_contacts SET member_id = $2 WHERE id = $1", "ii", contact_id, member_id);
        return n < 0 ? (int)n : 0;
    }
    if (rc)
        return rc;
    /* both open: this one's messages join hers, and this one closes */
    rc = db_scalar_i64(c, &mine_open, "SELECT id FROM desk_conversations WHERE contact_id = $1 AND status <> 'resolved'",
                       "i", contact_id);
    if (rc == O2O_ENOTFOUND) {
        err_clear();
        mine_open = 0;
        rc = 0;
    }
    if (!rc && mine_open) {
        rc = db_scalar_i64(c, &hers_open,
                           "SELECT id FROM desk_conversations WHERE contact_id = $1 AND status <> 'resolved'", "i",
                           hers);
        if (rc == O2O_ENOTFOUND) {
            err_clear();
            hers_open = 0;
            rc = 0;
        }
    }
    if (rc)
        return rc;
    if (mine_open && hers_open) {
        if ((rc = db_scalar_i64(c, &agent, "SELECT COALESCE(agent_id, 0) FROM desk_conversations WHERE id = $1", "i",
                                mine_open)))
            return rc;
        if ((n = db_exec(c, "UPDATE desk_messages SET conversation_id = $2 WHERE conversation_id = $1", "ii", mine_open,
                         hers_open)) < 0 ||
            (n = db_exec(c, "UPDATE desk_conversations SET status = 'resolved', resolved_at = $2 WHERE id = $1", "ii",
                         mine_open, now)) < 0 ||
            (agent && (n = db_exec(c, "UPDATE desk_agents SET holding = holding - 1 WHERE staff_id = $1 AND holding > 0",
                                   "i", agent)) < 0))
            return (int)n;
    }
    if ((n = db_exec(c, "UPDATE desk_conversations SET contact_id = $2 WHERE contact_id = $1", "ii", contact_id, hers)) < 0 ||
        (n = db_exec(c, "UPDATE desk_identities SET contact_id = $2 WHERE contact_id = $1", "ii", contact_id, hers)) < 0 ||
        (n = db_exec(c, "DELETE FROM desk_contacts WHERE id = $1", "i", contact_id)) < 0)
        return (int)n;
    *into = hers;
    return 0;
}
