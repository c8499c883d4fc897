/*
** auth.c -- staff, sessions, API keys and one-time codes.
** Owns tables staff, login_throttle, sessions, api_keys, otp_codes, otp_sends.
** Passwords are argon2id (libsodium); tokens are random and stored only as
** SHA-256 hashes. No HTTP or JSON here. Tests: tests/unit/test_auth.c
*/
#include "identity/auth.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/util.h"
#include "member/member.h"
#include "member/reach.h"
#include "org/channel.h"
#include "org/location.h"
#include "org/outbox.h"
#include "org/settings.h"

#define MODULE_NAME "identity/auth"

enum role role_parse(const char *name)
{
    static const enum role all[] = {ROLE_OWNER, ROLE_REGION_MANAGER, ROLE_STORE_MANAGER, ROLE_CLERK,
                                    ROLE_SERVICE_AGENT};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(name, role_name(all[i])))
            return all[i];
    return ROLE_NONE;
}

int staff_may_create(const struct principal *who, enum role role)
{
    static const struct {
        enum role creator;
        unsigned creates;     /* role bits */
    } grants[] = {
        {ROLE_OWNER, ROLE_OWNER | ROLE_REGION_MANAGER | ROLE_STORE_MANAGER | ROLE_CLERK | ROLE_SERVICE_AGENT},
        {ROLE_REGION_MANAGER, ROLE_STORE_MANAGER | ROLE_CLERK},
        {ROLE_STORE_MANAGER, ROLE_CLERK},
    };
    for (size_t i = 0; i < sizeof grants / sizeof grants[0]; i++)
        if (grants[i].creator == who->role && (grants[i].creates & role))
            return 0;
    return err_set(O2O_EFORBIDDEN, "role_forbidden", "role", "a %s cannot create a %s", role_name(who->role),
                   role_name(role));
}

int auth_hash_password(const char *password, char out[128])
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE / 2) != 0)
        return err_set(O2O_ENOMEM, NULL, NULL, "password hashing ran out of memory");
    return 0;
}

int staff_create(struct db_conn *c, struct staff *s, const char *pw_hash)
{
    enum role r = role_parse(s->role);
    int64_t id = 0;
    int rc;
    if (!is_code(s->username))
        return err_set(O2O_EINVAL, NULL, "username", "username must be 1-64 of A-Z a-z 0-9 _ - .");
    if (r == ROLE_NONE)
        return err_set(O2O_EINVAL, NULL, "role",
                       "role must be owner, region_manager, store_manager, clerk or service_agent");
    if (!s->scope_kind[0])
        str_copy(s->scope_kind, sizeof s->scope_kind,
                 r == ROLE_OWNER ? "chain" : r == ROLE_REGION_MANAGER ? "region" : "location");
    s->scope_id = 0;
    if (!strcmp(s->scope_kind, "region")) {
        struct region reg;
        if (region_get_by_code(c, s->scope_code, &reg))
            return err_set(O2O_ENOTFOUND, "unknown_region", "scope", "no region with code %s", s->scope_code);
        s->scope_id = reg.id;
    } else if (!strcmp(s->scope_kind, "location")) {
        struct location loc;
        if (location_get_by_code(c, s->scope_code, &loc))
            return err_set(O2O_ENOTFOUND, "unknown_location", "scope", "no location with code %s", s->scope_code);
        s->scope_id = loc.id;
    } else if (strcmp(s->scope_kind, "chain")) {
        return err_set(O2O_EINVAL, NULL, "scope_kind", "scope_kind must be chain, region or location");
    }
    if (r == ROLE_OWNER && strcmp(s->scope_kind, "chain"))
        return err_set(O2O_EINVAL, NULL, "scope_kind", "an owner's scope is the whole chain");
    if ((r == ROLE_STORE_MANAGER || r == ROLE_CLERK) && strcmp(s->scope_kind, "location"))
        return err_set(O2O_EINVAL, NULL, "scope_kind", "store managers and clerks belong to one location");
    rc = db_scalar_i64(c, &id,
                       "INSERT INTO staff (username, name, password_hash, role, scope_kind, scope_id, active, "
                       "created_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7) RETURNING id",
                       "tttttIi", s->username, s->name, pw_hash, s->role, s->scope_kind, s->scope_id,
                       now_ms());
    if (rc == O2O_EEXISTS)
        return err_set(O2O_EEXISTS, "username_taken", "username", "username %s is taken", s->username);
    if (rc)
        return rc;
    s->id = id;
    s->active = true;
    return 0;
}

