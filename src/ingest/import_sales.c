/*
** import_sales.c -- `o2o import sales FILE`: historical till sales in the layout
** InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
** (the UCI "Online Retail" export; plain or .xz).
**
** Rows of one invoice become one completed till sale at the import store; an
** invoice number starting with C is a cancellation and becomes a return.
** Products (StockCode, first description and price seen) and members
** (CustomerID, as a store card) are created as needed. InvoiceDate is the
** store's local time. Bad rows are reported with their line numbers and skipped:
** a zero quantity, a negative one outside a cancellation (a stock adjustment,
** not a sale), a positive one in a cancellation, a negative price, a malformed
** date or number, or an invoice that is neither a sale nor a cancellation (e.g.
** "A563185", adjust bad debt). Invoices already imported (by number) are skipped,
** so a second run loads nothing twice.
**
** Speed: invoices are applied in batches of BATCH per transaction; products and
** members are looked up in memory and created in a transaction of their own first
** (a transaction body may run twice, so it must not touch the maps).
*/
#include "ingest/import.h"

#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/csv.h"
#include "core/mem.h"
#include "core/strmap.h"
#include "core/tz.h"
#include "core/util.h"
#include "core/xzfile.h"
#include "member/member.h"
#include "org/location.h"
#include "sales/order.h"

#define BATCH 1000

enum { C_INVOICE, C_CODE, C_DESC, C_QTY, C_DATE, C_PRICE, C_CUSTOMER, C_COUNTRY, NCOLS };
static const char *columns[NCOLS] = {"InvoiceNo", "StockCode", "Description", "Quantity",
                                     "InvoiceDate", "UnitPrice", "CustomerID", "Country"};

struct line {
    long lineno;
    char code[65];            /* the SKU code it becomes */
    char *name;
    int64_t qty, price;
};

struct invoice {
    char no[65];
    char customer[32];
    bool is_return;
    int64_t at;
    int n, cap;
    struct line *lines;
    /* results */
    bool existed;
};

struct batch {
    struct invoice *inv;
    int n;
    /* phase A: what must be created, and the ids it got */
    int nskus, nmembers;
    char (*sku_code)[65];
    char **sku_name;
    int64_t *sku_price, *sku_id;
    char (*member_ext)[32];
    int64_t *member_id;
    int64_t location_id;
    struct strmap *skus, *members;
    struct sale_import *sale;
};

static int64_t round_money(const char *s, bool *ok)
{
    /* decimal, at most 6 fraction digits, rounded half up to minor units */
    int64_t whole = 0, frac = 0;
    int digits = 0;
    const char *p = s;
    *ok = false;
    if (*p == '-')
        return 0;
    for (; isdigit((unsigned char)*p); p++) {
        whole = whole * 10 + (*p - '0');
        if (whole > 1000000000LL)
            return 0;
    }
    if (p == s)
        return 0;
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p) && digits < 6; p++, digits++)
            frac = frac * 10 + (*p - '0');
    }
    if (*p)
        return 0;
    while (digits < 6)
        frac *= 10, digits++;
    *ok = true;
    return whole * 100 + (frac + 5000) / 10000;
}

/* "17850.0" -> "17850"; "" stays "". */
static int customer_id(const char *in, char out[32])
{
    size_t n = strlen(in);
    if (n >= 32)
        return O2O_EINVAL;
    memcpy(out, in, n + 1);
    if (n > 2 && !strcmp(out + n - 2, ".0"))
        out[n - 2] = 0;
    for (char *p = out; *p; p++)
        if (!isdigit((unsigned char)*p))
            return O2O_EINVAL;
    return 0;
}

static int phase_a(struct db_conn *c, void *arg)
{
    struct batch *b = arg;
    int rc = 0;
    for (int i = 0; i < b->nskus && !rc; i++)
        rc = catalog_import_sku(c, b->sku_code[i], b->sku_name[i], b->sku_price[i], &b->sku_id[i]);
    for (int i = 0; i < b->nmembers && !rc; i++)
        rc = member_import(c, b->member_ext[i], &b->member_id[i]);
    return rc;
}

