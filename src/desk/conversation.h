/*
** conversation.h -- the service desk's model (conversation.c): contacts known by any
** of their identities (and the member they are), their conversations and messages,
** and dispatch to one agent: the one who served her last, else the least loaded
** available one under her cap, else the queue, served in order as agents free up.
** Every step is a transaction body; an agent's load and a conversation's holder
** change only by conditional updates, so no conversation is ever held twice and no
** agent holds more than her cap, whatever runs at once. No HTTP or JSON here.
*/
#ifndef O2O_DESK_CONVERSATION_H
#define O2O_DESK_CONVERSATION_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define DESK_BODY_MAX 4000

/* A message from a customer, by a medium (email | sms | web_form | chat | wechat |
** weibo | phone | sdk | api | review: how it came, never a sales channel), from the
** identity it came with (phone | email | wechat_openid | wechat_unionid | weibo_id |
** member | device). */
struct desk_inbound {
    char medium[16];
    char id_kind[24];
    char id_value[129];
    char name[129];           /* as the sender calls herself; "" unknown */
    char body[DESK_BODY_MAX + 1];
    char topic[32];
    int64_t location_id;      /* the store it concerns; 0 unknown */
    int64_t at;               /* epoch ms */
    char external_ref[129];   /* the medium's id of the message ("" none): taken once */
    int64_t order_id;         /* the order it is about (0: none): kept on a conversation it opens */
};

struct desk_intake {
    int64_t contact_id, member_id; /* member 0: not recognised */
    int64_t conversation_id, message_id;
    int64_t agent_id;              /* 0: queued */
    bool opened;                   /* a new conversation */
    bool duplicate;                /* taken before (external_ref): nothing changed */
};

/* Take a customer's message in (transaction body): recognise her, add it to her open
** conversation or open one, and dispatch a new one. A message whose external_ref
** was taken before changes nothing (out describes the first). O2O_EINVAL for a bad
** medium, identity kind or an empty or too long body. */
int desk_receive(struct db_conn *c, const struct desk_inbound *in, struct desk_intake *out);

/* An agent's availability and cap (transaction body); lowering the cap never takes
** conversations away, it stops new ones. */
int desk_agent_set(struct db_conn *c, int64_t staff_id, bool available, int64_t cap, int64_t now);

/* Resolve a conversation (transaction body): its agent's slot frees and serves the
** oldest queued conversation (*served: its id, 0 none). O2O_ECONFLICT when it is not
** open. */
int desk_resolve(struct db_conn *c, int64_t conversation_id, int64_t now, int64_t *served);

struct desk_conversation {
    int64_t id, contact_id, agent_id, location_id;
    char medium[16], topic[32], status[12];
    int64_t opened_at, assigned_at, resolved_at, last_message_at;
    int64_t order_id;         /* 0: none */
};
int desk_conversation_get(struct db_conn *c, int64_t id, struct desk_conversation *out);
/* The member a conversation's contact is (0: not recognised). */
int desk_conversation_member(struct db_conn *c, int64_t conversation_id, int64_t *member_id);
/* Has an agent written to her in this conversation since `since`? */
int desk_replied(struct db_conn *c, int64_t conversation_id, int64_t since, bool *out);

/* An agent's reply (transaction body): stored, and sent on the medium the customer
** last wrote by: an SMS to her phone, an e-mail to her address, through the outbox;
** the other media keep it for their adapters. The conversation must be open and
** held by this agent (or by nobody: she takes it). *sent_to: the address, "" when
** kept only. */
int desk_reply(struct db_conn *c, int64_t conversation_id, int64_t staff_id, const char *author, const char *body,
               int64_t now, int64_t *message_id, char sent_to[130]);

/* An unknown sender turns out to be a member (transaction body): the contact becomes
** hers. When she has a contact already, this one's identities and conversations
** join it; if both have a conversation open, this one's messages join hers and this
** one is closed (its agent's place freed). *into: the contact she is now. */
int desk_contact_link(struct db_conn *c, int64_t contact_id, int64_t member_id, int64_t now, int64_t *into);

/* Reads (inbox.c). */
struct desk_message {
    int64_t id;
    char direction[4], medium[16], author[48];
    char body[DESK_BODY_MAX + 1];
    int64_t created_at;
};
int desk_messages(struct db_conn *c, int64_t conversation_id, int (*cb)(const struct desk_message *m, void *arg),
                  void *arg);
/* Open conversations an agent holds (agent > 0), or the queue (agent 0), oldest first. */
int desk_open(struct db_conn *c, int64_t agent, int limit, int (*cb)(const struct desk_conversation *x, void *arg),
              void *arg);
/* Who a contact is: her member (0 none), a name, and her identities as "kind:value" lines. */
int desk_contact(struct db_conn *c, int64_t contact_id, int64_t *member_id, char name[129], char ids[1024]);
#endif
