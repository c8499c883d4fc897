/*
** channel.h -- the sales channels: where a sale, a points operation or an API key
** belongs (the till, the web shop, the app, the mini-program, the phone, a
** marketplace). The one list of them; the service desk's message channels (SMS,
** WeChat, e-mail...) are another thing with another name.
*/
#ifndef O2O_ORG_CHANNEL_H
#define O2O_ORG_CHANNEL_H

#include <stdbool.h>

#include "core/principal.h"

#define SALES_CHANNELS 6
/* The same list for route declarations (http/schema.h): one of these words. */
#define SALES_CHANNELS_DECL "(pos|web|app|miniprogram|phone|marketplace)"
#define SALES_CHANNELS_TEXT "pos, web, app, miniprogram, phone or marketplace"

extern const char *const sales_channels[SALES_CHANNELS];

/* Its index in sales_channels, or -1. */
int sales_channel_index(const char *name);
bool sales_channel_ok(const char *name);
/* Where what who does without naming a channel belongs: a channel key's own channel,
** a member's app, staff at the till. */
const char *sales_channel_default(const struct principal *who);

#endif
