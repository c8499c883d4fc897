/*
** crypto.c -- RSA-SHA256, AES-256-GCM and base64 over OpenSSL's EVP interface.
** Tests: tests/unit/test_pay.c (vectors made by the openssl command and NIST).
*/
#include "pay/crypto.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/mem.h"

struct pay_key {
    EVP_PKEY *pkey;
};

static struct pay_key *load(const char *path, bool priv)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *p;
    struct pay_key *k;
    if (!f) {
        err_set(O2O_EINVAL, "bad_key", NULL, "cannot open key file %.150s", path);
        return NULL;
    }
    p = priv ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (!p) {
        err_set(O2O_EINVAL, "bad_key", NULL, "%.150s is not a PEM %s key", path, priv ? "private" : "public");
        return NULL;
    }
    k = xcalloc(1, sizeof *k);
    k->pkey = p;
    return k;
}

struct pay_key *pay_key_load_private(const char *path)
{
    return load(path, true);
}

struct pay_key *pay_key_load_public(const char *path)
{
    return load(path, false);
}

void pay_key_free(struct pay_key *k)
{
    if (!k)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

char *pay_b64_encode(const unsigned char *data, size_t len)
{
    char *out = xmalloc(4 * ((len + 2) / 3) + 1);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

unsigned char *pay_b64_decode(const char *s, size_t *len)
{
    size_t n = strlen(s), pad = 0;
    unsigned char *out;
    int got;
    if (n % 4)
        return NULL;
    out = xmalloc(n / 4 * 3 + 1);
    got = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (got < 0) {
        free(out);
        return NULL;
    }
    if (n && s[n - 1] == '=')
        pad++;
    if (n > 1 && s[n - 2] == '=')
        pad++;
    *len = (size_t)got - pad;
    return out;
}

char *pay_rsa_sign(struct pay_key *k, const char *msg, size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char *sig = NULL;
    size_t siglen = 0;
    char *out = NULL;
    if (ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1 &&
        EVP_DigestSign(ctx, NULL, &siglen, (const unsigned char *)msg, len) == 1) {
        sig = xmalloc(siglen);
        if (EVP_DigestSign(ctx, sig, &siglen, (const unsigned char *)msg, len) == 1)
            out = pay_b64_encode(sig, siglen);
    }
    free(sig);
    EVP_MD_CTX_free(ctx);
    return out;
}

bool pay_rsa_verify(struct pay_key *k, const char *msg, size_t len, const char *sig_b64)
{
    size_t siglen = 0;
    unsigned char *sig = sig_b64 ? pay_b64_decode(sig_b64, &siglen) : NULL;
    EVP_MD_CTX *ctx;
    bool ok = false;
    if (!sig || !k)
        return false;
    ctx = EVP_MD_CTX_new();
    if (ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k->pkey) == 1)
        ok = EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    free(sig);
    return ok;
}

char *pay_aes_gcm_decrypt(const char *key, const char *nonce, const char *aad, const char *ciphertext_b64)
{
    size_t n = 0;
    unsigned char *ct = pay_b64_decode(ciphertext_b64, &n);
    EVP_CIPHER_CTX *ctx = NULL;
    unsigned char *pt = NULL;
    int len = 0, fin = 0;
    bool ok = false;
    if (!ct || n < 16 || strlen(key) != 32)
        goto done;
    ctx = EVP_CIPHER_CTX_new();
    pt = xmalloc(n + 1);
    if (!ctx || EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, (int)strlen(nonce), NULL) != 1 ||
        EVP_DecryptInit_ex(ctx, NULL, NULL, (const unsigned char *)key, (const unsigned char *)nonce) != 1)
        goto done;
    if (aad && *aad && EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) != 1)
        goto done;
    if (EVP_DecryptUpdate(ctx, pt, &len, ct, (int)(n - 16)) != 1)
        goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, ct + n - 16) != 1)
        goto done;
    ok = EVP_DecryptFinal_ex(ctx, pt + len, &fin) == 1;
done:
    EVP_CIPHER_CTX_free(ctx);
    free(ct);
    if (!ok) {
        free(pt);
        return NULL;
    }
    pt[len + fin] = 0;
    return (char *)pt;
}
