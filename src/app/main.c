/*
** main.c -- the o2o command line: its commands and options, opening the database,
** the bootstrap owner; migrate, demo, import, version and help here, serve in
** serve.c, the analytical commands in cli/.
*/
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "core/err.h"
#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "identity/auth.h"
#include "ingest/demo.h"
#include "ingest/import.h"

#define MODULE_NAME "main"


/* Every command and its options: `o2o help` prints them all, `o2o CMD --help` its own. */
static const struct {
    const char *name;
    const char *text;
} commands[] = {
    {"serve",
        "  serve     serve the HTTP API\n"
        "              --db URL          sqlite:PATH (default sqlite:data/o2o.db) or postgres://...\n"
        "              --listen ADDR:PORT (default 127.0.0.1:8080; port 0 picks a free one)\n"
        "              --threads N       event loops (default: one per core)\n"
        "              --access-log FILE access log ('-' for stdout; default none)\n"
        "              --dev             development mode: one-time codes are also logged\n"
        "              --public-url URL  how customers reach this server (receipt QR codes)\n"
        "              --carriers FILE   carriers that push tracking events (JSON, see docs/carriers.md)\n"
        "              --gateways FILE   WeChat Pay / Alipay settings (JSON, see docs/payments.md)\n"
        "              --messaging FILE  SMS and WeChat providers (JSON, see docs/messaging.md)\n"
        "              --imap URL        the service desk's mailbox, imap://USER@HOST:PORT/INBOX (password\n"
        "                                in O2O_IMAP_PASSWORD), polled every 5 s (docs/desk.md)\n"
        "              --jobs-every MS   run background jobs (reservation and points expiry) this often\n"
        "                                (default 5000)\n"
        "              --reco-every S    rebuild the recommendation model every S seconds (default 600)\n"
        "              --smtp URL        deliver e-mail (daily reports) through this SMTP server,\n"
        "                                e.g. smtp://mail.example.com:25 (default: none, kept in the outbox)\n"
        "              --mail-from ADDR  the sender of those e-mails\n"
        "              (O2O_WEBHOOK_SECRET signs webhook deliveries: X-O2O-Signature: sha256=HMAC)\n"
        "              --commit-batch N  SQLite: at most N writes per commit (default 1024; 1 disables\n"
        "                                group commit, for comparison)\n"
        "              --max-connections N           open connections per process (default 4096)\n"
        "              --max-connections-per-client N per client address outside the trusted\n"
        "                                networks (default 128)\n"
        "              --trusted-networks CIDR,...   no per-address caps or rate limits there\n"
        "                                (default 127.0.0.0/8,::1; \"\" for none)\n"
        "              --trusted-proxies CIDR,...    whose X-Forwarded-For names the client\n"
        "                                (default 127.0.0.0/8,::1; \"\" for none)\n"
        "              --head-timeout S  a request head must arrive within S seconds; also the\n"
        "                                keep-alive idle time (default 10)\n"
        "              --body-timeout S  a request body must arrive within S seconds (default 60)\n"},
    {"migrate",
        "  migrate   apply pending schema migrations (--db URL)\n"},
    {"demo",
        "  demo      load a demo chain: regions, stores, warehouses, brands, products, SKUs,\n"
        "            members and stock (--db URL, --members N, --products N)\n"},
    {"import",
        "  import    import a CSV file: o2o import KIND FILE [--db URL]; KIND sales takes\n"
        "            historical till sales (FILE may be .xz) [--store CODE] [--timezone TZ]\n"
        "            KIND: locations | products | members | stock | sales | events\n"
        "            (events: clickstream in the Taobao layout, FILE may be .xz [--channel NAME] [--prefix P])\n"},
    {"mine",
        "  mine      association rules of a basket file or of the paid orders in the database:\n"
        "            o2o mine rules [--input FILE | --db URL [--since YYYY-MM-DD]]\n"
        "            [--supp S] [--conf C] [--minlen N] [--maxlen N] [--sort lift|confidence|support|none]\n"
        "            [--limit N] [--format table|csv|json] (arules' semantics, see docs/insight.md)\n"},
    {"eval",
        "  eval      offline quality of the recommender: o2o eval recommendations\n"
        "            --input FILE[.xz] --split YYYY-MM-DD [--k N] (Online Retail layout)\n"},
    {"funnel",
        "  funnel    a conversion funnel over the recorded events:\n"
        "            o2o funnel STEP... [--window 7d] [--from D] [--to D] [--by channel|store|day]\n"
        "            [--format table|csv|json] [--db URL]; STEP is name or name:key=value[,key=value]\n"},
    {"paths",
        "  paths     the events before and after an event: o2o paths --event NAME [--from D] [--to D]\n"
        "            [--gap 30m] [--limit N] [--format table|csv|json] [--db URL]\n"},
    {"report",
        "  report    o2o report daily --store CODE|--region CODE|--chain --date YYYY-MM-DD\n"
        "            o2o report monthly [--store CODE|--region CODE] [--from YYYY-MM] [--to YYYY-MM]\n"
        "            [--format table|csv|json|html|xlsx] [--output FILE] [--db URL]\n"},
    {"version",
        "  version   print the version\n"},
    {"help",
        "  help      this text\n"},
};

