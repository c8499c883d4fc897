/*
** csv.c -- streaming CSV reader (RFC 4180). Tests: tests/unit/test_core.c
*/
#include "core/csv.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void csv_init(struct csv *c, FILE *f)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    c->cap = 4096;
    c->buf = xmalloc(c->cap);
    c->next_line = 1;
}

void csv_free(struct csv *c)
{
    free(c->buf);
    c->buf = NULL;
}

static void put(struct csv *c, size_t *n, char ch)
{
    if (*n + 1 >= c->cap) {
        size_t old = c->cap;
        char *ob = c->buf;
        c->cap *= 2;
        c->buf = xrealloc(c->buf, c->cap);
        for (int i = 0; i < c->nfields; i++) /* re-point fields into the moved buffer */
            c->field[i] = c->buf + (c->field[i] - ob);
        (void)old;
    }
    c->buf[(*n)++] = ch;
}

int csv_next(struct csv *c)
{
    size_t n = 0;
    int ch, quoted = 0, at_start = 1, bad = 0;
    c->nfields = 0;
    c->line = c->next_line;
    ch = getc(c->f);
    if (ch == EOF)
        return 0;
    c->field[c->nfields++] = c->buf;
    for (;; ch = getc(c->f)) {
        if (ch != EOF)
            c->bytes++;
        if (ch == EOF) {
            if (quoted)
                bad = 1;
            break;
        }
        if (quoted) {
            if (ch == '"') {
                int nx = getc(c->f);
                if (nx == '"') {
                    c->bytes++;
                    put(c, &n, '"');
                    continue;
                }
                quoted = 0;
                if (nx != EOF)
                    ungetc(nx, c->f);
                continue;
            }
            if (ch == '\n')
                c->next_line++;
            put(c, &n, (char)ch);
            continue;
        }
        if (ch == '"' && at_start) {
            quoted = 1;
            at_start = 0;
            continue;
        }
        if (ch == ',') {
            put(c, &n, 0);
            if (c->nfields >= CSV_MAX_FIELDS)
                bad = 1;
            else
                c->field[c->nfields++] = c->buf + n;
            at_start = 1;
            continue;
        }
        if (ch == '\r') {
            int nx = getc(c->f);
            if (nx != '\n' && nx != EOF)
                ungetc(nx, c->f);
            else if (nx == '\n')
                c->bytes++;
            c->next_line++;
            break;
        }
        if (ch == '\n') {
            c->next_line++;
            break;
        }
        at_start = 0;
        put(c, &n, (char)ch);
    }
    put(c, &n, 0);
    return bad ? -1 : 1;
}

int csv_index(const struct csv *c, const char *name)
{
    for (int i = 0; i < c->nfields; i++) {
        const char *f = c->field[i];
        if (i == 0 && (unsigned char)f[0] == 0xEF && (unsigned char)f[1] == 0xBB && (unsigned char)f[2] == 0xBF)
            f += 3; /* UTF-8 byte order mark */
        if (!strcmp(f, name))
            return i;
    }
    return -1;
}