int staff_count(struct db_conn *c, int64_t *out)
{
    return db_scalar_i64(c, out, "SELECT COUNT(*) FROM staff", NULL);
}

static void scope_from(const char *kind, int64_t id, struct principal *p)
{
    p->scope = !strcmp(kind, "region") ? SCOPE_REGION : !strcmp(kind, "location") ? SCOPE_LOCATION : SCOPE_CHAIN;
    p->scope_id = id;
}

static int new_session(struct db_conn *c, const char *kind, int64_t subject, int64_t ttl, char token[80],
                       int64_t *expires_at)
{
    char rnd[65], hash[65];
    int64_t n, now = now_ms();
    random_hex(rnd, 32);
    snprintf(token, 80, "o2o_%c_%s", kind[0], rnd);
    sha256_hex(hash, token, strlen(token));
    *expires_at = now + ttl;
    n = db_exec(c, "INSERT INTO sessions (token_hash, kind, subject_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)",
                "ttiii", hash, kind, subject, *expires_at, now);
    /* opportunistic clean-up of expired sessions */
    if (n >= 0)
        n = db_exec(c, "DELETE FROM sessions WHERE expires_at < $1", "i", now - 24 * 3600 * 1000LL);
    return n < 0 ? (int)n : 0;
}

/* A lock after the limit: 30 s, doubling per further failure, at most 15 min (in SQL, as a CASE). */
#define LOCK_AFTER(over)                                                                                        \
    "CASE WHEN " over " < 0 THEN 0 WHEN " over " = 0 THEN $3 + 30000 WHEN " over " = 1 THEN $3 + 60000 "    \
    "WHEN " over " = 2 THEN $3 + 120000 WHEN " over " = 3 THEN $3 + 240000 WHEN " over " = 4 THEN $3 + 480000 " \
    "ELSE $3 + 900000 END"

/* Count an attempt on key unless it is locked; the count and the lock change in
** one conditional update, so parallel attempts cannot pass together. */
static int claim(struct db_conn *c, const char *key, int64_t limit, int64_t now)
{
    int64_t n, until = 0;
    n = db_exec(c, "INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES ($1, 0, 0, $2) "
                   "ON CONFLICT (key) DO NOTHING",
                "ti", key, now);
    if (n >= 0)
        n = db_exec(c,
                    "UPDATE login_throttle SET updated_at = $3, failures = failures + 1, "
                    "locked_until = " LOCK_AFTER("failures + 1 - $2") " WHERE key = $1 AND locked_until <= $3",
                    "tii", key, limit, now);
    if (n < 0)
        return (int)n;
    if (n == 1)
        return 0;
    if (db_scalar_i64(c, &until, "SELECT locked_until FROM login_throttle WHERE key = $1", "t", key))
        return err_last()->rc;
    err_set(O2O_ETHROTTLE, "too_many_attempts", NULL, "too many failed logins; retry in %" PRId64 " s",
            (until - now + 999) / 1000);
    return err_retry_after(O2O_ETHROTTLE, (until - now + 999) / 1000);
}

int staff_login_claim(struct db_conn *c, const char *username, const char *client, bool trusted)
{
    char key[160];
    int64_t now = now_ms(), per_client, per_user;
    int rc = settings_i64(c, "login_failures_per_client", AUTH_MAX_FAILURES, &per_client);
    if (!rc)
        rc = settings_i64(c, "login_failures_per_user", AUTH_MAX_USER_FAILURES, &per_user);
    if (rc)
        return rc;
    snprintf(key, sizeof key, "a:%s u:%s", client, username);
    rc = claim(c, key, per_client, now);
    if (!rc && !trusted) {
        /* from a trusted network (the office, the stores) the right password still works */
        snprintf(key, sizeof key, "u:%s", username);
        rc = claim(c, key, per_user, now);
    }
    return rc;
}

