/*
** mail_in.h -- the service desk's e-mail intake, run by a thread of app/: a
** mailbox polled over IMAP; each unseen message taken in as a message by e-mail
** from its sender's address (once: its Message-ID), or marked unseen again when it
** could not be, so that the next turn tries it again.
*/
#ifndef O2O_DESK_MAIL_IN_H
#define O2O_DESK_MAIL_IN_H

#include "db/db.h"

struct desk_mailbox {
    struct db *db;
    char url[256];            /* imap://[user@]host:port/MAILBOX */
    char password[129];
};

/* One turn (arg: struct desk_mailbox *). */
void desk_mail_tick(void *arg);

#endif
