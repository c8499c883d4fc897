/*
** attribution.h -- what recommendations lead to: the items shown to each member,
** the paid orders that contain one within a window of its showing, and the
** coupon that rewards the first such order (e.g. 20% off the next purchase,
** valid 30 days: settings reco_reward_pct, reco_reward_valid_days,
** reco_reward_window_days), announced through the outbox.
*/
#ifndef O2O_INSIGHT_ATTRIBUTION_H
#define O2O_INSIGHT_ATTRIBUTION_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

struct impression {
    int64_t member_id, product_id;
    char reason[24];
    int64_t at;
};

/* Remember that these items were shown (the latest showing per member and item). */
int attribution_shown(struct db_conn *c, const struct impression *v, int n);
/* A paid order (the insight job calls this once per order): when it holds an item
** shown to her within the window, record the conversion and issue the coupon. */
int attribution_on_order(struct db_conn *c, int64_t order_id, bool *rewarded);

struct attribution_report {
    int64_t shown_members, shown_items;   /* first shown within the period */
    int64_t bought;                       /* orders with a recommended item, in the period */
    int64_t coupons_issued, coupons_redeemed;
};
int attribution_report(struct db_conn *c, int64_t from, int64_t to, struct attribution_report *out);

/* A merge (transaction body): what belonged to member `from` becomes `to`'s. */
int attribution_move_member(struct db_conn *c, int64_t from, int64_t to);
#endif
