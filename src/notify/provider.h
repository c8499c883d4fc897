/*
** provider.h -- inside src/notify: what a messaging provider's adapter gives
** messaging.c (in the manner of pay/provider.h): its name and medium, its
** operations over its own configuration, and the signing helpers they share.
*/
#ifndef O2O_NOTIFY_PROVIDER_H
#define O2O_NOTIFY_PROVIDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "notify/messaging.h"

#define NOTIFY_TIMEOUT_MS 10000

struct msg_provider {
    const char *name;             /* the configuration file's section */
    const char *medium;           /* sms | wechat */
    int (*load)(json_t *section, void **state);
    void (*free)(void *state);
    /* Send one message; fills r (never fails otherwise but for memory). */
    void (*send)(void *state, const struct notify_msg *msg, json_t *params, json_t *tmpl, struct notify_result *r);
};

extern const struct msg_provider aliyun_sms, tencent_sms, wechat_oa;

/* Shared by the adapters (messaging.c). */
/* A string field of a section (O2O_EINVAL naming it when required and missing). */
int msg_str(json_t *o, const char *key, char *out, size_t cap, bool required, const char *where);
/* RFC 3986 percent-encoding, as Aliyun's RPC signature wants it (space as %20,
** '*' encoded, '~' kept). */
void msg_percent(struct buf *b, const char *s);
/* Base64 of bytes into out (cap >= 4 * ((n + 2) / 3) + 1). */
void msg_b64(char *out, const unsigned char *data, size_t n);
/* Lower-case hex of bytes into out (cap >= 2n + 1). */
void msg_hex(char *out, const unsigned char *data, size_t n);
/* HMAC with SHA-1 (20 bytes out) or SHA-256 (32 bytes out). */
void msg_hmac_sha1(unsigned char out[20], const void *key, size_t klen, const void *data, size_t n);
void msg_hmac_sha256(unsigned char out[32], const void *key, size_t klen, const void *data, size_t n);
/* A parameter of the message (a string in params), "" when missing. */
const char *msg_param(json_t *params, const char *name);
/* Fill r as a failure or a retry, with the provider's reason. */
void msg_outcome(struct notify_result *r, enum notify_outcome o, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The WeChat account's configured string field (token, encoding_aes_key, appid), "" when none. */
const char *messengers_wechat(const struct messengers *m, const char *field);
const char *wechat_oa_field(void *state, const char *field);
/* WeChat's callback crypto (wechat_callback.c), apart for the tests: the signature
** over token, timestamp, nonce (and the ciphertext in safe mode); a safe-mode
** message opened (O2O_EUNAUTH when not for appid) or sealed. */
bool wechat_sig_ok(const char *token, const char *signature, const char *timestamp, const char *nonce,
                   const char *encrypt);
int wechat_decrypt(const char *encoding_aes_key, const char *appid, const char *encrypt, char **xml);
char *wechat_encrypt(const char *encoding_aes_key, const char *appid, const char *xml);

/* The signatures, apart for the tests against the providers' documented examples. */
/* Aliyun RPC: the canonical query (parameters sorted) into q; base64 HMAC-SHA1 under
** "secret&" of METHOD&%2F&percent(q) into sig. */
void aliyun_rpc_sign(const char *method, const char *secret, const char *const *keys, const char *const *values,
                     size_t n, struct buf *q, char sig[64]);
/* Tencent TC3-HMAC-SHA256 of a JSON POST to host at timestamp: hex signature and its day (UTC). */
void tencent_tc3_sign(const char *secret_key, const char *service, const char *host, int64_t timestamp,
                      const char *body, char sig[65], char date[11]);

#endif
