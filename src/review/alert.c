/*
** alert.c -- what a bad review sets off, in the transaction that stores it: a
** message by the desk's "review" medium from the member, with the order attached
** and the topic bad_review (it opens her conversation, or joins the one she has
** open, dispatched like any other), and a review_alert notice to each manager
** answerable for the store (its store managers, else its region's: staff with a
** phone get an SMS, those with only an e-mail address an e-mail). The outbox's
** delivery turn sends them within a second or two.
*/
#include "review/alert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/util.h"
#include "desk/conversation.h"
#include "identity/accounts.h"
#include "org/location.h"
#include "org/outbox.h"

#define MODULE_NAME "review/alert"

struct tell {
    struct db_conn *c;
    const struct notice *n;
    int told;
    int rc;
};

static int tell_manager(const struct staff_row *s, void *arg)
{
    struct tell *t = arg;
    struct notice_route r;
    memset(&r, 0, sizeof r);
    if (s->phone[0]) {
        r.topic = "sms";
        r.to = s->phone;
        if (s->email[0]) {
            r.fallback_topic = "email";
            r.fallback_to = s->email;
        }
    } else if (s->email[0]) {
        r.topic = "email";
        r.to = s->email;
    } else {
        return 0; /* nowhere to reach her: the desk's case is the alert */
    }
    if ((t->rc = outbox_notice(t->c, t->n, &r, NULL)))
        return t->rc;
    t->told++;
    return 0;
}

/* The first n bytes of s, cut at a character. */
static void head(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s) < cap - 1 ? strlen(s) : cap - 1;
    while (n && s[n] && ((unsigned char)s[n] & 0xc0) == 0x80)
        n--;
    memcpy(out, s, n);
    out[n] = 0;
}

int review_alert(struct db_conn *c, const struct review_alert_in *r, int64_t now, int64_t *conversation_id)
{
    struct desk_inbound *in = xcalloc(1, sizeof *in);
    struct desk_intake out;
    struct location l;
    char store[140] = "", text_head[121], rating[4], order[24], msg[600];
    struct tell t;
    int rc;
    if (r->location_id && !location_cached(c, r->location_id, &l))
        snprintf(store, sizeof store, "%.64s %.64s", l.code, l.name);
    /* her words reach the desk: one conversation with the order attached */
    str_copy(in->medium, sizeof in->medium, "review");
    str_copy(in->id_kind, sizeof in->id_kind, "member");
    snprintf(in->id_value, sizeof in->id_value, "%" PRId64, r->member_id);
    snprintf(in->body, sizeof in->body, "%lld/5 for %.128s (%.64s, order %" PRId64 ")%s%.3700s", (long long)r->rating,
             r->product_name, r->sku, r->order_id, r->body[0] ? ": " : "", r->body);
    str_copy(in->topic, sizeof in->topic, "bad_review");
    in->location_id = r->location_id;
    in->order_id = r->order_id;
    snprintf(in->external_ref, sizeof in->external_ref, "review:%" PRId64 ":%" PRId64, r->review_id, r->updated_at);
    in->at = now;
    rc = desk_receive(c, in, &out);
    free(in);
    if (rc)
        return rc;
    *conversation_id = out.conversation_id;
    /* and the managers of the store that sold it, on their phones */
    head(text_head, sizeof text_head, r->body);
    snprintf(rating, sizeof rating, "%lld", (long long)r->rating);
    snprintf(order, sizeof order, "%" PRId64, r->order_id);
    snprintf(msg, sizeof msg, "Bad review (%s/5, %.40s) of %.100s sold at %.100s, order %s: %s", rating, r->why,
             r->product_name, store[0] ? store : "no store", order, text_head);
    {
        struct notice note = {"review_alert", "service", msg, 5, {"rating", "product", "store", "order", "text"},
                              {rating, r->product_name, store, order, text_head}, 0};
        t.c = c;
        t.n = &note;
        t.told = 0;
        t.rc = 0;
        if (r->location_id && (rc = staff_managers_of(c, r->location_id, tell_manager, &t)))
            return rc;
    }
    if (!t.told)
        log_info("review %" PRId64 ": no manager with a phone or e-mail for %s; the desk's case is the alert", r->review_id,
                 store[0] ? store : "(no store)");
    return 0;
}
