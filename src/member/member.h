/*
** member.h -- one member identity bound to a mobile phone, across every channel:
** channel identities, consent flags, merge of duplicates, tiers from spend.
*/
#ifndef O2O_MEMBER_MEMBER_H
#define O2O_MEMBER_MEMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/principal.h"
#include "db/db.h"

struct member {
    int64_t id;
    char phone[20];           /* E.164 */
    char name[129];
    char status[12];          /* active | merged */
    int64_t merged_into;      /* survivor id when merged */
    char tier[24];
    bool consent_marketing, consent_sms, consent_email;
    bool consent_service;     /* service messages (pickup ready, replies); auth codes need none */
    char prefer_medium[8];    /* how she wants to be reached: sms | wechat | email */
    char fallback_medium[8];  /* when that fails: one of them, or "" (then SMS) */
    char quiet_hours[8];      /* "22-8" in her home store's time, or "" */
    int64_t points;           /* balance */
    int64_t home_location_id;
    char home_location_code[65];
    int64_t created_at, updated_at;
};

struct member_identity {
    char kind[24];            /* wechat_openid | wechat_unionid | alipay_user_id | alipay_open_id | store_card | email */
    char value[129];
    int64_t member_id;
    int64_t created_at;
};

/* A partial update: only fields whose has_ flag is set change. */
struct member_patch {
    bool has_name, has_marketing, has_sms, has_email, has_home, has_service, has_prefer, has_fallback, has_quiet;
    char name[129];
    bool consent_marketing, consent_sms, consent_email, consent_service;
    char prefer_medium[8], fallback_medium[8], quiet_hours[8];
    char home_location_code[65];
};

/* Normalise a phone with the chain's default country code (settings.phone_default_cc). */
int member_normalize_phone(struct db_conn *c, const char *in, char out[20]);

/* Writes (transaction bodies). m->phone must already be E.164. */
int member_create(struct db_conn *c, struct member *m);
int member_update(struct db_conn *c, int64_t id, const struct member_patch *p, struct member *out);
int member_link_identity(struct db_conn *c, int64_t member_id, const struct member_identity *idn);
/* A customer from another system known only by its id there: a member with the
** store_card identity external_id and the placeholder phone "legacy:<id>" until she
** binds a mobile phone. Returns the existing member when there is one. */
int member_import(struct db_conn *c, const char *external_id, int64_t *id);
/* What else a merge moves: every context that keeps rows of a member gives a
** function that moves them from one member to another (points, orders, coupons,
** receipts, events, sightings, ...). app/ lists them once at start-up, in the manner
** of h2o's handler tables, so that this context names none of the contexts above it. */
struct member_mover {
    const char *what;
    int (*move)(struct db_conn *c, int64_t from, int64_t to);
};
void member_movers_set(const struct member_mover *movers, size_t n);

/* Merge `merged` into `survivor`: identities move, the merged member is marked and
** points to the survivor; audited; then every mover runs, in order, in the same
** transaction. */
int member_merge(struct db_conn *c, const struct principal *who, int64_t survivor, int64_t merged,
                 struct member *out);
/* Active members after id `after` in id order, at most limit: cb(id, tier). */
int member_tier_batch(struct db_conn *c, int64_t after, int limit,
                      int (*cb)(int64_t id, const char *tier, void *arg), void *arg);
/* Set the tier (the points module computes it from the 12-month spend). */
int member_set_tier(struct db_conn *c, int64_t id, const char *tier);

/* Reads. Lookups by phone or identity follow merges to the surviving member. */
int member_get(struct db_conn *c, int64_t id, struct member *out);
int member_get_by_phone(struct db_conn *c, const char *phone_e164, struct member *out);
int member_find_by_identity(struct db_conn *c, const char *kind, const char *value, struct member *out);
int member_identities(struct db_conn *c, int64_t id, int (*cb)(const struct member_identity *i, void *arg),
                      void *arg);
int64_t member_count(struct db_conn *c);

bool member_identity_kind_ok(const char *kind);
/* A WeChat or Alipay identity: a payer's till sales become the member's, so it is
** bound only from a verified payment she made herself (order.c) or by the chain's
** own app after the provider's sign-in, never on anyone's word. */
bool member_identity_is_provider(const char *kind);

/* Members registered in [start, end) with this home store (0: anywhere). */
int member_count_new(struct db_conn *c, int64_t home_location_id, int64_t start, int64_t end, int64_t *n);

#endif
