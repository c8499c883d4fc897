/*
** schema.c -- route declarations (see schema.h): a small recursive-descent
** parser into a tree, the checks of a query string and a JSON body against it,
** and its JSON Schema for /openapi.json. Compiled once at start; a declaration
** that does not parse stops the server from starting, and a unit test compiles
** every one (tests/unit/test_http.c).
*/
#include "http/schema.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "http/parse.h"

enum kind { K_STR, K_INT, K_NUM, K_BOOL, K_DATE, K_TIME, K_ANY, K_OBJ, K_ENUM, K_ARRAY, K_OBJECT, K_MAP, K_REF, K_UNION };

struct field {
    char *name;
    bool optional;
    struct sch *type;
};

struct sch {
    enum kind kind;
    bool nullable;
    size_t n;                 /* fields, words or alternatives */
    struct field *fields;
    char **words;
    struct sch **alts;
    struct sch *item;         /* array, map */
    char *ref;                /* a named schema */
    const struct sch *target; /* ... once resolved */
};

#define MAX_DEFS 128
#define MAX_DEPTH 24

static struct {
    size_t n;
    const char *name[MAX_DEFS];
    struct sch *s[MAX_DEFS];
    const char *text[MAX_DEFS];
} reg;

/* ---- parsing ---- */

/* Compiled declarations live as long as the process: every block is kept here
** (a declaration that fails to compile leaves its pieces here too, never lost). */
static struct {
    void **p;
    size_t n, cap;
    pthread_mutex_t mu;
} kept = {NULL, 0, 0, PTHREAD_MUTEX_INITIALIZER};

static void *keep(void *p)
{
    pthread_mutex_lock(&kept.mu);
    if (kept.n == kept.cap) {
        kept.cap = kept.cap ? kept.cap * 2 : 256;
        kept.p = xrealloc(kept.p, kept.cap * sizeof *kept.p);
    }
    kept.p[kept.n++] = p;
    pthread_mutex_unlock(&kept.mu);
    return p;
}

#define NEW(T) ((T *)keep(xcalloc(1, sizeof(T))))

struct parser {
    const char *p, *start, *what;
    char err[160];
};

