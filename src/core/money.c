/*
** money.c -- fen to yuan and back (see money.h). Tests: tests/unit/test_core.c
*/
#include "core/money.h"

#include <inttypes.h>
#include <stdio.h>

#include "core/err.h"

void money_yuan(char out[32], int64_t fen)
{
    uint64_t a = fen < 0 ? (uint64_t)0 - (uint64_t)fen : (uint64_t)fen;
    snprintf(out, 32, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", a / 100, a % 100);
}

int money_parse_yuan(const char *s, int64_t *fen)
{
    int64_t whole = 0, frac = 0;
    int digits = 0;
    const char *p = s;
    if (!s || !*s)
        return O2O_EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        whole = whole * 10 + (*p - '0');
        if (whole > 1000000000LL)
            return O2O_EINVAL;
    }
    if (p == s)
        return O2O_EINVAL;
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9' && digits < 2; p++, digits++)
            frac = frac * 10 + (*p - '0');
        if (digits == 1)
            frac *= 10;
    }
    if (*p)
        return O2O_EINVAL;
    *fen = whole * 100 + frac;
    return 0;
}
