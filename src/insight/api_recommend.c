/*
** api_recommend.c -- recommendations over HTTP, and the turn that keeps the model
** (api_recommend_tick, run once a second by a thread of app/): built at the first
** turn, rebuilt every --reco-every seconds (or on demand) from its own reader, then
** swapped in; queries never wait for a build. What a member bought since the last
** build counts at once (read per request). What each member is shown is gathered
** here and written at each turn (attribution.c), off the request path.
*/
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/log.h"
#include "core/util.h"
#include "insight/attribution.h"
#include "insight/handlers.h"
#include "insight/recommend.h"
#include "member/access.h"
#include "member/member.h"
#include "org/location.h"

#define MODULE_NAME "insight/api_recommend"
#define MAX_PENDING 65536 /* impressions waiting to be written (more are dropped) */

static struct {
    pthread_rwlock_t lock;    /* guards cur */
    struct reco_state *cur;
    pthread_mutex_t mu;       /* guards the fields below */
    bool force;
    int64_t every_ms, builds, next_build;
    struct impression *pending; /* shown items, written at each turn */
    int npending, cap_pending;
} rm = {PTHREAD_RWLOCK_INITIALIZER, NULL, PTHREAD_MUTEX_INITIALIZER, false, 600000, 0, 0, NULL, 0, 0};

struct flush {
    struct impression *v;
    int n;
};

static int flush_body(struct db_conn *c, void *arg)
{
    struct flush *f = arg;
    return attribution_shown(c, f->v, f->n);
}

/* Write the impressions gathered so far (called with rm.mu held; unlocks around the write). */
static void flush_impressions(void)
{
    struct flush f = {rm.pending, rm.npending};
    if (!f.n)
        return;
    rm.pending = NULL;
    rm.npending = rm.cap_pending = 0;
    pthread_mutex_unlock(&rm.mu);
    if (db_txn(api_app()->db, flush_body, &f))
        log_warn("recommendation impressions not recorded: %s", err_last()->msg);
    free(f.v);
    pthread_mutex_lock(&rm.mu);
}

void api_recommend_tick(void *arg)
{
    bool due;
    (void)arg;
    pthread_mutex_lock(&rm.mu);
    due = rm.force || !rm.builds || now_ms() >= rm.next_build;
    rm.force = false;
    pthread_mutex_unlock(&rm.mu);
    if (due) {
        struct reco_state *s = NULL, *old;
        int64_t t0 = mono_us();
        int rc = recommend_build(db_reader(api_app()->db), now_ms(), &s);
        if (rc) {
            log_warn("recommendation model not built: %s", err_last()->msg);
        } else {
            pthread_rwlock_wrlock(&rm.lock);
            old = rm.cur;
            rm.cur = s;
            pthread_rwlock_unlock(&rm.lock);
            recommend_free(old);
            log_info("recommendation model built from %lld orders in %.0f ms", (long long)recommend_orders(s),
                     (double)(mono_us() - t0) / 1000.0);
        }
        pthread_mutex_lock(&rm.mu);
        rm.builds++;
        rm.next_build = now_ms() + rm.every_ms;
        pthread_mutex_unlock(&rm.mu);
    }
    pthread_mutex_lock(&rm.mu);
    flush_impressions();
    pthread_mutex_unlock(&rm.mu);
}

void api_recommend_open(int64_t every_ms)
{
    rm.every_ms = every_ms > 0 ? every_ms : 600000;
}

void api_recommend_close(void)
{
    pthread_mutex_lock(&rm.mu);
    flush_impressions();
    pthread_mutex_unlock(&rm.mu);
    recommend_free(rm.cur);
    rm.cur = NULL;
    free(rm.pending);
    rm.pending = NULL;
    rm.npending = rm.cap_pending = 0;
}

static int parse_context(const char *v, enum recommend_context *out)
{
    if (!v || !strcmp(v, "login"))
        *out = RECOMMEND_LOGIN;
    else if (!strcmp(v, "checkout"))
        *out = RECOMMEND_CHECKOUT;
    else if (!strcmp(v, "store"))
        *out = RECOMMEND_STORE;
    else
        return err_set(O2O_EINVAL, "out_of_range", "context", "context must be login, checkout or store");
    return 0;
}

/* What a reason names, readable: the product bought with it, the store, the life
** stage, the brand or category (their codes follow "brand:", "tag:", "cat:"). */
static const char *reason_label(const struct recommendation *x)
{
    const char *colon = strchr(x->because, ':');
    if (!strcmp(x->reason, "bought_together") || !strcmp(x->reason, "popular_at_store"))
        return x->because_name[0] ? x->because_name : x->because;
    if (!strcmp(x->reason, "buy_again") || !strcmp(x->reason, "popular"))
        return "";
    if (!strcmp(x->reason, "friends_bought"))
        return x->because;
    return colon ? colon + 1 : x->because;
}

