/*
** settings.c -- validated chain settings and tier thresholds.
** Owns tables settings, tiers. No HTTP or JSON here.
*/
#include "org/settings.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "core/netaddr.h"
#include "core/util.h"

#define MAX_CACHED 64

/* A small cache of settings and tier multipliers for the write paths. */
static struct {
    pthread_mutex_t mu;
    int64_t loaded_at;
    _Atomic int stale;
    int nkeys, ntiers;
    char key[MAX_CACHED][48];
    char value[MAX_CACHED][256];
    char tier[MAX_CACHED][24];  /* by threshold, ascending */
    int64_t pct[MAX_CACHED];
    int64_t min_spend[MAX_CACHED];
} cache = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, {{0}}, {{0}}, {{0}}, {0}, {0}};

/* Called with cache.mu held. */
static int reload(struct db_conn *c)
{
    struct db_stmt *s = NULL;
    int rc;
    int64_t now = now_ms();
    if (cache.loaded_at && now - cache.loaded_at < SETTINGS_CACHE_MS && !atomic_load(&cache.stale))
        return 0;
    atomic_store(&cache.stale, 0);
    cache.nkeys = cache.ntiers = 0;
    rc = db_query(c, &s, "SELECT key, value FROM settings ORDER BY key", NULL);
    while (rc == DB_ROW && cache.nkeys < MAX_CACHED) {
        str_copy(cache.key[cache.nkeys], sizeof cache.key[0], db_col_text(s, 0));
        str_copy(cache.value[cache.nkeys], sizeof cache.value[0], db_col_text(s, 1));
        cache.nkeys++;
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    rc = db_query(c, &s, "SELECT code, earn_pct, min_spend_12m FROM tiers ORDER BY min_spend_12m, code", NULL);
    while (rc == DB_ROW && cache.ntiers < MAX_CACHED) {
        str_copy(cache.tier[cache.ntiers], sizeof cache.tier[0], db_col_text(s, 0));
        cache.pct[cache.ntiers] = db_col_i64(s, 1);
        cache.min_spend[cache.ntiers] = db_col_i64(s, 2);
        cache.ntiers++;
        rc = db_step(s);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    cache.loaded_at = now;
    return 0;
}

int settings_i64(struct db_conn *c, const char *key, int64_t dflt, int64_t *out)
{
    int rc;
    *out = dflt;
    pthread_mutex_lock(&cache.mu);
    rc = reload(c);
    for (int i = 0; !rc && i < cache.nkeys; i++)
        if (!strcmp(cache.key[i], key) && parse_i64(cache.value[i], INT64_MIN / 4, INT64_MAX / 4, out))
            *out = dflt;
    pthread_mutex_unlock(&cache.mu);
    return rc;
}

int tier_earn_pct(struct db_conn *c, const char *tier, int64_t *out)
{
    int rc;
    *out = 100;
    pthread_mutex_lock(&cache.mu);
    rc = reload(c);
    for (int i = 0; !rc && i < cache.ntiers; i++)
        if (!strcmp(cache.tier[i], tier))
            *out = cache.pct[i];
    pthread_mutex_unlock(&cache.mu);
    return rc;
}

int settings_str(struct db_conn *c, const char *key, const char *dflt, char *out, size_t cap)
{
    int rc;
    str_copy(out, cap, dflt);
    pthread_mutex_lock(&cache.mu);
    rc = reload(c);
    for (int i = 0; !rc && i < cache.nkeys; i++)
        if (!strcmp(cache.key[i], key))
            str_copy(out, cap, cache.value[i]);
    pthread_mutex_unlock(&cache.mu);
    return rc;
}

/* Every setting there is: an integer range, a choice among words, or a list of codes. */
#define CODES "(codes)"
#define ZONE "(zone)"
#define HOURS "(hours)"
#define NETS "(networks)"
#define WORDS "(words)"
static const struct {
    const char *key;
    int64_t min, max;
    const char *choices;      /* "a|b" for a word setting, NULL for an integer */
} known[] = {
    {"points_per_yuan", 0, 1000, NULL},
    {"points_expiry_months", 0, 120, NULL},
    {"phone_default_cc", 1, 999, NULL},
    {"points_value_fen", 1, 10000, NULL},
    {"order_payment_minutes", 1, 10080, NULL},
    {"gateway_payment_minutes", 1, 1440, NULL},
    {"pickup_hold_days", 1, 60, NULL},
    {"return_window_days", 0, 3650, NULL},
    {"routing_from_stores", 0, 1, NULL},
    {"routing_from_warehouses", 0, 1, NULL},
    {"routing_max_distance_km", 0, 20000, NULL},
    {"routing_daily_capacity", 0, 1000000, NULL},
    {"routing_pickup_shortfall", 0, 0, "transfer|ship"},
    {"tag_half_life_days", 1, 3650, NULL},
    {"price_band_mid_fen", 1, 100000000000LL, NULL},
    {"price_band_premium_fen", 1, 100000000000LL, NULL},
    {"durable_days", 0, 3650, NULL},
    {"order_feed_gap_seconds", 1, 3600, NULL},
    {"durable_categories", 0, 0, CODES},
    {"reco_reward_pct", 0, 100, NULL},
    {"reco_reward_valid_days", 1, 3650, NULL},
    {"reco_reward_window_days", 1, 365, NULL},
    {"timezone", 0, 0, ZONE},
    {"board_late_delivery_hours", 1, 720, NULL},
    {"board_low_stock_units", 0, 100000, NULL},
    {"presence_min_rssi", -120, 0, NULL},
    {"presence_visit_gap_minutes", 1, 1440, NULL},
    {"message_daily_cap", 0, 100, NULL},
    {"quiet_hours", 0, 0, HOURS},
    {"messages_per_recipient_hour", 0, 1000, NULL},
    {"review_publish_min_rating", 1, 6, NULL},
    {"desk_goodwill_max_fen", 0, 100000000, NULL},
    {"desk_goodwill_max_percent", 0, 100, NULL},
    {"review_alert_max_rating", 0, 5, NULL},
    {"review_alert_words", 0, 0, WORDS},
    {"messages_per_recipient_day", 0, 10000, NULL},
    /* limits (docs/security.md); 0 turns a rate limit off */
    {"login_failures_per_client", 1, 1000, NULL},
    {"login_failures_per_user", 1, 1000000, NULL},
    {"otp_codes_per_phone", 1, 1000, NULL},
    {"rate_anonymous_per_minute", 0, 10000000, NULL},
    {"rate_otp_per_minute", 0, 1000000, NULL},
    {"rate_events_per_minute", 0, 10000000, NULL},
    {"rate_events_device_per_minute", 0, 1000000, NULL},
    {"rate_credential_per_second", 0, 10000000, NULL},
    {"webhook_allowed_networks", 0, 0, NETS},
};

/* "H1-H2" (hours 0..24, e.g. 22-8 across midnight) or "" for none. */
int settings_parse_hours(const char *s, int *from, int *to)
{
    int64_t a, b;
    char buf[8];
    const char *dash = strchr(s, '-');
    *from = *to = 0;
    if (!*s)
        return 0;
    if (!dash || dash == s || (size_t)(dash - s) >= sizeof buf)
        return -1;
    memcpy(buf, s, (size_t)(dash - s));
    buf[dash - s] = 0;
    if (parse_i64(buf, 0, 24, &a) || parse_i64(dash + 1, 0, 24, &b) || a == b || !isdigit((unsigned char)buf[0]) ||
        !isdigit((unsigned char)dash[1]))
        return -1;
    *from = (int)a;
    *to = (int)b;
    return 0;
}

/* An IANA zone name such as Asia/Shanghai or UTC. */
static bool zone_name(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 63 || !isalpha((unsigned char)s[0]))
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("/_-+", *s))
            return false;
    return true;
}


