/*
** crypto.h -- the primitives payment gateways sign and encrypt with (OpenSSL's
** libcrypto): base64, RSA-SHA256 signatures (WeChat Pay v3 "SHA256-RSA2048",
** Alipay "RSA2") and AES-256-GCM decryption of WeChat Pay notification
** resources.
*/
#ifndef O2O_PAY_CRYPTO_H
#define O2O_PAY_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

struct pay_key; /* a loaded RSA key: private (to sign) or public (to verify) */

/* Load a PEM key from a file; NULL on failure (err_set). */
struct pay_key *pay_key_load_private(const char *path);
struct pay_key *pay_key_load_public(const char *path);
void pay_key_free(struct pay_key *k);

/* base64 of RSA-SHA256(msg) with a private key; owned string or NULL. */
char *pay_rsa_sign(struct pay_key *k, const char *msg, size_t len);
/* Does sig_b64 sign msg under the public key? */
bool pay_rsa_verify(struct pay_key *k, const char *msg, size_t len, const char *sig_b64);

/* AES-256-GCM: key 32 bytes, nonce text, aad text, ciphertext base64 with the
** 16-byte tag at its end (WeChat Pay's layout). Owned NUL-terminated plaintext
** or NULL when the tag does not authenticate. */
char *pay_aes_gcm_decrypt(const char *key, const char *nonce, const char *aad, const char *ciphertext_b64);

/* base64 (standard alphabet, padded). Owned strings; decode returns NULL on bad input. */
char *pay_b64_encode(const unsigned char *data, size_t len);
unsigned char *pay_b64_decode(const char *s, size_t *len);

#endif
