/*
** money.h -- money as o2o keeps it (integer fen) and as people and providers
** write it (yuan with two decimals): the one place that turns one into the other.
*/
#ifndef O2O_CORE_MONEY_H
#define O2O_CORE_MONEY_H

#include <stdint.h>

/* "1234.56" for 123456 fen, "-1.50" for -150. */
void money_yuan(char out[32], int64_t fen);
/* "88.88", "88.8", "88" yuan to fen; O2O_EINVAL for anything else (a sign, a third
** decimal, more than 1,000,000,000 yuan). */
int money_parse_yuan(const char *s, int64_t *fen);

#endif