int settings_set(struct db_conn *c, const char *key, const char *value)
{
    int64_t v, n;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(key, known[i].key))
            continue;
        if (known[i].choices && !strcmp(known[i].choices, CODES)) {
            char buf[256], *save = NULL;
            if (strlen(value) >= sizeof buf)
                return err_set(O2O_EINVAL, "out_of_range", key, "%s is too long", key);
            str_copy(buf, sizeof buf, value);
            for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
                if (!is_code(tok))
                    return err_set(O2O_EINVAL, "out_of_range", key, "%s is a comma-separated list of codes", key);
        } else if (known[i].choices && !strcmp(known[i].choices, WORDS)) {
            /* words in any language, comma-separated: text, never markup or controls */
            if (strlen(value) >= 256)
                return err_set(O2O_EINVAL, "out_of_range", key, "%s is at most 255 bytes", key);
            for (const unsigned char *p = (const unsigned char *)value; *p; p++)
                if (*p < 0x20 || *p == '<' || *p == '>' || *p == 0x7f)
                    return err_set(O2O_EINVAL, "out_of_range", key, "%s is a comma-separated list of words", key);
        } else if (known[i].choices && !strcmp(known[i].choices, ZONE)) {
            if (!zone_name(value))
                return err_set(O2O_EINVAL, "out_of_range", key, "%s is a time zone name such as Asia/Shanghai", key);
        } else if (known[i].choices && !strcmp(known[i].choices, NETS)) {
            struct netlist l;
            char bad[64];
            if (strlen(value) >= 256 || netlist_parse(&l, value, bad))
                return err_set(O2O_EINVAL, "out_of_range", key,
                               "%s is a comma-separated list of addresses or CIDR networks (at most 255 characters)",
                               key);
            netlist_free(&l);
        } else if (known[i].choices && !strcmp(known[i].choices, HOURS)) {
            int a, b;
            if (settings_parse_hours(value, &a, &b))
                return err_set(O2O_EINVAL, "out_of_range", key, "%s is H1-H2 in hours 0..24 (e.g. 22-8), or empty", key);
        } else if (known[i].choices && !word_in_list(known[i].choices, value))
            return err_set(O2O_EINVAL, "out_of_range", key, "%s must be one of %s", key, known[i].choices);
        if (!known[i].choices && (parse_i64(value, known[i].min, known[i].max, &v) ||
                                  !isdigit((unsigned char)value[value[0] == '-' && known[i].min < 0])))
            return err_set(O2O_EINVAL, "out_of_range", key, "%s must be an integer within %lld..%lld", key,
                           (long long)known[i].min, (long long)known[i].max);
        n = db_exec(c,
                    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    "tt", key, value);
        atomic_store(&cache.stale, 1);
        return n < 0 ? (int)n : 0;
    }
    return err_set(O2O_EINVAL, "unknown_setting", key, "no setting named %s", key);
}

