/*
** util.h -- small pure helpers: integer parsing, time, phone numbers,
** random tokens, hashing, distances. No I/O, no global state.
*/
#ifndef O2O_CORE_UTIL_H
#define O2O_CORE_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Name the calling thread (15 chars at most) for top -H, perf and gdb. */
void thread_name(const char *name);

/* Parse all of s (decimal, optional sign) into [min,max]. 0 or O2O_EINVAL. */
int parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Milliseconds since the Unix epoch (wall clock). */
int64_t now_ms(void);
/* Monotonic microseconds, for durations. */
int64_t mono_us(void);
/* Wait on cv (its mutex mu held) for at most ms, by the monotonic clock: a wall
** clock set back or forward does not move the wake-up. 0, or ETIMEDOUT. */
int cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int64_t ms);

/* Format epoch milliseconds as ISO-8601 UTC "2026-11-22T10:00:00.000Z" (needs 25 bytes). */
void fmt_iso8601(char out[32], int64_t ms);
/* Parse "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.mmm]Z" or "YYYY-MM-DD HH:MM:SS" (UTC). */
int parse_iso8601(const char *s, int64_t *out_ms);
/* Parse "HH:MM" into minutes after midnight. */
/* A span "7d", "12h", "30m", "90s" or plain seconds, up to ten years, in ms. */
int parse_span_ms(const char *s, int64_t *ms);
int parse_hhmm(const char *s, int *out_min);

/* Normalise a mobile number to E.164 ("+8613812345678"). Accepts spaces, dashes,
** a leading 00 or +; numbers without a country code take default_cc ("86").
** Chinese mobiles must be 11 digits starting with 1. Returns 0 or O2O_EINVAL. */
int phone_normalize(const char *in, const char *default_cc, char out[20]);

/* Fill out with n random bytes as lowercase hex (2n chars + NUL). */
void random_hex(char *out, size_t nbytes);
/* SHA-256 of data as lowercase hex (65 bytes). */
void sha256_hex(char out[65], const void *data, size_t len);

/* Great-circle distance in metres. */
double geo_distance_m(double lat1, double lon1, double lat2, double lon2);

/* True if s is a code: 1..64 chars of [A-Za-z0-9_.-]. */
bool is_code(const char *s);
/* "YYYY-MM" with a month 01..12. */
bool is_month(const char *s);



/* Is word one of the '|'-separated words of list ("a|b|c")? */
bool word_in_list(const char *list, const char *word);

/* Copy src into dst[cap] (truncating, always NUL-terminated; NULL copies ""). */
void str_copy(char *dst, size_t cap, const char *src);
#endif
