/*
** settlement.h -- the daily settlement of a store: payments and refunds by
** tender, reconciled with what the gateways reported, and the mismatches a
** cashier or the finance team must look at. Also the log of every gateway
** notification and answer (verified or not) that the reconciliation reads.
*/
#ifndef O2O_SALES_SETTLEMENT_H
#define O2O_SALES_SETTLEMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Record one gateway message (transaction body helper). */
int settlement_log(struct db_conn *c, const char *gateway, const char *source, const char *out_trade_no,
                   const char *out_refund_no, bool verified, const char *state, int64_t amount, const char *outcome,
                   int64_t location_id);

struct settlement_tender {
    char tender[16];
    int64_t payments, paid;       /* captured payments and their fen */
    int64_t refunds, refunded;    /* succeeded refunds and their fen */
    int64_t pending_refunds;      /* fen still on their way back */
};

struct settlement_issue {
    char kind[32];                /* amount_mismatch, unknown_trade, unconfirmed_capture, pending_payment,
                                     refund_pending, refund_failed, forged_notification */
    char out_trade_no[65];
    char detail[160];
};

struct settlement {
    char day[11];
    int64_t location_id;
    int ntenders;
    struct settlement_tender tenders[8];
    int64_t notifications, rejected;   /* verified and refused gateway notifications */
    int nissues;
    struct settlement_issue issues[64];
    bool more_issues;
};

/* The settlement of location_id (0: the whole chain) on local day "YYYY-MM-DD"
** in the location's time zone (Asia/Shanghai for the chain). */
int settlement_day(struct db_conn *c, int64_t location_id, const char *day, struct settlement *out);

#endif
