/*
** test_desk.c -- the service desk's model: a member is recognised by any of her
** identities and her messages by WeChat then by e-mail land in one conversation
** with one agent; the agent who served her last gets her again; a full desk
** queues, and a resolved conversation serves the queue in order; and under many
** messages at once no conversation is held twice and no agent holds more than her
** cap. Times are pinned.
*/
#include "fixture.h"

#include <pthread.h>

#include "desk/conversation.h"
#include "member/member.h"

#define T0 1700000000000LL

static int member_body(struct db_conn *c, void *arg)
{
    return member_create(c, arg);
}

static int link_body(struct db_conn *c, void *arg)
{
    const struct member_identity *i = arg;
    return member_link_identity(c, i->member_id, i);
}

static int64_t new_member(const char *phone, const char *openid)
{
    struct member m;
    struct member_identity i;
    memset(&m, 0, sizeof m);
    strcpy(m.phone, phone);
    assert_int_equal(db_txn(db, member_body, &m), 0);
    if (openid) {
        memset(&i, 0, sizeof i);
        strcpy(i.kind, "wechat_openid");
        strcpy(i.value, openid);
        i.member_id = m.id;
        assert_int_equal(db_txn(db, link_body, &i), 0);
    }
    return m.id;
}

struct agent_arg {
    int64_t staff, cap;
    bool available;
};

static int agent_body(struct db_conn *c, void *arg)
{
    struct agent_arg *a = arg;
    return desk_agent_set(c, a->staff, a->available, a->cap, T0);
}

static void agent(int64_t staff, int64_t cap, bool available)
{
    struct agent_arg a = {staff, cap, available};
    assert_int_equal(db_txn(db, agent_body, &a), 0);
}

struct recv_arg {
    struct desk_inbound in;
    struct desk_intake out;
};

static int recv_body(struct db_conn *c, void *arg)
{
    struct recv_arg *r = arg;
    return desk_receive(c, &r->in, &r->out);
}

static int receive_msg(const char *medium, const char *kind, const char *value, const char *body, int64_t at,
                       struct desk_intake *out)
{
    struct recv_arg *r = calloc(1, sizeof *r);
    int rc;
    strcpy(r->in.medium, medium);
    strcpy(r->in.id_kind, kind);
    snprintf(r->in.id_value, sizeof r->in.id_value, "%s", value);
    snprintf(r->in.body, sizeof r->in.body, "%s", body);
    r->in.at = at;
    rc = db_txn(db, recv_body, r);
    if (out)
        *out = r->out;
    free(r);
    return rc;
}

struct reply_arg {
    int64_t conversation, staff, message;
    char sent_to[130];
};

static int reply_body(struct db_conn *c, void *arg)
{
    struct reply_arg *r = arg;
    return desk_reply(c, r->conversation, r->staff, "staff:test", "sewn on tomorrow", T0 + 120000, &r->message,
                      r->sent_to);
}

struct resolve_arg {
    int64_t id, served;
};

static int resolve_body(struct db_conn *c, void *arg)
{
    struct resolve_arg *a = arg;
    return desk_resolve(c, a->id, T0 + 999999, &a->served);
}

static int64_t resolve(int64_t id)
{
    struct resolve_arg a = {id, 0};
    assert_int_equal(db_txn(db, resolve_body, &a), 0);
    return a.served;
}

static int64_t scalar(const char *sql, int64_t p)
{
    int64_t v = -1;
    assert_int_equal(db_scalar_i64(db_reader(db), &v, sql, "i", p), 0);
    return v;
}

