/*
** settings.c -- validated chain settings and tier thresholds.
** Owns tables settings, tiers. No HTTP or JSON here.
*/
#include "domain/settings.h"

#include <ctype.h>
#include <string.h>

#include "core/util.h"

static const struct {
    const char *key;
    int64_t min, max;
} known[] = {
    {"points_per_yuan", 0, 1000},
    {"points_expiry_months", 0, 120},
    {"phone_default_cc", 1, 999},
};

int settings_set(struct db_conn *c, const char *key, const char *value)
{
    int64_t v, n;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(key, known[i].key))
            continue;
        if (parse_i64(value, known[i].min, known[i].max, &v) || !isdigit((unsigned char)value[0]))
            return err_set(O2O_EINVAL, "out_of_range", key, "%s must be an integer within %lld..%lld", key,
                           (long long)known[i].min, (long long)known[i].max);
        n = db_exec(c,
                    "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    "tt", key, value);
        return n < 0 ? (int)n : 0;
    }
    return err_set(O2O_EINVAL, "unknown_setting", key, "no setting named %s", key);
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

int tier_set(struct db_conn *c, const struct tier *t)
{
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
