/*
** jobs.h -- background jobs that keep the data honest without anyone asking:
** expired reservations give their stock back, points lots expire. Each run takes
** a lease row first, so that of many processes on one database only one runs it.
*/
#ifndef O2O_APP_JOBS_H
#define O2O_APP_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "db/db.h"

/* Take or renew the lease on a job for ttl_ms; *got tells whether we hold it. */
int job_lease(struct db_conn *c, const char *name, const char *holder, int64_t ttl_ms, bool *got);
/* Record the outcome of a run (transaction body helper). */
int job_record(struct db_conn *c, const char *name, const char *result);

/* One pass of every due job, each in its own transaction; returns 0 or the first
** error. holder names this process. */
int jobs_run_due(struct db *db, const char *holder);

#endif