static void skip(struct parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static struct sch *fail(struct parser *ps, const char *msg)
{
    if (!ps->err[0])
        snprintf(ps->err, sizeof ps->err, "%.40s: %s at \"%.20s\"", ps->what, msg, ps->p);
    return NULL;
}

/* The next character is ch: step over it (never past the end). */
static bool expect(struct parser *ps, char ch)
{
    if (*ps->p != ch)
        return false;
    ps->p++;
    return true;
}

static char *word(struct parser *ps)
{
    const char *s = ps->p;
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_' || *ps->p == '-' || *ps->p == '.' || *ps->p == '/')
        ps->p++;
    return ps->p > s ? keep(xstrndup(s, (size_t)(ps->p - s))) : NULL;
}

static struct sch *type(struct parser *ps, int depth);

static struct sch *fields(struct parser *ps, int depth, char close)
{
    struct sch *o = NEW(struct sch);
    size_t cap = 0;
    o->kind = K_OBJECT;
    skip(ps);
    if (close && *ps->p == '*') { /* {*:T}: a map */
        ps->p++;
        skip(ps);
        if (!expect(ps, ':'))
            return fail(ps, "':' expected after '*'");
        o->kind = K_MAP;
        o->item = type(ps, depth + 1);
        return o->item ? o : NULL;
    }
    while (*ps->p && *ps->p != close) {
        struct field f = {0};
        skip(ps);
        if (*ps->p == '*' && o->n) { /* {a:str, *:str}: and any other field of that type */
            ps->p++;
            skip(ps);
            if (!expect(ps, ':'))
                return fail(ps, "':' expected after '*'");
            if (!(o->item = type(ps, depth + 1)))
                return NULL;
            skip(ps);
            if (*ps->p && *ps->p != close)
                return fail(ps, "'*' comes last");
            break;
        }
        if (!(f.name = word(ps)))
            return fail(ps, "a field name expected");
        if (*ps->p == '?') {
            f.optional = true;
            ps->p++;
        }
        skip(ps);
        if (!expect(ps, ':'))
            return fail(ps, "':' expected after a field name");
        if (!(f.type = type(ps, depth + 1)))
            return NULL;
        for (size_t i = 0; i < o->n; i++)
            if (!strcmp(o->fields[i].name, f.name))
                return fail(ps, "a field declared twice");
        if (o->n == cap) {
            cap = cap ? cap * 2 : 8;
            o->fields = keep(xrealloc(o->fields, cap * sizeof *o->fields)); /* (its old entry in kept dangles, unread) */
        }
        o->fields[o->n++] = f;
        skip(ps);
        if (*ps->p == ',')
            ps->p++;
        else if (*ps->p && *ps->p != close)
            return fail(ps, "',' expected between fields");
        skip(ps);
    }
    return o;
}

static const struct {
    const char *name;
    enum kind kind;
} scalars[] = {{"str", K_STR},   {"int", K_INT}, {"num", K_NUM}, {"bool", K_BOOL},
               {"date", K_DATE}, {"time", K_TIME}, {"any", K_ANY}, {"obj", K_OBJ}};

static struct sch *resolve(struct parser *ps, struct sch *s)
{
    for (size_t i = 0; i < reg.n; i++)
        if (!strcmp(reg.name[i], s->ref)) {
            s->target = reg.s[i];
            return s;
        }
    /* named schemas may refer to each other in any order: resolved once all are compiled */
    if (ps->what && !strcmp(ps->what, "(registry)"))
        return s;
    return fail(ps, "an unknown schema name");
}

static struct sch *alt(struct parser *ps, int depth, bool *is_null)
{
    struct sch *s;
    char *w;
    skip(ps);
    *is_null = false;
    if (depth > MAX_DEPTH)
        return fail(ps, "nested too deep");
    if (*ps->p == '[') {
        ps->p++;
        s = NEW(struct sch);
        s->kind = K_ARRAY;
        if (!(s->item = type(ps, depth + 1)))
            return NULL;
        skip(ps);
        if (!expect(ps, ']'))
            return fail(ps, "']' expected");
        return s;
    }
    if (*ps->p == '{') {
        ps->p++;
        if (!(s = fields(ps, depth, '}')))
            return NULL;
        if (!expect(ps, '}'))
            return fail(ps, "'}' expected");
        return s;
    }
    if (*ps->p == '(') {
        size_t cap = 0;
        ps->p++;
        s = NEW(struct sch);
        s->kind = K_ENUM;
        for (;;) {
            skip(ps);
            if (!(w = word(ps)))
                return fail(ps, "a word expected in (a|b)");
            if (s->n == cap) {
                cap = cap ? cap * 2 : 8;
                s->words = keep(xrealloc(s->words, cap * sizeof *s->words));
            }
            s->words[s->n++] = w;
            skip(ps);
            if (*ps->p == ')') {
                ps->p++;
                return s;
            }
            if (!expect(ps, '|'))
                return fail(ps, "'|' or ')' expected");
        }
    }
    if (!(w = word(ps)))
        return fail(ps, "a type expected");
    if (!strcmp(w, "null")) {
        free(w);
        *is_null = true;
        return NULL;
    }
    s = NEW(struct sch);
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++)
        if (!strcmp(w, scalars[i].name)) {
            s->kind = scalars[i].kind;
            free(w);
            return s;
        }
    if (!isupper((unsigned char)w[0]))
        return fail(ps, "an unknown type");
    s->kind = K_REF;
    s->ref = w;
    return resolve(ps, s);
}

