/*
** report.c -- the command `o2o report daily|monthly`: a scope's day or months
** from the database, as a table on the terminal, CSV, JSON, HTML or XLSX.
*/
#include "cli/cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/util.h"
#include "db/db.h"
#include "reports/render.h"

static const char *usage =
    "usage: o2o report daily (--store CODE | --region CODE | --chain) --date YYYY-MM-DD\n"
    "       o2o report monthly [--store CODE | --region CODE] [--from YYYY-MM] [--to YYYY-MM]\n"
    "       o2o report demand [--from YYYY-MM] [--to YYYY-MM]   (units by category x size x price band,\n"
    "                          trend, next-month forecasts and their backtest error)\n"
    "       options: [--format table|csv|json|html|xlsx] [--output FILE] [--db URL]\n"
    "  a daily report that was built at closing time is printed as it was delivered;\n"
    "  xlsx needs --output\n";

int cli_report(int argc, char **argv)
{
    const char *kind = argc > 2 ? argv[2] : "", *store = NULL, *region = NULL, *date = NULL, *from = "", *to = "";
    const char *format = "table", *output = NULL, *url = getenv("O2O_DB") ? getenv("O2O_DB") : "sqlite:data/o2o.db";
    const char *scope = "chain", *code = "";
    struct db *db = NULL;
    json_t *doc = NULL;
    char *text = NULL;
    size_t len = 0;
    int rc = 0;
    if (cli_help(argc, argv, usage))
        return 0;
    if (strcmp(kind, "daily") && strcmp(kind, "monthly") && strcmp(kind, "demand")) {
        fputs(usage, stderr);
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--chain"))
            continue;
        if (!v || a[0] != '-') {
            fprintf(stderr, "o2o: bad argument %s\n%s", a, usage);
            return 2;
        }
        if (!strcmp(a, "--store"))
            store = v;
        else if (!strcmp(a, "--region"))
            region = v;
        else if (!strcmp(a, "--date"))
            date = v;
        else if (!strcmp(a, "--from"))
            from = v;
        else if (!strcmp(a, "--to"))
            to = v;
        else if (!strcmp(a, "--format"))
            format = v;
        else if (!strcmp(a, "--output"))
            output = v;
        else if (!strcmp(a, "--db"))
            url = v;
        else {
            fprintf(stderr, "o2o: unknown option %s\n%s", a, usage);
            return 2;
        }
        i++;
    }
    if (store && region) {
        fprintf(stderr, "o2o: --store or --region, not both\n");
        return 2;
    }
    if (store)
        scope = "store", code = store;
    else if (region)
        scope = "region", code = region;
    if (!strcmp(kind, "daily") && !date) {
        fprintf(stderr, "o2o: a daily report needs --date YYYY-MM-DD\n%s", usage);
        return 2;
    }
    if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json") && strcmp(format, "html") &&
        strcmp(format, "xlsx")) {
        fprintf(stderr, "o2o: --format is table, csv, json, html or xlsx\n");
        return 2;
    }
    if (!strcmp(format, "xlsx") && !output) {
        fprintf(stderr, "o2o: an xlsx workbook needs --output FILE\n");
        return 2;
    }
    if (db_open(&db, url, 0) || db_check_schema(db)) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        if (db)
            db_close(db);
        return 1;
    }
    rc = report_document(db_reader(db), kind, scope, code, date ? date : "", from, to, &doc);
    db_close(db);
    if (rc) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        return rc == O2O_EINVAL || rc == O2O_ENOTFOUND ? 2 : 1;
    }
    if (!strcmp(format, "json")) { /* for people: indented */
        text = json_dumps(doc, JSON_INDENT(2));
        len = strlen(text);
    } else {
        text = render_as(doc, format, &len);
    }
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "o2o: %s\n", err_last()->msg);
        return err_last()->rc == O2O_EINVAL ? 2 : 1;
    }
    {
        FILE *f = output ? fopen(output, "wb") : stdout;
        if (!f) {
            fprintf(stderr, "o2o: cannot write %s\n", output);
            free(text);
            return 1;
        }
        fwrite(text, 1, len, f);
        if (!strcmp(format, "json"))
            fputc('\n', f);
        if (output)
            fclose(f);
    }
    free(text);
    return 0;
}
