/*
** curl_int.h -- inside src/net: libcurl, loaded on first use (dlopen) so that
** commands that never call out do not pay for loading it and its dependencies at
** every start. After this header, curl_foo is the loaded function.
*/
#ifndef O2O_NET_CURL_INT_H
#define O2O_NET_CURL_INT_H

#define CURL_DISABLE_TYPECHECK /* curl_easy_setopt is called through a pointer */
#include <curl/curl.h>

#define CURL_FUNCS(X)                                                                                          \
    X(curl_global_init) X(curl_easy_init) X(curl_easy_setopt) X(curl_easy_perform) X(curl_easy_getinfo)      \
    X(curl_easy_cleanup) X(curl_easy_strerror) X(curl_slist_append) X(curl_slist_free_all)

struct curl_fns {
#define X(f) __typeof__(f) *f;
    CURL_FUNCS(X)
#undef X
};
extern struct curl_fns cu;

/* Load libcurl once; NULL when it is ready, else why it cannot be used. */
const char *curl_missing(void);

#ifndef O2O_CURL_LOADER /* (curl.c fills the table by the functions' names) */
/* curl.h makes two of them macros */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_init cu.curl_easy_init
#define curl_easy_setopt cu.curl_easy_setopt
#define curl_easy_perform cu.curl_easy_perform
#define curl_easy_getinfo cu.curl_easy_getinfo
#define curl_easy_cleanup cu.curl_easy_cleanup
#define curl_easy_strerror cu.curl_easy_strerror
#define curl_slist_append cu.curl_slist_append
#define curl_slist_free_all cu.curl_slist_free_all
#endif

#endif
