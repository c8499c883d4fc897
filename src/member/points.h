/*
** points.h -- the points ledger: earn, redeem, adjust, expire, transfer.
** Append-only; the balance is derived from it and never negative; points earned
** in any channel are spendable in any channel.
*/
#ifndef O2O_MEMBER_POINTS_H
#define O2O_MEMBER_POINTS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/principal.h"
#include "db/db.h"

struct points_op {
    int64_t member_id;
    int64_t points;           /* > 0; for earn, 0 means "compute from amount" */
    int64_t amount;           /* earn: fen spent (drives the earn rule and the tier) */
    char channel[16];
    int64_t location_id;      /* 0 when none */
    char reason[129];
    char ref[65];             /* e.g. order or receipt number */
    char idem_key[129];       /* optional; a repeat with the same key returns the first entry */
    int64_t to_member_id;     /* transfer target */
};

struct points_entry {
    int64_t id;
    int64_t member_id;
    char kind[16];
    int64_t points;           /* signed */
    int64_t remaining;
    int64_t expires_at;       /* 0 when none */
    char channel[16];
    int64_t location_id;
    char reason[129];
    char ref[65];
    int64_t created_at;
    int64_t balance;          /* member's balance after this entry (outputs only) */
    bool replayed;            /* output: an earlier entry with the same idem_key */
};

/* Transaction bodies. Redeem beyond the balance is O2O_ECONFLICT (code insufficient_points). */
int points_earn(struct db_conn *c, const struct points_op *op, struct points_entry *out);
int points_redeem(struct db_conn *c, const struct points_op *op, struct points_entry *out);
/* points may be negative (a correction); reason is required; audited. */
int points_adjust(struct db_conn *c, const struct principal *who, const struct points_op *op,
                  struct points_entry *out);
int points_transfer(struct db_conn *c, const struct points_op *op, struct points_entry *out);
/* Give back points that paid part of an order (a refund of the points tender). */
int points_refund(struct db_conn *c, const struct points_op *op, struct points_entry *out);
/* Take back points earned on goods that came back: as many of op->points as the
** balance still holds (never negative); op->amount fen leave the 12-month spend. */
int points_reverse(struct db_conn *c, const struct points_op *op, struct points_entry *out);
/* Move the whole ledger and balance of `from` to `to` (a member merge). */
int points_move_ledger(struct db_conn *c, int64_t from, int64_t to);
/* A job step (a transaction body): recompute every member's tier from her last
** 365 days of spend, TIER_BATCH members a step, in passes that start once a day
** and whenever the tier thresholds change. *count: members whose tier changed. */
#define TIER_BATCH 2000
int points_refresh_tiers(struct db_conn *c, int64_t now, int64_t *count);
/* Recompute a member's tier from her last 365 days of spend. */
int points_refresh_tier(struct db_conn *c, int64_t member_id);
/* Spend in fen over the last 365 days (the earn entries' amounts). */
int points_spend_12m(struct db_conn *c, int64_t member_id, int64_t *out);
/* Expire every lot whose time has come, oldest first; *count lots expired. */
int points_expire_due(struct db_conn *c, int64_t now, int64_t *count);

/* Reads. */
int points_balance(struct db_conn *c, int64_t member_id, int64_t *out);
/* Sum of the ledger (equals the balance; for checks). */
int points_ledger_sum(struct db_conn *c, int64_t member_id, int64_t *out);
/* Newest first; before_id 0 for the first page. */
int points_history(struct db_conn *c, int64_t member_id, int64_t before_id, int limit,
                   int (*cb)(const struct points_entry *e, void *arg), void *arg);
/* Points an amount earns for this member now (earn rule x tier multiplier). */
int points_for_amount(struct db_conn *c, int64_t member_id, int64_t amount, int64_t *out);

/* Points earned and redeemed at a store (0: everywhere) in [start, end). */
int points_period_totals(struct db_conn *c, int64_t loc, int64_t start, int64_t end, int64_t *issued,
                         int64_t *redeemed);

#endif
