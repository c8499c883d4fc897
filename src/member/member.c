/*
** member.c -- members, their channel identities, merges and tiers.
** Owns tables members (but for the points column, kept by points.c) and
** member_identities.
** A merged member keeps its row (status 'merged', merged_into) so that old
** references and its phone still lead to the survivor. No HTTP or JSON here.
** Tests: tests/unit/test_member.c
*/
#include "member/member.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "org/audit.h"
#include "org/location.h"
#include "org/settings.h"

static const char *identity_kinds[] = {"wechat_openid", "wechat_unionid", "alipay_user_id", "alipay_open_id",
                                       "store_card", "email"};

bool member_identity_is_provider(const char *kind)
{
    return !strcmp(kind, "wechat_openid") || !strcmp(kind, "wechat_unionid") || !strcmp(kind, "alipay_user_id") ||
           !strcmp(kind, "alipay_open_id");
}

bool member_identity_kind_ok(const char *kind)
{
    for (size_t i = 0; i < sizeof identity_kinds / sizeof identity_kinds[0]; i++)
        if (!strcmp(kind, identity_kinds[i]))
            return true;
    return false;
}

int member_normalize_phone(struct db_conn *c, const char *in, char out[20])
{
    struct db_stmt *s = NULL;
    char cc[8] = "86";
    if (db_query(c, &s, "SELECT value FROM settings WHERE key = 'phone_default_cc'", NULL) == DB_ROW)
        str_copy(cc, sizeof cc, db_col_text(s, 0));
    db_done(s);
    if (phone_normalize(in, cc, out))
        return err_set(O2O_EINVAL, "invalid_phone", "phone", "'%.40s' is not a valid mobile number", in ? in : "");
    return 0;
}

#define MEMBER_COLS                                                                                          \
    "m.id, m.phone, m.name, m.status, m.merged_into, m.tier, m.consent_marketing, m.consent_sms, "           \
    "m.consent_email, m.points, m.home_location_id, l.code, m.created_at, m.updated_at, m.consent_service, "  \
    "m.prefer_medium, m.fallback_medium, m.quiet_hours FROM members m "                                       \
    "LEFT JOIN locations l ON l.id = m.home_location_id"

static void read_member(struct db_stmt *s, struct member *m)
{
    memset(m, 0, sizeof *m);
    m->id = db_col_i64(s, 0);
    str_copy(m->phone, sizeof m->phone, db_col_text(s, 1));
    str_copy(m->name, sizeof m->name, db_col_text(s, 2));
    str_copy(m->status, sizeof m->status, db_col_text(s, 3));
    m->merged_into = db_col_i64(s, 4);
    str_copy(m->tier, sizeof m->tier, db_col_text(s, 5));
    m->consent_marketing = db_col_i64(s, 6) != 0;
    m->consent_sms = db_col_i64(s, 7) != 0;
    m->consent_email = db_col_i64(s, 8) != 0;
    m->points = db_col_i64(s, 9);
    m->home_location_id = db_col_i64(s, 10);
    str_copy(m->home_location_code, sizeof m->home_location_code, db_col_text(s, 11));
    m->created_at = db_col_i64(s, 12);
    m->updated_at = db_col_i64(s, 13);
    m->consent_service = db_col_i64(s, 14) != 0;
    str_copy(m->prefer_medium, sizeof m->prefer_medium, db_col_text(s, 15));
    str_copy(m->fallback_medium, sizeof m->fallback_medium, db_col_text(s, 16));
    str_copy(m->quiet_hours, sizeof m->quiet_hours, db_col_text(s, 17));
}