static int phase_b(struct db_conn *c, void *arg)
{
    struct batch *b = arg;
    struct sale_import *s = b->sale;
    int rc = 0;
    for (int i = 0; i < b->n && !rc; i++) {
        struct invoice *inv = &b->inv[i];
        int64_t id = 0;
        memset(s, 0, offsetof(struct sale_import, sku));
        str_copy(s->external_ref, sizeof s->external_ref, inv->no);
        s->location_id = b->location_id;
        s->at = inv->at;
        s->is_return = inv->is_return;
        if (inv->customer[0] && !strmap_get(b->members, inv->customer, &s->member_id))
            return err_set(O2O_EDB, NULL, NULL, "member %s was not created", inv->customer);
        for (int k = 0; k < inv->n; k++) {
            if (!strmap_get(b->skus, inv->lines[k].code, &s->sku[k]))
                return err_set(O2O_EDB, NULL, NULL, "SKU %s was not created", inv->lines[k].code);
            s->qty[k] = inv->lines[k].qty;
            s->unit_price[k] = inv->lines[k].price;
        }
        s->nlines = inv->n;
        rc = order_import(c, s, &id, &inv->existed);
    }
    return rc;
}

static void free_batch_rows(struct batch *b)
{
    for (int i = 0; i < b->n; i++) {
        for (int k = 0; k < b->inv[i].n; k++)
            free(b->inv[i].lines[k].name);
        b->inv[i].n = 0;
    }
    b->n = 0;
}

static int flush(struct db *db, struct batch *b, struct import_result *out)
{
    int rc;
    struct strmap want_sku = {0}, want_member = {0};
    int64_t dummy;
    b->nskus = b->nmembers = 0;
    /* what this batch needs that we have not seen */
    for (int i = 0; i < b->n; i++) {
        struct invoice *inv = &b->inv[i];
        if (inv->customer[0] && !strmap_get(b->members, inv->customer, &dummy) &&
            !strmap_get(&want_member, inv->customer, &dummy)) {
            strmap_put(&want_member, inv->customer, b->nmembers);
            b->member_ext = xrealloc(b->member_ext, (size_t)(b->nmembers + 1) * sizeof *b->member_ext);
            b->member_id = xrealloc(b->member_id, (size_t)(b->nmembers + 1) * sizeof *b->member_id);
            str_copy(b->member_ext[b->nmembers++], sizeof b->member_ext[0], inv->customer);
        }
        for (int k = 0; k < inv->n; k++) {
            struct line *l = &inv->lines[k];
            if (strmap_get(b->skus, l->code, &dummy) || strmap_get(&want_sku, l->code, &dummy))
                continue;
            strmap_put(&want_sku, l->code, b->nskus);
            b->sku_code = xrealloc(b->sku_code, (size_t)(b->nskus + 1) * sizeof *b->sku_code);
            b->sku_name = xrealloc(b->sku_name, (size_t)(b->nskus + 1) * sizeof *b->sku_name);
            b->sku_price = xrealloc(b->sku_price, (size_t)(b->nskus + 1) * sizeof *b->sku_price);
            b->sku_id = xrealloc(b->sku_id, (size_t)(b->nskus + 1) * sizeof *b->sku_id);
            str_copy(b->sku_code[b->nskus], sizeof b->sku_code[0], l->code);
            b->sku_name[b->nskus] = l->name;
            b->sku_price[b->nskus++] = l->price;
        }
    }
    strmap_free(&want_sku);
    strmap_free(&want_member);
    rc = (b->nskus || b->nmembers) ? db_txn(db, phase_a, b) : 0;
    if (rc)
        return rc;
    for (int i = 0; i < b->nskus; i++)
        strmap_put(b->skus, b->sku_code[i], b->sku_id[i]);
    for (int i = 0; i < b->nmembers; i++)
        strmap_put(b->members, b->member_ext[i], b->member_id[i]);
    rc = db_txn(db, phase_b, b);
    if (rc)
        return rc;
    for (int i = 0; i < b->n; i++) {
        if (b->inv[i].existed) {
            out->skipped += b->inv[i].n;
        } else {
            out->loaded += b->inv[i].n;
            out->orders++;
        }
    }
    free_batch_rows(b);
    return 0;
}

static int ensure_store(struct db *db, const char *code, const char *tz, int64_t *id);

struct store_arg {
    const char *code, *tz;
    int64_t id;
};

