/*
** import.c -- CSV import through the domain modules' own create functions, so
** imported rows obey exactly the rules of the API. Rows are applied in chunks;
** each row runs in its own savepoint, so a bad row rolls back alone and is
** reported with its line number. Headers (first line) name the columns:
**   locations: code,name,kind,region[,address,lat,lon,timezone,opens_at,closes_at]
**   products:  product,name,sku,price[,brand,category,size,colour,barcode,launch_at,description]
**   members:   phone[,name,email,store_card,consent_marketing,home_location]
**   stock:     sku,location,qty[,reason]      (a 'receive' movement, or 'adjust' if qty < 0)
** Unknown regions, brands and categories are created on the way.
*/
#include "ingest/import.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "core/csv.h"
#include "core/mem.h"
#include "core/util.h"
#include "member/member.h"
#include "org/location.h"
#include "stock/inventory.h"

#define CHUNK 2000

enum kind { K_LOCATIONS, K_PRODUCTS, K_MEMBERS, K_STOCK };

static const char *required[][4] = {
    {"code", "name", "kind", "region"},
    {"product", "name", "sku", "price"},
    {"phone", NULL, NULL, NULL},
    {"sku", "location", "qty", NULL},
};
static const char *optional[][11] = {
    {"address", "lat", "lon", "timezone", "opens_at", "closes_at", NULL},
    {"brand", "category", "size", "colour", "barcode", "launch_at", "description", NULL},
    {"name", "email", "store_card", "consent_marketing", "home_location", NULL},
    {"reason", NULL},
};

struct row {
    long line;
    char *f[16];          /* values by column slot (required then optional), owned */
};

struct chunk {
    enum kind kind;
    struct row *rows;
    int n;
    /* per row results, written by the body */
    int *rc;
    struct err_rec *err;
};

static const char *val(const struct row *r, int slot)
{
    return r->f[slot] ? r->f[slot] : "";
}

static int parse_bool(const char *s, bool *out)
{
    if (!*s || !strcmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no")) {
        *out = false;
        return 0;
    }
    if (!strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes")) {
        *out = true;
        return 0;
    }
    return O2O_EINVAL;
}

static int parse_f(const char *s, double *out)
{
    char *end = NULL;
    *out = strtod(s, &end);
    return (!*s || *end) ? O2O_EINVAL : 0;
}

static int ensure_region(struct db_conn *c, const char *code)
{
    struct region r;
    if (!region_get_by_code(c, code, &r))
        return 0;
    memset(&r, 0, sizeof r);
    str_copy(r.code, sizeof r.code, code);
    str_copy(r.name, sizeof r.name, code);
    return region_create(c, &r);
}

static int row_location(struct db_conn *c, const struct row *r)
{
    struct location l;
    int rc;
    memset(&l, 0, sizeof l);
    str_copy(l.code, sizeof l.code, val(r, 0));
    str_copy(l.name, sizeof l.name, val(r, 1));
    str_copy(l.kind, sizeof l.kind, val(r, 2));
    str_copy(l.region_code, sizeof l.region_code, val(r, 3));
    str_copy(l.address, sizeof l.address, val(r, 4));
    if (*val(r, 5) || *val(r, 6)) {
        if (parse_f(val(r, 5), &l.lat))
            return err_set(O2O_EINVAL, NULL, "lat", "lat '%s' is not a number", val(r, 5));
        if (parse_f(val(r, 6), &l.lon))
            return err_set(O2O_EINVAL, NULL, "lon", "lon '%s' is not a number", val(r, 6));
        l.has_geo = true;
    }
    str_copy(l.timezone, sizeof l.timezone, val(r, 7));
    str_copy(l.opens_at, sizeof l.opens_at, val(r, 8));
    str_copy(l.closes_at, sizeof l.closes_at, val(r, 9));
    if (!is_code(l.region_code))
        return err_set(O2O_EINVAL, NULL, "region", "region code '%s' is not valid", l.region_code);
    rc = ensure_region(c, l.region_code);
    return rc ? rc : location_create(c, &l);
}