static struct sch *type(struct parser *ps, int depth)
{
    struct sch *first = NULL, *u = NULL;
    bool nullable = false;
    for (;;) {
        bool is_null;
        struct sch *a = alt(ps, depth, &is_null);
        if (!a && !is_null)
            return NULL;
        if (is_null) {
            nullable = true;
        } else if (!first) {
            first = a;
        } else {
            if (!u) {
                u = NEW(struct sch);
                u->kind = K_UNION;
                u->alts = keep(xcalloc(8, sizeof *u->alts));
                u->alts[u->n++] = first;
            }
            if (u->n == 8)
                return fail(ps, "more than 8 alternatives");
            u->alts[u->n++] = a;
        }
        skip(ps);
        if (*ps->p != '|')
            break;
        ps->p++;
    }
    if (!first)
        return fail(ps, "null alone is no type");
    if (u)
        first = u;
    first->nullable = nullable;
    return first;
}

static int compile(const char *text, bool as_fields, const char *what, struct sch **out)
{
    struct parser ps = {text, text, what, ""};
    struct sch *s = as_fields ? fields(&ps, 0, 0) : type(&ps, 0);
    if (s) {
        skip(&ps);
        if (*ps.p)
            s = fail(&ps, "text after the declaration");
    }
    if (!s)
        return err_set(O2O_EINVAL, "bad_declaration", NULL, "%s", ps.err);
    *out = s;
    return 0;
}

static int resolve_all(struct sch *s, int depth)
{
    if (!s || depth > MAX_DEPTH)
        return 0;
    if (s->kind == K_REF && !s->target) {
        for (size_t i = 0; i < reg.n; i++)
            if (!strcmp(reg.name[i], s->ref))
                s->target = reg.s[i];
        if (!s->target)
            return err_set(O2O_EINVAL, "bad_declaration", NULL, "no schema named %.40s", s->ref);
    }
    for (size_t i = 0; i < s->n; i++) {
        int rc = s->kind == K_OBJECT ? resolve_all(s->fields[i].type, depth + 1)
                 : s->kind == K_UNION ? resolve_all(s->alts[i], depth + 1)
                                      : 0;
        if (rc)
            return rc;
    }
    return resolve_all(s->item, depth + 1);
}

int sch_registry_init(const struct http_schema_def *defs, size_t n)
{
    static const struct http_schema_def *done;
    if (reg.n && done == defs)
        return 0; /* once per process */
    reg.n = 0;
    done = defs;
    if (n > MAX_DEFS)
        return err_set(O2O_EINVAL, "bad_declaration", NULL, "more than %d named schemas", MAX_DEFS);
    for (size_t i = 0; i < n; i++) {
        int rc = compile(defs[i].text, false, "(registry)", &reg.s[i]);
        if (rc)
            return err_set(O2O_EINVAL, "bad_declaration", NULL, "schema %s: %s", defs[i].name, err_last()->msg);
        reg.name[i] = defs[i].name;
        reg.text[i] = defs[i].text;
        reg.n = i + 1;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = resolve_all(reg.s[i], 0);
        if (rc)
            return err_set(O2O_EINVAL, "bad_declaration", NULL, "schema %s: %s", defs[i].name, err_last()->msg);
    }
    return 0;
}

int sch_compile(const char *text, bool as_fields, const struct sch **out)
{
    struct sch *s = NULL;
    int rc = compile(text, as_fields, text, &s);
    if (!rc)
        rc = resolve_all(s, 0);
    *out = rc ? NULL : s;
    return rc;
}

static bool declares(const struct sch *s, const char *name, int depth)
{
    if (!s || depth > 8)
        return false;
    switch (s->kind) {
    case K_OBJECT:
        for (size_t i = 0; i < s->n; i++)
            if (!strcmp(s->fields[i].name, name) || declares(s->fields[i].type, name, depth + 1))
                return true;
        return false;
    case K_UNION:
        for (size_t i = 0; i < s->n; i++)
            if (declares(s->alts[i], name, depth + 1))
                return true;
        return false;
    case K_ARRAY:
    case K_MAP: return declares(s->item, name, depth + 1);
    case K_REF: return declares(s->target, name, depth + 1);
    default: return false;
    }
}

bool sch_declares(const struct sch *s, const char *name)
{
    return declares(s, name, 0);
}

