/*
** imap.h -- a mailbox read over IMAP (libcurl), for the service desk's e-mail
** intake: the messages not yet seen, one message whole (fetching it marks it
** seen, as IMAP does), and its flag put back when it could not be taken in.
** Blocking, for a background thread.
*/
#ifndef O2O_NET_IMAP_H
#define O2O_NET_IMAP_H

#include <stddef.h>
#include <stdint.h>

/* url: imap://host:port/MAILBOX (imaps:// for TLS). O2O_ERETRY when the server
** cannot be reached or refuses the login. */
/* The UIDs of the unseen messages (at most cap) into uids, their count in *n. */
int imap_unseen(const char *url, const char *user, const char *password, int64_t *uids, int cap, int *n);
/* One message's full text (owned, NUL-terminated; at most max bytes taken). */
int imap_fetch(const char *url, const char *user, const char *password, int64_t uid, size_t max, char **msg,
               size_t *len);
/* Mark it unseen again (it could not be taken in: the next turn tries again). */
int imap_unsee(const char *url, const char *user, const char *password, int64_t uid);

#endif