static void test_desk__one_member_one_conversation_one_agent_across_media(void **state)
{
    struct desk_intake a, b, c;
    int64_t m;
    (void)state;
    m = new_member("+8613700001111", "oWX-desk-1");
    agent(9001, 5, true);
    agent(9002, 5, true);
    assert_int_equal(receive_msg("wechat", "wechat_openid", "oWX-desk-1", "my coat has a loose button", T0, &a), 0);
    assert_int_equal(a.member_id, m);
    assert_true(a.opened);
    assert_true(a.agent_id == 9001 || a.agent_id == 9002);
    /* the same member by e-mail: her phone was never her e-mail, so she is known by
    ** the member the e-mail names once linked; here by her phone over SMS */
    assert_int_equal(receive_msg("sms", "phone", "13700001111", "any news?", T0 + 60000, &b), 0);
    assert_int_equal(b.contact_id, a.contact_id);
    assert_int_equal(b.conversation_id, a.conversation_id);
    assert_false(b.opened);
    assert_int_equal(b.agent_id, a.agent_id);
    /* the agent answers on the medium she last wrote by: an SMS to her number */
    {
        struct reply_arg r = {a.conversation_id, a.agent_id, 0, ""};
        assert_int_equal(db_txn(db, reply_body, &r), 0);
        assert_string_equal(r.sent_to, "+8613700001111");
        assert_int_equal(scalar("SELECT COUNT(*) FROM outbox WHERE topic = 'sms' AND recipient = '+8613700001111' "
                                "AND payload = 'sewn on tomorrow' AND id > $1",
                                0),
                         1);
        r.staff = a.agent_id == 9001 ? 9002 : 9001; /* another agent may not answer what she holds */
        assert_int_equal(db_txn(db, reply_body, &r), O2O_EFORBIDDEN);
    }
    /* an unknown sender is a contact of her own, without a member */
    assert_int_equal(receive_msg("email", "email", "stranger@example.com", "hello", T0, &c), 0);
    assert_int_equal(c.member_id, 0);
    assert_int_not_equal(c.contact_id, a.contact_id);
    /* hers: two in, one out */
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_messages WHERE conversation_id = $1", a.conversation_id), 3);
    /* bad input is refused and writes nothing */
    assert_int_equal(receive_msg("pos", "phone", "13700001111", "x", T0, NULL), O2O_EINVAL);
    assert_int_equal(receive_msg("sms", "phone", "13700001111", "", T0, NULL), O2O_EINVAL);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_messages WHERE conversation_id = $1", a.conversation_id), 3);
}

static void test_desk__the_agent_who_served_her_last_gets_her_again(void **state)
{
    struct desk_intake a, b;
    (void)state;
    agent(9101, 5, true);
    agent(9102, 5, true);
    assert_int_equal(receive_msg("chat", "device", "dev-again", "first question", T0, &a), 0);
    assert_int_not_equal(a.agent_id, 0);
    resolve(a.conversation_id);
    /* the other agent is now the less loaded one, yet she goes back to hers */
    assert_int_equal(receive_msg("chat", "device", "dev-again", "second question", T0 + 3600000, &b), 0);
    assert_true(b.opened);
    assert_int_not_equal(b.conversation_id, a.conversation_id);
    assert_int_equal(b.agent_id, a.agent_id);
}

static void test_desk__a_full_desk_queues_and_a_freed_slot_serves_the_oldest(void **state)
{
    struct desk_intake x[4];
    char dev[32];
    (void)state;
    /* every agent so far is taken off the desk; one new one with two places */
    for (int64_t s = 9000; s < 9200; s++)
        agent(s, 0, false);
    agent(9201, 2, true);
    for (int i = 0; i < 4; i++) {
        snprintf(dev, sizeof dev, "dev-queue-%d", i);
        assert_int_equal(receive_msg("web_form", "device", dev, "help", T0 + i * 1000, &x[i]), 0);
    }
    assert_int_equal(x[0].agent_id, 9201);
    assert_int_equal(x[1].agent_id, 9201);
    assert_int_equal(x[2].agent_id, 0); /* queued */
    assert_int_equal(x[3].agent_id, 0);
    assert_int_equal(resolve(x[0].conversation_id), x[2].conversation_id); /* the oldest waiting */
    assert_int_equal(scalar("SELECT COALESCE(agent_id, 0) FROM desk_conversations WHERE id = $1", x[2].conversation_id),
                     9201);
    assert_int_equal(scalar("SELECT holding FROM desk_agents WHERE staff_id = $1", 9201), 2);
    assert_int_equal(resolve(x[3].conversation_id), 0); /* a queued one resolved frees nobody */
    assert_int_equal(scalar("SELECT holding FROM desk_agents WHERE staff_id = $1", 9201), 2);
}

/* ---- many messages at once ---- */

#define THREADS 8
#define PER_THREAD 60
#define SENDERS 150
#define AGENTS 6
#define CAP 12

static void *sender(void *arg)
{
    int t = *(int *)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        char dev[32];
        snprintf(dev, sizeof dev, "crowd-%d", (t * 37 + i * 11) % SENDERS);
        if (receive_msg("chat", "device", dev, "where is my order?", T0 + t * 100000 + i, NULL))
            return (void *)1;
    }
    return NULL;
}

