/*
** funnel.c -- the commands `o2o funnel` and `o2o paths`: conversion funnels
** and the events around an event, over the events in the database, printed as
** a table, CSV or JSON.
*/
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "behaviour/behaviour.h"
#include "core/err.h"
#include "core/tz.h"
#include "core/util.h"
#include "db/db.h"
#include "org/settings.h"

static const char *funnel_usage =
    "usage: o2o funnel STEP... [--window 7d] [--from DATE] [--to DATE] [--by channel|store|day]\n"
    "                  [--timezone TZ] [--format table|csv|json] [--db URL]\n"
    "  STEP: an event name, or name:key=value[,key=value...] with key channel, store, item,\n"
    "        category, element, label, page or props.NAME (e.g. click:element=image)\n"
    "  --window: 7d, 12h, 30m or seconds (default 7d); --from/--to: YYYY-MM-DD or ISO-8601 UTC\n"
    "  (default: every event); --by: groups by the first step's channel, store or local day\n"
    "  (--timezone, default the chain's setting). Semantics: docs/behaviour.md\n";

static const char *paths_usage =
    "usage: o2o paths --event NAME [--from DATE] [--to DATE] [--gap 30m] [--limit N]\n"
    "                 [--timezone TZ] [--format table|csv|json] [--db URL]\n"
    "  a DATE is a local day of the chain (or of --timezone)\n"
    "  what users did right before and right after NAME (nothing within --gap: the path\n"
    "  starts or ends there)\n";

enum format { TABLE, CSV, JSON };

struct common {
    const char *db, *from, *to, *tz;
    enum format format;
    int64_t from_ms, to_ms;
    char zone[64];            /* dates are local days here: --timezone, else the chain's */
};

/* Options shared by both commands; returns 1 if consumed (with its value), 0 if not
** one of them, -1 on a bad value. */
static int common_opt(struct common *c, const char *a, const char *v)
{
    if (!strcmp(a, "--db"))
        c->db = v;
    else if (!strcmp(a, "--from"))
        c->from = v;
    else if (!strcmp(a, "--to"))
        c->to = v;
    else if (!strcmp(a, "--timezone"))
        c->tz = v;
    else if (!strcmp(a, "--format")) {
        if (!strcmp(v, "table"))
            c->format = TABLE;
        else if (!strcmp(v, "csv"))
            c->format = CSV;
        else if (!strcmp(v, "json"))
            c->format = JSON;
        else
            return -1;
    } else
        return 0;
    return 1;
}

static int common_open(struct common *c, struct db **db)
{
    c->from_ms = 946684800000LL;             /* 2000-01-01 */
    c->to_ms = now_ms() + 2 * 86400000LL;
    if (!c->db)
        c->db = getenv("O2O_DB") ? getenv("O2O_DB") : "sqlite:data/o2o.db";
    if (db_open(db, c->db, 0) || db_check_schema(*db)) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        if (*db)
            db_close(*db);
        return 1;
    }
    /* a date is a local day of the chain (or of --timezone) */
    settings_str(db_reader(*db), "timezone", "UTC", c->zone, sizeof c->zone);
    if (c->tz)
        str_copy(c->zone, sizeof c->zone, c->tz);
    if ((c->from && tz_parse_bound(c->zone, c->from, &c->from_ms)) ||
        (c->to && tz_parse_bound(c->zone, c->to, &c->to_ms))) {
        fprintf(stderr, "o2o: --%s is YYYY-MM-DD (a local day) or an ISO-8601 time\n",
                c->from && tz_parse_bound(c->zone, c->from, &c->from_ms) ? "from" : "to");
        db_close(*db);
        *db = NULL;
        return 2;
    }
    return 0;
}

/* "name:key=value,key=value" */
static int parse_step(const char *s, struct behaviour_step *st)
{
    const char *colon = strchr(s, ':');
    char buf[1024], *save = NULL;
    memset(st, 0, sizeof *st);
    if (!colon) {
        if (!*s || strlen(s) >= sizeof st->name)
            return -1;
        str_copy(st->name, sizeof st->name, s);
        return 0;
    }
    if (colon == s || (size_t)(colon - s) >= sizeof st->name || strlen(colon + 1) >= sizeof buf)
        return -1;
    memcpy(st->name, s, (size_t)(colon - s));
    st->name[colon - s] = 0;
    str_copy(buf, sizeof buf, colon + 1);
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        struct behaviour_filter *f;
        if (!eq || eq == tok || st->nwhere == BEHAVIOUR_MAX_WHERE)
            return -1;
        *eq = 0;
        f = &st->where[st->nwhere++];
        if (strlen(tok) >= sizeof f->key || strlen(eq + 1) >= sizeof f->value)
            return -1;
        str_copy(f->key, sizeof f->key, tok);
        str_copy(f->value, sizeof f->value, eq + 1);
    }
    return 0;
}

