/*
** serve.c -- `o2o serve`: start-up (the database, the bootstrap owner, gateways and
** carriers, the worker queues), every background thread of the process (tickers
** that run the contexts' turns: the leased jobs, the order watcher, the
** recommendation model, reports at closing time, the outbox's delivery, the
** gateway sweeper), the HTTP server with the route table, and shutdown in the
** reverse order.
*/
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "app/app.h"
#include "app/jobs.h"
#include "behaviour/events.h"
#include "core/err.h"
#include "core/log.h"
#include "core/ticker.h"
#include "core/util.h"
#include "core/workq.h"
#include "db/db.h"
#include "http/http.h"
#include "identity/handlers.h"
#include "insight/attribution.h"
#include "insight/handlers.h"
#include "member/coupon.h"
#include "desk/mail_in.h"
#include "notify/messaging.h"
#include "org/delivery.h"
#include "member/friends.h"
#include "member/identify.h"
#include "member/member.h"
#include "member/points.h"
#include "net/httpc.h"
#include "pay/gateway.h"
#include "pay/providers.h"
#include "presence/presence.h"
#include "reports/handlers.h"
#include "sales/handlers.h"
#include "sales/order.h"
#include "sales/receipt.h"
#include "ship/carrier.h"

#define MODULE_NAME "serve"

static struct db *serve_db;

/* What a member merge moves, context by context, in this order (member.h). */
static const struct member_mover movers[] = {
    {"points", points_move_ledger},
    {"orders", order_move_member},
    {"coupons", coupon_move_member},
    {"receipts", receipt_move_member},
    {"events", events_move_member},
    {"sightings", presence_move_member},
    {"recommendations shown", attribution_move_member},
    {"relations", friends_move_member},
    {"tills' grants", till_grants_move},
};

/* The leased jobs (jobs.c), every --jobs-every ms. */
static void jobs_tick(void *arg)
{
    if (jobs_run_due(serve_db, arg))
        log_warn("background jobs: %s", err_last()->msg);
}

static void on_signal(int sig)
{
    (void)sig;
    http_stop();
}

static struct app *serve_app;
static const char *serve_host = "127.0.0.1";

static void on_listening(int port)
{
    const char *host = strcmp(serve_host, "0.0.0.0") ? serve_host : "127.0.0.1";
    if (!serve_app->public_url[0])
        snprintf(serve_app->public_url, sizeof serve_app->public_url, "http://%s:%d", host, port);
    printf("o2o %s serving on http://%s:%d/ (backend %s)\n", O2O_VERSION, host, port, db_kind(serve_db));
    fflush(stdout);
}

static int init_receipts(struct db_conn *c, void *arg)
{
    int rc;
    (void)arg;
    rc = receipt_init(c);
    return rc ? rc : identify_init(c);
}

static void on_thread_start(int index)
{
    (void)index;
    db_reader(serve_db); /* open this loop's read connection before traffic */
}

