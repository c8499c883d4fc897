/*
** api_insight.c -- HTTP handlers for customer insight: a member's tags and
** profile, life-stage rules, a store's core customers, relations between
** members, and what recommendations lead to.
*/
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "core/mem.h"
#include "core/util.h"
#include "core/workq.h"
#include "insight/attribution.h"
#include "insight/handlers.h"
#include "insight/insight.h"
#include "insight/profile.h"
#include "insight/tags.h"
#include "member/access.h"
#include "member/friends.h"
#include "member/member.h"
#include "org/location.h"

static int tag_cb(const struct member_tag *t, void *arg)
{
    const char *colon = strchr(t->tag, ':');
    char kind[32] = "";
    if (colon && (size_t)(colon - t->tag) < sizeof kind) {
        memcpy(kind, t->tag, (size_t)(colon - t->tag));
        kind[colon - t->tag] = 0;
    }
    json_array_append_new(arg, json_pack("{s:s, s:s, s:f, s:o}", "tag", t->tag, "kind", kind, "weight",
                                         (double)(int64_t)(t->weight * 1000 + 0.5) / 1000, "updated_at",
                                         jtime(t->updated_at)));
    return 0;
}

int api_member_tags(struct http_req *rq)
{
    int64_t id, limit;
    json_t *tags;
    struct member m;
    int rc = api_param_id(rq, 0, "member", &id);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, id, MEMBER_SEE);
    if (!rc && member_get(api_reader(), id, &m))
        rc = err_set(O2O_ENOTFOUND, "unknown_member", NULL, "no member %lld", (long long)id);
    if (!rc)
        rc = api_query_int(rq, "limit", 1, 1000, 100, &limit);
    if (rc)
        return rc;
    tags = json_array();
    rc = tags_list(api_reader(), id, now_ms(), (int)limit, tag_cb, tags);
    if (rc) {
        json_decref(tags);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:I, s:o}", "member_id", (json_int_t)id, "tags", tags));
}

int api_member_profile(struct http_req *rq)
{
    struct profile p;
    int64_t id;
    json_t *ch;
    int rc = api_param_id(rq, 0, "member", &id);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, id, MEMBER_SEE);
    if (!rc)
        rc = profile_get(api_reader(), id, now_ms(), &p);
    if (rc)
        return rc;
    ch = json_object();
    for (int i = 0; i < PROFILE_CHANNELS; i++)
        json_object_set_new(ch, sales_channels[i], json_integer(p.channel[i]));
    return http_reply_json(
        rq, 200,
        json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:{s:i, s:i, s:i, s:s}, s:I, s:I}", "member_id",
                  (json_int_t)id, "orders", (json_int_t)p.orders, "spend", (json_int_t)p.spend, "first_purchase_at",
                  jtime(p.first_at), "last_purchase_at", jtime(p.last_at), "favourite_store",
                  jstr_or_null(p.favourite_store), "channels", ch, "rfm", "recency", p.r, "frequency", p.f,
                  "monetary", p.m, "segment", p.segment, "lifetime_value", (json_int_t)p.spend, "annual_value",
                  (json_int_t)p.annual_value));
}

/* ---- life-stage rules ---- */

static json_t *render_rule(const struct life_rule *r)
{
    json_t *cats = json_array();
    char buf[512], *save = NULL;
    str_copy(buf, sizeof buf, r->categories);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        json_array_append_new(cats, json_string(tok));
    return json_pack("{s:s, s:s, s:o, s:I, s:I, s:b, s:o}", "name", r->name, "tag", "", "categories", cats,
                     "min_purchases", (json_int_t)r->min_purchases, "window_days", (json_int_t)r->window_days,
                     "history_evaluated", r->evaluated_at != 0, "updated_at", jtime(r->updated_at));
}

static json_t *render_rule_full(const struct life_rule *r)
{
    char tag[96];
    json_t *o = render_rule(r);
    snprintf(tag, sizeof tag, "life:%s", r->name);
    json_object_set_new(o, "tag", json_string(tag));
    return o;
}

static int rule_cb(const struct life_rule *r, void *arg)
{
    json_array_append_new(arg, render_rule_full(r));
    return 0;
}

int api_life_rules_list(struct http_req *rq)
{
    json_t *a = json_array();
    int rc = life_rules_list(api_reader(), rule_cb, a);
    if (rc) {
        json_decref(a);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:o}", "rules", a));
}

