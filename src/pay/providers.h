/*
** providers.h -- the payment providers o2o has (for gateways_load).
*/
#ifndef O2O_PAY_PROVIDERS_H
#define O2O_PAY_PROVIDERS_H

#include <stddef.h>

struct gw_provider;
const struct gw_provider *const *gw_providers(size_t *n);

#endif
