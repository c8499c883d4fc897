/*
** auth.h -- staff accounts, bearer sessions, channel API keys and member
** one-time codes; turning a bearer token into a principal.
*/
#ifndef O2O_IDENTITY_AUTH_H
#define O2O_IDENTITY_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "db/db.h"

#define AUTH_STAFF_TTL_MS (12LL * 3600 * 1000)
#define AUTH_MEMBER_TTL_MS (30LL * 24 * 3600 * 1000)
#define AUTH_MAX_FAILURES 5          /* failed logins per username and client address before a lock */
#define AUTH_MAX_USER_FAILURES 50    /* per username from every address outside the trusted networks */
#define AUTH_OTP_WINDOW_MS (10 * 60 * 1000)
#define AUTH_OTP_PER_PHONE 5         /* codes sent to one phone per window */
#define AUTH_OTP_TTL_MS (5 * 60 * 1000)
#define AUTH_OTP_MAX_ATTEMPTS 5

struct staff {
    int64_t id;
    char username[65];
    char name[129];
    char password[129];       /* input only: plain text, never stored */
    char role[24];            /* owner | region_manager | store_manager | clerk | service_agent */
    char scope_kind[12];      /* chain | region | location */
    char scope_code[65];      /* input: region or location code */
    int64_t scope_id;
    bool active;
};

struct api_key {
    int64_t id;
    char name[129];
    char channel[16];         /* pos | web | app | miniprogram | phone | marketplace */
    char location_code[65];   /* required for pos */
    int64_t location_id;
    char prefix[16];
    char key[80];             /* output of api_key_create only */
};

/* Hash a password with argon2id (slow on purpose: call off the event loop). */
int auth_hash_password(const char *password, char out[128]);

/* May who create an account with this role? The owner creates every role;
** a region manager store managers and clerks; a store manager clerks. Service
** agents and region managers are made by the owner (they act chain- or region-wide).
** 0 or O2O_EFORBIDDEN. The new account's scope must also lie in who's scope. */
int staff_may_create(const struct principal *who, enum role role);

/* Create a staff account; pw_hash from auth_hash_password. */
int staff_create(struct db_conn *c, struct staff *s, const char *pw_hash);
int staff_count(struct db_conn *c, int64_t *out);

/* Log in, step 1 (transaction body): count this attempt before the password is
** checked, by conditional updates, so that no number of parallel attempts in any
** number of processes passes the limit. Counted per username and client address
** (settings login_failures_per_client, default 5: an attacker locks out her own
** address only) and, unless the client is in a trusted network, per username
** (login_failures_per_user, default 50: a distributed guesser). A lock lasts 30 s,
** doubling per further failure, at most 15 min. O2O_ETHROTTLE with the retry time
** in the error record while locked. Unknown usernames are counted the same way. */
int staff_login_claim(struct db_conn *c, const char *username, const char *client, bool trusted);
/* Log in, step 2 (a read; slow on purpose, call off the event loop): verify the
** password. 0 with *who filled, O2O_EUNAUTH for a wrong username or password. */
int staff_verify(struct db_conn *c, const char *username, const char *password, struct principal *who);
/* Log in, step 3 (transaction body), after a success: issue a session (token, 80
** bytes) and clear the counts of this username from this client. */
int staff_login_commit(struct db_conn *c, const char *username, const char *client, int64_t staff_id,
                       char token[80], int64_t *expires_at);

/* Resolve a bearer token (session or API key) to a principal. O2O_EUNAUTH if unknown/expired. */
int auth_resolve(struct db_conn *c, const char *token, struct principal *out);
/* End a session. */
int auth_logout(struct db_conn *c, const char *token);

int api_key_create(struct db_conn *c, struct api_key *k);

/* Member sign-in: send a code (via outbox; at most otp_codes_per_phone per phone
** per 10 minutes, counted by a conditional upsert), then verify it for a session
** (each try counted before the code is compared; five per code). */
int otp_request(struct db_conn *c, const char *phone_e164, bool dev_log);
int otp_verify(struct db_conn *c, const char *phone_e164, const char *code, char token[80], int64_t *member_id,
               int64_t *expires_at);

/* A member identifies herself at a till with a code sent to her phone: like
** otp_verify, but no session is opened and no member created; *member_id is 0
** after a wrong code (the try commits). */
int otp_identify(struct db_conn *c, const char *phone_e164, const char *code, int64_t *member_id);

/* Role name <-> bit. */
enum role role_parse(const char *name);

#endif