int staff_verify(struct db_conn *c, const char *username, const char *password, struct principal *who)
{
    struct db_stmt *s = NULL;
    char hash[160] = "", scope_kind[16] = "", role[24] = "";
    int64_t id = 0, scope_id = 0, active = 0;
    int rc = db_query(c, &s, "SELECT id, password_hash, role, scope_kind, scope_id, active FROM staff WHERE username = $1",
                      "t", username);
    if (rc == DB_ROW) {
        id = db_col_i64(s, 0);
        str_copy(hash, sizeof hash, db_col_text(s, 1));
        str_copy(role, sizeof role, db_col_text(s, 2));
        str_copy(scope_kind, sizeof scope_kind, db_col_text(s, 3));
        scope_id = db_col_i64(s, 4);
        active = db_col_i64(s, 5);
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (!id || !active || crypto_pwhash_str_verify(hash, password, strlen(password)) != 0)
        return err_set(O2O_EUNAUTH, "bad_credentials", NULL, "wrong username or password");
    memset(who, 0, sizeof *who);
    who->role = role_parse(role);
    who->id = id;
    scope_from(scope_kind, scope_id, who);
    str_copy(who->name, sizeof who->name, username);
    return 0;
}

int staff_login_commit(struct db_conn *c, const char *username, const char *client, int64_t staff_id,
                       char token[80], int64_t *expires_at)
{
    char k1[160], k2[160];
    int64_t n;
    snprintf(k1, sizeof k1, "a:%s u:%s", client, username);
    snprintf(k2, sizeof k2, "u:%s", username);
    n = db_exec(c, "DELETE FROM login_throttle WHERE key = $1 OR key = $2", "tt", k1, k2);
    if (n < 0)
        return (int)n;
    return new_session(c, "staff", staff_id, AUTH_STAFF_TTL_MS, token, expires_at);
}

int auth_resolve(struct db_conn *c, const char *token, struct principal *out)
{
    struct db_stmt *s = NULL;
    char hash[65];
    int rc;
    memset(out, 0, sizeof *out);
    if (!token || strncmp(token, "o2o_", 4) || strlen(token) > 100)
        return err_set(O2O_EUNAUTH, "bad_token", NULL, "unknown or malformed token");
    sha256_hex(hash, token, strlen(token));
    if (token[4] == 'k') {
        rc = db_query(c, &s, "SELECT id, channel, location_id, name FROM api_keys WHERE key_hash = $1 AND active = 1",
                      "t", hash);
        if (rc == DB_ROW) {
            out->role = ROLE_CHANNEL;
            out->id = db_col_i64(s, 0);
            str_copy(out->channel, sizeof out->channel, db_col_text(s, 1));
            if (db_col_null(s, 2)) {
                out->scope = SCOPE_CHAIN;
            } else {
                out->scope = SCOPE_LOCATION;
                out->scope_id = db_col_i64(s, 2);
            }
            str_copy(out->name, sizeof out->name, db_col_text(s, 3));
        }
    } else if (token[4] == 's') {
        rc = db_query(c, &s,
                      "SELECT st.id, st.role, st.scope_kind, st.scope_id, st.username FROM sessions se "
                      "JOIN staff st ON st.id = se.subject_id WHERE se.token_hash = $1 AND se.kind = 'staff' "
                      "AND se.expires_at > $2 AND st.active = 1",
                      "ti", hash, now_ms());
        if (rc == DB_ROW) {
            out->id = db_col_i64(s, 0);
            out->role = role_parse(db_col_text(s, 1));
            scope_from(db_col_text(s, 2), db_col_i64(s, 3), out);
            str_copy(out->name, sizeof out->name, db_col_text(s, 4));
        }
    } else if (token[4] == 'm') {
        rc = db_query(c, &s,
                      "SELECT m.id, m.phone FROM sessions se JOIN members m ON m.id = se.subject_id "
                      "WHERE se.token_hash = $1 AND se.kind = 'member' AND se.expires_at > $2 AND m.status = 'active'",
                      "ti", hash, now_ms());
        if (rc == DB_ROW) {
            out->role = ROLE_MEMBER;
            out->id = db_col_i64(s, 0);
            out->scope = SCOPE_SELF;
            out->scope_id = out->id;
            str_copy(out->name, sizeof out->name, db_col_text(s, 1));
        }
    } else {
        rc = DB_DONE;
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW || out->role == ROLE_NONE)
        return err_set(O2O_EUNAUTH, "bad_token", NULL, "unknown or expired token");
    return 0;
}

int auth_logout(struct db_conn *c, const char *token)
{
    char hash[65];
    int64_t n;
    sha256_hex(hash, token, strlen(token));
    n = db_exec(c, "DELETE FROM sessions WHERE token_hash = $1", "t", hash);
    return n < 0 ? (int)n : 0;
}

int api_key_create(struct db_conn *c, struct api_key *k)
{
    char rnd[65], hash[65];
    int rc;
    int64_t id = 0;
    if (!sales_channel_ok(k->channel))
        return err_set(O2O_EINVAL, NULL, "channel", "channel must be " SALES_CHANNELS_TEXT);
    k->location_id = 0;
    if (k->location_code[0]) {
        struct location loc;
        if (location_get_by_code(c, k->location_code, &loc))
            return err_set(O2O_ENOTFOUND, "unknown_location", "location", "no location with code %s",
                           k->location_code);
        k->location_id = loc.id;
    } else if (!strcmp(k->channel, "pos")) {
        return err_set(O2O_EINVAL, NULL, "location", "a pos key is bound to a store: give its location code");
    }
    random_hex(rnd, 24);
    snprintf(k->key, sizeof k->key, "o2o_k_%s", rnd);
    str_copy(k->prefix, sizeof k->prefix, k->key);
    sha256_hex(hash, k->key, strlen(k->key));
    rc = db_scalar_i64(c, &id,
                       "INSERT INTO api_keys (key_hash, prefix, name, channel, location_id, active, created_at) "
                       "VALUES ($1, $2, $3, $4, $5, 1, $6) RETURNING id",
                       "ttttIi", hash, k->prefix, k->name, k->channel, k->location_id, now_ms());
    if (rc)
        return rc;
    k->id = id;
    return 0;
}

int otp_request(struct db_conn *c, const char *phone, bool dev_log)
{
    char code[8], hash[65], buf[96], msg[160];
    int64_t now = now_ms(), n, limit = AUTH_OTP_PER_PHONE, start = 0;
    uint32_t r = randombytes_uniform(1000000);
    int rc = settings_i64(c, "otp_codes_per_phone", AUTH_OTP_PER_PHONE, &limit);
    if (rc)
        return rc;
    /* at most `limit` codes per phone per window, counted by one conditional upsert */
    n = db_exec(c,
                "INSERT INTO otp_sends (phone, window_start, sent) VALUES ($1, $2, 1) ON CONFLICT (phone) DO UPDATE "
                "SET sent = CASE WHEN otp_sends.window_start <= $3 THEN 1 ELSE otp_sends.sent + 1 END, "
                "window_start = CASE WHEN otp_sends.window_start <= $3 THEN $2 ELSE otp_sends.window_start END "
                "WHERE otp_sends.window_start <= $3 OR otp_sends.sent < $4",
                "tiii", phone, now, now - AUTH_OTP_WINDOW_MS, limit);
    if (n < 0)
        return (int)n;
    if (n == 0) {
        rc = db_scalar_i64(c, &start, "SELECT window_start FROM otp_sends WHERE phone = $1", "t", phone);
        if (rc)
            return rc;
        err_set(O2O_ETHROTTLE, "too_many_codes", "phone", "too many codes requested for this phone; wait %" PRId64 " s",
                (start + AUTH_OTP_WINDOW_MS - now + 999) / 1000);
        return err_retry_after(O2O_ETHROTTLE, (start + AUTH_OTP_WINDOW_MS - now + 999) / 1000);
    }
    snprintf(code, sizeof code, "%06u", (unsigned)r);
    snprintf(buf, sizeof buf, "%s:%s", phone, code);
    sha256_hex(hash, buf, strlen(buf));
    n = db_exec(c, "INSERT INTO otp_codes (phone, code_hash, expires_at, attempts, used, created_at) VALUES ($1, $2, $3, 0, 0, $4)",
                "ttii", phone, hash, now + AUTH_OTP_TTL_MS, now);
    if (n < 0)
        return (int)n;
    snprintf(msg, sizeof msg, "Your o2o sign-in code is %s. It expires in 5 minutes.", code);
    {
        /* to the phone she signs in with (the code proves she holds it), whatever she prefers */
        struct notice note = {"otp", "auth", msg, 2, {"code", "minutes"}, {code, "5"}, now + AUTH_OTP_TTL_MS};
        if ((rc = phone_notify(c, phone, &note, NULL)))
            return rc;
    }
    if (dev_log)
        log_info("development mode: SMS to %s: %s", phone, msg);
    return 0;
}

/* Check a code sent to phone, counting the try first; *ok when it matched (the
** code is then used up). A wrong code returns 0 with *ok false: the try commits. */
static int otp_check(struct db_conn *c, const char *phone, const char *code, bool *ok)
{
    struct db_stmt *s = NULL;
    char buf[96], hash[65];
    int64_t id = 0, attempts = 0, n;
    bool match = false;
    int rc;

    *ok = false;
    rc = db_query(c, &s,
                  "SELECT id, code_hash, attempts FROM otp_codes WHERE phone = $1 AND used = 0 AND expires_at > $2 "
                  "ORDER BY id DESC LIMIT 1",
                  "ti", phone, now_ms());
    if (rc == DB_ROW) {
        id = db_col_i64(s, 0);
        attempts = db_col_i64(s, 2);
        snprintf(buf, sizeof buf, "%s:%s", phone, code);
        sha256_hex(hash, buf, strlen(buf));
        match = !strcmp(hash, db_col_text(s, 1));
    }
    db_done(s);
    if (rc < 0)
        return rc;
    if (!id)
        return err_set(O2O_EUNAUTH, "no_code", "code", "no valid code for this phone: request a new one");
    /* the try is counted before the code is compared, by a conditional update */
    n = attempts >= AUTH_OTP_MAX_ATTEMPTS
            ? 0
            : db_exec(c, "UPDATE otp_codes SET attempts = attempts + 1 WHERE id = $1 AND attempts < $2", "ii", id,
                      (int64_t)AUTH_OTP_MAX_ATTEMPTS);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_ETHROTTLE, "too_many_attempts", "code", "too many wrong codes: request a new one");
    if (!match)
        return 0;
    n = db_exec(c, "UPDATE otp_codes SET used = 1 WHERE id = $1 AND used = 0", "i", id);
    if (n < 0)
        return (int)n;
    if (n == 0)
        return err_set(O2O_EUNAUTH, "no_code", "code", "code already used");
    *ok = true;
    return 0;
}

