/*
** errors.c -- the one place where an o2o_err becomes an HTTP status and the
** JSON error body {"error":{"code","message","field"},"request_id"}.
** 5xx only for storage failures and bugs, whose details go to the log, never to the client.
*/
#include "http/http.h"

#include <jansson.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

static const struct {
    int rc;
    int status;
} map[] = {
    {O2O_EINVAL, 400},     {O2O_EJSON, 400},     {O2O_EUNAUTH, 401},    {O2O_EFORBIDDEN, 403},
    {O2O_ENOTFOUND, 404},  {O2O_EROUTE, 404},    {O2O_EMETHOD, 405},    {O2O_EEXISTS, 409},
    {O2O_ECONFLICT, 409},  {O2O_ESTOCK, 409},    {O2O_ETOOBIG, 413},    {O2O_EIDEM, 422},
    {O2O_ETHROTTLE, 429},  {O2O_ERETRY, 503},    {O2O_EDB, 500},        {O2O_ENOMEM, 503},
};

int http_status_of(int rc)
{
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].rc == rc)
            return map[i].status;
    return 500;
}

char *http_error_body(int rc, const char *rid, size_t *len)
{
    const struct err_rec *e = err_last();
    const char *code, *msg;
    json_t *o, *inner;
    char *s;
    int status = http_status_of(rc);

    if (e->rc == rc && e->code[0]) {
        code = e->code;
        msg = e->msg;
    } else {
        code = err_default_code(rc);
        msg = code;
    }
    if (status >= 500 && !(rc == O2O_ERETRY && e->rc == rc && (!strncmp(e->code, "gateway_", 8) || !strcmp(e->code, "busy")))) {
        /* never echo storage details to the client (an unreachable gateway may be named) */
        code = rc == O2O_ERETRY ? "retry" : "internal";
        msg = rc == O2O_ERETRY ? "temporary conflict, retry the request" : "internal error";
    }
    inner = json_pack("{s:s, s:s}", "code", code, "message", msg);
    if (!inner) /* a message that is not valid UTF-8 */
        inner = json_pack("{s:s, s:s}", "code", code, "message", code);
    if (status < 500 && e->rc == rc && e->field[0])
        json_object_set_new(inner, "field", json_string(e->field));
    else
        json_object_set_new(inner, "field", json_null());
    if (e->rc == rc && e->retry_after > 0)
        json_object_set_new(inner, "retry_after", json_integer(e->retry_after));
    o = json_pack("{s:o, s:s}", "error", inner, "request_id", rid ? rid : "");
    s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        s = xstrdup("{\"error\":{\"code\":\"internal\",\"message\":\"internal error\",\"field\":null}}");
    *len = strlen(s);
    return s;
}
