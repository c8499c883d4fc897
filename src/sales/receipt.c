/*
** receipt.c -- receipt tokens and claims. Owns table receipts (its key: secrets.c).
** A token is the order id and a MAC of it under a server key, so it needs no
** storage and can be printed again; the receipts row makes the claim single-use.
** No HTTP or JSON here. Tests: tests/e2e/test_receipts.py
*/
#include "sales/receipt.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "org/secrets.h"
#include "sales/order.h"

#define KEY_NAME "receipt_hmac_key"

int receipt_init(struct db_conn *c)
{
    return secret_init(c, KEY_NAME);
}

static void mac_hex(const unsigned char key[SECRET_BYTES], int64_t order_id, char out[25])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char msg[40], hex[2 * sizeof mac + 1];
    int n = snprintf(msg, sizeof msg, "receipt:%" PRId64, order_id);
    crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, key);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    memcpy(out, hex, 24);
    out[24] = 0;
}

int receipt_token(struct db_conn *c, int64_t order_id, char out[RECEIPT_TOKEN_MAX])
{
    char mac[25];
    unsigned char key[SECRET_BYTES];
    int rc = secret_key(c, KEY_NAME, key);
    if (rc)
        return rc;
    mac_hex(key, order_id, mac);
    snprintf(out, RECEIPT_TOKEN_MAX, "%" PRId64 "-%s", order_id, mac);
    return 0;
}

int receipt_parse(struct db_conn *c, const char *token, int64_t *order_id)
{
    const char *dash = token ? strchr(token, '-') : NULL;
    char idtext[24], want[25];
    unsigned char key[SECRET_BYTES];
    int64_t id;
    int rc = secret_key(c, KEY_NAME, key);
    if (rc)
        return rc;
    if (!dash || dash == token || (size_t)(dash - token) >= sizeof idtext || strlen(dash + 1) != 24)
        return err_set(O2O_ENOTFOUND, "unknown_receipt", "token", "not a receipt token");
    memcpy(idtext, token, (size_t)(dash - token));
    idtext[dash - token] = 0;
    if (parse_i64(idtext, 1, INT64_MAX, &id))
        return err_set(O2O_ENOTFOUND, "unknown_receipt", "token", "not a receipt token");
    mac_hex(key, id, want);
    if (sodium_memcmp(want, dash + 1, 24))
        return err_set(O2O_ENOTFOUND, "unknown_receipt", "token", "not a receipt token");
    *order_id = id;
    return 0;
}

int receipt_claimed_by(struct db_conn *c, int64_t order_id, int64_t *member_id)
{
    int rc = db_scalar_i64(c, member_id, "SELECT member_id FROM receipts WHERE order_id = $1", "i", order_id);
    if (rc == O2O_ENOTFOUND) {
        err_clear();
        *member_id = 0;
        return 0;
    }
    return rc;
}

int receipt_claim(struct db_conn *c, const char *token, int64_t member_id, const char *actor, int64_t *order_id,
                  int64_t *points)
{
    struct order o;
    int64_t n;
    int rc = receipt_parse(c, token, order_id);
    if (!rc)
        rc = order_get(c, *order_id, &o);
    if (rc)
        return rc;
    if (strcmp(o.channel, "pos"))
        return err_set(O2O_ECONFLICT, "not_a_till_sale", "token", "only till sales have receipts to claim");
    if (strcmp(o.status, "paid") && strcmp(o.status, "completed"))
        return err_set(O2O_ECONFLICT, "not_paid", "token", "order %" PRId64 " is %s", o.id, o.status);
    n = db_exec(c, "INSERT INTO receipts (order_id, member_id, claimed_at) VALUES ($1, $2, $3)", "iii", o.id, member_id,
                now_ms());
    if (n == O2O_EEXISTS || (o.member_id && n >= 0))
        return err_set(O2O_ECONFLICT, "already_claimed", "token", "this receipt already belongs to a member");
    if (n < 0)
        return (int)n;
    rc = order_link_member(c, o.id, member_id, actor, points);
    if (!rc) {
        n = db_exec(c, "UPDATE receipts SET points = $2 WHERE order_id = $1", "ii", o.id, *points);
        rc = n < 0 ? (int)n : 0;
    }
    return rc;
}

int receipt_move_member(struct db_conn *c, int64_t from, int64_t to)
{
    int64_t n = db_exec(c, "UPDATE receipts SET member_id = $2 WHERE member_id = $1", "ii", from, to);
    return n < 0 ? (int)n : 0;
}
