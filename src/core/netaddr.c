/*
** netaddr.c -- IP addresses and CIDR lists (see netaddr.h). No state.
** Tests: tests/unit/test_http.c
*/
#include "core/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static void map_v4(struct addr *out, const void *v4)
{
    memset(out->b, 0, 10);
    out->b[10] = out->b[11] = 0xff;
    memcpy(out->b + 12, v4, 4);
}

static bool is_mapped_v4(const struct addr *a)
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return !memcmp(a->b, prefix, 12);
}

int addr_parse(struct addr *out, const char *s, size_t n)
{
    char tmp[64];
    struct in_addr v4;
    struct in6_addr v6;
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    /* "[2001:db8::1]" as some proxies write it */
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    if (inet_pton(AF_INET, tmp, &v4) == 1) {
        map_v4(out, &v4);
        return 0;
    }
    if (inet_pton(AF_INET6, tmp, &v6) == 1) {
        memcpy(out->b, &v6, 16);
        return 0;
    }
    return -1;
}

int addr_from_sockaddr(struct addr *out, const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        map_v4(out, &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return 0;
    }
    return -1;
}

void addr_format(const struct addr *a, char out[46])
{
    if (is_mapped_v4(a))
        inet_ntop(AF_INET, a->b + 12, out, 46);
    else
        inet_ntop(AF_INET6, a->b, out, 46);
}

int netlist_parse(struct netlist *l, const char *text, char bad[64])
{
    const char *p = text ? text : "";
    memset(l, 0, sizeof *l);
    bad[0] = 0;
    while (*p) {
        const char *end = strchr(p, ','), *slash;
        size_t n = end ? (size_t)(end - p) : strlen(p), alen;
        struct addr a;
        int bits = -1;
        while (n && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n) {
            slash = memchr(p, '/', n);
            alen = slash ? (size_t)(slash - p) : n;
            if (addr_parse(&a, p, alen))
                goto bad;
            if (slash) {
                size_t k = alen + 1;
                bits = 0;
                if (k == n || n - k > 3)
                    goto bad;
                for (; k < n; k++) {
                    if (p[k] < '0' || p[k] > '9')
                        goto bad;
                    bits = bits * 10 + (p[k] - '0');
                }
                if (memchr(p, ':', alen) ? bits > 128 : bits > 32)
                    goto bad;
                if (!memchr(p, ':', alen))
                    bits += 96;
            } else {
                bits = 128;
            }
            l->nets = xrealloc(l->nets, (l->n + 1) * sizeof *l->nets);
            l->nets[l->n].net = a;
            l->nets[l->n].bits = bits;
            l->n++;
        }
        if (!end)
            break;
        p = end + 1;
        continue;
    bad: {
        size_t k = n < 63 ? n : 63;
        memcpy(bad, p, k);
        bad[k] = 0;
        netlist_free(l);
        return -1;
    }
    }
    return 0;
}

void netlist_free(struct netlist *l)
{
    free(l->nets);
    l->nets = NULL;
    l->n = 0;
}

static bool in_net(const struct addr *a, const struct addr *net, int bits)
{
    int full = bits / 8, rest = bits % 8;
    if (memcmp(a->b, net->b, (size_t)full))
        return false;
    if (rest) {
        uint8_t mask = (uint8_t)(0xff << (8 - rest));
        return (a->b[full] & mask) == (net->b[full] & mask);
    }
    return true;
}

bool netlist_has(const struct netlist *l, const struct addr *a)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (in_net(a, &l->nets[i].net, l->nets[i].bits))
            return true;
    return false;
}

/* A fixed network as a prefix of the 16-byte form. */
struct fixed {
    uint8_t b[16];
    int bits;
};

#define V4(a, b, c, d, n) {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d}, 96 + (n)}

bool addr_is_internal(const struct addr *a)
{
    static const struct fixed nets[] = {
        V4(0, 0, 0, 0, 8),       V4(10, 0, 0, 0, 8),     V4(100, 64, 0, 0, 10), V4(127, 0, 0, 0, 8),
        V4(169, 254, 0, 0, 16),  V4(172, 16, 0, 0, 12),  V4(192, 0, 0, 0, 24),  V4(192, 168, 0, 0, 16),
        V4(198, 18, 0, 0, 15),   V4(224, 0, 0, 0, 3),
        {{0}, 128},                                                        /* :: */
        {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128},           /* ::1 */
        {{0xfc}, 7},                                                       /* unique local */
        {{0xfe, 0x80}, 10},                                                /* link-local */
        {{0xff}, 8},                                                       /* multicast */
        {{0, 0x64, 0xff, 0x9b}, 96},                                       /* NAT64 of any IPv4 */
    };
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        struct addr net;
        memcpy(net.b, nets[i].b, 16);
        if (in_net(a, &net, nets[i].bits))
            return true;
    }
    return false;
}
