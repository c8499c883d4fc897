/*
** addr.h -- client addresses: networks written as CIDR lists ("trusted
** networks", "trusted proxies"), the client behind a trusted proxy
** (X-Forwarded-For), and open connections counted per address. IPv4 addresses
** are handled as IPv4-mapped IPv6 addresses throughout.
*/
#ifndef O2O_HTTP_ADDR_H
#define O2O_HTTP_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* An address as 16 bytes (IPv4 mapped into ::ffff:0:0/96). */
struct addr {
    uint8_t b[16];
};

/* A list of networks. */
struct netlist {
    struct {
        struct addr net;
        int bits;             /* prefix length, 0..128 */
    } *nets;
    size_t n;
};

/* Parse "127.0.0.0/8, ::1, 10.0.0.0/8" (a bare address is a /32 or /128) into l.
** "" gives an empty list. 0, or -1 with the bad item in bad (at most 63 chars). */
int netlist_parse(struct netlist *l, const char *text, char bad[64]);
void netlist_free(struct netlist *l);
bool netlist_has(const struct netlist *l, const struct addr *a);

/* From a socket address (AF_INET or AF_INET6); -1 for other families. */
int addr_from_sockaddr(struct addr *out, const struct sockaddr *sa);
/* From text ("203.0.113.7", "2001:db8::1"); -1 if it is not an address. */
int addr_parse(struct addr *out, const char *s, size_t n);
/* As text: dotted quad for mapped IPv4, else IPv6 (out has 46 bytes). */
void addr_format(const struct addr *a, char out[46]);

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