static double ratio(int64_t a, int64_t b)
{
    return b ? (double)a / (double)b : 0;
}

static void print_steps(const struct funnel_query *q, const char *group, const int64_t *reached, enum format f,
                        json_t *into)
{
    for (int k = 0; k < q->nsteps; k++) {
        double conv = k ? ratio(reached[k], reached[k - 1]) : 1, all = ratio(reached[k], reached[0]);
        if (f == JSON)
            json_array_append_new(into, json_pack("{s:s, s:I, s:f, s:f}", "name", q->steps[k].name, "users",
                                                  (json_int_t)reached[k], "conversion", conv, "overall", all));
        else if (f == CSV)
            printf("%s%s%s,%lld,%.4f,%.4f\n", group ? group : "", group ? "," : "", q->steps[k].name,
                   (long long)reached[k], conv, all);
        else if (group)
            printf("%-12s %-24s %12lld %9.1f%% %9.1f%%\n", group, q->steps[k].name, (long long)reached[k], 100 * conv,
                   100 * all);
        else
            printf("%-24s %12lld %9.1f%% %9.1f%%\n", q->steps[k].name, (long long)reached[k], 100 * conv, 100 * all);
    }
}

int cli_funnel(int argc, char **argv)
{
    static struct funnel_query q;
    static const char *bys[] = {"", "channel", "store", "day"};
    struct common c = {0};
    struct funnel_answer a;
    struct db *db = NULL;
    const char *window = "7d", *by = NULL;
    int rc;
    if (cli_help(argc, argv, funnel_usage))
        return 0;
    memset(&q, 0, sizeof q);
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            int r = v ? common_opt(&c, argv[i], v) : -1;
            if (!r && v && !strcmp(argv[i], "--window"))
                window = v, r = 1;
            else if (!r && v && !strcmp(argv[i], "--by"))
                by = v, r = 1;
            if (r != 1) {
                fprintf(stderr, "o2o: bad option %s\n%s", argv[i], funnel_usage);
                return 2;
            }
            i++;
        } else if (q.nsteps == FUNNEL_MAX_STEPS || parse_step(argv[i], &q.steps[q.nsteps++])) {
            fprintf(stderr, "o2o: bad step '%s' (at most %d)\n%s", argv[i], FUNNEL_MAX_STEPS, funnel_usage);
            return 2;
        }
    }
    if (!q.nsteps || parse_span_ms(window, &q.window_ms)) {
        fputs(funnel_usage, stderr);
        return 2;
    }
    for (int b = 1; by && b < 4; b++)
        if (!strcmp(by, bys[b]))
            q.by = (enum behaviour_by)b;
    if (by && q.by == BY_NONE) {
        fprintf(stderr, "o2o: --by is channel, store or day\n");
        return 2;
    }
    if ((rc = common_open(&c, &db)))
        return rc;
    q.from = c.from_ms;
    q.to = c.to_ms;
    q.threads = 2;
    str_copy(q.tz, sizeof q.tz, c.zone);
    rc = behaviour_funnel(db_reader(db), &q, &a);
    if (rc) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        db_close(db);
        return rc == O2O_EINVAL || rc == O2O_ENOTFOUND ? 2 : 1;
    }
    if (c.format == JSON) {
        json_t *o = json_object(), *steps = json_array(), *groups = json_array();
        char *s;
        print_steps(&q, NULL, a.reached, JSON, steps);
        json_object_set_new(o, "events", json_integer(a.events));
        json_object_set_new(o, "users", json_integer(a.users));
        json_object_set_new(o, "window_s", json_integer(q.window_ms / 1000));
        json_object_set_new(o, "steps", steps);
        for (int g = 0; g < a.ngroups; g++) {
            json_t *gs = json_array();
            print_steps(&q, NULL, a.groups[g].reached, JSON, gs);
            json_array_append_new(groups, json_pack("{s:s, s:o}", "key", a.groups[g].key, "steps", gs));
        }
        if (q.by != BY_NONE) {
            json_object_set_new(o, "by", json_string(bys[q.by]));
            json_object_set_new(o, "groups", groups);
        } else {
            json_decref(groups);
        }
        s = json_dumps(o, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(o);
    } else {
        if (c.format == CSV)
            printf("%sstep,users,conversion,overall\n", q.by != BY_NONE ? "group," : "");
        else
            printf("funnel over %lld events of %lld users, window %lld s\n%s%-*s %-24s %12s %10s %10s\n",
                   (long long)a.events, (long long)a.users, (long long)(q.window_ms / 1000), "",
                   q.by != BY_NONE ? 12 : 0, q.by != BY_NONE ? bys[q.by] : "", "step", "users", "conversion",
                   "overall");
        print_steps(&q, q.by != BY_NONE ? "(all)" : NULL, a.reached, c.format, NULL);
        for (int g = 0; g < a.ngroups; g++)
            print_steps(&q, a.groups[g].key[0] ? a.groups[g].key : "(none)", a.groups[g].reached, c.format, NULL);
    }
    funnel_answer_free(&a);
    db_close(db);
    return 0;
}

