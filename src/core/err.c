/*
** err.c -- thread-local error record (after libgit2's git_error_set).
** Owns nothing persistent. Tests: tests/unit/test_core.c
*/
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local struct err_rec cur;

const char *err_default_code(int rc)
{
    switch (rc) {
    case O2O_OK: return "ok";
    case O2O_EINVAL: return "invalid";
    case O2O_ENOTFOUND: return "not_found";
    case O2O_EEXISTS: return "already_exists";
    case O2O_ECONFLICT: return "conflict";
    case O2O_EFORBIDDEN: return "forbidden";
    case O2O_EUNAUTH: return "unauthorized";
    case O2O_ESTOCK: return "out_of_stock";
    case O2O_ETOOBIG: return "body_too_large";
    case O2O_ETHROTTLE: return "too_many_attempts";
    case O2O_EMETHOD: return "method_not_allowed";
    case O2O_EROUTE: return "no_route";
    case O2O_EJSON: return "malformed_json";
    case O2O_EIDEM: return "idempotency_key_reused";
    case O2O_ERETRY: return "retry";
    case O2O_ENOMEM: return "out_of_memory";
    default: return "internal";
    }
}

int err_set(int rc, const char *code, const char *field, const char *fmt, ...)
{
    struct err_rec e; /* built apart: the arguments may point into the current record */
    va_list ap;
    memset(&e, 0, sizeof e);
    e.rc = rc;
    snprintf(e.code, sizeof e.code, "%s", code ? code : err_default_code(rc));
    snprintf(e.field, sizeof e.field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    for (char *p = e.msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (!e.msg[0]) /* every error says something */
        snprintf(e.msg, sizeof e.msg, "%s", e.code);
    cur = e;
    return rc;
}

int err_retry_after(int rc, int64_t seconds)
{
    cur.retry_after = seconds < 1 ? 1 : seconds > 86400 ? 86400 : (int)seconds;
    return rc;
}

const struct err_rec *err_last(void)
{
    return &cur;
}

void err_clear(void)
{
    memset(&cur, 0, sizeof cur);
}

void err_save(struct err_rec *out)
{
    *out = cur;
}

void err_restore(const struct err_rec *rec)
{
    cur = *rec;
}
