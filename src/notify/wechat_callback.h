/*
** wechat_callback.h -- what the WeChat Official Account pushes to the chain's
** server URL, as WeChat documents it: the URL check (echostr), followers' messages
** and events as flat XML, signed with the account's token (SHA-1 of the sorted
** token, timestamp and nonce) and, in safe mode, encrypted (AES-256-CBC under the
** EncodingAESKey, with a random prefix, the length and the appid inside, signed
** over the ciphertext too).
*/
#ifndef O2O_NOTIFY_WECHAT_CALLBACK_H
#define O2O_NOTIFY_WECHAT_CALLBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct messengers;

/* One pushed message or event (fields WeChat leaves out are ""). */
struct wechat_push {
    char to[64], from[129];        /* the account's id; the follower's openid */
    char msg_type[16];             /* text | image | voice | video | location | link | event */
    char event[40];                /* subscribe | unsubscribe | TEMPLATESENDJOBFINISH | ... */
    char content[2048];            /* a text's content (or a voice's recognition) */
    char msg_id[32];               /* MsgId (MsgID for a template job's event) */
    char status[64];               /* TEMPLATESENDJOBFINISH: success | failed:user block | failed: system failed */
    char pic_url[512];
    int64_t create_time;           /* epoch s */
};

/* Is this a request of WeChat's (its signature over the account's token, a fresh
** timestamp)? False when the account has no "token" configured. */
bool wechat_cb_signed(const struct messengers *m, const char *signature, const char *timestamp, const char *nonce);
/* The message of a POST: in safe mode (msg_signature given) the <Encrypt> is
** verified and decrypted first. O2O_EUNAUTH for a forged or stale one, O2O_EINVAL
** for one that is not WeChat's XML. */
int wechat_cb_read(const struct messengers *m, const char *body, size_t len, const char *signature,
                   const char *msg_signature, const char *timestamp, const char *nonce, struct wechat_push *out);
/* A field of WeChat's flat XML (CDATA or text) into out; false when absent. */
bool wechat_xml_field(const char *xml, const char *name, char *out, size_t cap);
/* The plain XML message encrypted as WeChat would send it (for tests and the
** simulator's counterpart): base64 into out (owned). */
char *wechat_cb_encrypt(const struct messengers *m, const char *xml);

#endif
