/*
** mailparse.h -- an e-mail as it arrives (RFC 5322 with MIME), read into what the
** service desk takes: who sent it, its subject, its Message-ID and its text, all
** in UTF-8. Outside input: every length is bounded, nothing is trusted, bytes
** that are not text become '?'.
*/
#ifndef O2O_CORE_MAILPARSE_H
#define O2O_CORE_MAILPARSE_H

#include <stddef.h>

struct mail_in {
    char from_addr[129];      /* lower-case; "" when there is none */
    char from_name[129];
    char subject[256];
    char message_id[200];     /* without its angle brackets */
    char *text;               /* owned: the first text/plain part (else text/html without its tags) */
};

/* Read raw (len bytes); the text is cut at max_text bytes (at a character).
** O2O_EINVAL when it has no header block. */
int mail_parse(const char *raw, size_t len, size_t max_text, struct mail_in *out);
void mail_in_free(struct mail_in *m);

#endif
