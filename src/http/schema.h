/*
** schema.h -- the declarations of what a route reads and answers, in a compact
** text the route table holds next to each route, and what is made of them: the
** check of a request's query and JSON body before its handler runs (an unknown
** name, a missing required one or a value of the wrong type is a 400 naming the
** field), and the JSON Schemas of /openapi.json. One declaration serves both, so
** the document cannot drift from what the server accepts.
**
**   type   := alt ('|' alt)*               any of them; "null" makes it nullable
**   alt    := str | int | num | bool | date | time | any | obj | null
**           | '(' word ('|' word)* ')'     one of these strings
**           | '[' type ']'                  an array
**           | '{' fields '}'                an object with exactly these fields
**           | '{' '*' ':' type '}'          an object whose values are all of type
**           | Name                          a named schema (capitalised)
**   fields := field (',' field)*
**   field  := name ['?'] ':' type           '?': may be absent
**
** date is "YYYY-MM-DD", time an ISO-8601 time, obj any object, any anything.
*/
#ifndef O2O_HTTP_SCHEMA_H
#define O2O_HTTP_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* A named schema: components of the document, referred to by name. */
struct http_schema_def {
    const char *name;         /* "Order" */
    const char *text;         /* "{id:int, status:(placed|paid|...), ...}" */
};

struct sch;

/* Compile the named schemas once (NULL-terminated list not needed: n given);
** O2O_EINVAL with a message naming the schema and the place on a mistake. */
int sch_registry_init(const struct http_schema_def *defs, size_t n);
/* A type, or a field list (the fields of an object: a query, a body). Compiled
** declarations live as long as the process. */
int sch_compile(const char *text, bool fields, const struct sch **out);
/* Every name a declaration may carry, nested ones and those of named schemas
** included: does it declare this one? */
bool sch_declares(const struct sch *s, const char *name);

/* Check a JSON body against an object declaration: 0, or O2O_EINVAL with code
** unknown_field, missing_field or wrong_type and the field's path ("lines[0].qty").
** As handlers read it, null stands for an absent optional field. */
int sch_check_body(const struct sch *s, json_t *body);
/* Check a query string ("a=1&b=x", not decoded) against a field list: every name
** declared, none twice, the required ones there, integers, numbers and booleans
** well formed. */
int sch_check_query(const struct sch *s, const char *query);

/* JSON Schema (OpenAPI 3.0) of a declaration; new reference. */
json_t *sch_openapi(const struct sch *s);
/* The fields of a field list, for OpenAPI parameters: count, then each one. */
size_t sch_nfields(const struct sch *s);
const char *sch_field(const struct sch *s, size_t i, bool *optional, const struct sch **type);
/* The named schemas as "components/schemas"; new reference. */
json_t *sch_components(void);

#endif