static void test_desk__many_messages_at_once_never_hold_a_conversation_twice(void **state)
{
    pthread_t th[THREADS];
    int idx[THREADS];
    int64_t assigned, held, queued, open;
    (void)state;
    for (int64_t s = 9000; s < 9300; s++)
        agent(s, 0, false);
    for (int a = 0; a < AGENTS; a++)
        agent(9300 + a, CAP, true);
    for (int t = 0; t < THREADS; t++) {
        idx[t] = t;
        pthread_create(&th[t], NULL, sender, &idx[t]);
    }
    for (int t = 0; t < THREADS; t++) {
        void *rv = NULL;
        pthread_join(th[t], &rv);
        assert_null(rv);
    }
    /* every sender has one open conversation */
    open = scalar("SELECT COUNT(*) FROM desk_conversations c JOIN desk_identities i ON i.contact_id = c.contact_id "
                  "WHERE i.value LIKE 'crowd-%' AND c.status <> 'resolved' AND c.id > $1",
                  0);
    assert_int_equal(open, SENDERS);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_identities WHERE value LIKE 'crowd-%' AND kind = 'device' AND "
                            "contact_id > $1",
                            0),
                     SENDERS);
    /* what the agents count they hold is exactly what they hold, within their caps */
    for (int a = 0; a < AGENTS; a++) {
        held = scalar("SELECT holding FROM desk_agents WHERE staff_id = $1", 9300 + a);
        assigned = scalar("SELECT COUNT(*) FROM desk_conversations WHERE agent_id = $1 AND status = 'assigned'",
                          9300 + a);
        assert_int_equal(held, assigned);
        assert_true(held <= CAP);
    }
    assigned = scalar("SELECT COUNT(*) FROM desk_conversations c JOIN desk_identities i ON i.contact_id = c.contact_id "
                      "WHERE i.value LIKE 'crowd-%' AND c.status = 'assigned' AND c.id > $1",
                      0);
    queued = scalar("SELECT COUNT(*) FROM desk_conversations c JOIN desk_identities i ON i.contact_id = c.contact_id "
                    "WHERE i.value LIKE 'crowd-%' AND c.status = 'queued' AND c.agent_id IS NULL AND c.id > $1",
                    0);
    assert_int_equal(assigned, AGENTS * CAP); /* the desk filled up, */
    assert_int_equal(assigned + queued, SENDERS); /* and the rest wait */
}

static void *first_words(void *arg)
{
    (void)arg;
    return receive_msg("wechat", "wechat_openid", "oWX-at-once", "hello?", T0, NULL) ? (void *)1 : NULL;
}

static void test_desk__a_strangers_first_messages_at_once_open_one_conversation(void **state)
{
    pthread_t th[THREADS];
    (void)state;
    for (int t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, first_words, NULL);
    for (int t = 0; t < THREADS; t++) {
        void *rv = NULL;
        pthread_join(th[t], &rv);
        assert_null(rv);
    }
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_identities WHERE value = 'oWX-at-once' AND contact_id > $1", 0), 1);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_conversations WHERE contact_id = "
                            "(SELECT contact_id FROM desk_identities WHERE value = 'oWX-at-once') AND id > $1",
                            0),
                     1);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_messages m JOIN desk_conversations c ON c.id = m.conversation_id "
                            "JOIN desk_identities i ON i.contact_id = c.contact_id WHERE i.value = 'oWX-at-once' "
                            "AND m.id > $1",
                            0),
                     THREADS);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_contacts c WHERE NOT EXISTS (SELECT 1 FROM desk_identities i "
                            "WHERE i.contact_id = c.id) AND c.id > $1",
                            0),
                     0); /* no orphan contact left behind */
}

struct link_arg {
    int64_t contact, member, into;
};

static int link_contact_body(struct db_conn *c, void *arg)
{
    struct link_arg *a = arg;
    return desk_contact_link(c, a->contact, a->member, T0 + 500000, &a->into);
}

