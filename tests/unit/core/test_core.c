/*
** test_core.c -- core helpers: integer parsing, phone normalisation, ISO-8601,
** buffers with caps, the CSV reader and the error record.
*/
#include "testutil.h"

#include <sodium.h>
#include <time.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/ratelimit.h"
#include "core/tz.h"
#include "core/util.h"

static void test_core__parse_i64_rejects_junk_and_range(void **state)
{
    int64_t v = 0;
    (void)state;
    assert_int_equal(parse_i64("42", 0, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(parse_i64("-7", -10, 10, &v), 0);
    assert_int_equal(v, -7);
    assert_int_equal(parse_i64("101", 0, 100, &v), O2O_EINVAL);
    assert_int_equal(parse_i64("4x", 0, 100, &v), O2O_EINVAL);
    assert_int_equal(parse_i64("", 0, 100, &v), O2O_EINVAL);
    assert_int_equal(parse_i64(" 4", 0, 100, &v), O2O_EINVAL);
    assert_int_equal(parse_i64("99999999999999999999", INT64_MIN, INT64_MAX, &v), O2O_EINVAL);
}

static void test_core__phones_normalise_to_e164(void **state)
{
    char out[20];
    (void)state;
    assert_int_equal(phone_normalize("138 0013 8000", "86", out), 0);
    assert_string_equal(out, "+8613800138000");
    assert_int_equal(phone_normalize("+86-138-0013-8000", "86", out), 0);
    assert_string_equal(out, "+8613800138000");
    assert_int_equal(phone_normalize("0086 13800138000", "86", out), 0);
    assert_string_equal(out, "+8613800138000");
    assert_int_equal(phone_normalize("+44 7700 900123", "86", out), 0);
    assert_string_equal(out, "+447700900123");
    assert_int_equal(phone_normalize("23800138000", "86", out), O2O_EINVAL); /* not a mobile */
    assert_int_equal(phone_normalize("1380013800", "86", out), O2O_EINVAL);  /* 10 digits */
    assert_int_equal(phone_normalize("138a0013800", "86", out), O2O_EINVAL);
    assert_int_equal(phone_normalize("", "86", out), O2O_EINVAL);
}

static void test_core__iso8601_round_trips(void **state)
{
    int64_t ms = 0;
    char buf[32];
    (void)state;
    assert_int_equal(parse_iso8601("2026-11-22T10:11:12.345Z", &ms), 0);
    fmt_iso8601(buf, ms);
    assert_string_equal(buf, "2026-11-22T10:11:12.345Z");
    assert_int_equal(parse_iso8601("1970-01-01", &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(parse_iso8601("2011-12-09 12:50:00", &ms), 0);
    assert_int_equal(ms, 1323435000000LL);
    assert_int_equal(parse_iso8601("2026-13-01", &ms), O2O_EINVAL);
    assert_int_equal(parse_iso8601("yesterday", &ms), O2O_EINVAL);
    assert_int_equal(parse_iso8601("2026-01-01T10:00", &ms), O2O_EINVAL);
}

static void test_core__buffer_refuses_to_pass_its_cap(void **state)
{
    struct buf b = BUF_INIT(8);
    (void)state;
    assert_int_equal(buf_adds(&b, "1234"), 0);
    assert_int_equal(buf_addf(&b, "%d", 5678), 0);
    assert_int_equal(buf_adds(&b, "9"), O2O_ETOOBIG);
    assert_string_equal(buf_str(&b), "12345678");
    buf_free(&b);
}

static void test_core__csv_reads_quotes_commas_newlines_and_crlf(void **state)
{
    const char *text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n,,\nlast";
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    struct csv c;
    (void)state;
    csv_init(&c, f);
    assert_int_equal(csv_next(&c), 1);
    assert_int_equal(c.nfields, 3);
    assert_int_equal(csv_index(&c, "c"), 2);
    assert_int_equal(csv_next(&c), 1);
    assert_int_equal(c.line, 2);
    assert_string_equal(c.field[0], "x, y");
    assert_string_equal(c.field[1], "say \"hi\"");
    assert_string_equal(c.field[2], "two\nlines");
    assert_int_equal(csv_next(&c), 1);
    assert_int_equal(c.line, 4);
    assert_int_equal(c.nfields, 3);
    assert_string_equal(c.field[2], "");
    assert_int_equal(csv_next(&c), 1);
    assert_string_equal(c.field[0], "last");
    assert_int_equal(csv_next(&c), 0);
    csv_free(&c);
    fclose(f);
}

static void test_core__csv_flags_an_unterminated_quote(void **state)
{
    const char *text = "a,\"open\n";
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    struct csv c;
    (void)state;
    csv_init(&c, f);
    assert_int_equal(csv_next(&c), -1);
    csv_free(&c);
    fclose(f);
}

static void test_core__error_record_keeps_code_field_and_message(void **state)
{
    (void)state;
    assert_int_equal(err_set(O2O_ESTOCK, NULL, "lines[0].qty", "SKU %s has %d", "T-1", 0), O2O_ESTOCK);
    assert_string_equal(err_last()->code, "out_of_stock");
    assert_string_equal(err_last()->field, "lines[0].qty");
    assert_string_equal(err_last()->msg, "SKU T-1 has 0");
    err_set(O2O_EINVAL, "x", NULL, "line\nbreak");
    assert_string_equal(err_last()->msg, "line break");
    /* a record rewritten from itself keeps its message (issue 12: an empty message at the till) */
    err_set(O2O_ECONFLICT, "insufficient_points", "tenders[0]", "%s", err_last()->msg);
    assert_string_equal(err_last()->msg, "line break");
    assert_string_equal(err_last()->field, "tenders[0]");
    err_set(O2O_ECONFLICT, "no_words", NULL, "%s", "");
    assert_string_equal(err_last()->msg, "no_words");
    err_clear();
    assert_int_equal(err_last()->rc, 0);
}

static void test_core__distance_between_shanghai_and_beijing(void **state)
{
    double d = geo_distance_m(31.2304, 121.4737, 39.9042, 116.4074);
    (void)state;
    assert_true(d > 1060000 && d < 1075000);
}

static void test_core__rate_limits_refill_by_the_minute_and_keys_stay_apart(void **state)
{
    struct ratelimit *rl = ratelimit_new(4096);
    const int64_t t0 = 1767225600000LL; /* pinned */
    int64_t wait;
    (void)state;
    for (int i = 0; i < 5; i++)
        assert_int_equal(ratelimit_take(rl, "ip:203.0.113.7", 5, t0), 0);
    wait = ratelimit_take(rl, "ip:203.0.113.7", 5, t0);
    assert_true(wait > 11000 && wait <= 12001); /* one token every 12 s */
    assert_int_equal(ratelimit_take(rl, "ip:203.0.113.8", 5, t0), 0);
    assert_true(ratelimit_take(rl, "ip:203.0.113.7", 5, t0 + 6000) > 0);
    assert_int_equal(ratelimit_take(rl, "ip:203.0.113.7", 5, t0 + 12001), 0);
    assert_true(ratelimit_take(rl, "ip:203.0.113.7", 5, t0 + 12001) > 0);
    /* a full minute later the bucket is full again, never more */
    for (int i = 0; i < 5; i++)
        assert_int_equal(ratelimit_take(rl, "ip:203.0.113.7", 5, t0 + 3600000), 0);
    assert_true(ratelimit_take(rl, "ip:203.0.113.7", 5, t0 + 3600000) > 0);
    /* 0: no limit */
    for (int i = 0; i < 100; i++)
        assert_int_equal(ratelimit_take(rl, "x", 0, t0), 0);
    ratelimit_free(rl);
}

/* The C library's answer, the oracle: TZ set in this one thread. */
static int libc_offset_min(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    assert_non_null(localtime_r(&t, &tm));
    return (int)(tm.tm_gmtoff / 60);
}

static void test_core__zone_offsets_match_the_c_library_and_leave_the_environment_alone(void **state)
{
    /* no daylight saving; both hemispheres' rules; negative DST (Dublin); 30- and
    ** 45-minute offsets; a zone whose rule changed lately; an unknown zone */
    static const char *const zones[] = {"Asia/Shanghai", "Europe/London", "America/New_York", "Australia/Sydney",
                                        "Europe/Dublin", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham",
                                        "America/Sao_Paulo", "America/Santiago", "Africa/Casablanca",
                                        "Nowhere/Atlantis"};
    const int64_t h = 3600000;
    extern char **environ;
    char **env0 = environ;
    const char *tz0 = getenv("TZ");
    char *saved = tz0 ? strdup(tz0) : NULL;
    int checked = 0;
    (void)state;
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        int64_t from[] = {631152000000LL, 1735689600000LL};   /* 1990-01-01, 2025-01-01 */
        int64_t to[] = {2208988800000LL, 1798761600000LL};    /* 2040-01-01, 2027-01-01 */
        int64_t step[] = {5 * h + 17 * 60000, 15 * 60000};     /* a coarse grid, then every quarter hour */
        /* ours first, with TZ as the test began: the environment must not move */
        int *ours = NULL;
        size_t n = 0, k = 0;
        for (int g = 0; g < 2; g++)
            n += (size_t)((to[g] - from[g]) / step[g]) + 1;
        ours = malloc(n * sizeof *ours);
        for (int g = 0; g < 2; g++)
            for (int64_t t = from[g]; t <= to[g]; t += step[g])
                ours[k++] = tz_offset_min(zones[z], t);
        assert_ptr_equal(environ, env0);
        assert_true((getenv("TZ") == NULL) == (saved == NULL));
        if (saved)
            assert_string_equal(getenv("TZ"), saved);
        /* then the C library's (an unknown zone is UTC for both) */
        setenv("TZ", zones[z], 1);
        tzset();
        k = 0;
        for (int g = 0; g < 2; g++)
            for (int64_t t = from[g]; t <= to[g]; t += step[g], k++) {
                int want = libc_offset_min(t);
                if (ours[k] != want)
                    fail_msg("%s at %lld: %d minutes, the C library says %d", zones[z], (long long)t, ours[k], want);
                checked++;
            }
        free(ours);
        if (saved)
            setenv("TZ", saved, 1);
        else
            unsetenv("TZ");
        tzset();
        env0 = environ;
    }
    assert_true(checked > 12 * 100000);
    free(saved);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core__parse_i64_rejects_junk_and_range),
        cmocka_unit_test(test_core__phones_normalise_to_e164),
        cmocka_unit_test(test_core__iso8601_round_trips),
        cmocka_unit_test(test_core__buffer_refuses_to_pass_its_cap),
        cmocka_unit_test(test_core__csv_reads_quotes_commas_newlines_and_crlf),
        cmocka_unit_test(test_core__csv_flags_an_unterminated_quote),
        cmocka_unit_test(test_core__error_record_keeps_code_field_and_message),
        cmocka_unit_test(test_core__distance_between_shanghai_and_beijing),
        cmocka_unit_test(test_core__rate_limits_refill_by_the_minute_and_keys_stay_apart),
        cmocka_unit_test(test_core__zone_offsets_match_the_c_library_and_leave_the_environment_alone),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
