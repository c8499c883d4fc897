/*
** mail_in.c -- one turn of the e-mail intake: the mailbox's unseen messages (at
** most 50 a turn), each fetched (which marks it seen), read (core/mailparse.c) and
** taken in by desk_receive in its own transaction: its subject and text become the
** message, its From address the sender's identity, its Message-ID the reference
** that makes a second copy (another process's turn, a redelivery) change nothing.
** A message with no sender address is logged and left seen; one that could not be
** stored is marked unseen again.
*/
#include "desk/mail_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mailparse.h"
#include "core/mem.h"
#include "core/util.h"
#include "desk/conversation.h"
#include "net/imap.h"

#define MODULE_NAME "desk/mail_in"
#define PER_TURN 50
#define MAX_MAIL (10u << 20)

struct take {
    struct desk_inbound in;
    struct desk_intake out;
};

static int take_body(struct db_conn *c, void *arg)
{
    struct take *t = arg;
    return desk_receive(c, &t->in, &t->out);
}

/* A UTF-8 string cut short by snprintf: its last character, if incomplete, goes. */
static void cut_utf8(char *s)
{
    size_t n = strlen(s), i = n, k;
    unsigned char c;
    while (i && ((unsigned char)s[i - 1] & 0xc0) == 0x80)
        i--;
    if (!i)
        return;
    c = (unsigned char)s[i - 1];
    k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
    if (n - (i - 1) < k)
        s[i - 1] = 0;
}

/* One message: 0 when taken in (or not to be taken: logged). */
static int one(struct desk_mailbox *mb, int64_t uid)
{
    char *raw = NULL;
    size_t len = 0;
    struct mail_in m;
    struct take *t;
    int rc = imap_fetch(mb->url, NULL, mb->password, uid, MAX_MAIL, &raw, &len);
    if (rc)
        return rc;
    if (mail_parse(raw, len, DESK_BODY_MAX, &m) || !m.from_addr[0]) {
        log_warn("mail %lld in %s has no sender address: not taken in", (long long)uid, mb->url);
        if (m.text)
            mail_in_free(&m);
        free(raw);
        return 0;
    }
    t = xcalloc(1, sizeof *t);
    str_copy(t->in.medium, sizeof t->in.medium, "email");
    str_copy(t->in.id_kind, sizeof t->in.id_kind, "email");
    str_copy(t->in.id_value, sizeof t->in.id_value, m.from_addr);
    str_copy(t->in.name, sizeof t->in.name, m.from_name);
    if (m.subject[0] && m.text[0])
        snprintf(t->in.body, sizeof t->in.body, "%s\n\n%s", m.subject, m.text);
    else
        snprintf(t->in.body, sizeof t->in.body, "%s", m.text[0] ? m.text : m.subject[0] ? m.subject : "(empty)");
    cut_utf8(t->in.body);
    if (m.message_id[0]) {
        snprintf(t->in.external_ref, sizeof t->in.external_ref, "mail:%.120s", m.message_id);
    } else {
        char hex[65];
        sha256_hex(hex, raw, len);
        snprintf(t->in.external_ref, sizeof t->in.external_ref, "mail:sha256:%s", hex);
    }
    t->in.at = now_ms();
    mail_in_free(&m);
    free(raw);
    rc = db_txn(mb->db, take_body, t);
    if (rc == O2O_EINVAL) {
        log_warn("mail %lld from %s not taken in: %s", (long long)uid, t->in.id_value, err_last()->msg);
        rc = 0;
    }
    free(t);
    return rc;
}

void desk_mail_tick(void *arg)
{
    struct desk_mailbox *mb = arg;
    int64_t uids[PER_TURN];
    int n = 0;
    if (imap_unseen(mb->url, NULL, mb->password, uids, PER_TURN, &n)) {
        log_warn("mailbox %s: %s", mb->url, err_last()->msg);
        return;
    }
    for (int i = 0; i < n; i++) {
        if (!one(mb, uids[i]))
            continue;
        log_warn("mail %lld in %s: %s; left unseen for the next turn", (long long)uids[i], mb->url, err_last()->msg);
        if (imap_unsee(mb->url, NULL, mb->password, uids[i]))
            log_warn("mailbox %s: %s", mb->url, err_last()->msg);
    }
}
