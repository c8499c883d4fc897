/*
** review.c -- the reviews table: a member's review of a line she bought, its
** moderation, the public reply, her revisions, and the reads staff and the product
** page make of it.
** Owns table reviews.
*/
#include "review/review.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "desk/conversation.h"
#include "org/location.h"
#include "org/settings.h"
#include "review/alert.h"
#include "sales/order_read.h"

#define REVIEW_COLS                                                                                            \
    "SELECT r.id, r.member_id, r.order_id, r.order_line_id, r.sku_id, r.product_id, COALESCE(r.location_id, 0), " \
    "r.rating, r.first_rating, r.body, r.photos, r.status, r.alert, COALESCE(r.conversation_id, 0), r.reply, "  \
    "COALESCE(r.replied_by, 0), COALESCE(r.replied_at, 0), COALESCE(r.moderated_by, 0), r.created_at, "         \
    "r.updated_at FROM reviews r "

static void read_review(struct db_stmt *s, struct review *r)
{
    memset(r, 0, sizeof *r);
    r->id = db_col_i64(s, 0);
    r->member_id = db_col_i64(s, 1);
    r->order_id = db_col_i64(s, 2);
    r->order_line_id = db_col_i64(s, 3);
    r->sku_id = db_col_i64(s, 4);
    r->product_id = db_col_i64(s, 5);
    r->location_id = db_col_i64(s, 6);
    r->rating = db_col_i64(s, 7);
    r->first_rating = db_col_i64(s, 8);
    str_copy(r->body, sizeof r->body, db_col_text(s, 9));
    str_copy(r->photos, sizeof r->photos, db_col_text(s, 10));
    str_copy(r->status, sizeof r->status, db_col_text(s, 11));
    str_copy(r->alert, sizeof r->alert, db_col_text(s, 12));
    r->conversation_id = db_col_i64(s, 13);
    str_copy(r->reply, sizeof r->reply, db_col_text(s, 14));
    r->replied_by = db_col_i64(s, 15);
    r->replied_at = db_col_i64(s, 16);
    r->moderated_by = db_col_i64(s, 17);
    r->created_at = db_col_i64(s, 18);
    r->updated_at = db_col_i64(s, 19);
}

/* The names beside the ids (the line's SKU and product, the store's code). */
static int names(struct db_conn *c, struct review *r)
{
    struct order_line_fact f;
    int rc = order_line_fact_get(c, r->order_line_id, &f);
    if (rc)
        return rc;
    str_copy(r->sku, sizeof r->sku, f.sku);
    str_copy(r->product, sizeof r->product, f.product);
    str_copy(r->product_name, sizeof r->product_name, f.product_name);
    r->line = f.line_no;
    if (r->location_id) {
        struct location l;
        if (!location_cached(c, r->location_id, &l))
            str_copy(r->store, sizeof r->store, l.code);
    }
    return 0;
}

int review_get(struct db_conn *c, int64_t id, struct review *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, REVIEW_COLS "WHERE r.id = $1", "i", id);
    if (rc == DB_ROW)
        read_review(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_review", NULL, "no review %lld", (long long)id);
    return rc < 0 ? rc : names(c, out);
}

/* A watched word in the text (case-insensitive for ASCII letters), into word. */
static bool watched(struct db_conn *c, const char *text, char *word, size_t cap)
{
    char list[256], *save = NULL;
    if (settings_str(c, "review_alert_words", "", list, sizeof list) || !list[0])
        return false;
    for (char *w = strtok_r(list, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
        size_t n;
        while (*w == ' ')
            w++;
        n = strlen(w);
        while (n && w[n - 1] == ' ')
            w[--n] = 0;
        if (!n)
            continue;
        for (const char *p = text; *p; p++) {
            size_t i = 0;
            while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)w[i]))
                i++;
            if (i == n) {
                str_copy(word, cap, w);
                return true;
            }
        }
    }
    return false;
}

static int check_in(const struct review_in *in)
{
    if (in->rating < 1 || in->rating > 5)
        return err_set(O2O_EINVAL, "out_of_range", "rating", "rating is 1 to 5");
    for (int i = 0; i < in->nphotos; i++)
        if (strncmp(in->photos[i], "https://", 8) || strpbrk(in->photos[i], " \n\r\t\"<>"))
            return err_set(O2O_EINVAL, "bad_photo", "photos", "a photo is an https:// URL");
    return 0;
}

static void photos_text(const struct review_in *in, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < in->nphotos; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? "\n" : "", in->photos[i]);
}

