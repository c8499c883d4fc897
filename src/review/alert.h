/*
** alert.h -- a bad review seen at once (alert.c): the managers answerable for the
** store that sold it told by SMS (or e-mail) through the outbox, and a service
** conversation opened for the member with the order attached.
*/
#ifndef O2O_REVIEW_ALERT_H
#define O2O_REVIEW_ALERT_H

#include <stdint.h>

#include "db/db.h"

/* What the alert says of the review. */
struct review_alert_in {
    int64_t review_id, member_id, order_id, location_id, rating, updated_at;
    const char *product_name, *sku, *why, *body;
};
/* Transaction body helper: alert for the review; *conversation_id: the case. */
int review_alert(struct db_conn *c, const struct review_alert_in *r, int64_t now, int64_t *conversation_id);

#endif
