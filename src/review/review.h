/*
** review.h -- members' reviews of what they bought (review.c): one per order line,
** by the member who bought it (the order is hers, by her account or the e-receipt
** she claimed); published at once from the chain's threshold up, held for a
** moderator below it or when it names a word the chain watches; a public reply;
** the member may revise it. A bad one (at or under review_alert_max_rating, or with
** a watched word) alerts at once (alert.c). Recovery is read off what followed:
** the customer contacted, the case resolved, a purchase since, the rating raised.
*/
#ifndef O2O_REVIEW_REVIEW_H
#define O2O_REVIEW_REVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "db/db.h"

#define REVIEW_BODY_MAX 2000
#define REVIEW_PHOTOS_MAX 9

struct review {
    int64_t id, member_id, order_id, order_line_id, sku_id, product_id, location_id;
    int64_t rating, first_rating;
    char body[REVIEW_BODY_MAX + 1];
    char photos[REVIEW_PHOTOS_MAX * 260];   /* https URLs, one per line */
    char status[12];                        /* published | held | rejected */
    char alert[96];                         /* why it alerted; "" none */
    int64_t conversation_id;
    char reply[REVIEW_BODY_MAX + 1];
    int64_t replied_by, replied_at, moderated_by, created_at, updated_at;
    char sku[65], product[65], product_name[129], store[65];
    int64_t line;                           /* the line's number in its order */
};

/* What she writes (create and revise). */
struct review_in {
    int64_t order_id, line;                 /* the line as the order shows it */
    int64_t rating;                         /* 1..5 */
    char body[REVIEW_BODY_MAX + 1];
    char photos[REVIEW_PHOTOS_MAX][257];
    int nphotos;
    bool has_body, has_photos;
};

/* Transaction bodies. */
/* Her review of a line she bought: O2O_EFORBIDDEN (not_your_purchase) when the order
** is not hers or not paid, O2O_EEXISTS when she reviewed it already. */
int review_create(struct db_conn *c, int64_t member_id, const struct review_in *in, int64_t now, struct review *out);
/* She changes her rating or words (only hers). */
int review_revise(struct db_conn *c, int64_t member_id, int64_t id, const struct review_in *in, int64_t now,
                  struct review *out);
/* A moderator publishes or rejects it (within her scope: the store that sold it). */
int review_moderate(struct db_conn *c, const struct principal *who, int64_t id, const char *status, int64_t now,
                    struct review *out);
/* The chain's public reply. */
int review_reply(struct db_conn *c, const struct principal *who, int64_t id, const char *text, int64_t now,
                 struct review *out);

/* Reads. */
int review_get(struct db_conn *c, int64_t id, struct review *out);
/* For staff: newest first, optionally by status, store (0 any), product (0 any) or
** rating at most max_rating (0 any); ids below before (0: from the newest). */
int review_list(struct db_conn *c, const char *status, int64_t location_id, int64_t product_id, int64_t max_rating,
                int64_t before, int limit, int (*cb)(const struct review *r, void *arg), void *arg);
/* The published ones of a product, newest first, and its count and average (x100). */
int review_published(struct db_conn *c, int64_t product_id, int64_t before, int limit,
                     int (*cb)(const struct review *r, void *arg), void *arg, int64_t *count, int64_t *avg_x100);
/* Whether staff may see or act on it: the store that sold it is within her scope. */
int review_in_scope(struct db_conn *c, const struct principal *who, const struct review *r);

/* What followed a bad review. */
struct review_recovery {
    bool contacted, resolved, bought_again, revised;
};
int review_recovery_get(struct db_conn *c, const struct review *r, struct review_recovery *out);

#endif