int member_get(struct db_conn *c, int64_t id, struct member *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " MEMBER_COLS " WHERE m.id = $1", "i", id);
    if (rc == DB_ROW)
        read_member(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_member", NULL, "no member with id %" PRId64, id);
    return rc < 0 ? rc : 0;
}

/* Follow merged_into to the surviving member (bounded, merges never form cycles). */
static int follow(struct db_conn *c, struct member *m)
{
    for (int i = 0; i < 16 && !strcmp(m->status, "merged") && m->merged_into; i++) {
        int rc = member_get(c, m->merged_into, m);
        if (rc)
            return rc;
    }
    return 0;
}

int member_get_by_phone(struct db_conn *c, const char *phone, struct member *out)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT " MEMBER_COLS " WHERE m.phone = $1", "t", phone);
    if (rc == DB_ROW)
        read_member(s, out);
    db_done(s);
    if (rc == DB_DONE)
        return err_set(O2O_ENOTFOUND, "unknown_member", "phone", "no member with phone %s", phone);
    return rc < 0 ? rc : follow(c, out);
}

int member_find_by_identity(struct db_conn *c, const char *kind, const char *value, struct member *out)
{
    int64_t id = 0;
    int rc;
    if (!strcmp(kind, "phone")) {
        char e164[20];
        rc = member_normalize_phone(c, value, e164);
        return rc ? rc : member_get_by_phone(c, e164, out);
    }
    if (!member_identity_kind_ok(kind))
        return err_set(O2O_EINVAL, NULL, "kind",
                       "kind must be phone, wechat_openid, wechat_unionid, alipay_user_id, alipay_open_id, store_card or email");
    rc = db_scalar_i64(c, &id, "SELECT member_id FROM member_identities WHERE kind = $1 AND value = $2", "tt", kind,
                       value);
    if (rc == O2O_ENOTFOUND)
        return err_set(O2O_ENOTFOUND, "unknown_member", "value", "no member with %s %s", kind, value);
    if (rc)
        return rc;
    rc = member_get(c, id, out);
    return rc ? rc : follow(c, out);
}

int member_create(struct db_conn *c, struct member *m)
{
    int64_t id = 0, now = now_ms();
    int rc;
    if (m->phone[0] != '+')
        return err_set(O2O_EINVAL, "invalid_phone", "phone", "phone must be normalised first");
    if (m->home_location_code[0]) {
        struct location loc;
        if (location_get_by_code(c, m->home_location_code, &loc))
            return err_set(O2O_ENOTFOUND, "unknown_location", "home_location", "no location with code %s",
                           m->home_location_code);
        m->home_location_id = loc.id;
    }
    rc = db_scalar_i64(c, &id,
                       "INSERT INTO members (phone, name, status, tier, consent_marketing, consent_sms, consent_email, "
                       "points, home_location_id, created_at, updated_at) VALUES ($1, $2, 'active', 'standard', $3, "
                       "$4, $5, 0, $6, $7, $7) RETURNING id",
                       "ttiiiIi", m->phone, m->name, (int64_t)m->consent_marketing,
                       (int64_t)m->consent_sms, (int64_t)m->consent_email, m->home_location_id, now);
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "phone_taken", "phone", "a member with phone %s already exists", m->phone);
    if (rc)
        return rc;
    return member_get(c, id, m);
}

int member_import(struct db_conn *c, const char *external_id, int64_t *id)
{
    char phone[80];
    int64_t now = now_ms(), n;
    int rc = db_scalar_i64(c, id, "SELECT member_id FROM member_identities WHERE kind = 'store_card' AND value = $1",
                           "t", external_id);
    if (rc != O2O_ENOTFOUND)
        return rc;
    err_clear();
    snprintf(phone, sizeof phone, "legacy:%.64s", external_id);
    rc = db_scalar_i64(c, id,
                       "INSERT INTO members (phone, name, status, tier, points, created_at, updated_at) "
                       "VALUES ($1, '', 'active', 'standard', 0, $2, $2) RETURNING id",
                       "ti", phone, now);
    if (rc)
        return rc;
    n = db_exec(c, "INSERT INTO member_identities (kind, value, member_id, created_at) VALUES ('store_card', $1, $2, $3)",
                "tii", external_id, *id, now);
    return n < 0 ? (int)n : 0;
}

