/*
** receipt.h -- e-receipts of till sales: a signed token per order that the
** receipt's QR code carries; a signed-in member who scans it claims the sale once:
** it is linked to her and its points are credited.
*/
#ifndef O2O_SALES_RECEIPT_H
#define O2O_SALES_RECEIPT_H

#include <stdint.h>

#include "db/db.h"

#define RECEIPT_TOKEN_MAX 48

/* Make sure the signing key exists (a transaction body; run once at start). */
int receipt_init(struct db_conn *c);
/* The token of an order's receipt: "<order id>-<24 hex of HMAC-SHA256>". */
int receipt_token(struct db_conn *c, int64_t order_id, char out[RECEIPT_TOKEN_MAX]);
/* The order a token stands for; O2O_ENOTFOUND for a malformed or forged token. */
int receipt_parse(struct db_conn *c, const char *token, int64_t *order_id);
/* Claim (single use): *points credited. O2O_ECONFLICT already_claimed. */
int receipt_claim(struct db_conn *c, const char *token, int64_t member_id, const char *actor, int64_t *order_id,
                  int64_t *points);
/* Who claimed an order's receipt (0: nobody yet). */
int receipt_claimed_by(struct db_conn *c, int64_t order_id, int64_t *member_id);

/* A merge (transaction body): what belonged to member `from` becomes `to`'s. */
int receipt_move_member(struct db_conn *c, int64_t from, int64_t to);
#endif
