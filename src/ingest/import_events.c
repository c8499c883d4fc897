/*
** import_events.c -- bulk import of clickstream events (see import.h for the
** layout). Rows are checked like events sent to the API and stored with
** events_store(), a few thousand per transaction; bad rows are reported with
** their line numbers and skipped. Tests: tests/e2e/test_events.py (the Taobao
** sample, counts checked against the file).
*/
#include "ingest/import.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "behaviour/events.h"
#include "core/csv.h"
#include "core/mem.h"
#include "core/util.h"
#include "core/xzfile.h"

#define BATCH 4000

struct ev_batch {
    struct event_in *ev;
    int n, stored;
    int64_t now;
};

static int store_batch(struct db_conn *c, void *arg)
{
    struct ev_batch *b = arg;
    return events_store(c, b->ev, b->n, b->now, &b->stored);
}

static int flush(struct db *db, struct ev_batch *b, struct import_result *out)
{
    int rc;
    if (!b->n)
        return 0;
    b->now = now_ms();
    rc = db_txn(db, store_batch, b);
    if (rc)
        return rc;
    out->loaded += b->stored;
    out->skipped += b->n - b->stored;
    b->n = 0;
    return 0;
}

static const char *behaviour_name(const char *b)
{
    static const char *map[][2] = {{"pv", "view"}, {"cart", "add_to_cart"}, {"fav", "favorite"}, {"buy", "purchase"}};
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(b, map[i][0]))
            return map[i][1];
    return NULL;
}

static bool digits(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n && n <= max && strspn(s, "0123456789") == n;
}

int import_events(struct db *db, const char *path, const char *channel, const char *prefix, bool progress,
                  FILE *report, struct import_result *out)
{
    struct xzfile *x;
    struct csv csv;
    struct ev_batch b;
    int rc = 0, r;
    int64_t now = now_ms();

    memset(out, 0, sizeof *out);
    if (strlen(prefix) > 24)
        return err_set(O2O_EINVAL, NULL, "prefix", "the device prefix is at most 24 characters");
    x = xz_open(path);
    if (!x)
        return err_set(O2O_EINVAL, NULL, "file", "cannot open %s", path);
    csv_init(&csv, xz_stream(x));
    memset(&b, 0, sizeof b);
    b.ev = xcalloc(BATCH, sizeof *b.ev);
    while ((r = csv_next(&csv)) != 0) {
        struct event_in *e;
        const char *name;
        int64_t secs;
        if (csv.nfields == 1 && !csv.field[0][0])
            continue;
        out->rows++;
        if (r < 0 || csv.nfields != 5) {
            out->rejected++;
            fprintf(report, "line %ld: row: not user,item,category,behavior,time\n", csv.line);
            continue;
        }
        if (!digits(csv.field[0], 20) || !digits(csv.field[1], 20) || !digits(csv.field[2], 20)) {
            out->rejected++;
            fprintf(report, "line %ld: user/item/category: not numbers\n", csv.line);
            continue;
        }
        if (!(name = behaviour_name(csv.field[3]))) {
            out->rejected++;
            fprintf(report, "line %ld: behavior: not pv, cart, fav or buy\n", csv.line);
            continue;
        }
        if (parse_i64(csv.field[4], 0, INT64_MAX / 1000, &secs)) {
            out->rejected++;
            fprintf(report, "line %ld: time: not Unix seconds\n", csv.line);
            continue;
        }
        e = &b.ev[b.n];
        memset(e, 0, sizeof *e);
        snprintf(e->key, sizeof e->key, "L%ld", csv.line);
        str_copy(e->name, sizeof e->name, name);
        str_copy(e->channel, sizeof e->channel, channel);
        snprintf(e->device, sizeof e->device, "%s%s", prefix, csv.field[0]);
        str_copy(e->item, sizeof e->item, csv.field[1]);
        str_copy(e->category, sizeof e->category, csv.field[2]);
        e->ts = secs * 1000;
        if (event_check(e, now)) {
            out->rejected++;
            fprintf(report, "line %ld: %s: %s\n", csv.line, err_last()->field, err_last()->msg);
            continue;
        }
        if (++b.n == BATCH) {
            if ((rc = flush(db, &b, out)))
                break;
            import_draw("import events", progress, xz_pos(x), xz_size(x), out->rows);
        }
    }
    if (!rc)
        rc = flush(db, &b, out);
    import_draw("import events", progress, xz_size(x), xz_size(x), out->rows);
    if (progress)
        fputc('\n', stderr);
    free(b.ev);
    csv_free(&csv);
    xz_close(x);
    return rc;
}