static void test_desk__an_unknown_sender_linked_to_her_member_brings_her_history(void **state)
{
    struct desk_intake stranger, member;
    struct link_arg l;
    int64_t m;
    (void)state;
    for (int64_t s = 9000; s < 9400; s++)
        agent(s, 0, false);
    agent(9401, 5, true);
    agent(9402, 5, true);
    m = new_member("+8613700002222", NULL);
    /* she writes from an address nobody knows, and from the app as herself */
    assert_int_equal(receive_msg("email", "email", "later.known@example.com", "the wrong size came", T0, &stranger), 0);
    assert_int_equal(stranger.member_id, 0);
    char idv[24];
    snprintf(idv, sizeof idv, "%lld", (long long)m);
    assert_int_equal(receive_msg("sdk", "member", idv, "did you get my e-mail?", T0 + 1000, &member), 0);
    assert_int_not_equal(member.contact_id, stranger.contact_id);
    l = (struct link_arg){stranger.contact_id, m, 0};
    assert_int_equal(db_txn(db, link_contact_body, &l), 0);
    assert_int_equal(l.into, member.contact_id);
    /* one contact, one open conversation holding both messages, the places counted right */
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_contacts WHERE id = $1", stranger.contact_id), 0);
    assert_int_equal(scalar("SELECT contact_id FROM desk_identities WHERE value = 'later.known@example.com' AND "
                            "contact_id > $1",
                            0),
                     member.contact_id);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_conversations WHERE contact_id = $1 AND status <> 'resolved'",
                            member.contact_id),
                     1);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_messages WHERE conversation_id = $1", member.conversation_id), 2);
    for (int64_t a = 9401; a <= 9402; a++)
        assert_int_equal(scalar("SELECT holding FROM desk_agents WHERE staff_id = $1", a),
                         scalar("SELECT COUNT(*) FROM desk_conversations WHERE agent_id = $1 AND status = 'assigned'", a));
    /* her next e-mail from that address is hers at once */
    assert_int_equal(receive_msg("email", "email", "later.known@example.com", "thanks", T0 + 2000, &stranger), 0);
    assert_int_equal(stranger.member_id, m);
    assert_int_equal(stranger.conversation_id, member.conversation_id);
}

/* An e-mail fetched by two turns, a WeChat message WeChat pushes again: its medium's
** id makes the second arrival change nothing, and say where the first went. */
static void test_desk__a_message_its_medium_delivers_twice_is_taken_once(void **state)
{
    struct recv_arg *r = calloc(1, sizeof *r);
    struct desk_intake first;
    int64_t before;
    (void)state;
    agent(9101, 5, true);
    strcpy(r->in.medium, "email");
    strcpy(r->in.id_kind, "email");
    strcpy(r->in.id_value, "twice@example.com");
    strcpy(r->in.body, "delivered twice");
    strcpy(r->in.external_ref, "mail:twice-1@example.com");
    r->in.at = T0;
    assert_int_equal(db_txn(db, recv_body, r), 0);
    first = r->out;
    assert_false(first.duplicate);
    before = scalar("SELECT COUNT(*) FROM desk_messages WHERE id >= $1", 0);
    r->in.at = T0 + 5000;
    assert_int_equal(db_txn(db, recv_body, r), 0);
    assert_true(r->out.duplicate);
    assert_int_equal(r->out.message_id, first.message_id);
    assert_int_equal(r->out.conversation_id, first.conversation_id);
    assert_int_equal(r->out.agent_id, first.agent_id);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_messages WHERE id >= $1", 0), before);
    /* the same id by another medium is another message */
    strcpy(r->in.medium, "web_form");
    assert_int_equal(db_txn(db, recv_body, r), 0);
    assert_false(r->out.duplicate);
    assert_int_equal(scalar("SELECT COUNT(*) FROM desk_messages WHERE id >= $1", 0), before + 1);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_desk__one_member_one_conversation_one_agent_across_media),
        cmocka_unit_test(test_desk__the_agent_who_served_her_last_gets_her_again),
        cmocka_unit_test(test_desk__a_full_desk_queues_and_a_freed_slot_serves_the_oldest),
        cmocka_unit_test(test_desk__many_messages_at_once_never_hold_a_conversation_twice),
        cmocka_unit_test(test_desk__a_strangers_first_messages_at_once_open_one_conversation),
        cmocka_unit_test(test_desk__an_unknown_sender_linked_to_her_member_brings_her_history),
        cmocka_unit_test(test_desk__a_message_its_medium_delivers_twice_is_taken_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
