/*
** carrier.h -- carriers behind one adapter interface: o2o subscribes a shipment's
** tracking number with its carrier, and the carrier pushes tracking events to
** o2o's webhook. Both directions are signed (HMAC-SHA256 over "TIMESTAMP\nBODY"
** with the account's secret; see docs/carriers.md). Blocking calls, for worker
** threads. Configured from a JSON file.
*/
#ifndef O2O_SHIP_CARRIER_H
#define O2O_SHIP_CARRIER_H

#include <stdbool.h>
#include <stddef.h>

struct carriers;

/* Load {"<name>": {"base_url", "api_key", "secret"} | {"tracking": false}, ...};
** NULL path: none. A carrier with "tracking": false is a courier shipped with but
** not integrated: known by name, never subscribed. */
int carriers_load(const char *path, struct carriers **out);
void carriers_free(struct carriers *c);
bool carrier_known(const struct carriers *c, const char *name);
bool carrier_tracked(const struct carriers *c, const char *name);
/* The configured names, ", "-separated, into out (for error messages). */
size_t carrier_names(const struct carriers *c, char *out, size_t cap);
/* Ask the carrier to push the events of tracking_no to callback_url. */
int carrier_subscribe(struct carriers *c, const char *name, const char *tracking_no, const char *callback_url);
/* Is a pushed body signed by the carrier's secret, and fresh? O2O_EUNAUTH if not. */
int carrier_verify(struct carriers *c, const char *name, const char *timestamp, const char *signature,
                   const char *body, size_t len);

#endif
