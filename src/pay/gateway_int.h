/*
** gateway_int.h -- what the gateway adapters share inside src/pay.
*/
#ifndef O2O_PAY_GATEWAY_INT_H
#define O2O_PAY_GATEWAY_INT_H

#include "pay/crypto.h"
#include "pay/gateway.h"

#define GW_TIMEOUT_MS 10000
#define GW_MAX_SKEW_S 300         /* notifications and answers older than this are refused */

#define WX_MAX_PLATFORM_KEYS 4

/* A key WeChat Pay signs with, named by the serial its answers carry
** (Wechatpay-Serial): a platform certificate's serial or a public key id. During a
** rotation two are in use at once. */
struct wx_platform_key {
    char serial[80];
    struct pay_key *key;
};

struct wx_config {
    bool on;
    char base_url[256], mchid[40], appid[40], serial_no[80], api_v3_key[33], notify_url[256];
    char api_v2_key[33];      /* optional: payment codes (micropay) speak API v2 */
    struct pay_key *priv;
    int nplatform;
    struct wx_platform_key platform[WX_MAX_PLATFORM_KEYS];
};

struct ali_config {
    bool on;
    char gateway_url[256], app_id[40], notify_url[256];
    struct pay_key *priv, *alipay_pub;
};

struct gateways {
    char instance[9];         /* trade number prefix */
    struct wx_config wx;
    struct ali_config ali;
};

int wx_create(struct wx_config *c, const char *out_trade_no, int64_t amount, const char *subject,
              const char *openid, int64_t expires_at, char *pay_url, size_t cap);
int wx_close(struct wx_config *c, const char *out_trade_no, struct gw_txn *t);
int wx_query(struct wx_config *c, const char *out_trade_no, struct gw_txn *t);
int wx_refund(struct wx_config *c, const char *out_trade_no, const char *out_refund_no, int64_t refund,
              int64_t total, struct gw_txn *t);

/* API v2 micropay: charge a customer-presented payment code. */
int wx_micropay(struct wx_config *c, const char *out_trade_no, int64_t amount, const char *subject,
                const char *auth_code, struct gw_txn *t);

int ali_create(struct ali_config *c, const char *out_trade_no, int64_t amount, const char *subject,
               const char *auth_code, int64_t expires_at, char *pay_url, size_t cap, struct gw_txn *t);
int ali_close(struct ali_config *c, const char *out_trade_no, struct gw_txn *t);
int ali_query(struct ali_config *c, const char *out_trade_no, struct gw_txn *t);
int ali_refund(struct ali_config *c, const char *out_trade_no, const char *out_refund_no, int64_t refund,
               struct gw_txn *t);

#endif