static int rule_put_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct life_rule *r = arg;
    int rc = life_rule_put(c, r);
    (void)who;
    if (!rc)
        *out = render_rule_full(r);
    return rc;
}

int api_life_rules_put(struct http_req *rq)
{
    struct life_rule *r = xcalloc(1, sizeof *r);
    json_t *cats = json_object_get(rq->json, "categories");
    size_t o = 0, i;
    json_t *v;
    int rc = 0;
    str_copy(r->name, sizeof r->name, rq->params[0]);
    if (!json_is_array(cats) || !json_array_size(cats))
        rc = err_set(O2O_EINVAL, "missing_field", "categories", "categories must be a list of category codes");
    json_array_foreach(cats, i, v) {
        if (rc)
            break;
        if (!json_is_string(v) || !is_code(json_string_value(v)) ||
            o + json_string_length(v) + 2 >= sizeof r->categories)
            rc = err_set(O2O_EINVAL, "wrong_type", "categories", "categories must be category codes");
        else
            o += (size_t)snprintf(r->categories + o, sizeof r->categories - o, "%s%s", o ? "," : "",
                                  json_string_value(v));
    }
    if (!rc)
        rc = jin_i64(rq->json, "min_purchases", true, 1, 1000, &r->min_purchases, NULL);
    if (!rc)
        rc = jin_i64(rq->json, "window_days", true, 1, 3650, &r->window_days, NULL);
    if (rc) {
        free(r);
        return rc;
    }
    return api_write(rq, rule_put_body, r, 200);
}

struct rule_name {
    char name[65];
};

static int rule_delete_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct rule_name *a = arg;
    int rc = life_rule_delete(c, a->name);
    (void)who;
    if (!rc)
        *out = json_pack("{s:s, s:b}", "name", a->name, "deleted", 1);
    return rc;
}

int api_life_rules_delete(struct http_req *rq)
{
    struct rule_name *a = xcalloc(1, sizeof *a);
    str_copy(a->name, sizeof a->name, rq->params[0]);
    return api_write(rq, rule_delete_body, a, 200);
}

/* ---- core customers ---- */

static int core_cb(const struct core_customer *x, void *arg)
{
    json_array_append_new(arg, json_pack("{s:I, s:s, s:I, s:I, s:o}", "member_id", (json_int_t)x->member_id, "name",
                                         x->name, "orders", (json_int_t)x->orders, "spend", (json_int_t)x->spend,
                                         "last_purchase_at", jtime(x->last_at)));
    return 0;
}

int api_store_core_customers(struct http_req *rq)
{
    struct location l;
    int64_t limit, days;
    json_t *a;
    int rc = location_get_by_code(api_reader(), rq->params[0], &l);
    if (!rc)
        rc = scope_check_location(api_reader(), &rq->who, l.id);
    if (!rc)
        rc = api_query_int(rq, "limit", 1, 1000, 50, &limit);
    if (!rc)
        rc = api_query_int(rq, "days", 1, 3650, 365, &days);
    if (rc)
        return rc;
    a = json_array();
    rc = profile_core_customers(api_reader(), l.id, now_ms(), days, (int)limit, core_cb, a);
    if (rc) {
        json_decref(a);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:s, s:I, s:o}", "store", l.code, "days", (json_int_t)days,
                                              "customers", a));
}

/* ---- relations between members ---- */

struct rel_arg {
    int64_t member, other;
    char kind[12];
};

static json_t *render_relation(const struct relation *r)
{
    return json_pack("{s:I, s:s, s:s, s:o}", "member_id", (json_int_t)r->other_id, "kind", r->kind, "status",
                     r->status, "since", jtime(r->created_at));
}

static int rel_cb(const struct relation *r, void *arg)
{
    json_array_append_new(arg, render_relation(r));
    return 0;
}

static int rel_add_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct rel_arg *a = arg;
    char status[12] = "";
    int rc = friends_ask(c, a->member, a->other, a->kind, status);
    (void)who;
    if (!rc)
        *out = json_pack("{s:I, s:I, s:s, s:s}", "member_id", (json_int_t)a->member, "related_id",
                         (json_int_t)a->other, "kind", a->kind, "status", status);
    return rc;
}