int app_serve(const struct opts *o)
{
    struct db *db = NULL;
    struct app app;
    struct http_config cfg;
    struct ticker *bg[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    struct delivery delivery;
    struct desk_mailbox mailbox;
    char holder[96], hostname[64] = "host";
    char host[64];
    const char *colon = strrchr(o->listen, ':');
    int64_t port;
    int rc;

    if (!colon || (size_t)(colon - o->listen) >= sizeof host || parse_i64(colon + 1, 0, 65535, &port)) {
        fprintf(stderr, "o2o: --listen must be ADDR:PORT\n");
        return 2;
    }
    memcpy(host, o->listen, (size_t)(colon - o->listen));
    host[colon - o->listen] = 0;
    if (o->imap && ((strncmp(o->imap, "imap://", 7) && strncmp(o->imap, "imaps://", 8)) || strlen(o->imap) > 255)) {
        fprintf(stderr, "o2o: --imap must be imap://USER@HOST:PORT/MAILBOX (or imaps://)\n");
        return 2;
    }
    if (http_check_networks(o->trusted_networks, "--trusted-networks") ||
        http_check_networks(o->trusted_proxies, "--trusted-proxies")) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        return 2;
    }
    if (app_open_db(o, &db, 1))
        return 1;
    if (app_bootstrap_owner(db)) {
        db_close(db);
        return 1;
    }
    if (o->commit_batch)
        db_set_max_batch(db, o->commit_batch);
    serve_db = db;
    memset(&app, 0, sizeof app);
    app.db = db;
    app.dev = o->dev;
    app.started_at = now_ms();
    {
        size_t np;
        const struct gw_provider *const *providers = gw_providers(&np);
        rc = gateways_load(o->gateways, providers, np, &app.gateways);
    }
    if (rc) {
        fprintf(stderr, "o2o: --gateways: %s\n", err_last()->msg);
        gateways_free(app.gateways);
        db_close(db);
        return 1;
    }
    if (carriers_load(o->carriers, &app.carriers)) {
        fprintf(stderr, "o2o: --carriers: %s\n", err_last()->msg);
        carriers_free(app.carriers);
        gateways_free(app.gateways);
        db_close(db);
        return 1;
    }
    if (messengers_load(o->messaging, &app.messengers)) {
        fprintf(stderr, "o2o: --messaging: %s\n", err_last()->msg);
        messengers_free(app.messengers);
        carriers_free(app.carriers);
        gateways_free(app.gateways);
        db_close(db);
        return 1;
    }
    if (o->public_url) {
        size_t n = strlen(o->public_url);
        while (n && o->public_url[n - 1] == '/')
            n--;
        snprintf(app.public_url, sizeof app.public_url, "%.*s", (int)n, o->public_url);
    }
    if (db_txn(db, init_receipts, NULL)) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        messengers_free(app.messengers);
        carriers_free(app.carriers);
        gateways_free(app.gateways);
        db_close(db);
        return 1;
    }
    member_movers_set(movers, sizeof movers / sizeof movers[0]);
    serve_app = &app;
    serve_host = host;
    httpc_global_init();
    app.work = workq_start(2);
    app.io = workq_start(4);
    {
        /* heavy reads: half the cores, at a lower CPU priority than the tills' threads */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        app.heavy = workq_start_named(cores > 2 ? (int)(cores / 2) : 1, "o2o-heavy", 10);
    }
    api_init(&app);

    memset(&cfg, 0, sizeof cfg);
    cfg.routes = app_routes(&cfg.nroutes);
    cfg.schemas = api_schemas(&cfg.nschemas);
    cfg.host = host;
    cfg.port = (int)port;
    cfg.threads = o->threads;
    cfg.max_body = 1 << 20;
    cfg.max_big_body = 16 << 20;
    cfg.access_log = o->access_log;
    cfg.max_connections = (size_t)o->max_conns;
    cfg.max_connections_per_client = (size_t)o->max_conns_per_client;
    cfg.trusted_networks = o->trusted_networks;
    cfg.trusted_proxies = o->trusted_proxies;
    cfg.head_timeout_ms = (int)o->head_timeout_s * 1000;
    cfg.body_timeout_ms = (int)o->body_timeout_s * 1000;
    cfg.authorize = api_authorize;
    cfg.precheck = api_precheck;
    cfg.after = api_after;
    cfg.on_thread_start = on_thread_start;
    cfg.on_listening = on_listening;
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    /* every background thread of the process (the event loops, the storage's writers
    ** and the worker queues are the infrastructure's own) */
    gethostname(hostname, sizeof hostname - 1);
    snprintf(holder, sizeof holder, "%s:%d:%08x", hostname, (int)getpid(), randombytes_random());
    api_limits_start();
    api_watch_open();
    api_recommend_open(o->reco_every_s * 1000);
    api_deliver_configure(o->smtp, o->mail_from, getenv("O2O_WEBHOOK_SECRET"));
    bg[0] = ticker_start("o2o-jobs", o->jobs_every_ms, jobs_tick, holder);
    bg[1] = ticker_start("o2o-watch", 1, api_watch_tick, NULL); /* a turn waits for wakes itself */
    bg[2] = ticker_start("o2o-reco", 1000, api_recommend_tick, NULL);
    bg[3] = ticker_start("o2o-reports", o->jobs_every_ms < 60000 ? o->jobs_every_ms : 60000, api_reports_tick, NULL);
    bg[4] = ticker_start("o2o-deliver", o->jobs_every_ms < 1000 ? o->jobs_every_ms : 1000, api_deliver_tick, NULL);
    if (api_payments_active())
        bg[5] = ticker_start("o2o-sweep", o->jobs_every_ms < 1000 ? o->jobs_every_ms : 1000, api_payments_tick, NULL);
    delivery.db = db;
    delivery.messengers = app.messengers;
    bg[6] = ticker_start("o2o-messages", o->jobs_every_ms < 1000 ? o->jobs_every_ms : 1000, delivery_tick, &delivery);
    if (o->imap) {
        memset(&mailbox, 0, sizeof mailbox);
        mailbox.db = db;
        str_copy(mailbox.url, sizeof mailbox.url, o->imap);
        str_copy(mailbox.password, sizeof mailbox.password, getenv("O2O_IMAP_PASSWORD") ? getenv("O2O_IMAP_PASSWORD") : "");
        bg[7] = ticker_start("o2o-mailbox", o->jobs_every_ms < 5000 ? o->jobs_every_ms : 5000, desk_mail_tick, &mailbox);
    }
    rc = http_serve(&cfg);
    if (rc)
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
    for (size_t i = 0; i < sizeof bg / sizeof bg[0]; i++)
        ticker_stop(bg[i]);
    api_watch_close();
    api_recommend_close();
    api_limits_stop();
    workq_stop(app.heavy);
    workq_stop(app.io);
    workq_stop(app.work);
    db_close(db);
    gateways_free(app.gateways);
    carriers_free(app.carriers);
    messengers_free(app.messengers);
    http_cleanup();
    log_info("stopped");
    return rc ? 1 : 0;
}

