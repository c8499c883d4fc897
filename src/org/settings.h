/*
** settings.h -- the chain's configuration that is data, not code: the earn rule,
** points expiry, the default country code, and the tier thresholds.
*/
#ifndef O2O_ORG_SETTINGS_H
#define O2O_ORG_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

struct tier {
    char code[24];
    int64_t min_spend_12m;    /* fen over the last 365 days */
    int64_t earn_pct;         /* earn multiplier in percent */
};

/* Known keys: points_per_yuan (0..1000), points_expiry_months (0 = never, ..120),
** phone_default_cc (1-3 digits), points_value_fen (what one point pays), order_payment_minutes,
** gateway_payment_minutes (a gateway payment at a till is closed at the gateway after it),
** pickup_hold_days, return_window_days, routing_from_stores, routing_from_warehouses (0/1),
** routing_max_distance_km (0 = any), routing_daily_capacity (0 = unlimited),
** routing_pickup_shortfall (transfer|ship), and the limits of docs/security.md
** (login_failures_*, otp_codes_per_phone, rate_*). Unknown keys or bad values: O2O_EINVAL. */
int settings_set(struct db_conn *c, const char *key, const char *value);
int settings_list(struct db_conn *c, int (*cb)(const char *key, const char *value, void *arg), void *arg);

/* Cached reads for hot paths (reloaded after SETTINGS_CACHE_MS or a local change). */
/* Mark the cache stale once a change has committed (the argument is unused: a write's then-callback). */
void settings_invalidate(void *unused);
#define SETTINGS_CACHE_MS 5000
int settings_i64(struct db_conn *c, const char *key, int64_t dflt, int64_t *out);
/* A word setting (or dflt). */
int settings_str(struct db_conn *c, const char *key, const char *dflt, char *out, size_t cap);
/* Earn multiplier (percent) of a tier; 100 for an unknown tier. */
int tier_earn_pct(struct db_conn *c, const char *tier, int64_t *out);

/* The highest tier whose 12-month threshold a spend reaches ("standard" if none). */
int tier_for_spend(struct db_conn *c, int64_t spend_12m, char out[24]);

/* Hours "H1-H2" (0..24; H1 > H2 crosses midnight) or "" (0, 0). -1 when malformed. */
int settings_parse_hours(const char *s, int *from, int *to);
/* Is local hour h within [from, to) (across midnight when from > to)? */
static inline int hour_within(int h, int from, int to)
{
    return from < to ? h >= from && h < to : from > to ? h >= from || h < to : 0;
}

/* Create or change a tier; records when (the setting tiers_changed_at), so that
** every member's tier is recomputed (points_refresh_tiers). */
int tier_set(struct db_conn *c, const struct tier *t);
int tier_list(struct db_conn *c, int (*cb)(const struct tier *t, void *arg), void *arg);

#endif