static void print_usage(FILE *f, const char *only)
{
    if (!only)
        fputs("o2o " O2O_VERSION " -- omnichannel retail core\n\nusage: o2o COMMAND [options]   (o2o COMMAND --help: "
              "one command)\n\ncommands:\n",
              f);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!only || !strcmp(only, commands[i].name))
            fputs(commands[i].text, f);
    fputs("\nenvironment: O2O_OWNER_PASSWORD sets the bootstrap owner's password on first start;\n"
          "O2O_DB the default --db.\n",
          f);
}


static int parse_opts(int argc, char **argv, struct opts *o)
{
    memset(o, 0, sizeof *o);
    o->db = getenv("O2O_DB") ? getenv("O2O_DB") : "sqlite:data/o2o.db";
    o->listen = "127.0.0.1:8080";
    o->members = 100000;
    o->jobs_every_ms = 5000;
    o->reco_every_s = 600;
    o->products = 2000;
    o->sales_days = 28;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int64_t n;
        if (!strcmp(a, "--dev")) {
            o->dev = 1;
            continue;
        }
        if (a[0] == '-' && a[1] == '-' && !v) {
            fprintf(stderr, "o2o: %s needs a value\n", a);
            return -1;
        }
        if (!strcmp(a, "--db")) {
            o->db = v;
        } else if (!strcmp(a, "--listen")) {
            o->listen = v;
        } else if (!strcmp(a, "--access-log")) {
            o->access_log = v;
        } else if (!strcmp(a, "--threads")) {
            if (parse_i64(v, 1, 64, &n)) {
                fprintf(stderr, "o2o: --threads must be 1..64\n");
                return -1;
            }
            o->threads = (int)n;
        } else if (!strcmp(a, "--commit-batch")) {
            if (parse_i64(v, 1, 4096, &n)) {
                fprintf(stderr, "o2o: --commit-batch must be 1..4096\n");
                return -1;
            }
            o->commit_batch = (int)n;
        } else if (!strcmp(a, "--store")) {
            o->store = v;
        } else if (!strcmp(a, "--timezone")) {
            o->timezone = v;
        } else if (!strcmp(a, "--smtp")) {
            o->smtp = v;
        } else if (!strcmp(a, "--mail-from")) {
            o->mail_from = v;
        } else if (!strcmp(a, "--channel")) {
            o->channel = v;
        } else if (!strcmp(a, "--prefix")) {
            o->prefix = v;
        } else if (!strcmp(a, "--public-url")) {
            o->public_url = v;
        } else if (!strcmp(a, "--carriers")) {
            o->carriers = v;
        } else if (!strcmp(a, "--gateways")) {
            o->gateways = v;
        } else if (!strcmp(a, "--messaging")) {
            o->messaging = v;
        } else if (!strcmp(a, "--imap")) {
            o->imap = v;
        } else if (!strcmp(a, "--trusted-networks")) {
            o->trusted_networks = v;
        } else if (!strcmp(a, "--trusted-proxies")) {
            o->trusted_proxies = v;
        } else if (!strcmp(a, "--max-connections")) {
            if (parse_i64(v, 1, 1000000, &o->max_conns)) {
                fprintf(stderr, "o2o: --max-connections must be 1..1000000\n");
                return -1;
            }
        } else if (!strcmp(a, "--max-connections-per-client")) {
            if (parse_i64(v, 1, 1000000, &o->max_conns_per_client)) {
                fprintf(stderr, "o2o: --max-connections-per-client must be 1..1000000\n");
                return -1;
            }
        } else if (!strcmp(a, "--head-timeout")) {
            if (parse_i64(v, 1, 3600, &o->head_timeout_s)) {
                fprintf(stderr, "o2o: --head-timeout must be 1..3600 (seconds)\n");
                return -1;
            }
        } else if (!strcmp(a, "--body-timeout")) {
            if (parse_i64(v, 1, 3600, &o->body_timeout_s)) {
                fprintf(stderr, "o2o: --body-timeout must be 1..3600 (seconds)\n");
                return -1;
            }
        } else if (!strcmp(a, "--reco-every")) {
            if (parse_i64(v, 1, 86400, &o->reco_every_s)) {
                fprintf(stderr, "o2o: --reco-every must be 1..86400 (seconds)\n");
                return -1;
            }
        } else if (!strcmp(a, "--jobs-every")) {
            if (parse_i64(v, 100, 3600000, &o->jobs_every_ms)) {
                fprintf(stderr, "o2o: --jobs-every must be 100..3600000 (ms)\n");
                return -1;
            }
        } else if (!strcmp(a, "--members")) {
            if (parse_i64(v, 0, 100000000, &o->members)) {
                fprintf(stderr, "o2o: --members must be 0..100000000\n");
                return -1;
            }
        } else if (!strcmp(a, "--sales-days")) {
            if (parse_i64(v, 0, 3650, &o->sales_days)) {
                fprintf(stderr, "o2o: --sales-days must be 0..3650\n");
                return -1;
            }
        } else if (!strcmp(a, "--products")) {
            if (parse_i64(v, 1, 10000000, &o->products)) {
                fprintf(stderr, "o2o: --products must be 1..10000000\n");
                return -1;
            }
        } else if (a[0] == '-') {
            fprintf(stderr, "o2o: unknown option %s\n", a);
            return -1;
        } else {
            if (o->nargs < 4)
                o->args[o->nargs++] = a;
            continue;
        }
        i++;
    }
    return 0;
}