/* Held or published, and why it alerts (alert "" none). */
static int judge(struct db_conn *c, int64_t rating, const char *body, char status[12], char *alert, size_t cap)
{
    int64_t publish_from = 3, alert_to = 2;
    char word[64];
    int rc;
    if ((rc = settings_i64(c, "review_publish_min_rating", 3, &publish_from)) ||
        (rc = settings_i64(c, "review_alert_max_rating", 2, &alert_to)))
        return rc;
    alert[0] = 0;
    if (rating <= alert_to)
        snprintf(alert, cap, "rating %lld", (long long)rating);
    else if (watched(c, body, word, sizeof word))
        snprintf(alert, cap, "words: %.60s", word);
    str_copy(status, 12, rating >= publish_from && !alert[0] ? "published" : "held");
    return 0;
}

/* Set off the alert for r and keep the case it opened. */
static int alert_for(struct db_conn *c, const struct review *r, int64_t now)
{
    struct review_alert_in a = {r->id, r->member_id, r->order_id, r->location_id, r->rating, r->updated_at,
                                r->product_name, r->sku, r->alert, r->body};
    int64_t conv = 0, n;
    int rc = review_alert(c, &a, now, &conv);
    if (rc)
        return rc;
    n = db_exec(c, "UPDATE reviews SET conversation_id = $2 WHERE id = $1", "ii", r->id, conv);
    return n < 0 ? (int)n : 0;
}

int review_create(struct db_conn *c, int64_t member_id, const struct review_in *in, int64_t now, struct review *out)
{
    struct order_line_fact f;
    char status[12], alert[96], photos[sizeof out->photos];
    int64_t id = 0;
    int rc = check_in(in);
    if (rc)
        return rc;
    if ((rc = order_line_fact_by_no(c, in->order_id, in->line, &f)))
        return rc;
    /* a verified buyer: her order (by her account or the receipt she claimed), paid */
    if (f.member_id != member_id || (strcmp(f.status, "paid") && strcmp(f.status, "completed") &&
                                     strcmp(f.status, "returned")))
        return err_set(O2O_EFORBIDDEN, "not_your_purchase", "order_id",
                       "you review what you bought: this line is not of a paid order of yours");
    if ((rc = judge(c, in->rating, in->body, status, alert, sizeof alert)))
        return rc;
    photos_text(in, photos, sizeof photos);
    rc = db_scalar_i64(c, &id,
                       "INSERT INTO reviews (member_id, order_id, order_line_id, sku_id, product_id, location_id, rating, "
                       "first_rating, body, photos, status, alert, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, "
                       "$6, $7, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
                       "iiiiiIitttti", member_id, f.order_id, f.line_id, f.sku_id, f.product_id, f.store_id, in->rating,
                       in->body, photos, status, alert, now);
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "already_reviewed", "line", "you reviewed this line already: revise it");
    if (rc)
        return rc;
    if ((rc = review_get(c, id, out)))
        return rc;
    if (alert[0] && (rc = alert_for(c, out, now)))
        return rc;
    return review_get(c, id, out);
}

int review_revise(struct db_conn *c, int64_t member_id, int64_t id, const struct review_in *in, int64_t now,
                  struct review *out)
{
    struct review r;
    char status[12], alert[96], photos[sizeof out->photos];
    const char *body;
    int64_t n;
    int rc = check_in(in);
    if (!rc)
        rc = review_get(c, id, &r);
    if (rc)
        return rc;
    if (r.member_id != member_id)
        return err_set(O2O_ENOTFOUND, "unknown_review", NULL, "no review %lld of yours", (long long)id);
    body = in->has_body ? in->body : r.body;
    if ((rc = judge(c, in->rating, body, status, alert, sizeof alert)))
        return rc;
    if (in->has_photos)
        photos_text(in, photos, sizeof photos);
    else
        str_copy(photos, sizeof photos, r.photos);
    /* a moderator's word stands; otherwise the new words are judged again */
    n = db_exec(c,
                "UPDATE reviews SET rating = $2, body = $3, photos = $4, updated_at = $5, "
                "status = CASE WHEN moderated_by IS NULL THEN $6 ELSE status END WHERE id = $1",
                "iittit", id, in->rating, body, photos, now, status);
    if (n < 0)
        return (int)n;
    if (alert[0] && !r.alert[0]) {
        n = db_exec(c, "UPDATE reviews SET alert = $2 WHERE id = $1", "it", id, alert);
        if (n < 0)
            return (int)n;
        if ((rc = review_get(c, id, out)) || (rc = alert_for(c, out, now)))
            return rc;
    }
    return review_get(c, id, out);
}

int review_in_scope(struct db_conn *c, const struct principal *who, const struct review *r)
{
    if (who->scope == SCOPE_CHAIN)
        return 0;
    if (!r->location_id)
        return err_set(O2O_EFORBIDDEN, "out_of_scope", NULL, "a review of no store is the chain's");
    return scope_check_location(c, who, r->location_id);
}

