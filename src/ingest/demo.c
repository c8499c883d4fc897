/*
** demo.c -- generates a deterministic demo chain: a region tree over ten cities,
** 32 stores, 2 warehouses and 2 restaurants with coordinates and hours, 40
** brands, a category tree, products with colour x size SKUs, barcodes and
** prices, members with phones, stock with a 'receive' movement for every SKU at
** every location, and the stores' till sales of the days before today (imported
** as history: the board, the reports and demand have something to show). Writes
** through the domain modules' tables in large transactions. No HTTP or JSON here.
*/
#include "ingest/demo.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/tz.h"
#include "core/util.h"
#include "insight/tags.h"
#include "sales/order.h"

struct city {
    const char *code, *name, *region;
    double lat, lon;
};

static const struct city cities[] = {
    {"SH", "Shanghai", "EAST", 31.2304, 121.4737},  {"HZ", "Hangzhou", "EAST", 30.2741, 120.1551},
    {"NJ", "Nanjing", "EAST", 32.0603, 118.7969},   {"SZH", "Suzhou", "EAST", 31.2989, 120.5853},
    {"BJ", "Beijing", "NORTH", 39.9042, 116.4074},  {"TJ", "Tianjin", "NORTH", 39.3434, 117.3616},
    {"GZ", "Guangzhou", "SOUTH", 23.1291, 113.2644}, {"SZ", "Shenzhen", "SOUTH", 22.5431, 114.0579},
    {"CD", "Chengdu", "WEST", 30.5728, 104.0668},   {"CQ", "Chongqing", "WEST", 29.5630, 106.5516},
};
#define NCITIES ((int)(sizeof cities / sizeof cities[0]))

static const char *region_names[][2] = {
    {"EAST", "East China"}, {"NORTH", "North China"}, {"SOUTH", "South China"}, {"WEST", "West China"}};

/* category code, name, parent code */
static const char *cats[][3] = {
    {"apparel", "Apparel", ""},          {"tops", "Tops", "apparel"},
    {"bottoms", "Bottoms", "apparel"},   {"outerwear", "Outerwear", "apparel"},
    {"dresses", "Dresses", "apparel"},   {"shoes", "Shoes", ""},
    {"sneakers", "Sneakers", "shoes"},   {"boots", "Boots", "shoes"},
    {"bags", "Bags", ""},                {"handbags", "Handbags", "bags"},
    {"baby", "Mother and baby", ""},     {"infant_formula", "Infant formula", "baby"},
    {"diapers", "Diapers", "baby"},      {"beauty", "Beauty", ""},
    {"skincare", "Skincare", "beauty"},  {"home", "Home", ""},
};
#define NCATS ((int)(sizeof cats / sizeof cats[0]))
/* leaf categories products go into */
static const int leaf[] = {1, 2, 3, 4, 6, 7, 9, 11, 12, 14, 15};
#define NLEAF ((int)(sizeof leaf / sizeof leaf[0]))

static const char *colours[] = {"black", "white", "navy", "red", "grey", "beige", "green"};
static const char *sizes[] = {"XS", "S", "M", "L", "XL", "XXL"};

struct rng {
    uint64_t s;
};