/* After a change has committed: a reader that reloaded between settings_set and the
** commit (a background job, another request) read the old values; the next read
** reloads again. */
void settings_invalidate(void *unused)
{
    (void)unused;
    atomic_store(&cache.stale, 1);
}

int settings_list(struct db_conn *c, int (*cb)(const char *key, const char *value, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT key, value FROM settings ORDER BY key", NULL);
    while (rc == DB_ROW) {
        rc = cb(db_col_text(s, 0), db_col_text(s, 1), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int tier_for_spend(struct db_conn *c, int64_t spend_12m, char out[24])
{
    int rc;
    str_copy(out, 24, "standard");
    pthread_mutex_lock(&cache.mu);
    rc = reload(c);
    for (int i = 0; !rc && i < cache.ntiers; i++)
        if (cache.min_spend[i] <= spend_12m)
            str_copy(out, 24, cache.tier[i]);
    pthread_mutex_unlock(&cache.mu);
    return rc;
}

int tier_set(struct db_conn *c, const struct tier *t)
{
    char when[24];
    int64_t n;
    if (!is_code(t->code) || strlen(t->code) > 23)
        return err_set(O2O_EINVAL, NULL, "code", "tier code must be 1-23 of A-Z a-z 0-9 _ - .");
    if (t->min_spend_12m < 0)
        return err_set(O2O_EINVAL, "out_of_range", "min_spend_12m", "min_spend_12m must be >= 0");
    if (t->earn_pct < 0 || t->earn_pct > 10000)
        return err_set(O2O_EINVAL, "out_of_range", "earn_pct", "earn_pct must be within 0..10000");
    if (!strcmp(t->code, "standard") && t->min_spend_12m != 0)
        return err_set(O2O_EINVAL, "out_of_range", "min_spend_12m", "the standard tier starts at 0");
    n = db_exec(c,
                "INSERT INTO tiers (code, min_spend_12m, earn_pct) VALUES ($1, $2, $3) ON CONFLICT (code) DO UPDATE "
                "SET min_spend_12m = excluded.min_spend_12m, earn_pct = excluded.earn_pct",
                "tii", t->code, t->min_spend_12m, t->earn_pct);
    /* every member's tier is recomputed (points.c, points_refresh_tiers) after this */
    snprintf(when, sizeof when, "%lld", (long long)now_ms());
    if (n >= 0)
        n = db_exec(c,
                    "INSERT INTO settings (key, value) VALUES ('tiers_changed_at', $1) ON CONFLICT (key) DO UPDATE "
                    "SET value = excluded.value",
                    "t", when);
    atomic_store(&cache.stale, 1);
    return n < 0 ? (int)n : 0;
}

int tier_list(struct db_conn *c, int (*cb)(const struct tier *t, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct tier t;
    int rc = db_query(c, &s, "SELECT code, min_spend_12m, earn_pct FROM tiers ORDER BY min_spend_12m", NULL);
    while (rc == DB_ROW) {
        memset(&t, 0, sizeof t);
        str_copy(t.code, sizeof t.code, db_col_text(s, 0));
        t.min_spend_12m = db_col_i64(s, 1);
        t.earn_pct = db_col_i64(s, 2);
        rc = cb(&t, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}
