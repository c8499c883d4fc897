/*
** wechat_callback.c -- the WeChat Official Account's pushes: the signature over the
** account's token (SHA-1 of token, timestamp and nonce sorted and joined), safe
** mode's msg_signature (the same with the <Encrypt> text) and its AES-256-CBC
** message (key: the 43-character EncodingAESKey plus '=' as base64; IV: the key's
** first 16 bytes; PKCS#7 padding to 32 bytes; inside: 16 random bytes, the
** message's length in 4 bytes big-endian, the message, the appid), and the flat
** XML of a message or an event.
*/
#include "notify/wechat_callback.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/util.h"
#include "notify/provider.h"

#define MAX_SKEW_S 300

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* SHA-1 hex of the n strings sorted and joined. */
static void sorted_sha1(const char **parts, size_t n, char hex[41])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char md[20];
    unsigned int len = 0;
    qsort(parts, n, sizeof parts[0], cmp_str);
    EVP_DigestInit_ex(ctx, EVP_sha1(), NULL);
    for (size_t i = 0; i < n; i++)
        EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]));
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    msg_hex(hex, md, sizeof md);
}

static bool same(const char *a, const char *b)
{
    size_t n = strlen(a);
    return b && strlen(b) == n && !CRYPTO_memcmp(a, b, n);
}

bool wechat_sig_ok(const char *token, const char *signature, const char *timestamp, const char *nonce,
                   const char *encrypt)
{
    const char *parts[4] = {token, timestamp ? timestamp : "", nonce ? nonce : "", encrypt};
    char hex[41];
    if (!token || !*token || !signature)
        return false;
    sorted_sha1(parts, encrypt ? 4 : 3, hex);
    return same(hex, signature);
}

static bool aes_key(const char *encoding_aes_key, unsigned char key[32])
{
    char b64[48];
    unsigned char out[36];
    if (strlen(encoding_aes_key) != 43)
        return false;
    snprintf(b64, sizeof b64, "%s=", encoding_aes_key);
    return EVP_DecodeBlock(out, (const unsigned char *)b64, 44) == 33 && (memcpy(key, out, 32), true);
}

int wechat_decrypt(const char *encoding_aes_key, const char *appid, const char *encrypt, char **xml)
{
    unsigned char key[32], *ct, *pt;
    size_t b64len = strlen(encrypt), n;
    int len = 0, fin = 0, clen;
    uint32_t mlen;
    EVP_CIPHER_CTX *ctx;
    *xml = NULL;
    if (!aes_key(encoding_aes_key, key))
        return err_set(O2O_EINVAL, "bad_config", "encoding_aes_key", "the EncodingAESKey is 43 characters");
    if (!b64len || b64len % 4 || b64len > 1 << 20)
        return err_set(O2O_EUNAUTH, "bad_message", NULL, "not WeChat's ciphertext");
    ct = xmalloc(b64len);
    clen = EVP_DecodeBlock(ct, (const unsigned char *)encrypt, (int)b64len);
    if (clen > 0) /* EVP_DecodeBlock counts the padding's zero bytes */
        clen -= (encrypt[b64len - 1] == '=') + (encrypt[b64len - 2] == '=');
    if (clen <= 0 || clen % 32) {
        free(ct);
        return err_set(O2O_EUNAUTH, "bad_message", NULL, "not WeChat's ciphertext");
    }
    pt = xmalloc((size_t)clen + 32);
    ctx = EVP_CIPHER_CTX_new();
    EVP_DecryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, key);
    EVP_CIPHER_CTX_set_padding(ctx, 0); /* WeChat pads to 32 bytes, not to the block */
    EVP_DecryptUpdate(ctx, pt, &len, ct, clen);
    EVP_DecryptFinal_ex(ctx, pt + len, &fin);
    EVP_CIPHER_CTX_free(ctx);
    free(ct);
    n = (size_t)(len + fin);
    if (n >= 20 && pt[n - 1] >= 1 && pt[n - 1] <= 32)
        n -= pt[n - 1];
    else
        n = 0;
    mlen = n >= 20 ? (uint32_t)pt[16] << 24 | (uint32_t)pt[17] << 16 | (uint32_t)pt[18] << 8 | pt[19] : 0;
    if (n < 20 || mlen > n - 20 || n - 20 - mlen != strlen(appid) || memcmp(pt + 20 + mlen, appid, n - 20 - mlen)) {
        free(pt);
        return err_set(O2O_EUNAUTH, "bad_message", NULL, "not a message for this account");
    }
    *xml = xmalloc(mlen + 1);
    memcpy(*xml, pt + 20, mlen);
    (*xml)[mlen] = 0;
    free(pt);
    return 0;
}