static int rel_accept_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct rel_arg *a = arg;
    int rc = friends_accept(c, a->member, a->other);
    (void)who;
    if (!rc)
        *out = json_pack("{s:I, s:I, s:s}", "member_id", (json_int_t)a->member, "related_id", (json_int_t)a->other,
                         "status", "accepted");
    return rc;
}

/* Only she accepts (or the chain's own app for her): staff and tills may not consent for her. */
int api_relations_accept(struct http_req *rq)
{
    struct rel_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "member", &a->member);
    if (!rc)
        rc = api_param_id(rq, 1, "member", &a->other);
    if (!rc && rq->who.role == ROLE_CHANNEL && rq->who.scope != SCOPE_CHAIN)
        rc = err_set(O2O_EFORBIDDEN, "role_forbidden", NULL, "a till does not consent for a member");
    if (!rc)
        rc = access_member(api_reader(), &rq->who, a->member, MEMBER_CHANGE);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, rel_accept_body, a, 200);
}

int api_relations_add(struct http_req *rq)
{
    struct rel_arg *a = xcalloc(1, sizeof *a);
    struct member m;
    int rc = api_param_id(rq, 0, "member", &a->member);
    str_copy(a->kind, sizeof a->kind, "friend");
    if (!rc)
        rc = access_member(api_reader(), &rq->who, a->member, MEMBER_CHANGE);
    if (!rc && member_get(api_reader(), a->member, &m))
        rc = err_set(O2O_ENOTFOUND, "unknown_member", NULL, "no member %lld", (long long)a->member);
    if (!rc)
        rc = jin_i64(rq->json, "member_id", true, 1, INT64_MAX, &a->other, NULL);
    if (!rc)
        rc = jin_str(rq->json, "kind", false, a->kind, sizeof a->kind);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, rel_add_body, a, 201);
}

int api_relations_list(struct http_req *rq)
{
    struct member m;
    int64_t id;
    json_t *a;
    int rc = api_param_id(rq, 0, "member", &id);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, id, MEMBER_SEE);
    if (!rc && member_get(api_reader(), id, &m))
        rc = err_set(O2O_ENOTFOUND, "unknown_member", NULL, "no member %lld", (long long)id);
    if (rc)
        return rc;
    a = json_array();
    rc = friends_list(api_reader(), id, rel_cb, a);
    if (rc) {
        json_decref(a);
        return rc;
    }
    return http_reply_json(rq, 200, json_pack("{s:I, s:o}", "member_id", (json_int_t)id, "related", a));
}

static int rel_remove_body(struct db_conn *c, void *arg, const struct principal *who, json_t **out)
{
    struct rel_arg *a = arg;
    int rc = friends_remove(c, a->member, a->other);
    (void)who;
    if (!rc)
        *out = json_pack("{s:I, s:I, s:b}", "member_id", (json_int_t)a->member, "related_id", (json_int_t)a->other,
                         "removed", 1);
    return rc;
}

int api_relations_remove(struct http_req *rq)
{
    struct rel_arg *a = xcalloc(1, sizeof *a);
    int rc = api_param_id(rq, 0, "member", &a->member);
    if (!rc)
        rc = api_param_id(rq, 1, "member", &a->other);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, a->member, MEMBER_CHANGE);
    if (rc) {
        free(a);
        return rc;
    }
    return api_write(rq, rel_remove_body, a, 200);
}

/* ---- what recommendations lead to ---- */

int api_attribution(struct http_req *rq)
{
    struct attribution_report r;
    int64_t now = now_ms(), from, to;
    char tz[64];
    int rc = api_scope_tz(rq, tz);
    if (!rc)
        rc = api_query_time(rq, "from", tz, now - 30 * 86400000LL, &from);
    if (!rc)
        rc = api_query_time(rq, "to", tz, now + 1, &to);
    if (!rc && to <= from)
        rc = err_set(O2O_EINVAL, "out_of_range", "to", "to must be after from");
    if (!rc)
        rc = attribution_report(api_reader(), from, to, &r);
    if (rc)
        return rc;
    return http_reply_json(rq, 200,
                           json_pack("{s:o, s:o, s:I, s:I, s:I, s:I, s:I}", "from", jtime(from), "to", jtime(to),
                                     "members_shown", (json_int_t)r.shown_members, "items_shown",
                                     (json_int_t)r.shown_items, "bought", (json_int_t)r.bought, "coupons_issued",
                                     (json_int_t)r.coupons_issued, "coupons_redeemed", (json_int_t)r.coupons_redeemed));
}

