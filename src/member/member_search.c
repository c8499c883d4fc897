/*
** member_search.c -- finding a member the way staff ask (member_search.h). The
** text search is one query on both backends over member_search (an FTS5 trigram
** table on SQLite, a view with a pg_trgm index on PostgreSQL: migration 020).
*/
#include "member/member_search.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

struct seen {
    int n;
    int64_t id[MEMBER_SEARCH_MAX];
};

static bool seen_add(struct seen *s, int64_t id)
{
    for (int i = 0; i < s->n; i++)
        if (s->id[i] == id)
            return false;
    if (s->n < MEMBER_SEARCH_MAX)
        s->id[s->n++] = id;
    return true;
}

static int emit(struct db_conn *c, struct seen *s, int64_t id, const char *matched, int limit,
                int (*cb)(const struct member *m, const char *matched, void *arg), void *arg)
{
    struct member m;
    if (s->n >= limit || !seen_add(s, id))
        return 0;
    if (member_get(c, id, &m)) {
        err_clear();
        s->n--;
        return 0;
    }
    if (strcmp(m.status, "active")) {
        s->n--;
        return 0;
    }
    return cb(&m, matched, arg);
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int member_search(struct db_conn *c, const char *q, const char *default_cc, int limit,
                  int (*cb)(const struct member *m, const char *matched, void *arg), void *arg)
{
    struct db_stmt *st = NULL;
    struct seen seen = {0, {0}};
    char e164[20], pattern[200];
    size_t n = 0;
    int rc;
    if (limit < 1 || limit > MEMBER_SEARCH_MAX)
        limit = MEMBER_SEARCH_MAX;
    while (*q == ' ')
        q++;
    if (!*q || strlen(q) > 120)
        return err_set(O2O_EINVAL, "out_of_range", "q", "q is 1 to 120 characters");
    /* an identity, exactly */
    rc = db_query(c, &st, "SELECT member_id FROM member_identities WHERE value = $1 ORDER BY member_id DESC LIMIT 10",
                  "t", q);
    while (rc == DB_ROW) {
        if ((rc = emit(c, &seen, db_col_i64(st, 0), "identity", limit, cb, arg)))
            break;
        rc = db_step(st);
    }
    db_done(st);
    if (rc < 0)
        return rc;
    /* a whole phone number */
    if (strlen(q) >= 11 && !phone_normalize(q, default_cc, e164)) {
        struct member m;
        if (!member_get_by_phone(c, e164, &m) && (rc = emit(c, &seen, m.id, "phone", limit, cb, arg)))
            return rc;
        err_clear();
    }
    /* any part of the name or the number: '%q%' with LIKE's wildcards taken out */
    pattern[n++] = '%';
    for (const char *p = q; *p && n < sizeof pattern - 2; p++)
        if (*p != '%' && *p != '_' && *p != '\\')
            pattern[n++] = (char)tolower((unsigned char)*p);
    pattern[n++] = '%';
    pattern[n] = 0;
    if (n <= 2)
        return 0;
    /* three characters or more: the trigram index; fewer (a surname): members read
    ** newest first until enough match (FTS5's trigram tables find no CJK pattern
    ** shorter than a trigram) */
    if (utf8_chars(pattern) - 2 >= 3)
        rc = db_query(c, &st, "SELECT rowid FROM member_search WHERE text LIKE $1 ORDER BY rowid DESC LIMIT $2", "ti",
                      pattern, (int64_t)limit + 10);
    else
        rc = db_query(c, &st,
                      "SELECT id FROM members WHERE lower(name || ' ' || phone) LIKE $1 AND status = 'active' "
                      "ORDER BY id DESC LIMIT $2",
                      "ti", pattern, (int64_t)limit + 10);
    while (rc == DB_ROW && seen.n < limit) {
        if ((rc = emit(c, &seen, db_col_i64(st, 0), "text", limit, cb, arg)))
            break;
        rc = db_step(st);
    }
    db_done(st);
    return rc < 0 ? rc : 0;
}