static void print_counts(const char *dir, const struct path_count *pc, int n, int64_t total, enum format f,
                         json_t *into)
{
    for (int i = 0; i < n; i++) {
        double share = ratio(pc[i].count, total);
        if (f == JSON)
            json_array_append_new(into, json_pack("{s:s, s:I, s:f}", "name", pc[i].name, "count",
                                                  (json_int_t)pc[i].count, "share", share));
        else if (f == CSV)
            printf("%s,%s,%lld,%.4f\n", dir, pc[i].name, (long long)pc[i].count, share);
        else
            printf("%-9s %-28s %12lld %9.1f%%\n", dir, pc[i].name, (long long)pc[i].count, 100 * share);
    }
}

int cli_paths(int argc, char **argv)
{
    struct common c = {0};
    struct path_answer a;
    struct db *db = NULL;
    const char *event = NULL;
    int64_t gap = 30 * 60000, limit = 10;
    int rc;
    if (cli_help(argc, argv, paths_usage))
        return 0;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int r = v ? common_opt(&c, argv[i], v) : -1;
        if (!r && !strcmp(argv[i], "--event"))
            event = v, r = 1;
        else if (!r && !strcmp(argv[i], "--gap"))
            r = parse_span_ms(v, &gap) ? -1 : 1;
        else if (!r && !strcmp(argv[i], "--limit"))
            r = parse_i64(v, 1, 1000, &limit) ? -1 : 1;
        if (r != 1) {
            fprintf(stderr, "o2o: bad option %s\n%s", argv[i], paths_usage);
            return 2;
        }
        i++;
    }
    if (!event || !*event) {
        fputs(paths_usage, stderr);
        return 2;
    }
    if ((rc = common_open(&c, &db)))
        return rc;
    rc = behaviour_paths(db_reader(db), NULL, event, c.from_ms, c.to_ms, gap, (int)limit, &a);
    if (rc) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        db_close(db);
        return rc == O2O_EINVAL ? 2 : 1;
    }
    if (c.format == JSON) {
        json_t *next = json_array(), *prev = json_array(), *o;
        char *s;
        print_counts("previous", a.prev, a.nprev, a.occurrences, JSON, prev);
        print_counts("next", a.next, a.nnext, a.occurrences, JSON, next);
        o = json_pack("{s:s, s:I, s:o, s:o}", "event", event, "occurrences", (json_int_t)a.occurrences, "previous",
                      prev, "next", next);
        s = json_dumps(o, JSON_INDENT(2));
        puts(s);
        free(s);
        json_decref(o);
    } else {
        if (c.format == CSV)
            printf("direction,event,count,share\n");
        else
            printf("around %s: %lld occurrences\n%-9s %-28s %12s %10s\n", event, (long long)a.occurrences,
                   "", "event", "count", "share");
        print_counts("previous", a.prev, a.nprev, a.occurrences, c.format, NULL);
        print_counts("next", a.next, a.nnext, a.occurrences, c.format, NULL);
    }
    path_answer_free(&a);
    db_close(db);
    return 0;
}
