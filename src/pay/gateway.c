/*
** gateway.c -- the gateways as one layer: the configuration file (the instance
** name, a section for each provider), and the operations dispatched to the
** providers' adapters through their tables (provider.h). Names no provider.
*/
#include "pay/gateway.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "pay/provider.h"

#define GW_MAX 8

struct gateways {
    char instance[9];             /* trade number prefix */
    size_t nknown;                /* every provider o2o has (for payment codes) */
    const struct gw_provider *known[GW_MAX];
    size_t n;                     /* those configured */
    struct {
        const struct gw_provider *p;
        void *state;
    } v[GW_MAX];
};

int gw_str_field(json_t *o, const char *key, char *out, size_t cap, bool required, const char *where)
{
    json_t *v = json_object_get(o, key);
    if (!v) {
        if (required)
            return err_set(O2O_EINVAL, "bad_config", key, "%s needs %s", where, key);
        return 0;
    }
    if (!json_is_string(v) || json_string_length(v) >= cap)
        return err_set(O2O_EINVAL, "bad_config", key, "%s.%s must be a string shorter than %zu", where, key, cap);
    str_copy(out, cap, json_string_value(v));
    return 0;
}

int gateways_load(const char *path, const struct gw_provider *const *providers, size_t nproviders,
                  struct gateways **out)
{
    struct gateways *g = xcalloc(1, sizeof *g);
    json_error_t je;
    json_t *root;
    int rc = 0;
    *out = g;
    for (size_t i = 0; i < nproviders && i < GW_MAX; i++)
        g->known[g->nknown++] = providers[i];
    if (!path)
        return 0;
    root = json_load_file(path, 0, &je);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        return err_set(O2O_EINVAL, "bad_config", NULL, "%.120s: %s (line %d)", path, je.text, je.line);
    }
    rc = gw_str_field(root, "instance", g->instance, sizeof g->instance, true, "the gateways file");
    for (const char *q = g->instance; !rc && *q; q++)
        if (!((*q >= '0' && *q <= '9') || (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z')))
            rc = err_set(O2O_EINVAL, "bad_config", "instance", "instance is 1..8 letters and digits");
    if (!rc && !g->instance[0])
        rc = err_set(O2O_EINVAL, "bad_config", "instance", "instance is 1..8 letters and digits");
    for (size_t i = 0; i < g->nknown && !rc; i++) {
        json_t *section = json_object_get(root, g->known[i]->name);
        void *state = NULL;
        if (!section)
            continue;
        rc = g->known[i]->load(section, &state);
        if (rc) {
            if (state)
                g->known[i]->free(state);
            break;
        }
        g->v[g->n].p = g->known[i];
        g->v[g->n].state = state;
        g->n++;
    }
    json_decref(root);
    return rc;
}

const char *gateway_instance(const struct gateways *g)
{
    return g ? g->instance : "";
}

void gateways_free(struct gateways *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        g->v[i].p->free(g->v[i].state);
    free(g);
}

static size_t find(const struct gateways *g, const char *name)
{
    for (size_t i = 0; g && i < g->n; i++)
        if (!strcmp(g->v[i].p->name, name))
            return i;
    return GW_MAX;
}

void *gw_state(const struct gateways *g, const char *name)
{
    size_t i = find(g, name);
    return i < GW_MAX ? g->v[i].state : NULL;
}

bool gateway_enabled(const struct gateways *g, const char *tender)
{
    return find(g, tender) < GW_MAX;
}

const char *gateway_for_code(const struct gateways *g, const char *code)
{
    for (size_t i = 0; g && i < g->nknown; i++)
        if (g->known[i]->takes_code(code))
            return g->known[i]->name;
    return NULL;
}

static int not_configured(const char *gateway)
{
    return err_set(O2O_EINVAL, "gateway_not_configured", "tender", "%s is not configured on this server", gateway);
}

int gw_create(struct gateways *g, const char *gateway, const char *out_trade_no, int64_t amount, const char *subject,
              const char *openid, const char *auth_code, int64_t expires_at, char *pay_url, size_t cap,
              struct gw_txn *txn)
{
    size_t i = find(g, gateway);
    struct gw_create_in in = {out_trade_no, amount, subject, openid, auth_code, expires_at};
    memset(txn, 0, sizeof *txn);
    str_copy(txn->out_trade_no, sizeof txn->out_trade_no, out_trade_no);
    str_copy(txn->state, sizeof txn->state, "pending");
    return i < GW_MAX ? g->v[i].p->create(g->v[i].state, &in, pay_url, cap, txn) : not_configured(gateway);
}

int gw_close(struct gateways *g, const char *gateway, const char *out_trade_no, struct gw_txn *txn)
{
    size_t i = find(g, gateway);
    memset(txn, 0, sizeof *txn);
    return i < GW_MAX ? g->v[i].p->close(g->v[i].state, out_trade_no, txn) : not_configured(gateway);
}

int gw_query(struct gateways *g, const char *gateway, const char *out_trade_no, struct gw_txn *txn)
{
    size_t i = find(g, gateway);
    memset(txn, 0, sizeof *txn);
    return i < GW_MAX ? g->v[i].p->query(g->v[i].state, out_trade_no, txn) : not_configured(gateway);
}

int gw_refund(struct gateways *g, const char *gateway, const char *out_trade_no, const char *out_refund_no,
              int64_t refund, int64_t total, struct gw_txn *txn)
{
    size_t i = find(g, gateway);
    memset(txn, 0, sizeof *txn);
    return i < GW_MAX ? g->v[i].p->refund(g->v[i].state, out_trade_no, out_refund_no, refund, total, txn)
                      : not_configured(gateway);
}