static const char *reason_text(const struct recommendation *x, char *buf, size_t cap)
{
    const char *label = reason_label(x);
    if (!strcmp(x->reason, "bought_together"))
        snprintf(buf, cap, "bought together with %.150s", label);
    else if (!strcmp(x->reason, "buy_again"))
        snprintf(buf, cap, "you buy it again and again");
    else if (!strcmp(x->reason, "popular_at_store"))
        snprintf(buf, cap, "popular at %.150s", label);
    else if (!strcmp(x->reason, "popular"))
        snprintf(buf, cap, "popular now");
    else if (!strcmp(x->reason, "life_stage"))
        snprintf(buf, cap, "for %.150s", label);
    else if (!strcmp(x->reason, "friends_bought"))
        snprintf(buf, cap, "your friends bought it (%.150s)", label);
    else if (!strcmp(x->reason, "brand_you_like"))
        snprintf(buf, cap, "a brand you like (%.150s)", label);
    else
        snprintf(buf, cap, "a category you like (%.150s)", label);
    return buf;
}

int api_member_recommendations(struct http_req *rq)
{
    struct member m;
    struct location l;
    enum recommend_context ctx = RECOMMEND_LOGIN;
    struct recommendation *v;
    int64_t id, limit, store = 0, built;
    const char *code = http_query(rq, "store");
    json_t *items;
    int n = 0;
    int rc = api_param_id(rq, 0, "member", &id);
    if (!rc)
        rc = access_member(api_reader(), &rq->who, id, MEMBER_SEE);
    if (!rc && member_get(api_reader(), id, &m))
        rc = err_set(O2O_ENOTFOUND, "unknown_member", NULL, "no member %lld", (long long)id);
    if (!rc)
        rc = parse_context(http_query(rq, "context"), &ctx);
    if (!rc)
        rc = api_query_int(rq, "limit", 1, RECOMMEND_MAX, 10, &limit);
    if (!rc && code && *code) {
        if (location_get_by_code(api_reader(), code, &l))
            rc = err_set(O2O_ENOTFOUND, "unknown_location", "store", "no store %.64s", code);
        else
            store = l.id;
    } else if (!rc && ctx == RECOMMEND_STORE) {
        rc = err_set(O2O_EINVAL, "missing_field", "store", "context=store needs the store she is in");
    }
    if (rc)
        return rc;
    v = calloc(RECOMMEND_MAX, sizeof *v);
    if (!v)
        return err_set(O2O_ENOMEM, NULL, NULL, "out of memory");
    pthread_rwlock_rdlock(&rm.lock);
    if (!rm.cur) {
        pthread_rwlock_unlock(&rm.lock);
        free(v);
        return err_set(O2O_ERETRY, "model_building", NULL, "the recommendation model is being built");
    }
    built = recommend_built_at(rm.cur);
    rc = recommend_for(api_reader(), rm.cur, id, ctx, store, (int)limit, now_ms(), v, &n);
    pthread_rwlock_unlock(&rm.lock);
    if (rc) {
        free(v);
        return rc;
    }
    if (n && id && (rq->who.role == ROLE_MEMBER || rq->who.role == ROLE_CHANNEL)) {
        /* remember what she was shown (for rewards and the attribution report):
        ** only what reached her, signed in or through a channel's app; staff
        ** looking at her list make nothing eligible */
        int64_t now = now_ms();
        pthread_mutex_lock(&rm.mu);
        if (rm.npending + n > rm.cap_pending && rm.cap_pending < MAX_PENDING) {
            int cap = rm.cap_pending ? 2 * rm.cap_pending : 1024;
            struct impression *p = realloc(rm.pending, (size_t)(cap < MAX_PENDING ? cap : MAX_PENDING) * sizeof *p);
            if (p) {
                rm.pending = p;
                rm.cap_pending = cap < MAX_PENDING ? cap : MAX_PENDING;
            }
        }
        for (int i = 0; i < n && rm.npending < rm.cap_pending; i++) {
            struct impression *x = &rm.pending[rm.npending++];
            x->member_id = id;
            x->product_id = v[i].product_id;
            str_copy(x->reason, sizeof x->reason, v[i].reason);
            x->at = now;
        }
        pthread_mutex_unlock(&rm.mu);
    }
    items = json_array();
    for (int i = 0; i < n; i++) {
        char text[240];
        json_array_append_new(items, json_pack("{s:s, s:s, s:I, s:f, s:{s:s, s:s, s:o, s:o}}", "product", v[i].product,
                                               "name", v[i].name, "price", (json_int_t)v[i].price, "score",
                                               (double)(int64_t)(v[i].score * 10000 + 0.5) / 10000, "reason",
                                               "code", v[i].reason, "text", reason_text(&v[i], text, sizeof text),
                                               "because", jstr_or_null(v[i].because), "label",
                                               jstr_or_null(reason_label(&v[i]))));
    }
    free(v);
    return http_reply_json(rq, 200, json_pack("{s:I, s:s, s:o, s:o, s:o}", "member_id", (json_int_t)id, "context",
                                              ctx == RECOMMEND_LOGIN ? "login" : ctx == RECOMMEND_CHECKOUT ? "checkout"
                                                                                                           : "store",
                                              "store", store ? json_string(l.code) : json_null(), "model_built_at",
                                              jtime(built), "items", items));
}

int api_recommend_rebuild(struct http_req *rq)
{
    int64_t builds;
    pthread_mutex_lock(&rm.mu);
    builds = rm.builds;
    rm.force = true; /* the next turn builds */
    pthread_mutex_unlock(&rm.mu);
    return http_reply_json(rq, 202, json_pack("{s:b, s:I}", "rebuilding", 1, "builds_so_far", (json_int_t)builds));
}
