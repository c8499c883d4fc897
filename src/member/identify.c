/*
** identify.c -- member codes and till grants (see identify.h). Owns table
** till_grants; its key lives in server_secrets (secrets.c). No HTTP or JSON.
** Tests: tests/e2e/test_security.py
*/
#include "member/identify.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "org/secrets.h"

#define KEY_NAME "member_code_key"
#define MAC_HEX 20

int identify_init(struct db_conn *c)
{
    return secret_init(c, KEY_NAME);
}

static int mac_of(struct db_conn *c, int64_t member_id, int64_t exp_s, char out[MAC_HEX + 1])
{
    unsigned char key[SECRET_BYTES], mac[crypto_auth_hmacsha256_BYTES];
    char msg[64], hex[2 * sizeof mac + 1];
    int n, rc = secret_key(c, KEY_NAME, key);
    if (rc)
        return rc;
    n = snprintf(msg, sizeof msg, "member-code:%" PRId64 ".%" PRId64, member_id, exp_s);
    crypto_auth_hmacsha256(mac, (const unsigned char *)msg, (unsigned long long)n, key);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    memcpy(out, hex, MAC_HEX);
    out[MAC_HEX] = 0;
    return 0;
}

int member_code_make(struct db_conn *c, int64_t member_id, int64_t now, char out[MEMBER_CODE_MAX],
                     int64_t *expires_at)
{
    char mac[MAC_HEX + 1];
    int64_t exp_s = (now + MEMBER_CODE_MS) / 1000;
    int rc = mac_of(c, member_id, exp_s, mac);
    if (rc)
        return rc;
    snprintf(out, MEMBER_CODE_MAX, "M%" PRId64 ".%" PRId64 ".%s", member_id, exp_s, mac);
    *expires_at = exp_s * 1000;
    return 0;
}

int member_code_read(struct db_conn *c, const char *code, int64_t now, int64_t *member_id)
{
    char idt[24], expt[24], want[MAC_HEX + 1];
    const char *d1 = code && code[0] == 'M' ? strchr(code, '.') : NULL, *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    int64_t id, exp_s;
    int rc;
    if (!d2 || (size_t)(d1 - code - 1) >= sizeof idt || (size_t)(d2 - d1 - 1) >= sizeof expt ||
        strlen(d2 + 1) != MAC_HEX)
        return err_set(O2O_ENOTFOUND, "unknown_code", "member_code", "not a member code");
    memcpy(idt, code + 1, (size_t)(d1 - code - 1));
    idt[d1 - code - 1] = 0;
    memcpy(expt, d1 + 1, (size_t)(d2 - d1 - 1));
    expt[d2 - d1 - 1] = 0;
    if (parse_i64(idt, 1, INT64_MAX, &id) || parse_i64(expt, 1, INT64_MAX / 1000, &exp_s))
        return err_set(O2O_ENOTFOUND, "unknown_code", "member_code", "not a member code");
    rc = mac_of(c, id, exp_s, want);
    if (rc)
        return rc;
    if (sodium_memcmp(want, d2 + 1, MAC_HEX))
        return err_set(O2O_ENOTFOUND, "unknown_code", "member_code", "not a member code");
    if (exp_s * 1000 < now)
        return err_set(O2O_ECONFLICT, "expired_code", "member_code", "the member code has expired: show a new one");
    *member_id = id;
    return 0;
}

int till_grant(struct db_conn *c, int64_t key_id, int64_t member_id, const char *via, int64_t now)
{
    int64_t n = db_exec(c,
                        "INSERT INTO till_grants (key_id, member_id, via, expires_at, created_at) VALUES ($1, $2, $3, $4, $5) "
                        "ON CONFLICT (key_id, member_id) DO UPDATE SET via = excluded.via, expires_at = excluded.expires_at, "
                        "created_at = excluded.created_at",
                        "iitii", key_id, member_id, via, now + IDENTIFY_GRANT_MS, now);
    /* grants of the past are cleared as new ones come */
    if (n >= 0)
        n = db_exec(c, "DELETE FROM till_grants WHERE expires_at < $1", "i", now - IDENTIFY_GRANT_MS);
    return n < 0 ? (int)n : 0;
}

int till_grant_end(struct db_conn *c, int64_t key_id, int64_t member_id)
{
    int64_t n = db_exec(c, "DELETE FROM till_grants WHERE key_id = $1 AND member_id = $2", "ii", key_id, member_id);
    return n < 0 ? (int)n : 0;
}

int till_granted(struct db_conn *c, int64_t key_id, int64_t member_id, int64_t now, bool *yes)
{
    int64_t n = 0;
    int rc = db_scalar_i64(c, &n,
                           "SELECT COUNT(*) FROM till_grants WHERE key_id = $1 AND member_id = $2 AND expires_at > $3",
                           "iii", key_id, member_id, now);
    *yes = !rc && n > 0;
    return rc;
}

int till_grants_forget(struct db_conn *c, int64_t member_id)
{
    int64_t n = db_exec(c, "DELETE FROM till_grants WHERE member_id = $1", "i", member_id);
    return n < 0 ? (int)n : 0;
}

int till_grants_move(struct db_conn *c, int64_t from, int64_t to)
{
    (void)to;
    return till_grants_forget(c, from);
}