char *wechat_encrypt(const char *encoding_aes_key, const char *appid, const char *xml)
{
    unsigned char key[32], *pt, *ct;
    size_t mlen = strlen(xml), alen = strlen(appid), n = 20 + mlen + alen, pad = 32 - n % 32;
    int len = 0, fin = 0;
    char *out;
    EVP_CIPHER_CTX *ctx;
    if (!aes_key(encoding_aes_key, key))
        return NULL;
    pt = xmalloc(n + pad);
    RAND_bytes(pt, 16);
    pt[16] = (unsigned char)(mlen >> 24);
    pt[17] = (unsigned char)(mlen >> 16);
    pt[18] = (unsigned char)(mlen >> 8);
    pt[19] = (unsigned char)mlen;
    memcpy(pt + 20, xml, mlen);
    memcpy(pt + 20 + mlen, appid, alen);
    memset(pt + n, (int)pad, pad);
    ct = xmalloc(n + pad + 32);
    ctx = EVP_CIPHER_CTX_new();
    EVP_EncryptInit_ex(ctx, EVP_aes_256_cbc(), NULL, key, key);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    EVP_EncryptUpdate(ctx, ct, &len, pt, (int)(n + pad));
    EVP_EncryptFinal_ex(ctx, ct + len, &fin);
    EVP_CIPHER_CTX_free(ctx);
    out = xmalloc(4 * ((size_t)(len + fin) + 2) / 3 + 4);
    msg_b64(out, ct, (size_t)(len + fin));
    free(pt);
    free(ct);
    return out;
}

static bool fresh(const char *timestamp)
{
    int64_t t;
    int64_t now = now_ms() / 1000;
    return timestamp && !parse_i64(timestamp, 0, INT64_MAX / 2, &t) && t > now - MAX_SKEW_S && t < now + MAX_SKEW_S;
}

bool wechat_cb_signed(const struct messengers *m, const char *signature, const char *timestamp, const char *nonce)
{
    const char *token = messengers_wechat(m, "token");
    return fresh(timestamp) && wechat_sig_ok(token, signature, timestamp, nonce, NULL);
}

int wechat_cb_read(const struct messengers *m, const char *body, size_t len, const char *signature,
                   const char *msg_signature, const char *timestamp, const char *nonce, struct wechat_push *out)
{
    char *xml = NULL, num[24], *enc = NULL;
    const char *doc = body;
    int rc = 0;
    memset(out, 0, sizeof out[0]);
    if (!wechat_cb_signed(m, signature, timestamp, nonce))
        return err_set(O2O_EUNAUTH, "bad_signature", "signature", "not signed by WeChat with this account's token");
    if (memchr(body, 0, len))
        return err_set(O2O_EINVAL, "bad_message", NULL, "not WeChat's XML");
    if (msg_signature && *msg_signature) {
        enc = xmalloc(len + 1);
        if (!wechat_xml_field(body, "Encrypt", enc, len + 1))
            rc = err_set(O2O_EINVAL, "bad_message", NULL, "safe mode without <Encrypt>");
        else if (!wechat_sig_ok(messengers_wechat(m, "token"), msg_signature, timestamp, nonce, enc))
            rc = err_set(O2O_EUNAUTH, "bad_signature", "msg_signature", "the ciphertext is not signed by WeChat");
        else
            rc = wechat_decrypt(messengers_wechat(m, "encoding_aes_key"), messengers_wechat(m, "appid"), enc, &xml);
        free(enc);
        if (rc)
            return rc;
        doc = xml;
    }
    if (!strstr(doc, "<xml>") || !wechat_xml_field(doc, "FromUserName", out->from, sizeof out->from) ||
        !wechat_xml_field(doc, "MsgType", out->msg_type, sizeof out->msg_type)) {
        free(xml);
        return err_set(O2O_EINVAL, "bad_message", NULL, "not WeChat's XML");
    }
    wechat_xml_field(doc, "ToUserName", out->to, sizeof out->to);
    wechat_xml_field(doc, "Event", out->event, sizeof out->event);
    if (!wechat_xml_field(doc, "Content", out->content, sizeof out->content))
        wechat_xml_field(doc, "Recognition", out->content, sizeof out->content);
    if (!wechat_xml_field(doc, "MsgId", out->msg_id, sizeof out->msg_id))
        wechat_xml_field(doc, "MsgID", out->msg_id, sizeof out->msg_id);
    wechat_xml_field(doc, "Status", out->status, sizeof out->status);
    wechat_xml_field(doc, "PicUrl", out->pic_url, sizeof out->pic_url);
    if (wechat_xml_field(doc, "CreateTime", num, sizeof num))
        parse_i64(num, 0, INT64_MAX / 2, &out->create_time);
    free(xml);
    return 0;
}

char *wechat_cb_encrypt(const struct messengers *m, const char *xml)
{
    return wechat_encrypt(messengers_wechat(m, "encoding_aes_key"), messengers_wechat(m, "appid"), xml);
}