static int row_product(struct db_conn *c, const struct row *r)
{
    struct product p;
    struct sku k;
    int rc;
    if (*val(r, 4)) {
        struct brand b;
        int64_t id;
        memset(&b, 0, sizeof b);
        str_copy(b.code, sizeof b.code, val(r, 4));
        str_copy(b.name, sizeof b.name, val(r, 4));
        if (db_scalar_i64(c, &id, "SELECT id FROM brands WHERE code = $1", "t", b.code) == O2O_ENOTFOUND &&
            (rc = brand_create(c, &b)))
            return rc;
    }
    if (*val(r, 5)) {
        struct category x;
        int64_t id;
        memset(&x, 0, sizeof x);
        str_copy(x.code, sizeof x.code, val(r, 5));
        str_copy(x.name, sizeof x.name, val(r, 5));
        if (db_scalar_i64(c, &id, "SELECT id FROM categories WHERE code = $1", "t", x.code) == O2O_ENOTFOUND &&
            (rc = category_create(c, &x)))
            return rc;
    }
    if (product_get_by_code(c, val(r, 0), 0, &p) == O2O_ENOTFOUND) {
        memset(&p, 0, sizeof p);
        str_copy(p.code, sizeof p.code, val(r, 0));
        str_copy(p.name, sizeof p.name, val(r, 1));
        str_copy(p.brand_code, sizeof p.brand_code, val(r, 4));
        str_copy(p.category_code, sizeof p.category_code, val(r, 5));
        str_copy(p.description, sizeof p.description, val(r, 10));
        if (*val(r, 9) && parse_iso8601(val(r, 9), &p.launch_at))
            return err_set(O2O_EINVAL, NULL, "launch_at", "launch_at '%s' is not an ISO-8601 time", val(r, 9));
        if ((rc = product_create(c, &p)))
            return rc;
    }
    memset(&k, 0, sizeof k);
    str_copy(k.code, sizeof k.code, val(r, 2));
    str_copy(k.product_code, sizeof k.product_code, val(r, 0));
    str_copy(k.size, sizeof k.size, val(r, 6));
    str_copy(k.colour, sizeof k.colour, val(r, 7));
    str_copy(k.barcode, sizeof k.barcode, val(r, 8));
    if (parse_i64(val(r, 3), 0, 100000000000LL, &k.price))
        return err_set(O2O_EINVAL, NULL, "price", "price '%s' must be an integer number of fen", val(r, 3));
    return sku_create(c, &k);
}

static int row_member(struct db_conn *c, const struct row *r)
{
    struct member m;
    struct member_identity idn;
    int rc;
    memset(&m, 0, sizeof m);
    rc = member_normalize_phone(c, val(r, 0), m.phone);
    if (rc)
        return rc;
    str_copy(m.name, sizeof m.name, val(r, 1));
    if (parse_bool(val(r, 4), &m.consent_marketing))
        return err_set(O2O_EINVAL, NULL, "consent_marketing", "consent_marketing must be 0/1, true/false or yes/no");
    str_copy(m.home_location_code, sizeof m.home_location_code, val(r, 5));
    if ((rc = member_create(c, &m)))
        return rc;
    memset(&idn, 0, sizeof idn);
    if (*val(r, 2)) {
        str_copy(idn.kind, sizeof idn.kind, "email");
        str_copy(idn.value, sizeof idn.value, val(r, 2));
        if ((rc = member_link_identity(c, m.id, &idn)))
            return rc;
    }
    if (*val(r, 3)) {
        str_copy(idn.kind, sizeof idn.kind, "store_card");
        str_copy(idn.value, sizeof idn.value, val(r, 3));
        if ((rc = member_link_identity(c, m.id, &idn)))
            return rc;
    }
    return 0;
}

static int row_stock(struct db_conn *c, const struct row *r)
{
    struct sku k;
    struct location l;
    struct stock_move mv;
    memset(&mv, 0, sizeof mv);
    if (sku_get_by_code(c, val(r, 0), 0, &k))
        return err_set(O2O_ENOTFOUND, "unknown_sku", "sku", "no SKU with code %s", val(r, 0));
    if (location_get_by_code(c, val(r, 1), &l))
        return err_set(O2O_ENOTFOUND, "unknown_location", "location", "no location with code %s", val(r, 1));
    if (parse_i64(val(r, 2), -1000000000, 1000000000, &mv.qty) || mv.qty == 0)
        return err_set(O2O_EINVAL, NULL, "qty", "qty '%s' must be a non-zero integer", val(r, 2));
    mv.sku_id = k.id;
    mv.location_id = l.id;
    str_copy(mv.kind, sizeof mv.kind, mv.qty > 0 ? "receive" : "adjust");
    str_copy(mv.reason, sizeof mv.reason, *val(r, 3) ? val(r, 3) : "import");
    str_copy(mv.ref, sizeof mv.ref, "import");
    str_copy(mv.actor, sizeof mv.actor, "import");
    return inventory_move(c, &mv, NULL);
}

static int chunk_body(struct db_conn *c, void *arg)
{
    struct chunk *ch = arg;
    for (int i = 0; i < ch->n; i++) {
        int rc = db_exec_raw(c, "SAVEPOINT import_row");
        if (rc)
            return rc;
        err_clear();
        switch (ch->kind) {
        case K_LOCATIONS: rc = row_location(c, &ch->rows[i]); break;
        case K_PRODUCTS: rc = row_product(c, &ch->rows[i]); break;
        case K_MEMBERS: rc = row_member(c, &ch->rows[i]); break;
        case K_STOCK: rc = row_stock(c, &ch->rows[i]); break;
        }
        ch->rc[i] = rc;
        if (rc) {
            err_save(&ch->err[i]);
            if (rc == O2O_EDB || rc == O2O_ERETRY)
                return rc; /* storage trouble: fail the chunk */
            rc = db_exec_raw(c, "ROLLBACK TO SAVEPOINT import_row");
            if (rc)
                return rc;
        }
        rc = db_exec_raw(c, "RELEASE SAVEPOINT import_row");
        if (rc)
            return rc;
    }
    return 0;
}