int member_update(struct db_conn *c, int64_t id, const struct member_patch *p, struct member *out)
{
    struct member m;
    int64_t n, home;
    int rc = member_get(c, id, &m);
    if (rc)
        return rc;
    if (strcmp(m.status, "active"))
        return err_set(O2O_ECONFLICT, "member_merged", NULL, "member %" PRId64 " was merged into %" PRId64, id,
                       m.merged_into);
    home = m.home_location_id;
    if (p->has_home) {
        struct location loc;
        if (p->home_location_code[0]) {
            if (location_get_by_code(c, p->home_location_code, &loc))
                return err_set(O2O_ENOTFOUND, "unknown_location", "home_location", "no location with code %s",
                               p->home_location_code);
            home = loc.id;
        } else {
            home = 0;
        }
    }
    {
        const char *prefer = p->has_prefer ? p->prefer_medium : m.prefer_medium;
        const char *fallback = p->has_fallback ? p->fallback_medium : m.fallback_medium;
        int qa, qb;
        if (!word_in_list("sms|wechat|email", prefer))
            return err_set(O2O_EINVAL, "bad_medium", "prefer_medium", "prefer_medium is sms, wechat or email");
        if (*fallback && (!word_in_list("sms|wechat|email", fallback) || !strcmp(fallback, prefer)))
            return err_set(O2O_EINVAL, "bad_medium", "fallback_medium",
                           "fallback_medium is sms, wechat or email (not the preferred one), or empty");
        if (p->has_quiet && settings_parse_hours(p->quiet_hours, &qa, &qb))
            return err_set(O2O_EINVAL, "bad_hours", "quiet_hours", "quiet_hours is \"H1-H2\" (hours 0-24) or empty");
    }
    n = db_exec(c,
                "UPDATE members SET name = $2, consent_marketing = $3, consent_sms = $4, consent_email = $5, "
                "home_location_id = $6, updated_at = $7, consent_service = $8, prefer_medium = $9, "
                "fallback_medium = $10, quiet_hours = $11 WHERE id = $1",
                "itiiiIiittt", id, p->has_name ? p->name : m.name,
                (int64_t)(p->has_marketing ? p->consent_marketing : m.consent_marketing),
                (int64_t)(p->has_sms ? p->consent_sms : m.consent_sms),
                (int64_t)(p->has_email ? p->consent_email : m.consent_email), home, now_ms(),
                (int64_t)(p->has_service ? p->consent_service : m.consent_service),
                p->has_prefer ? p->prefer_medium : m.prefer_medium,
                p->has_fallback ? p->fallback_medium : m.fallback_medium,
                p->has_quiet ? p->quiet_hours : m.quiet_hours);
    if (n < 0)
        return (int)n;
    return member_get(c, id, out);
}

int member_link_identity(struct db_conn *c, int64_t member_id, const struct member_identity *idn)
{
    struct member m;
    int64_t owner = 0;
    int rc;
    if (!member_identity_kind_ok(idn->kind))
        return err_set(O2O_EINVAL, NULL, "kind",
                       "kind must be wechat_openid, wechat_unionid, alipay_user_id, alipay_open_id, store_card or email");
    if (!idn->value[0])
        return err_set(O2O_EINVAL, NULL, "value", "value is required");
    rc = member_get(c, member_id, &m);
    if (rc)
        return rc;
    if (strcmp(m.status, "active"))
        return err_set(O2O_ECONFLICT, "member_merged", NULL, "member was merged into %" PRId64, m.merged_into);
    rc = db_scalar_i64(c, &owner, "SELECT member_id FROM member_identities WHERE kind = $1 AND value = $2", "tt",
                       idn->kind, idn->value);
    if (!rc && owner == member_id)
        return 0; /* already linked: linking is idempotent */
    if (!rc)
        return err_set(O2O_EEXISTS, "identity_taken", "value", "this %s belongs to another member", idn->kind);
    if (rc != O2O_ENOTFOUND)
        return rc;
    rc = (int)db_exec(c, "INSERT INTO member_identities (kind, value, member_id, created_at) VALUES ($1, $2, $3, $4)",
                      "ttii", idn->kind, idn->value, member_id, now_ms());
    return rc < 0 ? rc : 0;
}