static uint64_t next(struct rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void progress(const struct demo_opts *o, const char *what, int64_t done, int64_t total)
{
    int w = 30, filled;
    if (!o->progress || total <= 0)
        return;
    filled = (int)(done * w / total);
    fprintf(stderr, "\r%-10s [", what);
    for (int i = 0; i < w; i++)
        fputc(i < filled ? '#' : '.', stderr);
    fprintf(stderr, "] %3d%%", (int)(done * 100 / total));
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* EAN-13 from a 12-digit prefix. */
static void ean13(char out[14], uint64_t body12)
{
    int sum = 0;
    snprintf(out, 14, "%012" PRIu64, (uint64_t)(body12 % 1000000000000ull));
    for (int i = 0; i < 12; i++)
        sum += (out[i] - '0') * (i % 2 ? 3 : 1);
    out[12] = (char)('0' + (10 - sum % 10) % 10);
    out[13] = 0;
}

struct ctx {
    const struct demo_opts *o;
    struct demo_stats *st;
    int64_t from, to;         /* batch range */
    int64_t nloc;
    int64_t loc_ids[64];
    int64_t day_start;        /* sales: the local midnight of the day being made */
    int64_t nskus;
    int64_t *price;           /* sales: each SKU's price by id (1-based) */
    struct rng rng;
};

static int chk(int64_t rc)
{
    return rc < 0 ? (int)rc : 0;
}

static int structure(struct db_conn *c, void *arg)
{
    struct ctx *x = arg;
    int64_t now = now_ms(), root = 0, rid[4] = {0}, cat_ids[NCATS];
    int rc;
    char code[32], name[128], path[64];
    int64_t exists = 0;

    rc = db_scalar_i64(c, &exists, "SELECT COUNT(*) FROM regions WHERE code = 'CN'", NULL);
    if (rc)
        return rc;
    if (exists)
        return err_set(O2O_EEXISTS, "demo_loaded", NULL, "the demo chain is already loaded");
    rc = db_scalar_i64(c, &root, "INSERT INTO regions (code, name, parent_id, path, created_at) VALUES ('CN', 'China', NULL, '', $1) RETURNING id",
                       "i", now);
    if (rc)
        return rc;
    snprintf(path, sizeof path, "/%" PRId64 "/", root);
    if ((rc = chk(db_exec(c, "UPDATE regions SET path = $2 WHERE id = $1", "it", root, path))))
        return rc;
    x->st->regions = 1;
    for (int i = 0; i < 4; i++) {
        rc = db_scalar_i64(c, &rid[i],
                           "INSERT INTO regions (code, name, parent_id, path, created_at) VALUES ($1, $2, $3, '', $4) RETURNING id",
                           "ttii", region_names[i][0], region_names[i][1], root, now);
        if (rc)
            return rc;
        snprintf(path, sizeof path, "/%" PRId64 "/%" PRId64 "/", root, rid[i]);
        if ((rc = chk(db_exec(c, "UPDATE regions SET path = $2 WHERE id = $1", "it", rid[i], path))))
            return rc;
        x->st->regions++;
    }
    /* 32 stores (more in the big cities), 2 warehouses, 2 restaurants */
    for (int i = 0; i < 36; i++) {
        const struct city *ct;
        const char *kind = i < 32 ? "store" : i < 34 ? "warehouse" : "restaurant";
        int ci = i < 32 ? (i < 8 ? 0 : i < 14 ? 4 : i < 18 ? 6 : i < 22 ? 7 : 1 + (i - 22) % 9)
                        : i == 32 ? 1 : i == 33 ? 6 : i == 34 ? 0 : 4;
        int r = 0;
        int64_t id = 0;
        ct = &cities[ci];
        for (int k = 0; k < 4; k++)
            if (!strcmp(ct->region, region_names[k][0]))
                r = k;
        if (i < 32)
            snprintf(code, sizeof code, "%s%02d", ct->code, i + 1);
        else
            snprintf(code, sizeof code, "%s-%s%d", kind[0] == 'w' ? "WH" : "RS", ct->code, i - 31);
        snprintf(name, sizeof name, "%s %s %d", ct->name, kind[0] == 's' ? "Store" : kind[0] == 'w' ? "Warehouse" : "Kitchen", i + 1);
        rc = db_scalar_i64(c, &id,
                           "INSERT INTO locations (code, name, kind, region_id, address, lat, lon, timezone, opens_at, "
                           "closes_at, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'Asia/Shanghai', $8, $9, "
                           "'open', $10) RETURNING id",
                           "tttitddtti", code, name, kind, rid[r], ct->name,
                           ct->lat + (i % 5) * 0.011 - 0.02, ct->lon + (i % 7) * 0.009 - 0.03,
                           kind[0] == 'w' ? "00:00" : kind[0] == 'r' ? "11:00" : "10:00",
                           kind[0] == 'w' ? "24:00" : "22:00", now);
        if (rc)
            return rc;
        x->loc_ids[x->nloc++] = id;
        if (kind[0] == 's')
            x->st->stores++;
        else if (kind[0] == 'w')
            x->st->warehouses++;
        else
            x->st->restaurants++;
    }
    for (int i = 0; i < 40; i++) {
        static const char *stems[] = {"Aurora", "Bamboo", "Cedar", "Dragon", "Ember", "Fjord", "Ginkgo", "Harbor"};
        static const char *tails[] = {"Wear", "Mode", "Kids", "Studio", "Lab"};
        snprintf(code, sizeof code, "B%02d", i + 1);
        snprintf(name, sizeof name, "%s %s", stems[i % 8], tails[i / 8]);
        if ((rc = chk(db_exec(c, "INSERT INTO brands (code, name, created_at) VALUES ($1, $2, $3)", "tti", code, name, now))))
            return rc;
        x->st->brands++;
    }
    for (int i = 0; i < NCATS; i++) {
        int64_t parent = 0;
        char cpath[64];
        for (int k = 0; k < i; k++)
            if (cats[i][2][0] && !strcmp(cats[k][0], cats[i][2]))
                parent = cat_ids[k];
        rc = db_scalar_i64(c, &cat_ids[i],
                           "INSERT INTO categories (code, name, parent_id, path, created_at) VALUES ($1, $2, $3, '', $4) RETURNING id",
                           "ttIi", cats[i][0], cats[i][1], parent, now);
        if (rc)
            return rc;
        if (parent)
            snprintf(cpath, sizeof cpath, "/%" PRId64 "/%" PRId64 "/", parent, cat_ids[i]);
        else
            snprintf(cpath, sizeof cpath, "/%" PRId64 "/", cat_ids[i]);
        if ((rc = chk(db_exec(c, "UPDATE categories SET path = $2 WHERE id = $1", "it", cat_ids[i], cpath))))
            return rc;
        x->st->categories++;
    }
    {
        /* the seeds' example: formula or diapers twice within 60 days */
        struct life_rule r;
        memset(&r, 0, sizeof r);
        str_copy(r.name, sizeof r.name, "new_parent");
        str_copy(r.categories, sizeof r.categories, "infant_formula,diapers");
        r.min_purchases = 2;
        r.window_days = 60;
        rc = life_rule_put(c, &r);
    }
    return rc;
}

/* Products [from, to) with 5 SKUs each, and their stock everywhere. */
static int products(struct db_conn *c, void *arg)
{
    struct ctx *x = arg;
    struct rng r;
    int64_t now = now_ms();
    int rc;
    for (int64_t p = x->from; p < x->to; p++) {
        char code[32], name[160], scode[48], bc[14];
        int64_t pid = 0, brand = 1 + p % 40, cat_leaf = leaf[p % NLEAF], price, launch;
        int c0;
        r.s = 42 + (uint64_t)p * 7919;
        snprintf(code, sizeof code, "P%05" PRId64, p + 1);
        snprintf(name, sizeof name, "%s %s no.%" PRId64, cats[cat_leaf][1], colours[p % 7], p + 1);
        price = (1990 + (int64_t)(next(&r) % 298000)) / 100 * 100 - 10; /* ends in .90 */
        /* a few products launch next week: invisible to channels until then */
        launch = p % 100 == 99 ? now + 7LL * 24 * 3600 * 1000 : now - (int64_t)(next(&r) % 180) * 24 * 3600 * 1000;
        rc = db_scalar_i64(c, &pid,
                           "INSERT INTO products (code, name, brand_id, category_id, description, launch_at, created_at) "
                           "VALUES ($1, $2, $3, (SELECT id FROM categories WHERE code = $4), '', $5, $6) RETURNING id",
                           "ttitii", code, name, brand, cats[cat_leaf][0], launch, now);
        if (rc)
            return rc;
        x->st->products++;
        c0 = (int)(next(&r) % 7);
        for (int k = 0; k < 5; k++) {
            int64_t sid = 0;
            const char *colour = colours[(c0 + k / 3) % 7];
            const char *size = sizes[1 + k % 3 + (k >= 3 ? 1 : 0)];
            snprintf(scode, sizeof scode, "%s-%s-%s", code, colour, size);
            ean13(bc, 690000000000ull + (uint64_t)p * 10 + (uint64_t)k);
            rc = db_scalar_i64(c, &sid,
                               "INSERT INTO skus (code, product_id, size, colour, barcode, price, created_at) "
                               "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                               "titttii", scode, pid, size, colour, bc, price, now);
            if (rc)
                return rc;
            x->st->skus++;
            for (int64_t l = 0; l < x->nloc; l++) {
                int64_t q = (int64_t)(next(&r) % 25) + (l >= 32 ? 100 : 0);
                if (!q)
                    continue;
                if ((rc = chk(db_exec(c, "INSERT INTO stock (sku_id, location_id, on_hand, reserved) VALUES ($1, $2, $3, 0)",
                                      "iii", sid, x->loc_ids[l], q))))
                    return rc;
                if ((rc = chk(db_exec(c,
                                      "INSERT INTO stock_movements (sku_id, location_id, kind, qty, reason, ref, actor, "
                                      "created_at) VALUES ($1, $2, 'receive', $3, 'opening stock', 'demo', 'system', $4)",
                                      "iiii", sid, x->loc_ids[l], q, now))))
                    return rc;
                x->st->stock_rows++;
            }
        }
    }
    return 0;
}

static int members(struct db_conn *c, void *arg)
{
    struct ctx *x = arg;
    static const char *family[] = {"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou"};
    static const char *given[] = {"Wei", "Fang", "Na", "Min", "Jing", "Lei", "Yan", "Jun", "Hui", "Xin", "Ying", "Tao"};
    int64_t now = now_ms();
    for (int64_t i = x->from; i < x->to; i++) {
        char phone[32], name[64];
        int rc;
        snprintf(phone, sizeof phone, "+86139%08" PRId64, i % 100000000);
        snprintf(name, sizeof name, "%s %s", family[i % 10], given[(i / 10) % 12]);
        rc = chk(db_exec(c,
                         "INSERT INTO members (phone, name, status, tier, consent_marketing, consent_sms, consent_email, "
                         "points, home_location_id, created_at, updated_at) VALUES ($1, $2, 'active', 'standard', $3, $3, 0, "
                         "0, $4, $5, $5)",
                         "ttiii", phone, name, (int64_t)(i % 3 != 0), x->loc_ids[i % 32], now));
        if (rc)
            return rc;
        x->st->members++;
    }
    return 0;
}

/* One day of till sales in every store: 8 to 23 sales between 10:00 and 21:00,
** one to three lines each, two in five by a member of the chain. */
static int sales(struct db_conn *c, void *arg)
{
    struct ctx *x = arg;
    for (int64_t s = 0; s < 32 && s < x->nloc; s++) {
        int64_t n = 8 + (int64_t)(next(&x->rng) % 16);
        for (int64_t k = 0; k < n; k++) {
            struct sale_import si;
            int64_t id;
            bool existed;
            int rc;
            memset(&si, 0, sizeof si);
            snprintf(si.external_ref, sizeof si.external_ref, "DEMO-%" PRId64 "-%" PRId64 "-%" PRId64,
                     x->day_start / 86400000, s, k);
            si.location_id = x->loc_ids[s];
            si.at = x->day_start + 10 * 3600000LL + (int64_t)(next(&x->rng) % (11 * 3600000ULL));
            if (x->o->members && next(&x->rng) % 5 < 2)
                si.member_id = 1 + (int64_t)(next(&x->rng) % (uint64_t)x->o->members);
            si.nlines = 1 + (int)(next(&x->rng) % 3);
            for (int l = 0; l < si.nlines; l++) {
                si.sku[l] = 1 + (int64_t)(next(&x->rng) % (uint64_t)x->nskus);
                si.qty[l] = 1 + (int64_t)(next(&x->rng) % 4 == 0);
                si.unit_price[l] = x->price[si.sku[l]];
            }
            if ((rc = order_import(c, &si, &id, &existed)))
                return rc;
            x->st->sales++;
        }
    }
    return 0;
}

static int load_prices(struct db_conn *c, struct ctx *x)
{
    struct db_stmt *s = NULL;
    int rc = db_scalar_i64(c, &x->nskus, "SELECT COALESCE(MAX(id), 0) FROM skus", NULL);
    if (rc)
        return rc;
    x->price = xcalloc((size_t)x->nskus + 1, sizeof x->price[0]);
    rc = db_query(c, &s, "SELECT id, price FROM skus", NULL);
    while (rc == DB_ROW) {
        int64_t id = db_col_i64(s, 0);
        if (id >= 1 && id <= x->nskus)
            x->price[id] = db_col_i64(s, 1);
        rc = db_step(s);
    }
    db_done(s);
    return rc < 0 ? rc : 0;
}

/* The days before today, oldest first, in the stores' zone (Asia/Shanghai). */
static int sales_history(struct db *db, struct ctx *x)
{
    char today[11];
    int64_t utc0;
    int rc;
    tz_local_day("Asia/Shanghai", now_ms(), today);
    if (parse_iso8601(today, &utc0) || (rc = load_prices(db_reader(db), x)))
        return O2O_EINVAL;
    x->rng.s = 0x5eed5a1e5ULL;
    for (int64_t d = x->o->sales_days; d >= 1 && !rc; d--) {
        x->day_start = tz_local_midnight("Asia/Shanghai", utc0 - d * 86400000LL);
        if (x->nskus > 0)
            rc = db_txn(db, sales, x);
        progress(x->o, "sales", x->o->sales_days - d + 1, x->o->sales_days);
    }
    free(x->price);
    x->price = NULL;
    return rc;
}

int demo_load(struct db *db, const struct demo_opts *o, struct demo_stats *out)
{
    struct ctx x;
    int64_t t0 = mono_us(), step;
    int rc;
    memset(out, 0, sizeof *out);
    memset(&x, 0, sizeof x);
    x.o = o;
    x.st = out;
    rc = db_txn(db, structure, &x);
    if (rc)
        return rc;
    step = 100;
    for (int64_t p = 0; p < o->products; p += step) {
        x.from = p;
        x.to = p + step < o->products ? p + step : o->products;
        rc = db_txn(db, products, &x);
        if (rc)
            return rc;
        progress(o, "products", x.to, o->products);
    }
    step = 20000;
    for (int64_t m = 0; m < o->members; m += step) {
        x.from = m;
        x.to = m + step < o->members ? m + step : o->members;
        rc = db_txn(db, members, &x);
        if (rc)
            return rc;
        progress(o, "members", x.to, o->members);
    }
    if (o->sales_days > 0 && (rc = sales_history(db, &x)))
        return rc;
    out->elapsed_ms = (mono_us() - t0) / 1000;
    return 0;
}