/* ---- association rules of the orders ---- */

struct rules_job {
    struct http_pending *pending;
    char rid[40];
    struct assoc_params p;
    int64_t since, limit;
    enum assoc_order order;
};

static void rules_work(void *arg)
{
    struct rules_job *j = arg;
    struct baskets b;
    struct assoc_result r;
    int rc;
    baskets_init(&b);
    err_clear();
    rc = insight_mine_rules(db_reader(api_app()->db), j->since, &j->p, &b, &r);
    if (rc) {
        http_complete_error(j->pending, rc);
    } else {
        json_t *rules = json_array(), *o;
        assoc_sort(&r, j->order);
        for (size_t i = 0; i < r.nrules && (int64_t)i < j->limit; i++) {
            const struct assoc_rule *x = &r.rules[i];
            json_t *lhs = json_array();
            for (int k = 0; k < x->nlhs; k++)
                json_array_append_new(lhs, json_string(b.labels[x->lhs[k]]));
            json_array_append_new(rules, json_pack("{s:o, s:s, s:f, s:f, s:f, s:f, s:I}", "lhs", lhs, "rhs",
                                                   b.labels[x->rhs], "support", x->support, "confidence",
                                                   x->confidence, "coverage", x->coverage, "lift", x->lift, "count",
                                                   (json_int_t)x->count));
        }
        o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "baskets", (json_int_t)r.baskets, "items",
                      (json_int_t)b.nitems, "min_count", (json_int_t)r.min_count, "itemsets", (json_int_t)r.itemsets,
                      "rules_found", (json_int_t)r.nrules, "rules", rules);
        http_complete_json(j->pending, 200, o);
        assoc_result_free(&r);
    }
    baskets_free(&b);
    free(j);
}

static int query_fraction(struct http_req *rq, const char *name, double dflt, double *out)
{
    const char *v = http_query(rq, name);
    char *end;
    if (!v || !*v) {
        *out = dflt;
        return 0;
    }
    *out = strtod(v, &end);
    if (*end || !(*out >= 0 && *out <= 1))
        return err_set(O2O_EINVAL, "out_of_range", name, "%s must be a number within 0..1", name);
    return 0;
}

int api_insight_rules(struct http_req *rq)
{
    struct rules_job *j = xcalloc(1, sizeof *j);
    const char *sort = http_query(rq, "sort");
    int64_t minlen = 2, maxlen = 10;
    char tz[64];
    int rc = query_fraction(rq, "supp", 0.01, &j->p.supp);
    if (!rc)
        rc = query_fraction(rq, "conf", 0.5, &j->p.conf);
    if (!rc)
        rc = api_query_int(rq, "minlen", 1, 60, 2, &minlen);
    if (!rc)
        rc = api_query_int(rq, "maxlen", 1, 60, 10, &maxlen);
    if (!rc && maxlen < minlen)
        rc = err_set(O2O_EINVAL, "out_of_range", "maxlen", "maxlen must be at least minlen");
    if (!rc)
        rc = api_query_int(rq, "limit", 1, 10000, 100, &j->limit);
    if (!rc)
        rc = api_scope_tz(rq, tz);
    if (!rc)
        rc = api_query_time(rq, "since", tz, 0, &j->since);
    j->order = ASSOC_BY_LIFT;
    if (!rc && sort && *sort) {
        if (!strcmp(sort, "confidence"))
            j->order = ASSOC_BY_CONFIDENCE;
        else if (!strcmp(sort, "support"))
            j->order = ASSOC_BY_SUPPORT;
        else if (strcmp(sort, "lift"))
            rc = err_set(O2O_EINVAL, "out_of_range", "sort", "sort must be lift, confidence or support");
    }
    if (rc) {
        free(j);
        return rc;
    }
    j->p.minlen = (int)minlen;
    j->p.maxlen = (int)maxlen;
    str_copy(j->rid, sizeof j->rid, rq->rid);
    /* mining reads every paid order: on a worker, never on the event loop */
    rc = api_heavy(rq, &j->pending, rules_work, j);
    if (rc)
        free(j);
    return rc;
}