int review_moderate(struct db_conn *c, const struct principal *who, int64_t id, const char *status, int64_t now,
                    struct review *out)
{
    int64_t n;
    int rc;
    if (strcmp(status, "published") && strcmp(status, "rejected"))
        return err_set(O2O_EINVAL, "out_of_range", "status", "status is published or rejected");
    if ((rc = review_get(c, id, out)) || (rc = review_in_scope(c, who, out)))
        return rc;
    n = db_exec(c, "UPDATE reviews SET status = $2, moderated_by = $3, updated_at = $4 WHERE id = $1", "itii", id,
                status, who->id, now);
    if (n < 0)
        return (int)n;
    return review_get(c, id, out);
}

int review_reply(struct db_conn *c, const struct principal *who, int64_t id, const char *text, int64_t now,
                 struct review *out)
{
    int64_t n;
    int rc;
    if (!*text || strlen(text) > REVIEW_BODY_MAX)
        return err_set(O2O_EINVAL, "out_of_range", "text", "a reply has 1 to %d bytes", REVIEW_BODY_MAX);
    if ((rc = review_get(c, id, out)) || (rc = review_in_scope(c, who, out)))
        return rc;
    n = db_exec(c, "UPDATE reviews SET reply = $2, replied_by = $3, replied_at = $4 WHERE id = $1", "itii", id, text,
                who->id, now);
    if (n < 0)
        return (int)n;
    return review_get(c, id, out);
}

int review_list(struct db_conn *c, const char *status, int64_t location_id, int64_t product_id, int64_t max_rating,
                int64_t before, int limit, int (*cb)(const struct review *r, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct review *rows = calloc((size_t)(limit > 0 && limit <= 200 ? limit : 50), sizeof *rows);
    int n = 0, rc;
    if (!rows)
        return err_set(O2O_ENOMEM, NULL, NULL, "out of memory");
    rc = db_query(c, &s,
                  REVIEW_COLS "WHERE ($1 = '' OR r.status = $1) AND (CAST($2 AS BIGINT) = 0 OR r.location_id = $2) "
                              "AND (CAST($3 AS BIGINT) = 0 OR r.product_id = $3) AND (CAST($4 AS BIGINT) = 0 OR "
                              "r.rating <= $4) AND (CAST($5 AS BIGINT) = 0 OR r.id < $5) ORDER BY r.id DESC LIMIT $6",
                  "tiiiii", status ? status : "", location_id, product_id, max_rating, before,
                  (int64_t)(limit > 0 && limit <= 200 ? limit : 50));
    while (rc == DB_ROW) {
        read_review(s, &rows[n++]);
        rc = db_step(s);
    }
    db_done(s);
    /* the names after the query: a nested read must not run while it is open */
    for (int i = 0; rc >= 0 && i < n; i++)
        if (!(rc = names(c, &rows[i])))
            rc = cb(&rows[i], arg);
    free(rows);
    return rc < 0 ? rc : 0;
}

int review_published(struct db_conn *c, int64_t product_id, int64_t before, int limit,
                     int (*cb)(const struct review *r, void *arg), void *arg, int64_t *count, int64_t *avg_x100)
{
    int rc = db_scalar_i64(c, count, "SELECT COUNT(*) FROM reviews WHERE product_id = $1 AND status = 'published'", "i",
                           product_id);
    if (!rc)
        rc = db_scalar_i64(c, avg_x100,
                           "SELECT COALESCE(SUM(rating) * 100 / NULLIF(COUNT(*), 0), 0) FROM reviews "
                           "WHERE product_id = $1 AND status = 'published'",
                           "i", product_id);
    if (rc)
        return rc;
    return review_list(c, "published", 0, product_id, 0, before, limit, cb, arg);
}

int review_recovery_get(struct db_conn *c, const struct review *r, struct review_recovery *out)
{
    int64_t n = 0;
    int rc;
    memset(out, 0, sizeof *out);
    out->revised = r->rating > r->first_rating;
    if (r->conversation_id) {
        struct desk_conversation x;
        bool replied = false;
        if ((rc = desk_conversation_get(c, r->conversation_id, &x)) ||
            (rc = desk_replied(c, r->conversation_id, r->created_at, &replied)))
            return rc;
        out->contacted = replied;
        out->resolved = !strcmp(x.status, "resolved");
    }
    if ((rc = order_member_count_since(c, r->member_id, r->created_at + 1, &n)))
        return rc;
    out->bought_again = n > 0;
    return 0;
}