void import_draw(const char *what, bool on, long long done, long long total, int64_t rows)
{
    int w = 30, filled;
    if (!on || total <= 0)
        return;
    if (done > total)
        done = total;
    filled = (int)(done * w / total);
    fprintf(stderr, "\r%s [", what);
    for (int i = 0; i < w; i++)
        fputc(i < filled ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%% %" PRId64 " rows", (int)(done * 100 / total), rows);
    fflush(stderr);
}

static int flush(struct db *db, struct chunk *ch, FILE *report, struct import_result *out)
{
    int rc;
    if (!ch->n)
        return 0;
    memset(ch->rc, 0, (size_t)ch->n * sizeof *ch->rc);
    rc = db_txn(db, chunk_body, ch);
    if (rc)
        return rc;
    for (int i = 0; i < ch->n; i++) {
        if (ch->rc[i]) {
            out->rejected++;
            fprintf(report, "line %ld: %s%s%s\n", ch->rows[i].line, ch->err[i].field, ch->err[i].field[0] ? ": " : "",
                    ch->err[i].msg);
        } else {
            out->loaded++;
        }
        for (int k = 0; k < 16; k++)
            free(ch->rows[i].f[k]);
        memset(&ch->rows[i], 0, sizeof ch->rows[i]);
    }
    ch->n = 0;
    return 0;
}

int import_csv(struct db *db, const char *kind_name, const char *path, bool progress, FILE *report,
               struct import_result *out)
{
    static const char *kinds[] = {"locations", "products", "members", "stock"};
    struct csv csv;
    struct chunk ch;
    struct stat sb;
    int slot_col[16], nslots = 0, rc = 0, k = -1, r;
    FILE *f;

    memset(out, 0, sizeof *out);
    for (int i = 0; i < 4; i++)
        if (!strcmp(kind_name, kinds[i]))
            k = i;
    if (k < 0)
        return err_set(O2O_EINVAL, NULL, "kind", "kind must be locations, products, members or stock");
    f = fopen(path, "r");
    if (!f)
        return err_set(O2O_EINVAL, NULL, "file", "cannot open %s", path);
    csv_init(&csv, f);
    if (csv_next(&csv) != 1) {
        rc = err_set(O2O_EINVAL, NULL, "header", "%s: no header line", path);
        goto out_file;
    }
    for (int i = 0; i < 4 && required[k][i]; i++) {
        slot_col[nslots] = csv_index(&csv, required[k][i]);
        if (slot_col[nslots] < 0) {
            rc = err_set(O2O_EINVAL, NULL, "header", "%s: the header has no '%s' column", path, required[k][i]);
            goto out_file;
        }
        nslots++;
    }
    for (int i = 0; optional[k][i]; i++)
        slot_col[nslots++] = csv_index(&csv, optional[k][i]);
    fstat(fileno(f), &sb);

    memset(&ch, 0, sizeof ch);
    ch.kind = (enum kind)k;
    ch.rows = xcalloc(CHUNK, sizeof *ch.rows);
    ch.rc = xcalloc(CHUNK, sizeof *ch.rc);
    ch.err = xcalloc(CHUNK, sizeof *ch.err);
    while ((r = csv_next(&csv)) != 0) {
        struct row *row;
        if (csv.nfields == 1 && !csv.field[0][0])
            continue; /* blank line */
        out->rows++;
        if (r < 0) {
            out->rejected++;
            fprintf(report, "line %ld: malformed CSV record (unterminated quote or too many fields)\n", csv.line);
            continue;
        }
        row = &ch.rows[ch.n++];
        row->line = csv.line;
        for (int s = 0; s < nslots; s++)
            if (slot_col[s] >= 0 && slot_col[s] < csv.nfields)
                row->f[s] = xstrdup(csv.field[slot_col[s]]);
        if (ch.n == CHUNK) {
            rc = flush(db, &ch, report, out);
            if (rc)
                break;
            import_draw("import", progress, csv.bytes, (long long)sb.st_size, out->rows);
        }
    }
    if (!rc)
        rc = flush(db, &ch, report, out);
    import_draw("import", progress, (long long)sb.st_size, (long long)sb.st_size, out->rows);
    if (progress)
        fputc('\n', stderr);
    for (int i = 0; i < CHUNK; i++)
        for (int s = 0; s < 16; s++)
            free(ch.rows[i].f[s]);
    free(ch.rows);
    free(ch.rc);
    free(ch.err);
out_file:
    csv_free(&csv);
    fclose(f);
    return rc;
}