/* ---- checking a body ---- */

static const char *kind_name(const struct sch *s)
{
    switch (s->kind) {
    case K_STR:
    case K_DATE:
    case K_TIME:
    case K_ENUM: return "a string";
    case K_INT: return "an integer";
    case K_NUM: return "a number";
    case K_BOOL: return "true or false";
    case K_ARRAY: return "an array";
    case K_OBJECT:
    case K_MAP:
    case K_OBJ: return "an object";
    case K_REF: return s->target ? kind_name(s->target) : "an object";
    default: return "a value";
    }
}

static int wrong(const char *path, const struct sch *s)
{
    return err_set(O2O_EINVAL, "wrong_type", path, "%s must be %s", path, kind_name(s));
}

static int check(const struct sch *s, json_t *v, char *path, size_t len, size_t cap, int depth);

static int check_object(const struct sch *s, json_t *v, char *path, size_t len, size_t cap, int depth)
{
    const char *k;
    json_t *x;
    if (!json_is_object(v))
        return wrong(len ? path : "body", s);
    json_object_foreach(v, k, x) {
        bool known = false;
        for (size_t i = 0; i < s->n && !known; i++)
            known = !strcmp(s->fields[i].name, k);
        if (!known && s->item) {
            size_t l = len + (size_t)snprintf(path + len, cap - len, "%s%.60s", len ? "." : "", k);
            int rc = check(s->item, x, path, l < cap ? l : cap - 1, cap, depth + 1);
            if (rc)
                return rc;
            path[len] = 0;
            continue;
        }
        if (!known) {
            snprintf(path + len, cap - len, "%s%.60s", len ? "." : "", k);
            return err_set(O2O_EINVAL, "unknown_field", path, "%s is not a field here", path);
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct field *f = &s->fields[i];
        size_t l = len + (size_t)snprintf(path + len, cap - len, "%s%s", len ? "." : "", f->name);
        int rc;
        x = json_object_get(v, f->name);
        if (l >= cap)
            l = cap - 1;
        if (!x || (json_is_null(x) && !f->type->nullable)) {
            if (!f->optional)
                return err_set(O2O_EINVAL, "missing_field", path, "%s is required", path);
            path[len] = 0;
            continue; /* as the handlers read it: null is absent */
        }
        rc = check(f->type, x, path, l, cap, depth + 1);
        if (rc)
            return rc;
        path[len] = 0;
    }
    return 0;
}

static int check(const struct sch *s, json_t *v, char *path, size_t len, size_t cap, int depth)
{
    if (depth > MAX_DEPTH)
        return err_set(O2O_EINVAL, "too_deep", path, "%s is nested too deeply", path);
    if (json_is_null(v))
        return s->nullable ? 0 : wrong(path, s);
    switch (s->kind) {
    case K_STR:
    case K_DATE:
    case K_TIME: return json_is_string(v) ? 0 : wrong(path, s);
    case K_ENUM:
        if (!json_is_string(v))
            return wrong(path, s);
        for (size_t i = 0; i < s->n; i++)
            if (!strcmp(s->words[i], json_string_value(v)))
                return 0;
        return err_set(O2O_EINVAL, "out_of_range", path, "%s is not one of the values it takes", path);
    case K_INT: return json_is_integer(v) ? 0 : wrong(path, s);
    case K_NUM: return json_is_number(v) ? 0 : wrong(path, s);
    case K_BOOL: return json_is_boolean(v) ? 0 : wrong(path, s);
    case K_ANY: return 0;
    case K_OBJ: return json_is_object(v) ? 0 : wrong(path, s);
    case K_ARRAY: {
        size_t i;
        json_t *x;
        if (!json_is_array(v))
            return wrong(path, s);
        json_array_foreach(v, i, x) {
            size_t l = len + (size_t)snprintf(path + len, cap - len, "[%zu]", i);
            int rc = check(s->item, x, path, l < cap ? l : cap - 1, cap, depth + 1);
            if (rc)
                return rc;
            path[len] = 0;
        }
        return 0;
    }
    case K_OBJECT: return check_object(s, v, path, len, cap, depth);
    case K_MAP: {
        const char *k;
        json_t *x;
        if (!json_is_object(v))
            return wrong(path, s);
        json_object_foreach(v, k, x) {
            size_t l = len + (size_t)snprintf(path + len, cap - len, "%s%.60s", len ? "." : "", k);
            int rc = check(s->item, x, path, l < cap ? l : cap - 1, cap, depth + 1);
            if (rc)
                return rc;
            path[len] = 0;
        }
        return 0;
    }
    case K_REF: return check(s->target, v, path, len, cap, depth + 1);
    case K_UNION:
        for (size_t i = 0; i < s->n; i++) {
            struct err_rec saved;
            err_save(&saved);
            if (!check(s->alts[i], v, path, len, cap, depth + 1))
                return 0;
            err_restore(&saved);
            path[len] = 0;
        }
        return err_set(O2O_EINVAL, "wrong_type", path, "%s has the wrong type", path);
    }
    return 0;
}

int sch_check_body(const struct sch *s, json_t *body)
{
    char path[192] = "";
    return s->kind == K_OBJECT ? check_object(s, body, path, 0, sizeof path, 0) : check(s, body, path, 0, sizeof path, 0);
}

/* ---- checking a query ---- */

static int check_param(const struct field *f, const char *v)
{
    const struct sch *t = f->type;
    int64_t i;
    double d;
    char *end;
    while (t->kind == K_REF && t->target)
        t = t->target;
    switch (t->kind) {
    case K_INT:
        if (parse_i64(v, INT64_MIN, INT64_MAX, &i))
            return err_set(O2O_EINVAL, "wrong_type", f->name, "%s must be an integer", f->name);
        return 0;
    case K_NUM:
        d = strtod(v, &end);
        (void)d;
        if (!*v || *end)
            return err_set(O2O_EINVAL, "wrong_type", f->name, "%s must be a number", f->name);
        return 0;
    case K_BOOL:
        if (strcmp(v, "true") && strcmp(v, "false"))
            return err_set(O2O_EINVAL, "wrong_type", f->name, "%s is true or false", f->name);
        return 0;
    case K_ENUM:
        for (size_t k = 0; k < t->n; k++)
            if (!strcmp(t->words[k], v))
                return 0;
        return err_set(O2O_EINVAL, "out_of_range", f->name, "%s is not one of the values it takes", f->name);
    default: return 0;
    }
}

int sch_check_query(const struct sch *s, const char *q)
{
    bool seen[64] = {false};
    char name[64], value[512];
    while (q && *q) {
        const char *amp = strchr(q, '&'), *eq;
        size_t len = amp ? (size_t)(amp - q) : strlen(q), nl;
        const struct field *f = NULL;
        size_t i;
        ssize_t vl = 0;
        eq = memchr(q, '=', len);
        nl = eq ? (size_t)(eq - q) : len;
        if (nl == 0 && len == 0) {
            q = amp ? amp + 1 : NULL;
            continue;
        }
        if (nl >= sizeof name || http_decode_component(q, nl, name) < 0)
            return err_set(O2O_EINVAL, "unknown_parameter", NULL, "a query parameter name is not valid");
        for (i = 0; i < s->n && !f; i++)
            if (!strcmp(s->fields[i].name, name))
                f = &s->fields[i];
        if (!f)
            return err_set(O2O_EINVAL, "unknown_parameter", name, "%.60s is not a parameter of this route", name);
        i--;
        if (i < 64 && seen[i])
            return err_set(O2O_EINVAL, "duplicate_parameter", name, "%.60s is given twice", name);
        if (i < 64)
            seen[i] = true;
        if (eq && (size_t)(len - nl - 1) < sizeof value)
            vl = http_decode_component(eq + 1, len - nl - 1, value);
        else if (eq)
            vl = -1;
        if (vl < 0)
            return err_set(O2O_EINVAL, "too_long", name, "%.60s is too long", name);
        value[vl] = 0;
        if (vl) {
            int rc = check_param(f, value);
            if (rc)
                return rc;
        }
        q = amp ? amp + 1 : NULL;
    }
    for (size_t i = 0; i < s->n && i < 64; i++)
        if (!s->fields[i].optional && !seen[i])
            return err_set(O2O_EINVAL, "missing_field", s->fields[i].name, "%s is required", s->fields[i].name);
    return 0;
}

/* ---- JSON Schema ---- */

static json_t *openapi(const struct sch *s, int depth)
{
    json_t *o = NULL;
    if (depth > MAX_DEPTH)
        return json_object();
    switch (s->kind) {
    case K_STR: o = json_pack("{s:s}", "type", "string"); break;
    case K_DATE: o = json_pack("{s:s, s:s}", "type", "string", "format", "date"); break;
    case K_TIME: o = json_pack("{s:s, s:s}", "type", "string", "format", "date-time"); break;
    case K_INT: o = json_pack("{s:s, s:s}", "type", "integer", "format", "int64"); break;
    case K_NUM: o = json_pack("{s:s}", "type", "number"); break;
    case K_BOOL: o = json_pack("{s:s}", "type", "boolean"); break;
    case K_ANY: o = json_object(); break;
    case K_OBJ: o = json_pack("{s:s}", "type", "object"); break;
    case K_ENUM: {
        json_t *e = json_array();
        for (size_t i = 0; i < s->n; i++)
            json_array_append_new(e, json_string(s->words[i]));
        o = json_pack("{s:s, s:o}", "type", "string", "enum", e);
        break;
    }
    case K_ARRAY: o = json_pack("{s:s, s:o}", "type", "array", "items", openapi(s->item, depth + 1)); break;
    case K_MAP: o = json_pack("{s:s, s:o}", "type", "object", "additionalProperties", openapi(s->item, depth + 1)); break;
    case K_OBJECT: {
        json_t *props = json_object(), *req = json_array();
        for (size_t i = 0; i < s->n; i++) {
            json_object_set_new(props, s->fields[i].name, openapi(s->fields[i].type, depth + 1));
            if (!s->fields[i].optional)
                json_array_append_new(req, json_string(s->fields[i].name));
        }
        o = json_pack("{s:s, s:o, s:o}", "type", "object", "properties", props, "additionalProperties",
                      s->item ? openapi(s->item, depth + 1) : json_false());
        if (json_array_size(req))
            json_object_set_new(o, "required", req);
        else
            json_decref(req);
        break;
    }
    case K_REF: {
        char ref[128];
        snprintf(ref, sizeof ref, "#/components/schemas/%s", s->ref);
        o = json_pack("{s:s}", "$ref", ref);
        if (s->nullable) /* a $ref takes no siblings in OpenAPI 3.0 */
            o = json_pack("{s:[o], s:b}", "allOf", o, "nullable", 1);
        return o;
    }
    case K_UNION: {
        json_t *any = json_array();
        for (size_t i = 0; i < s->n; i++)
            json_array_append_new(any, openapi(s->alts[i], depth + 1));
        o = json_pack("{s:o}", "anyOf", any);
        break;
    }
    }
    if (s->nullable)
        json_object_set_new(o, "nullable", json_true());
    return o;
}

json_t *sch_openapi(const struct sch *s)
{
    return openapi(s, 0);
}

size_t sch_nfields(const struct sch *s)
{
    return s && s->kind == K_OBJECT ? s->n : 0;
}

const char *sch_field(const struct sch *s, size_t i, bool *optional, const struct sch **t)
{
    *optional = s->fields[i].optional;
    *t = s->fields[i].type;
    return s->fields[i].name;
}

json_t *sch_components(void)
{
    json_t *c = json_object();
    for (size_t i = 0; i < reg.n; i++)
        json_object_set_new(c, reg.name[i], openapi(reg.s[i], 0));
    return c;
}
