/*
** fuzz_inbound.c -- libFuzzer target over what the service desk and the delivery
** receipts read from outside: an e-mail (core/mailparse.c: headers, encoded words
** in any charset, the MIME tree, transfer encodings), WeChat's flat XML
** (notify/wechat_xml.c), the SMS providers' receipt and reply pushes and the call
** centre's call log (notify/callbacks.c). It asserts that what comes out is bounded, NUL-terminated
** UTF-8. Run by scripts/fuzz.sh. Seeds: tests/fuzz/corpus/inbound/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mailparse.h"
#include "notify/messaging.h"
#include "notify/wechat_callback.h"

static void utf8_or_die(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        size_t k = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
        if (!k)
            abort();
        for (size_t j = 1; j < k; j++)
            if ((p[j] & 0xc0) != 0x80)
                abort();
        p += k;
    }
}

static int on_receipt(const struct notify_receipt *r, void *arg)
{
    (void)arg;
    if (strlen(r->ref) >= sizeof r->ref || strlen(r->reason) >= sizeof r->reason)
        abort();
    return 0;
}

static int on_reply(const struct notify_reply *r, void *arg)
{
    (void)arg;
    if (strlen(r->from) >= sizeof r->from || strlen(r->text) >= sizeof r->text)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), field[64];
    struct mail_in m;
    memcpy(s, data, size);
    s[size] = 0;
    if (!mail_parse(s, size, 4000, &m)) {
        utf8_or_die(m.text);
        utf8_or_die(m.subject);
        utf8_or_die(m.from_name);
        if (strlen(m.text) > 4000)
            abort();
        mail_in_free(&m);
    }
    if (wechat_xml_field(s, "Content", field, sizeof field) && strlen(field) >= sizeof field)
        abort();
    wechat_xml_field(s, "MsgType", field, sizeof field);
    notify_parse_receipts("aliyun_sms", s, size, on_receipt, NULL);
    notify_parse_receipts("tencent_sms", s, size, on_receipt, NULL);
    notify_parse_replies("aliyun_sms", s, size, on_reply, NULL);
    notify_parse_replies("tencent_sms", s, size, on_reply, NULL);
    {
        struct notify_call call;
        if (!notify_parse_call(s, size, &call) &&
            (strlen(call.call_id) >= sizeof call.call_id || strlen(call.summary) >= sizeof call.summary))
            abort();
    }
    free(s);
    return 0;
}
