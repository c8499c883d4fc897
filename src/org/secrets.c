/*
** secrets.c -- the server's own keys (see secrets.h). Owns table server_secrets.
** No HTTP or JSON here. Tests: tests/e2e/test_receipts.py, tests/e2e/test_security.py
*/
#include "org/secrets.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"

#define MAX_KEYS 8

static struct {
    pthread_mutex_t mu;
    int n;
    char name[MAX_KEYS][48];
    unsigned char key[MAX_KEYS][SECRET_BYTES];
} cache = {PTHREAD_MUTEX_INITIALIZER, 0, {{0}}, {{0}}};

int secret_init(struct db_conn *c, const char *name)
{
    unsigned char key[SECRET_BYTES];
    char hex[2 * SECRET_BYTES + 1];
    int64_t n;
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    n = db_exec(c, "INSERT INTO server_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING", "tt",
                name, hex);
    sodium_memzero(key, sizeof key);
    return n < 0 ? (int)n : 0;
}

int secret_key(struct db_conn *c, const char *name, unsigned char key[SECRET_BYTES])
{
    struct db_stmt *s = NULL;
    char hex[2 * SECRET_BYTES + 1] = "";
    size_t n = 0;
    int rc = 0;
    pthread_mutex_lock(&cache.mu);
    for (int i = 0; i < cache.n; i++)
        if (!strcmp(cache.name[i], name)) {
            memcpy(key, cache.key[i], SECRET_BYTES);
            pthread_mutex_unlock(&cache.mu);
            return 0;
        }
    rc = db_query(c, &s, "SELECT value FROM server_secrets WHERE name = $1", "t", name);
    if (rc == DB_ROW)
        str_copy(hex, sizeof hex, db_col_text(s, 0));
    db_done(s);
    if (rc == DB_DONE)
        rc = err_set(O2O_EDB, "no_secret", NULL, "the key %s is missing (run secret_init)", name);
    else if (rc == DB_ROW && !sodium_hex2bin(key, SECRET_BYTES, hex, strlen(hex), NULL, &n, NULL) &&
             n == SECRET_BYTES) {
        rc = 0;
        if (cache.n < MAX_KEYS) {
            str_copy(cache.name[cache.n], sizeof cache.name[0], name);
            memcpy(cache.key[cache.n++], key, SECRET_BYTES);
        }
    } else if (rc >= 0) {
        rc = err_set(O2O_EDB, "bad_secret", NULL, "the key %s is malformed", name);
    }
    pthread_mutex_unlock(&cache.mu);
    return rc;
}
