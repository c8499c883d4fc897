/*
** err.h -- the one status convention of o2o.
** Functions that can fail return int: 0 is success, a negative enum o2o_err
** names the failure. Details live in a thread-local record set by err_set().
*/
#ifndef O2O_CORE_ERR_H
#define O2O_CORE_ERR_H

#include <stdint.h>

enum o2o_err {
    O2O_OK = 0,
    O2O_EINVAL = -1,     /* bad input: wrong type, missing field, bad value */
    O2O_ENOTFOUND = -2,  /* an id or code that does not exist */
    O2O_EEXISTS = -3,    /* unique key already taken */
    O2O_ECONFLICT = -4,  /* state does not allow it (balance, transition) */
    O2O_EFORBIDDEN = -5, /* authenticated but outside role or scope */
    O2O_EUNAUTH = -6,    /* no or bad credentials */
    O2O_ESTOCK = -7,     /* not enough available stock */
    O2O_ETOOBIG = -8,    /* request body over the limit */
    O2O_ETHROTTLE = -9,  /* too many attempts, retry later */
    O2O_EMETHOD = -10,   /* method not allowed on this path */
    O2O_EROUTE = -11,    /* no such route */
    O2O_EJSON = -12,     /* body is not valid JSON */
    O2O_EIDEM = -13,     /* idempotency key reused with another request */
    O2O_EDB = -14,       /* storage failure: a bug or the disk, never input */
    O2O_ENOMEM = -15,    /* out of memory */
    O2O_ERETRY = -16,    /* transient storage conflict: the caller may retry */
    O2O_ERR_COUNT_ = 17
};

/* The thread-local error record. Fields are always NUL-terminated. */
struct err_rec {
    int rc;          /* the enum o2o_err value */
    char code[48];   /* stable machine code, e.g. "out_of_stock" */
    char field[96];  /* JSON path of the offending input, or "" */
    char msg[240];   /* one line, human readable */
    int retry_after; /* seconds: when a refusal (throttle, busy) may be retried, or 0 */
};

/* Record an error and return rc, so callers write `return err_set(...)`.
** code may be NULL for the default code of rc; field may be NULL. */
int err_set(int rc, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Say when the current error may be retried (seconds, at least 1); returns rc. */
int err_retry_after(int rc, int64_t seconds);

/* The current thread's record (borrowed, valid until the next err_ call). */
const struct err_rec *err_last(void);

/* Forget the current record. */
void err_clear(void);

/* Copy the current record out / put a saved one back (to hand errors across threads). */
void err_save(struct err_rec *out);
void err_restore(const struct err_rec *rec);

/* Default machine code for rc ("invalid", "not_found", ...). */
const char *err_default_code(int rc);

#endif
