/*
** channel.c -- the sales channels (see channel.h). No tables.
*/
#include "org/channel.h"

#include <string.h>

const char *const sales_channels[SALES_CHANNELS] = {"pos", "web", "app", "miniprogram", "phone", "marketplace"};

int sales_channel_index(const char *name)
{
    for (int i = 0; i < SALES_CHANNELS; i++)
        if (!strcmp(name, sales_channels[i]))
            return i;
    return -1;
}

bool sales_channel_ok(const char *name)
{
    return sales_channel_index(name) >= 0;
}

const char *sales_channel_default(const struct principal *who)
{
    if (who->role == ROLE_CHANNEL && who->channel[0])
        return who->channel;
    return who->role == ROLE_MEMBER ? "app" : "pos";
}
