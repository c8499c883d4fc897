/*
** provider.h -- inside src/pay: what a payment provider's adapter gives the
** gateway layer (in the manner of h2o's handler structs): its name, the payment
** codes it takes, and its operations over its own configuration. gateway.c
** dispatches through them and names no provider; providers.c lists them.
*/
#ifndef O2O_PAY_PROVIDER_H
#define O2O_PAY_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pay/crypto.h"
#include "pay/gateway.h"

#define GW_TIMEOUT_MS 10000
#define GW_MAX_SKEW_S 300         /* notifications and answers older than this are refused */

/* A payment to create (see gw_create). */
struct gw_create_in {
    const char *out_trade_no;
    int64_t amount;
    const char *subject;
    const char *openid;           /* in an app or mini-program, or NULL */
    const char *auth_code;        /* a scanned payment code, or NULL */
    int64_t expires_at;
};

struct gw_provider {
    const char *name;             /* the tender, and the gateways file's section */
    /* Is this a payment code of this provider's (a customer's phone shows it)? */
    bool (*takes_code)(const char *auth_code);
    /* Read the provider's section; *state is its configuration. */
    int (*load)(json_t *section, void **state);
    void (*free)(void *state);
    int (*create)(void *state, const struct gw_create_in *in, char *pay_url, size_t cap, struct gw_txn *t);
    int (*query)(void *state, const char *out_trade_no, struct gw_txn *t);
    int (*refund)(void *state, const char *out_trade_no, const char *out_refund_no, int64_t refund, int64_t total,
                  struct gw_txn *t);
    int (*close)(void *state, const char *out_trade_no, struct gw_txn *t);
};

/* The configuration of a configured provider, or NULL. */
void *gw_state(const struct gateways *g, const char *name);
/* A string field of a configuration section (O2O_EINVAL naming it). */
int gw_str_field(json_t *o, const char *key, char *out, size_t cap, bool required, const char *where);

#endif
