/*
** curl.c -- libcurl loaded on first use (see curl_int.h): the function table the
** HTTP, SMTP and IMAP clients call through.
*/
#define O2O_CURL_LOADER
#include "net/curl_int.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>


struct curl_fns cu;
static pthread_once_t cu_once = PTHREAD_ONCE_INIT;
static const char *cu_missing; /* why libcurl cannot be used, NULL when loaded */

static void cu_load(void)
{
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        cu_missing = "libcurl.so.4 is not installed (Debian package libcurl4)";
        return;
    }
#define X(f)                                                                                                   \
    if (!(*(void **)&cu.f = dlsym(h, #f)))                                                                     \
        cu_missing = "libcurl.so.4 lacks " #f;
    CURL_FUNCS(X)
#undef X
    if (!cu_missing && cu.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        cu_missing = "libcurl failed to initialise";
}

const char *curl_missing(void)
{
    pthread_once(&cu_once, cu_load);
    return cu_missing;
}
