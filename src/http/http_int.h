/*
** http_int.h -- shared between the files of http/. Not for other layers.
*/
#ifndef O2O_HTTP_HTTP_INT_H
#define O2O_HTTP_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

/* router.c */
struct route_table;
struct route_table *router_build(const struct http_route *routes, size_t n);
void router_free(struct route_table *t);
/* Match method and path. Returns the route index, -1 for no path (404), -2 for a path
** that exists with other methods (405; allow gets "GET, POST"). Params point into a
** copy written to pbuf (at least strlen(path)+1 bytes). */
int router_match(const struct route_table *t, const char *method, const char *path, char *pbuf,
                 const char *params[HTTP_MAX_PARAMS], char allow[64]);

/* metrics.c */
void metrics_init(size_t nroutes);
void metrics_free(void);
void metrics_record(int route_index, int status, int64_t dur_us);

#endif