static int store_body(struct db_conn *c, void *arg)
{
    struct store_arg *a = arg;
    struct location l;
    struct region r;
    int rc;
    if (!location_get_by_code(c, a->code, &l)) {
        a->id = l.id;
        return 0;
    }
    err_clear();
    if (region_get_by_code(c, "IMPORTED", &r)) {
        err_clear();
        memset(&r, 0, sizeof r);
        str_copy(r.code, sizeof r.code, "IMPORTED");
        str_copy(r.name, sizeof r.name, "Imported history");
        rc = region_create(c, &r);
        if (rc)
            return rc;
    }
    memset(&l, 0, sizeof l);
    str_copy(l.code, sizeof l.code, a->code);
    str_copy(l.name, sizeof l.name, a->code);
    str_copy(l.kind, sizeof l.kind, "store");
    str_copy(l.region_code, sizeof l.region_code, "IMPORTED");
    str_copy(l.timezone, sizeof l.timezone, a->tz);
    str_copy(l.opens_at, sizeof l.opens_at, "00:00");
    str_copy(l.closes_at, sizeof l.closes_at, "24:00");
    rc = location_create(c, &l);
    a->id = l.id;
    return rc;
}

static int ensure_store(struct db *db, const char *code, const char *tz, int64_t *id)
{
    struct store_arg a = {code, tz, 0};
    int rc = db_txn(db, store_body, &a);
    *id = a.id;
    return rc;
}

/* Local wall-clock time of the store to UTC epoch ms. */
static int64_t local_to_utc(const char *tz, int64_t local)
{
    int64_t guess = local - (int64_t)tz_offset_min(tz, local) * 60000;
    return local - (int64_t)tz_offset_min(tz, guess) * 60000;
}

static void reject(FILE *report, struct import_result *out, long line, const char *field, const char *msg)
{
    out->rejected++;
    fprintf(report, "line %ld: %s: %s\n", line, field, msg);
}

int import_sales(struct db *db, const char *path, const char *store, const char *tz, bool progress, FILE *report,
                 struct import_result *out)
{
    struct xzfile *x;
    struct csv csv;
    struct batch b;
    struct strmap skus = {0}, members = {0}, done_invoices = {0}, in_batch = {0};
    struct location loc;
    int col[NCOLS], rc = 0, r, cur_idx = 0;
    int64_t store_id = 0;
    char cur[65] = "";

    memset(out, 0, sizeof *out);
    if (!is_code(store))
        return err_set(O2O_EINVAL, NULL, "store", "store must be a location code");
    x = xz_open(path);
    if (!x)
        return err_set(O2O_EINVAL, NULL, "file", "cannot open %s", path);
    csv_init(&csv, xz_stream(x));
    if (csv_next(&csv) != 1) {
        rc = err_set(O2O_EINVAL, NULL, "header", "%s: no header line", path);
        goto out_file;
    }
    for (int i = 0; i < NCOLS; i++) {
        col[i] = csv_index(&csv, columns[i]);
        if (col[i] < 0) {
            rc = err_set(O2O_EINVAL, NULL, "header", "%s: the header has no '%s' column", path, columns[i]);
            goto out_file;
        }
    }
    rc = ensure_store(db, store, tz, &store_id);
    if (!rc)
        rc = location_get(db_reader(db), store_id, &loc);
    if (rc)
        goto out_file;

