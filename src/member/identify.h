/*
** identify.h -- a member identifies herself at a till: her member code (a short
** signed code her app shows as a QR code, valid two minutes) or a code sent to
** her phone. Either grants that till's key the sight of her and the use of her
** points for one sale (ended by the sale, or after IDENTIFY_GRANT_MS).
*/
#ifndef O2O_MEMBER_IDENTIFY_H
#define O2O_MEMBER_IDENTIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

#define MEMBER_CODE_MS (2 * 60 * 1000)
#define IDENTIFY_GRANT_MS (15 * 60 * 1000)
#define MEMBER_CODE_MAX 64

/* Make sure the member-code key exists (a transaction body; run once at start). */
int identify_init(struct db_conn *c);

/* Her member code as of now: "M<id>.<expiry s>.<mac>". */
int member_code_make(struct db_conn *c, int64_t member_id, int64_t now, char out[MEMBER_CODE_MAX],
                     int64_t *expires_at);
/* The member a code stands for; O2O_ENOTFOUND (code unknown_code) when forged or
** malformed, O2O_ECONFLICT (code expired_code) when too old. */
int member_code_read(struct db_conn *c, const char *code, int64_t now, int64_t *member_id);

/* Transaction bodies: grant a till key the member (via: member_code | phone_code),
** and end it when the sale is made. */
int till_grant(struct db_conn *c, int64_t key_id, int64_t member_id, const char *via, int64_t now);
int till_grant_end(struct db_conn *c, int64_t key_id, int64_t member_id);
/* Has the key a live grant for the member? */
int till_granted(struct db_conn *c, int64_t key_id, int64_t member_id, int64_t now, bool *yes);

/* A merge: the tills' sight of the merged member ends. */
int till_grants_forget(struct db_conn *c, int64_t member_id);
/* The same as a member mover (member.h): `to` gains nothing. */
int till_grants_move(struct db_conn *c, int64_t from, int64_t to);
#endif
