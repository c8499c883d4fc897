/*
** addr.h -- the client behind a trusted proxy (X-Forwarded-For), and open
** connections counted per client address. Addresses and networks: core/netaddr.h.
*/
#ifndef O2O_HTTP_ADDR_H
#define O2O_HTTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/netaddr.h"

/* The client of a request that came from peer: the rightmost address of the
** X-Forwarded-For value xff[0..n) that is not a trusted proxy, when peer is one;
** otherwise peer itself. */
struct addr addr_client(const struct addr *peer, const struct netlist *proxies, const char *xff, size_t n);

/* ---- open connections per address (process-wide, thread-safe) ---- */
/* Count one more connection from a; -1 (and nothing counted) when a already has max. */
int addr_conn_acquire(const struct addr *a, size_t max);
void addr_conn_release(const struct addr *a);
/* Connections open from a (for tests and metrics). */
size_t addr_conn_count(const struct addr *a);

#endif
