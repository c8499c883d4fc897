/*
** testutil.h -- shared helpers for the cmocka unit tests: a fresh, migrated
** database on the backend named by O2O_TEST_DB ("postgres://..." or unset for
** a temporary SQLite file).
*/
#ifndef O2O_TESTS_TESTUTIL_H
#define O2O_TESTS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db/db.h"

static char test_db_path[256];

static int reset_pg(struct db_conn *c, void *arg)
{
    (void)arg;
    return db_exec_raw(c, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
}

/* Open a fresh, fully migrated database. */
static inline struct db *test_db_open(void)
{
    const char *url = getenv("O2O_TEST_DB");
    struct db *db = NULL;
    char path[300];
    if (url && *url && strncmp(url, "sqlite:", 7)) {
        assert_int_equal(db_open(&db, url, 8), 0);
        assert_int_equal(db_txn(db, reset_pg, NULL), 0);
    } else {
        snprintf(test_db_path, sizeof test_db_path, "/tmp/o2o-unit-%d-%d.db", (int)getpid(), rand());
        for (const char *sfx = ""; ; sfx = sfx[0] ? NULL : "-wal") {
            if (!sfx)
                break;
            snprintf(path, sizeof path, "%s%s", test_db_path, sfx);
            unlink(path);
        }
        assert_int_equal(db_open(&db, test_db_path, 0), 0);
    }
    assert_int_equal(db_migrate(db, NULL), 0);
    return db;
}

static inline void test_db_close(struct db *db)
{
    char path[300];
    db_close(db);
    if (test_db_path[0]) {
        const char *sfx[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s%s", test_db_path, sfx[i]);
            unlink(path);
        }
        test_db_path[0] = 0;
    }
}



/* ---- a small chain for domain tests: regions CN > EAST, NORTH; stores SH01, SH02
** (EAST) and BJ01 (NORTH); a product TEE with SKUs TEE-S, TEE-M. ---- */
#include "catalog/catalog.h"
#include "org/location.h"

struct seed_ids {
    int64_t east, north, sh01, sh02, bj01, tee_s, tee_m;
};

static int seed_body(struct db_conn *c, void *arg)
{
    struct seed_ids *ids = arg;
    struct region r;
    struct location l;
    struct product p;
    struct sku k;
    int rc;
    const struct {
        const char *code, *parent;
    } regions[] = {{"CN", ""}, {"EAST", "CN"}, {"NORTH", "CN"}};
    const struct {
        const char *code, *region;
        double lat, lon;
    } locs[] = {{"SH01", "EAST", 31.2304, 121.4737}, {"SH02", "EAST", 31.25, 121.5}, {"BJ01", "NORTH", 39.9042, 116.4074}};
    for (int i = 0; i < 3; i++) {
        memset(&r, 0, sizeof r);
        snprintf(r.code, sizeof r.code, "%s", regions[i].code);
        snprintf(r.name, sizeof r.name, "%s", regions[i].code);
        snprintf(r.parent_code, sizeof r.parent_code, "%s", regions[i].parent);
        if ((rc = region_create(c, &r)))
            return rc;
        if (i == 1)
            ids->east = r.id;
        if (i == 2)
            ids->north = r.id;
    }
    for (int i = 0; i < 3; i++) {
        memset(&l, 0, sizeof l);
        snprintf(l.code, sizeof l.code, "%s", locs[i].code);
        snprintf(l.name, sizeof l.name, "Store %s", locs[i].code);
        snprintf(l.kind, sizeof l.kind, "store");
        snprintf(l.region_code, sizeof l.region_code, "%s", locs[i].region);
        l.has_geo = true;
        l.lat = locs[i].lat;
        l.lon = locs[i].lon;
        if ((rc = location_create(c, &l)))
            return rc;
        if (i == 0)
            ids->sh01 = l.id;
        else if (i == 1)
            ids->sh02 = l.id;
        else
            ids->bj01 = l.id;
    }
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "TEE");
    snprintf(p.name, sizeof p.name, "Tee");
    if ((rc = product_create(c, &p)))
        return rc;
    for (int i = 0; i < 2; i++) {
        memset(&k, 0, sizeof k);
        snprintf(k.code, sizeof k.code, "TEE-%s", i ? "M" : "S");
        snprintf(k.product_code, sizeof k.product_code, "TEE");
        snprintf(k.size, sizeof k.size, "%s", i ? "M" : "S");
        snprintf(k.barcode, sizeof k.barcode, "690000000%04d", i);
        k.price = 12900;
        if ((rc = sku_create(c, &k)))
            return rc;
        if (i)
            ids->tee_m = k.id;
        else
            ids->tee_s = k.id;
    }
    return 0;
}

static inline void seed_chain(struct db *db, struct seed_ids *ids)
{
    memset(ids, 0, sizeof *ids);
    assert_int_equal(db_txn(db, seed_body, ids), 0);
}

#endif
