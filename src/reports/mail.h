/*
** mail.h -- a report as the e-mail its subscribers receive: text and HTML
** alternatives (the HTML with its charts as PNG images, for the clients that drop
** SVG), the CSV (with a byte-order mark, for Excel) and XLSX files attached, a
** Message-ID, and a subject any SMTP server carries (RFC 2047).
*/
#ifndef O2O_REPORTS_MAIL_H
#define O2O_REPORTS_MAIL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct mail_head {
    const char *from;         /* the sender's address */
    const char *from_name;    /* its display name, or NULL */
    const char *to;
    int64_t date;             /* epoch ms of the Date: field */
};

/* The whole message (CRLF lines), malloc'd; name: the attachments' file name
** without extension. */
char *report_mail(const json_t *report, const char *name, const struct mail_head *h, size_t *len);

#endif
