/*
** mime.h -- the pieces of an Internet message o2o writes (RFC 5322, MIME): header
** fields whose text may be any UTF-8 (RFC 2047 encoded-words, so that a store
** named 伦敦四店 travels through any 7-bit SMTP server and a name can never add a
** header line), Message-ID and Date, base64 bodies in 76-character lines.
*/
#ifndef O2O_CORE_MIME_H
#define O2O_CORE_MIME_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* "Name: text\r\n": printable ASCII as it is; anything else (UTF-8, control
** characters, "=?") as base64 encoded-words of at most 75 characters, folded,
** never splitting a character. */
void mime_header(struct buf *b, const char *name, const char *text);
/* "Name: "display" <address>\r\n" (the display name encoded as above). */
void mime_address(struct buf *b, const char *name, const char *display, const char *address);
/* "<random@domain>": the domain of from ("o2o.invalid" without one). */
void mime_message_id(char out[128], const char *from);
/* RFC 5322 date of ms since the epoch, in UTC: "Mon, 07 Dec 2026 19:10:08 +0000". */
void mime_date(char out[40], int64_t ms);
/* data in base64, 76 characters a line, each ended by CRLF. */
void mime_base64(struct buf *b, const void *data, size_t len);
/* A fresh boundary: "=_o2o_" and random hex (never found in base64 text). */
void mime_boundary(char out[40]);

#endif