    memset(&b, 0, sizeof b);
    b.inv = xcalloc(BATCH + 1, sizeof *b.inv);
    b.location_id = store_id;
    b.skus = &skus;
    b.members = &members;
    b.sale = xmalloc(sizeof *b.sale);
    while ((r = csv_next(&csv)) != 0) {
        const char *f[NCOLS];
        struct invoice *inv;
        struct line *l;
        int64_t qty = 0, price, local = 0, seen;
        bool ok, is_return;
        char customer[32], code[65];
        if (csv.nfields == 1 && !csv.field[0][0])
            continue;
        out->rows++;
        if (r < 0 || csv.nfields < NCOLS) {
            reject(report, out, csv.line, "row", "malformed CSV record");
            continue;
        }
        for (int i = 0; i < NCOLS; i++)
            f[i] = csv.field[col[i]];
        is_return = f[C_INVOICE][0] == 'C';
        if (!f[C_INVOICE][0] || strlen(f[C_INVOICE]) > 64 ||
            !isdigit((unsigned char)f[C_INVOICE][is_return ? 1 : 0])) {
            reject(report, out, csv.line, "InvoiceNo", "neither a sale nor a cancellation (C...) invoice");
            continue;
        }
        if (!f[C_CODE][0]) {
            reject(report, out, csv.line, "StockCode", "missing");
            continue;
        }
        if (parse_i64(f[C_QTY], -1000000, 1000000, &qty) || qty == 0) {
            reject(report, out, csv.line, "Quantity", "not a non-zero integer");
            continue;
        }
        if (qty < 0 && !is_return) {
            reject(report, out, csv.line, "Quantity", "negative on a sale invoice (a stock adjustment, not a sale)");
            continue;
        }
        if (qty > 0 && is_return) {
            reject(report, out, csv.line, "Quantity", "positive on a cancellation invoice");
            continue;
        }
        price = round_money(f[C_PRICE], &ok);
        if (!ok) {
            reject(report, out, csv.line, "UnitPrice", "not a price of zero or more");
            continue;
        }
        if (parse_iso8601(f[C_DATE], &local)) {
            reject(report, out, csv.line, "InvoiceDate", "not a YYYY-MM-DD HH:MM:SS time");
            continue;
        }
        if (customer_id(f[C_CUSTOMER], customer)) {
            reject(report, out, csv.line, "CustomerID", "not a customer number");
            continue;
        }
        catalog_code_from(f[C_CODE], code);
        if (strcmp(cur, f[C_INVOICE])) {
            /* another invoice: one of this batch (rows may interleave), or a new one */
            if (strmap_get(&in_batch, f[C_INVOICE], &seen)) {
                cur_idx = (int)seen;
                str_copy(cur, sizeof cur, f[C_INVOICE]);
            } else if (strmap_get(&done_invoices, f[C_INVOICE], &seen)) {
                char msg[120];
                snprintf(msg, sizeof msg, "invoice %.40s was imported before this row (from line %" PRId64 ")",
                         f[C_INVOICE], seen);
                reject(report, out, csv.line, "InvoiceNo", msg);
                continue;
            } else {
                if (b.n == BATCH) {
                    rc = flush(db, &b, out);
                    if (rc)
                        break;
                    strmap_free(&in_batch);
                    import_draw("import sales", progress, xz_pos(x), xz_size(x), out->rows);
                }
                inv = &b.inv[b.n++];
                str_copy(inv->no, sizeof inv->no, f[C_INVOICE]);
                str_copy(inv->customer, sizeof inv->customer, customer);
                inv->is_return = is_return;
                inv->at = local_to_utc(loc.timezone, local);
                inv->existed = false;
                str_copy(cur, sizeof cur, f[C_INVOICE]);
                cur_idx = b.n - 1;
                strmap_put(&done_invoices, cur, csv.line);
                strmap_put(&in_batch, cur, cur_idx);
            }
        }
        inv = &b.inv[cur_idx];
        if (inv->n == IMPORT_MAX_LINES) {
            reject(report, out, csv.line, "InvoiceNo", "more lines than an order may have");
            continue;
        }
        if (inv->n == inv->cap) {
            inv->cap = inv->cap ? inv->cap * 2 : 32;
            inv->lines = xrealloc(inv->lines, (size_t)inv->cap * sizeof *inv->lines);
        }
        l = &inv->lines[inv->n++];
        l->lineno = csv.line;
        str_copy(l->code, sizeof l->code, code);
        l->name = xstrdup(f[C_DESC]);
        l->qty = qty < 0 ? -qty : qty;
        l->price = price;
    }
    if (!rc)
        rc = flush(db, &b, out);
    import_draw("import sales", progress, xz_size(x), xz_size(x), out->rows);
    if (progress)
        fputc('\n', stderr);
    free_batch_rows(&b);
    for (int i = 0; i <= BATCH; i++)
        free(b.inv[i].lines);
    free(b.inv);
    free(b.sku_code);
    free(b.sku_name);
    free(b.sku_price);
    free(b.sku_id);
    free(b.member_ext);
    free(b.member_id);
    free(b.sale);
    strmap_free(&skus);
    strmap_free(&members);
    strmap_free(&done_invoices);
    strmap_free(&in_batch);
out_file:
    csv_free(&csv);
    xz_close(x);
    return rc;
}