int member_identities(struct db_conn *c, int64_t id, int (*cb)(const struct member_identity *i, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    struct member_identity idn;
    int rc = db_query(c, &s,
                      "SELECT kind, value, member_id, created_at FROM member_identities WHERE member_id = $1 "
                      "ORDER BY kind, value",
                      "i", id);
    while (rc == DB_ROW) {
        memset(&idn, 0, sizeof idn);
        str_copy(idn.kind, sizeof idn.kind, db_col_text(s, 0));
        str_copy(idn.value, sizeof idn.value, db_col_text(s, 1));
        idn.member_id = db_col_i64(s, 2);
        idn.created_at = db_col_i64(s, 3);
        rc = cb(&idn, arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* Set once at start-up (app/), read-only afterwards. */
static struct {
    const struct member_mover *v;
    size_t n;
} movers;

void member_movers_set(const struct member_mover *v, size_t n)
{
    movers.v = v;
    movers.n = n;
}

int member_merge(struct db_conn *c, const struct principal *who, int64_t survivor, int64_t merged, struct member *out)
{
    struct member a, b;
    char detail[160], subject[48];
    int64_t n;
    int rc;
    if (survivor == merged)
        return err_set(O2O_EINVAL, NULL, "merge_id", "cannot merge a member into herself");
    rc = member_get(c, survivor, &a);
    if (rc)
        return rc;
    rc = member_get(c, merged, &b);
    if (rc)
        return err_set(O2O_ENOTFOUND, "unknown_member", "merge_id", "no member with id %" PRId64, merged);
    if (strcmp(a.status, "active") || strcmp(b.status, "active"))
        return err_set(O2O_ECONFLICT, "member_merged", NULL, "both members must be active to merge");
    /* identities move to the survivor; the merged member's row stays and points to her */
    n = db_exec(c, "UPDATE member_identities SET member_id = $1 WHERE member_id = $2", "ii", survivor, merged);
    if (n >= 0)
        n = db_exec(c, "UPDATE members SET status = 'merged', merged_into = $1, updated_at = $3 WHERE id = $2", "iii",
                    survivor, merged, now_ms());
    if (n < 0)
        return (int)n;
    snprintf(subject, sizeof subject, "member:%" PRId64, survivor);
    snprintf(detail, sizeof detail, "merged member %" PRId64 " (%s, %" PRId64 " points) into %" PRId64, merged,
             b.phone, b.points, survivor);
    rc = audit_add(c, who, "member.merge", subject, detail);
    /* her whole history moves with her, context by context */
    for (size_t i = 0; i < movers.n && !rc; i++)
        rc = movers.v[i].move(c, merged, survivor);
    return rc ? rc : member_get(c, survivor, out);
}

int member_tier_batch(struct db_conn *c, int64_t after, int limit,
                      int (*cb)(int64_t id, const char *tier, void *arg), void *arg)
{
    struct db_stmt *s = NULL;
    int rc = db_query(c, &s, "SELECT id, tier FROM members WHERE id > $1 AND status = 'active' ORDER BY id LIMIT $2",
                      "ii", after, (int64_t)limit);
    while (rc == DB_ROW) {
        rc = cb(db_col_i64(s, 0), db_col_text(s, 1), arg);
        if (rc)
            break;
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

int member_set_tier(struct db_conn *c, int64_t id, const char *tier)
{
    int64_t n = db_exec(c, "UPDATE members SET tier = $2 WHERE id = $1 AND tier <> $2", "it", id, tier);
    return n < 0 ? (int)n : 0;
}

int64_t member_count(struct db_conn *c)
{
    int64_t n = 0;
    if (db_scalar_i64(c, &n, "SELECT COUNT(*) FROM members WHERE status = 'active'", NULL))
        return 0;
    return n;
}

int member_count_new(struct db_conn *c, int64_t home_location_id, int64_t start, int64_t end, int64_t *n)
{
    return db_scalar_i64(c, n,
                         "SELECT COUNT(*) FROM members WHERE id IN (SELECT id FROM members WHERE home_location_id = $1 "
                         "AND created_at >= $2 AND created_at < $3 UNION ALL SELECT id FROM members WHERE $1 = 0 AND "
                         "created_at >= $2 AND created_at < $3)",
                         "iii", home_location_id, start, end);
}
