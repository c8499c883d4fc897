/*
** gateway.h -- payment gateways as the providers document them: WeChat Pay API v3
** (requests signed SHA256-RSA2048, answers and notifications verified with the
** platform key, notification resources decrypted with AES-256-GCM) and Alipay's
** open API (requests and notifications signed RSA2). Blocking calls, for worker
** threads. Configured from a JSON file (see docs/payments.md).
*/
#ifndef O2O_PAY_GATEWAY_H
#define O2O_PAY_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gateways;

/* What a gateway says about a payment or a refund. */
struct gw_txn {
    char out_trade_no[65];
    char transaction_id[65];  /* the gateway's number for the payment */
    char out_refund_no[65];
    char refund_id[65];
    char state[16];           /* paid | pending | closed | refunded | failed */
    int64_t amount;           /* fen: the payment's total, or the refund */
    char payer[65];           /* openid / Alipay buyer id or open id */
    char payer_kind[16];      /* wechat_openid | alipay_user_id | alipay_open_id */
    char reason[160];         /* a refusal: the provider's codes and message */
    bool is_refund;
    bool not_found;           /* a query: the gateway has no such trade (yet) */
};

/* The headers a WeChat Pay notification is signed with. */
struct gw_wx_headers {
    const char *timestamp, *nonce, *signature, *serial;
};

struct gw_provider;
/* Load the configuration (NULL path: no gateway) for these providers (providers.h).
** O2O_EINVAL with a message on error. */
int gateways_load(const char *path, const struct gw_provider *const *providers, size_t nproviders,
                  struct gateways **out);
void gateways_free(struct gateways *g);
/* This instance's name ("instance" in the file): the prefix of its trade numbers,
** so that two databases on one merchant account never collide. "" without gateways. */
const char *gateway_instance(const struct gateways *g);
/* Is the gateway behind a tender ("wechat_pay", "alipay") configured? */
bool gateway_enabled(const struct gateways *g, const char *tender);
/* Which provider takes a customer-presented payment code (WeChat's start 10-15,
** Alipay's 25-30), configured or not. NULL when none. */
const char *gateway_for_code(const struct gateways *g, const char *auth_code);

/* Create a payment. With auth_code (a scanned payment code) the gateway charges
** at once and *txn says how it went; with openid (WeChat in an app or
** mini-program) pay_url gets "prepay_id=..."; otherwise pay_url gets the QR code
** text the customer scans. expires_at (epoch ms, 0: none): the gateway closes the
** trade then, so a QR code is not payable after it. A refusal (O2O_ECONFLICT)
** leaves the provider's codes in txn->reason. */
int gw_create(struct gateways *g, const char *gateway, const char *out_trade_no, int64_t amount,
              const char *subject, const char *openid, const char *auth_code, int64_t expires_at, char *pay_url,
              size_t cap, struct gw_txn *txn);
/* Close a trade that must not be paid any more (its order was cancelled, it expired,
** another payment replaced it). 0 when closed or never created at the gateway;
** O2O_ECONFLICT "gateway_trade_paid" when it was paid meanwhile (query it). */
int gw_close(struct gateways *g, const char *gateway, const char *out_trade_no, struct gw_txn *txn);
int gw_query(struct gateways *g, const char *gateway, const char *out_trade_no, struct gw_txn *txn);
int gw_refund(struct gateways *g, const char *gateway, const char *out_trade_no, const char *out_refund_no,
              int64_t refund, int64_t total, struct gw_txn *txn);

/* Verify and read an asynchronous notification. O2O_EUNAUTH when the signature
** (or the decryption) fails or the message is stale; O2O_EINVAL when malformed. */
int gw_wechat_notification(struct gateways *g, const struct gw_wx_headers *h, const char *body, size_t len,
                           struct gw_txn *txn);
int gw_alipay_notification(struct gateways *g, const char *form, size_t len, struct gw_txn *txn);


#endif
