/*
** app.h -- what the files of app/ share. app/ wires the binary: the command line
** (main.c), start-up, the background threads and shutdown of `o2o serve`
** (serve.c), the route table (routes.c) and the leased jobs (jobs.c). It is the
** only folder that starts threads for background work and the only one that
** knows every context; nothing includes it but tests and benchmarks.
*/
#ifndef O2O_APP_APP_H
#define O2O_APP_APP_H

#include <stddef.h>
#include <stdint.h>

#include "db/db.h"

#ifndef O2O_VERSION
#define O2O_VERSION "dev"
#endif

/* The options of every command (main.c parses them). */
struct opts {
    const char *db;
    const char *listen;
    const char *access_log;
    int threads;
    int commit_batch;
    int64_t jobs_every_ms;
    int64_t reco_every_s;
    const char *gateways;
    const char *carriers;
    const char *messaging;
    const char *imap;
    const char *public_url;
    const char *store;
    const char *timezone;
    const char *channel;
    const char *prefix;
    const char *smtp;
    const char *mail_from;
    const char *trusted_networks;
    const char *trusted_proxies;
    int64_t max_conns;
    int64_t max_conns_per_client;
    int64_t head_timeout_s;
    int64_t body_timeout_s;
    int dev;
    int64_t members;
    int64_t sales_days;       /* o2o demo: days of till sales history */
    int64_t products;
    const char *args[4];
    int nargs;
};

/* Open the database at o->db (making a SQLite file's directory), migrating it or
** checking its schema; prints why not on stderr. */
int app_open_db(const struct opts *o, struct db **db, int migrate);
/* On an empty staff table create the owner; print a generated password once. */
int app_bootstrap_owner(struct db *db);
/* o2o serve: returns the process's exit status. */
int app_serve(const struct opts *o);

/* The route table (routes.c). */
struct http_route;
const struct http_route *app_routes(size_t *n);
#endif
