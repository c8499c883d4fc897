/*
** wechatpay_int.h -- inside src/pay: the WeChat Pay configuration the API v3
** adapter (wechatpay.c) and the API v2 payment codes (wxmicropay.c) share.
*/
#ifndef O2O_PAY_WECHATPAY_INT_H
#define O2O_PAY_WECHATPAY_INT_H

#include "pay/provider.h"

#define WX_MAX_PLATFORM_KEYS 4

/* A key WeChat Pay signs with, named by the serial its answers carry
** (Wechatpay-Serial): a platform certificate's serial or a public key id. During a
** rotation two are in use at once. */
struct wx_platform_key {
    char serial[80];
    struct pay_key *key;
};

struct wx_config {
    char base_url[256], mchid[40], appid[40], serial_no[80], api_v3_key[33], notify_url[256];
    char api_v2_key[33];      /* optional: payment codes (micropay) speak API v2 */
    struct pay_key *priv;
    int nplatform;
    struct wx_platform_key platform[WX_MAX_PLATFORM_KEYS];
};

/* API v2 micropay: charge a customer-presented payment code. */
int wx_micropay(struct wx_config *c, const char *out_trade_no, int64_t amount, const char *subject,
                const char *auth_code, struct gw_txn *t);

#endif
