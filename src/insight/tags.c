/*
** tags.c -- member tags and life-stage rules. Owns tables member_tags and
** life_rules. A tag's weight is stored as of updated_at and halves every
** tag_half_life_days after it; a purchase adds 1 to each tag of its order.
** Purchases are read through order.c. No HTTP or JSON here.
** Tests: tests/e2e/test_insight.py
*/
#include "insight/tags.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/mem.h"
#include "core/util.h"
#include "org/settings.h"
#include "sales/order_read.h"

#define DAY_MS 86400000LL
#define MAX_ORDER_TAGS 256
#define MAX_RULE_CATS 32

static double decay(double w, int64_t from, int64_t to, int64_t half_life_days)
{
    if (to <= from)
        return w;
    return w * exp2(-(double)(to - from) / (double)(half_life_days * DAY_MS));
}

/* Add amount to a tag at time at (an order processed late adds its decayed share). */
static int add_tag(struct db_conn *c, int64_t member, const char *tag, double amount, int64_t at, int64_t half_life)
{
    struct db_stmt *s = NULL;
    double w = 0;
    int64_t t = at, n;
    int rc = db_query(c, &s, "SELECT weight, updated_at FROM member_tags WHERE member_id = $1 AND tag = $2", "it",
                      member, tag);
    if (rc == DB_ROW) {
        w = db_col_f64(s, 0);
        t = db_col_i64(s, 1);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (at >= t)
        w = decay(w, t, at, half_life) + amount, t = at;
    else
        w += decay(amount, at, t, half_life);
    n = db_exec(c,
                "INSERT INTO member_tags (member_id, tag, weight, updated_at) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (member_id, tag) DO UPDATE SET weight = excluded.weight, updated_at = excluded.updated_at",
                "itdi", member, tag, w, t);
    return n < 0 ? (int)n : 0;
}

/* Set a tag to a weight as of a time (life stages). */
static int set_tag(struct db_conn *c, int64_t member, const char *tag, double weight, int64_t at)
{
    int64_t n = db_exec(c,
                        "INSERT INTO member_tags (member_id, tag, weight, updated_at) VALUES ($1, $2, $3, $4) "
                        "ON CONFLICT (member_id, tag) DO UPDATE SET weight = excluded.weight, "
                        "updated_at = excluded.updated_at",
                        "itdi", member, tag, weight, at);
    return n < 0 ? (int)n : 0;
}

/* ---- tags of an order ---- */

struct order_tags {
    int64_t member, at, mid, premium;
    int n;
    char tag[MAX_ORDER_TAGS][96];
};

static void put_tag(struct order_tags *o, const char *kind, const char *value)
{
    char t[96];
    if (!value[0])
        return;
    snprintf(t, sizeof t, "%s:%s", kind, value);
    for (int i = 0; i < o->n; i++)
        if (!strcmp(o->tag[i], t))
            return;
    if (o->n < MAX_ORDER_TAGS)
        str_copy(o->tag[o->n++], sizeof o->tag[0], t);
}

static int order_line_tags(const struct purchase_line *l, void *arg)
{
    struct order_tags *o = arg;
    o->member = l->member_id;
    o->at = l->at;
    put_tag(o, "brand", l->brand);
    put_tag(o, "category", l->category);
    put_tag(o, "category", l->parent_category);
    put_tag(o, "price", l->unit_price >= o->premium ? "premium" : l->unit_price >= o->mid ? "mid" : "budget");
    return 0;
}

int tags_add_order(struct db_conn *c, int64_t order_id)
{
    struct order_tags *o = xcalloc(1, sizeof *o);
    int64_t half_life = 90;
    int rc = settings_i64(c, "price_band_mid_fen", 20000, &o->mid);
    if (!rc)
        rc = settings_i64(c, "price_band_premium_fen", 100000, &o->premium);
    if (!rc)
        rc = settings_i64(c, "tag_half_life_days", 90, &half_life);
    if (!rc)
        rc = order_purchase_lines(c, order_id, 0, order_line_tags, o);
    for (int i = 0; i < o->n && !rc && o->member; i++)
        rc = add_tag(c, o->member, o->tag[i], 1.0, o->at, half_life);
    free(o);
    return rc;
}

int tags_list(struct db_conn *c, int64_t member_id, int64_t now, int limit,
              int (*cb)(const struct member_tag *t, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct member_tag *v = NULL;
    size_t n = 0, cap = 0;
    int64_t half_life = 90;
    int rc = settings_i64(c, "tag_half_life_days", 90, &half_life);
    if (rc)
        return rc;
    rc = db_query(c, &s, "SELECT tag, weight, updated_at FROM member_tags WHERE member_id = $1", "i", member_id);
    while (rc == DB_ROW) {
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            v = xrealloc(v, cap * sizeof *v);
        }
        str_copy(v[n].tag, sizeof v[n].tag, db_col_text(s, 0));
        v[n].updated_at = db_col_i64(s, 2);
        v[n].weight = decay(db_col_f64(s, 1), v[n].updated_at, now, half_life);
        n++;
        rc = db_step(s);
    }
    db_done(s);
    /* strongest first (a handful of tags per member: insertion sort) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && (v[j - 1].weight < v[j].weight ||
                                     (v[j - 1].weight == v[j].weight && strcmp(v[j - 1].tag, v[j].tag) > 0)); j--) {
            struct member_tag x = v[j];
            v[j] = v[j - 1];
            v[j - 1] = x;
        }
    for (size_t i = 0; i < n && rc >= 0 && (limit <= 0 || i < (size_t)limit); i++)
        rc = cb(&v[i], arg);
    free(v);
    return rc < 0 ? rc : 0;
}

int tags_count_members(struct db_conn *c, const char *tag, int64_t *out)
{
    return db_scalar_i64(c, out, "SELECT COUNT(*) FROM member_tags WHERE tag = $1", "t", tag);
}

/* ---- life-stage rules ---- */

static void read_rule(struct db_stmt *s, struct life_rule *r)
{
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(s, 0);
    str_copy(r->name, sizeof r->name, db_col_text(s, 1));
    str_copy(r->categories, sizeof r->categories, db_col_text(s, 2));
    r->min_purchases = db_col_i64(s, 3);
    r->window_days = db_col_i64(s, 4);
    r->evaluated_at = db_col_i64(s, 5);
    r->created_at = db_col_i64(s, 6);
    r->updated_at = db_col_i64(s, 7);
}

#define RULE_COLS "id, name, categories, min_purchases, window_days, evaluated_at, created_at, updated_at"

/* Codes looked up in one pass over the categories. */
struct cat_find {
    char *code[MAX_RULE_CATS];
    int64_t id[MAX_RULE_CATS];
    int n;
};

static int find_cats(const struct category *x, void *arg)
{
    struct cat_find *f = arg;
    for (int i = 0; i < f->n; i++)
        if (!strcmp(x->code, f->code[i]))
            f->id[i] = x->id;
    return 0;
}

/* The ids of a rule's categories; unknown codes are an error naming them. */
static int rule_cat_ids(struct db_conn *c, const char *list, int64_t *ids, int *n)
{
    char buf[512], *save = NULL;
    struct cat_find f;
    int rc;
    memset(&f, 0, sizeof f);
    *n = 0;
    str_copy(buf, sizeof buf, list);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (f.n == MAX_RULE_CATS)
            return err_set(O2O_EINVAL, NULL, "categories", "at most %d categories", MAX_RULE_CATS);
        f.code[f.n++] = tok;
    }
    if (!f.n)
        return err_set(O2O_EINVAL, "missing_field", "categories", "name at least one category");
    if ((rc = category_list(c, find_cats, &f)))
        return rc;
    for (int i = 0; i < f.n; i++) {
        if (!f.id[i])
            return err_set(O2O_EINVAL, "unknown_category", "categories", "no category %s", f.code[i]);
        ids[(*n)++] = f.id[i];
    }
    return 0;
}

int life_rule_put(struct db_conn *c, struct life_rule *r)
{
    int64_t ids[MAX_RULE_CATS], now = now_ms(), n;
    int nids, rc;
    if (!is_code(r->name))
        return err_set(O2O_EINVAL, NULL, "name", "a rule name is 1..64 letters, digits, _ . -");
    if (r->min_purchases < 1 || r->min_purchases > 1000)
        return err_set(O2O_EINVAL, "out_of_range", "min_purchases", "min_purchases must be 1..1000");
    if (r->window_days < 1 || r->window_days > 3650)
        return err_set(O2O_EINVAL, "out_of_range", "window_days", "window_days must be 1..3650");
    if ((rc = rule_cat_ids(c, r->categories, ids, &nids)))
        return rc;
    n = db_exec(c,
                "INSERT INTO life_rules (name, categories, min_purchases, window_days, evaluated_at, created_at, "
                "updated_at) VALUES ($1, $2, $3, $4, 0, $5, $5) ON CONFLICT (name) DO UPDATE SET "
                "categories = excluded.categories, min_purchases = excluded.min_purchases, "
                "window_days = excluded.window_days, evaluated_at = 0, updated_at = excluded.updated_at",
                "ttiii", r->name, r->categories, r->min_purchases, r->window_days, now);
    if (n < 0)
        return (int)n;
    {
        struct db_stmt *s = NULL;
        rc = db_query(c, &s, "SELECT " RULE_COLS " FROM life_rules WHERE name = $1", "t", r->name);
        if (rc == DB_ROW)
            read_rule(s, r);
        db_done(s);
    }
    return rc < 0 ? rc : 0;
}

int life_rule_delete(struct db_conn *c, const char *name)
{
    char tag[96];
    int64_t n = db_exec(c, "DELETE FROM life_rules WHERE name = $1", "t", name);
    if (n < 0)
        return (int)n;
    if (!n)
        return err_set(O2O_ENOTFOUND, "unknown_rule", NULL, "no life-stage rule %s", name);
    snprintf(tag, sizeof tag, "life:%s", name);
    n = db_exec(c, "DELETE FROM member_tags WHERE tag = $1", "t", tag);
    return n < 0 ? (int)n : 0;
}

int life_rules_list(struct db_conn *c, int (*cb)(const struct life_rule *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct life_rule r;
    int rc = db_query(c, &s, "SELECT " RULE_COLS " FROM life_rules ORDER BY name", NULL);
    while (rc == DB_ROW) {
        read_rule(s, &r);
        rc = cb(&r, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* ---- evaluating rules over purchases ---- */

#define MAX_RULES 64

/* Rules being applied, and per rule the times of one member's qualifying orders. */
struct life_eval {
    int nrules;
    struct life_rule rule[MAX_RULES];
    int64_t cat[MAX_RULES][MAX_RULE_CATS];
    int ncat[MAX_RULES];
    int64_t *times[MAX_RULES];
    size_t ntimes[MAX_RULES], cap[MAX_RULES];
    int64_t member, last_order[MAX_RULES];
    int64_t tagged;
    struct db_conn *c;
};

static int collect_rule(const struct life_rule *r, void *arg)
{
    struct life_eval *e = arg;
    if (e->nrules < MAX_RULES)
        e->rule[e->nrules++] = *r;
    return 0;
}

static int load_rules(struct db_conn *c, struct life_eval *e, int pending_only)
{
    int rc = life_rules_list(c, collect_rule, e);
    int k = 0;
    for (int i = 0; i < e->nrules && !rc; i++) {
        if (pending_only && e->rule[i].evaluated_at)
            continue;
        e->rule[k] = e->rule[i];
        rc = rule_cat_ids(c, e->rule[k].categories, e->cat[k], &e->ncat[k]);
        if (rc == O2O_EINVAL) { /* a category was deleted since: the rule matches the rest */
            err_clear();
            rc = 0;
        }
        k++;
    }
    e->nrules = k;
    return rc;
}

static bool in_categories(const struct life_eval *e, int r, const char *path)
{
    char needle[32];
    for (int i = 0; i < e->ncat[r]; i++) {
        snprintf(needle, sizeof needle, "/%" PRId64 "/", e->cat[r][i]);
        if (strstr(path, needle))
            return true;
    }
    return false;
}

/* Does the member meet rule r (min_purchases qualifying orders within window_days)? */
static int close_member(struct life_eval *e)
{
    int rc = 0;
    for (int r = 0; r < e->nrules && !rc; r++) {
        const int64_t *t = e->times[r];
        size_t n = e->ntimes[r], k = (size_t)e->rule[r].min_purchases;
        bool met = false;
        for (size_t i = k - 1; i < n && !met; i++)
            met = t[i] - t[i + 1 - k] <= e->rule[r].window_days * DAY_MS;
        if (met) {
            char tag[96];
            snprintf(tag, sizeof tag, "life:%s", e->rule[r].name);
            rc = set_tag(e->c, e->member, tag, 1.0, t[n - 1]);
            e->tagged++;
        }
        e->ntimes[r] = 0;
        e->last_order[r] = 0;
    }
    return rc;
}

static int life_line(const struct purchase_line *l, void *arg)
{
    struct life_eval *e = arg;
    int rc = 0;
    if (l->member_id != e->member) {
        if (e->member)
            rc = close_member(e);
        e->member = l->member_id;
    }
    for (int r = 0; r < e->nrules && !rc; r++) {
        if (e->last_order[r] == l->order_id || !in_categories(e, r, l->category_path))
            continue;
        if (e->ntimes[r] == e->cap[r]) {
            e->cap[r] = e->cap[r] ? 2 * e->cap[r] : 16;
            e->times[r] = xrealloc(e->times[r], e->cap[r] * sizeof(int64_t));
        }
        e->times[r][e->ntimes[r]++] = l->at; /* lines come in time order */
        e->last_order[r] = l->order_id;
    }
    return rc;
}

/* Rules applied to the purchases of members (nmembers of them; none: every member). */
static int evaluate(struct db_conn *c, const int64_t *members, int nmembers, int pending_only, int64_t *tagged)
{
    struct life_eval *e = xcalloc(1, sizeof *e);
    int rc;
    e->c = c;
    rc = load_rules(c, e, pending_only);
    if (!rc && e->nrules) {
        if (pending_only) {
            /* the rule's history from scratch: drop what it gave before */
            for (int r = 0; r < e->nrules && !rc; r++) {
                char tag[96];
                int64_t n;
                snprintf(tag, sizeof tag, "life:%s", e->rule[r].name);
                n = db_exec(c, "DELETE FROM member_tags WHERE tag = $1", "t", tag);
                rc = n < 0 ? (int)n : 0;
            }
        }
        if (!rc && !nmembers)
            rc = order_purchase_lines(c, 0, 0, life_line, e);
        for (int i = 0; i < nmembers && !rc; i++)
            rc = members[i] ? order_purchase_lines(c, 0, members[i], life_line, e) : 0;
        if (!rc && e->member)
            rc = close_member(e);
        for (int r = 0; r < e->nrules && !rc && pending_only; r++) {
            int64_t n = db_exec(c, "UPDATE life_rules SET evaluated_at = $2 WHERE id = $1 AND updated_at = $3",
                                "iii", e->rule[r].id, now_ms(), e->rule[r].updated_at);
            rc = n < 0 ? (int)n : 0;
        }
    }
    if (tagged)
        *tagged = e->tagged;
    for (int r = 0; r < MAX_RULES; r++)
        free(e->times[r]);
    free(e);
    return rc;
}

int life_rules_for_members(struct db_conn *c, const int64_t *member_ids, int n)
{
    return n > 0 ? evaluate(c, member_ids, n, 0, NULL) : 0;
}

int life_rules_evaluate_pending(struct db_conn *c, int64_t *tagged)
{
    return evaluate(c, NULL, 0, 1, tagged);
}

int tags_has(struct db_conn *c, int64_t member_id, const char *tag, bool *has)
{
    int64_t one = 0;
    int rc = db_scalar_i64(c, &one, "SELECT 1 FROM member_tags WHERE member_id = $1 AND tag = $2", "it", member_id,
                           tag);
    *has = rc == 0;
    return rc == O2O_ENOTFOUND ? 0 : rc;
}

int tags_forget(struct db_conn *c, int64_t member_id)
{
    int64_t n = db_exec(c, "DELETE FROM member_tags WHERE member_id = $1", "i", member_id);
    return n < 0 ? (int)n : 0;
}
