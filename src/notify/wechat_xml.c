/*
** wechat_xml.c -- WeChat's flat XML (<xml><Name><![CDATA[value]]></Name>...</xml>):
** one field's value, CDATA or text, cut at a character. Outside input: nothing
** beyond the buffer given is read or written.
*/
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "notify/wechat_callback.h"

bool wechat_xml_field(const char *xml, const char *name, char *out, size_t cap)
{
    char open[48], close[48];
    const char *p, *e;
    size_t n;
    out[0] = 0;
    snprintf(open, sizeof open, "<%s>", name);
    snprintf(close, sizeof close, "</%s>", name);
    if (!(p = strstr(xml, open)))
        return false;
    p += strlen(open);
    if (!strncmp(p, "<![CDATA[", 9)) {
        p += 9;
        if (!(e = strstr(p, "]]>")))
            return false;
    } else if (!(e = strstr(p, close))) {
        return false;
    }
    n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
    while (n && n < (size_t)(e - p) && ((unsigned char)p[n] & 0xc0) == 0x80)
        n--; /* cut at a character */
    memcpy(out, p, n);
    out[n] = 0;
    return true;
}
