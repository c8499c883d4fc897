/*
** csv.h -- a streaming RFC 4180 CSV reader: quoted fields, doubled quotes,
** embedded commas and newlines, CRLF or LF line ends.
*/
#ifndef O2O_CORE_CSV_H
#define O2O_CORE_CSV_H

#include <stdio.h>

#define CSV_MAX_FIELDS 64

struct csv {
    FILE *f;
    char *buf;               /* the current record's fields, NUL-separated */
    size_t cap;
    char *field[CSV_MAX_FIELDS];
    int nfields;
    long line;               /* line number where the current record starts (1-based) */
    long next_line;
    long long bytes;         /* bytes consumed so far */
};

void csv_init(struct csv *c, FILE *f);
void csv_free(struct csv *c);
/* Read the next record: 1 when a record was read, 0 at the end, -1 on a malformed
** record (unterminated quote) or too many fields. */
int csv_next(struct csv *c);
/* Index of a header name in the fields of the current record, or -1. */
int csv_index(const struct csv *c, const char *name);

#endif
