/*
** netaddr.h -- IP addresses and networks: parsing and formatting, CIDR lists
** ("127.0.0.0/8, ::1, 10.0.0.0/8"), and which addresses are internal (loopback,
** private, link-local, shared, multicast: what a URL from outside must not reach).
** IPv4 addresses are handled as IPv4-mapped IPv6 addresses throughout.
*/
#ifndef O2O_CORE_NETADDR_H
#define O2O_CORE_NETADDR_H

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
/* From text ("203.0.113.7", "2001:db8::1", "[::1]"); -1 if it is not an address. */
int addr_parse(struct addr *out, const char *s, size_t n);
/* As text: dotted quad for mapped IPv4, else IPv6 (out has 46 bytes). */
void addr_format(const struct addr *a, char out[46]);
/* Loopback, private (RFC 1918, fc00::/7), link-local (cloud metadata lives there),
** shared (100.64.0.0/10), unspecified, multicast or broadcast. */
bool addr_is_internal(const struct addr *a);

#endif