/* Make the directory of a SQLite path so that the first run just works. */
static void ensure_dir(const char *url)
{
    const char *path = !strncmp(url, "sqlite:", 7) ? url + 7 : url;
    const char *slash = strrchr(path, '/');
    char dir[512];
    if (!strncmp(url, "postgres", 8) || !slash || slash == path || (size_t)(slash - path) >= sizeof dir)
        return;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = 0;
    mkdir(dir, 0755);
}

int app_open_db(const struct opts *o, struct db **db, int migrate)
{
    int rc, applied = 0;
    ensure_dir(o->db);
    rc = db_open(db, o->db, 0);
    if (rc) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        return rc;
    }
    rc = migrate ? db_migrate(*db, &applied) : db_check_schema(*db);
    if (rc) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        db_close(*db);
        *db = NULL;
        return rc;
    }
    if (applied)
        log_info("applied %d migration(s); schema version %d", applied, db_latest_version());
    return 0;
}

struct boot {
    struct staff s;
    char hash[128];
};

static int boot_body(struct db_conn *c, void *arg)
{
    struct boot *b = arg;
    int64_t n = 0;
    int rc = staff_count(c, &n);
    if (rc || n)
        return rc;
    return staff_create(c, &b->s, b->hash);
}

/* On an empty staff table create the owner; print a generated password once. */
int app_bootstrap_owner(struct db *db)
{
    struct boot b;
    int64_t n = 0;
    const char *env = getenv("O2O_OWNER_PASSWORD");
    char pw[40];
    int rc;
    if (staff_count(db_reader(db), &n) || n)
        return 0;
    memset(&b, 0, sizeof b);
    if (env && strlen(env) >= 10) {
        str_copy(pw, sizeof pw, env);
    } else {
        if (env)
            log_warn("O2O_OWNER_PASSWORD is shorter than 10 characters; generating one");
        random_hex(pw, 10);
    }
    str_copy(b.s.username, sizeof b.s.username, "owner");
    str_copy(b.s.name, sizeof b.s.name, "Chain owner");
    str_copy(b.s.role, sizeof b.s.role, "owner");
    str_copy(b.s.scope_kind, sizeof b.s.scope_kind, "chain");
    rc = auth_hash_password(pw, b.hash);
    if (!rc)
        rc = db_txn(db, boot_body, &b);
    if (rc) {
        fprintf(stderr, "o2o: cannot create the bootstrap owner: %s\n", err_last()->msg);
        return rc;
    }
    if (b.s.id) {
        if (env && strlen(env) >= 10)
            printf("bootstrap owner: username 'owner', password from O2O_OWNER_PASSWORD\n");
        else
            printf("bootstrap owner: username 'owner' password '%s' (shown once: keep it)\n", pw);
        fflush(stdout);
    }
    return 0;
}

static int cmd_migrate(const struct opts *o)
{
    struct db *db = NULL;
    int v = 0;
    if (app_open_db(o, &db, 1))
        return 1;
    db_schema_version(db, &v);
    printf("schema version %d (%s)\n", v, db_kind(db));
    db_close(db);
    return 0;
}