int otp_verify(struct db_conn *c, const char *phone, const char *code, char token[80], int64_t *member_id,
               int64_t *expires_at)
{
    struct member m;
    bool ok;
    int rc = otp_check(c, phone, code, &ok);
    *member_id = 0;
    if (rc || !ok)
        return rc; /* a wrong code: the try commits; the caller reports the failure */
    /* a phone that signs in for the first time becomes a member */
    rc = member_get_by_phone(c, phone, &m);
    if (rc == O2O_ENOTFOUND) {
        memset(&m, 0, sizeof m);
        str_copy(m.phone, sizeof m.phone, phone);
        rc = member_create(c, &m);
    }
    if (rc)
        return rc;
    *member_id = m.id;
    return new_session(c, "member", m.id, AUTH_MEMBER_TTL_MS, token, expires_at);
}

int otp_identify(struct db_conn *c, const char *phone, const char *code, int64_t *member_id)
{
    struct member m;
    bool ok;
    int rc = otp_check(c, phone, code, &ok);
    *member_id = 0;
    if (rc || !ok)
        return rc;
    rc = member_get_by_phone(c, phone, &m);
    if (rc == O2O_ENOTFOUND)
        return err_set(O2O_ENOTFOUND, "unknown_member", "phone", "no member with phone %s", phone);
    if (!rc)
        *member_id = m.id;
    return rc;
}