static int cmd_demo(const struct opts *o)
{
    struct db *db = NULL;
    struct demo_opts d;
    struct demo_stats st;
    int rc;
    if (app_open_db(o, &db, 1))
        return 1;
    if (app_bootstrap_owner(db)) {
        db_close(db);
        return 1;
    }
    memset(&d, 0, sizeof d);
    d.members = o->members;
    d.products = o->products;
    d.sales_days = o->sales_days;
    d.progress = isatty(2);
    rc = demo_load(db, &d, &st);
    if (rc)
        fprintf(stderr, "o2o: demo failed: %s\n", err_last()->msg);
    else
        printf("demo chain loaded in %.1f s: %lld regions, %lld stores, %lld warehouses, %lld restaurants, "
               "%lld brands, %lld products, %lld SKUs, %lld members, %lld stock rows, %lld past till sales\n",
               (double)st.elapsed_ms / 1000, (long long)st.regions, (long long)st.stores, (long long)st.warehouses,
               (long long)st.restaurants, (long long)st.brands, (long long)st.products, (long long)st.skus,
               (long long)st.members, (long long)st.stock_rows, (long long)st.sales);
    db_close(db);
    return rc ? 1 : 0;
}

static int cmd_import(const struct opts *o)
{
    struct db *db = NULL;
    struct import_result r;
    int rc;
    if (o->nargs < 2) {
        fprintf(stderr, "usage: o2o import locations|products|members|stock FILE [--db URL]\n"
                        "       o2o import sales FILE[.xz] [--store CODE] [--timezone TZ] [--db URL]\n"
                        "       o2o import events FILE[.xz] [--channel NAME] [--prefix P] [--db URL]\n");
        return 2;
    }
    if (app_open_db(o, &db, 1))
        return 1;
    if (!strcmp(o->args[0], "events")) {
        int64_t t0 = mono_us();
        rc = import_events(db, o->args[1], o->channel ? o->channel : "app", o->prefix ? o->prefix : "u", isatty(2),
                           stderr, &r);
        if (rc)
            fprintf(stderr, "o2o: import failed: %s\n", err_last()->msg);
        else
            printf("imported %lld of %lld events from %s in %.1f s (%lld rejected, %lld already there)\n",
                   (long long)r.loaded, (long long)r.rows, o->args[1], (double)(mono_us() - t0) / 1e6,
                   (long long)r.rejected, (long long)r.skipped);
        db_close(db);
        return rc ? 1 : (r.rejected ? 3 : 0);
    }
    if (!strcmp(o->args[0], "sales")) {
        int64_t t0 = mono_us();
        rc = import_sales(db, o->args[1], o->store ? o->store : "RETAIL-IMPORT",
                          o->timezone ? o->timezone : "Europe/London", isatty(2), stderr, &r);
        if (rc)
            fprintf(stderr, "o2o: import failed: %s\n", err_last()->msg);
        else
            printf("imported %lld of %lld rows as %lld orders from %s in %.1f s (%lld rejected, %lld already there)\n",
                   (long long)r.loaded, (long long)r.rows, (long long)r.orders, o->args[1],
                   (double)(mono_us() - t0) / 1e6, (long long)r.rejected, (long long)r.skipped);
        db_close(db);
        return rc ? 1 : (r.rejected ? 3 : 0);
    }
    rc = import_csv(db, o->args[0], o->args[1], isatty(2), stderr, &r);
    if (rc && rc != O2O_EINVAL)
        fprintf(stderr, "o2o: import failed: %s\n", err_last()->msg);
    else if (rc)
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
    else
        printf("imported %lld of %lld rows from %s (%lld rejected)\n", (long long)r.loaded, (long long)r.rows,
               o->args[1], (long long)r.rejected);
    db_close(db);
    return rc ? 1 : (r.rejected ? 3 : 0);
}

int main(int argc, char **argv)
{
    struct opts o;
    const char *cmd = argc > 1 ? argv[1] : "help";
    if (sodium_init() < 0) {
        fprintf(stderr, "o2o: libsodium failed to initialise\n");
        return 1;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        print_usage(stdout, argc > 2 ? argv[2] : NULL); /* o2o help CMD: that command */
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("o2o %s\n", O2O_VERSION);
        return 0;
    }
    if (!strcmp(cmd, "mine"))
        return cli_mine(argc, argv);
    if (!strcmp(cmd, "eval"))
        return cli_eval(argc, argv);
    if (!strcmp(cmd, "funnel"))
        return cli_funnel(argc, argv);
    if (!strcmp(cmd, "paths"))
        return cli_paths(argc, argv);
    if (!strcmp(cmd, "report"))
        return cli_report(argc, argv);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(cmd, commands[i].name) && cli_help(argc, argv, commands[i].text))
            return 0;
    if (parse_opts(argc, argv, &o))
        return 2;
    if (!strcmp(cmd, "serve"))
        return app_serve(&o);
    if (!strcmp(cmd, "migrate"))
        return cmd_migrate(&o);
    if (!strcmp(cmd, "demo"))
        return cmd_demo(&o);
    if (!strcmp(cmd, "import"))
        return cmd_import(&o);
    fprintf(stderr, "o2o: unknown command '%s'\n\n", cmd);
    print_usage(stderr, NULL);
    return 2;
}
