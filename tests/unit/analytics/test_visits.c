/*
** test_visits.c -- zone visits, dwell, footfall by hour, store visits and routes
** from hand-made sightings: a gap splits visits, a zone repeated in a row is one
** step of a route, long routes are cut.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analytics/visits.h"

enum { A, B, C };

static void test_visits__gaps_dwell_routes_and_footfall(void **state)
{
    /* person, time, zone; sorted by time; gap 10 */
    const uint32_t person[] = {0, 1, 0, 0, 0, 0, 1};
    const int64_t ts[] = {0, 1, 5, 8, 30, 32, 50};
    const uint16_t zone[] = {A, A, A, B, B, C, A};
    uint8_t hour[7];
    struct sighting_columns s = {7, person, ts, zone, hour, 2, 3};
    struct visit_stats v;
    (void)state;
    for (int i = 0; i < 7; i++)
        hour[i] = (uint8_t)(ts[i] % 24);
    visits_count(&s, 10, &v);
    /* zone A: person 0 from 0 to 5 (dwell 5); person 1 at 1 and again at 50 (two visits) */
    assert_int_equal(v.zones[A].visits, 3);
    assert_int_equal(v.zones[A].visitors, 2);
    assert_int_equal(v.zones[A].dwell_ms, 5);
    assert_int_equal(v.zones[A].hourly[0], 1);
    assert_int_equal(v.zones[A].hourly[1], 1);
    assert_int_equal(v.zones[A].hourly[2], 1);   /* 50 % 24 */
    /* zone B: person 0 at 8, and 22 later again: two visits */
    assert_int_equal(v.zones[B].visits, 2);
    assert_int_equal(v.zones[B].visitors, 1);
    assert_int_equal(v.zones[C].visits, 1);
    /* the store: person 0 from 0 to 8 (A>B) and from 30 to 32 (B>C); person 1 twice in A */
    assert_int_equal(v.store_visits, 4);
    assert_int_equal(v.store_visitors, 2);
    assert_int_equal(v.store_dwell_ms, 10);
    assert_int_equal(v.nroutes, 3);
    assert_int_equal(v.routes[0].len, 1);
    assert_int_equal(v.routes[0].zones[0], A);
    assert_int_equal(v.routes[0].count, 2);
    assert_int_equal(v.routes[1].len, 2);
    assert_int_equal(v.routes[1].zones[0], A);
    assert_int_equal(v.routes[1].zones[1], B);
    assert_int_equal(v.routes[2].zones[0], B);
    assert_int_equal(v.routes[2].zones[1], C);
    visit_stats_free(&v);
}

static void test_visits__long_routes_are_cut_and_repeats_collapse(void **state)
{
    uint32_t person[24];
    int64_t ts[24];
    uint16_t zone[24];
    uint8_t hour[24];
    struct sighting_columns s = {24, person, ts, zone, hour, 2, 3};
    struct visit_stats v;
    (void)state;
    for (int i = 0; i < 12; i++) { /* person 0 walks A, B, A, B, ... */
        person[i] = 0, ts[i] = i, zone[i] = (uint16_t)(i % 2), hour[i] = 10;
    }
    for (int i = 12; i < 24; i++) { /* person 1 stays in C, seen every minute */
        person[i] = 1, ts[i] = i, zone[i] = C, hour[i] = 10;
    }
    visits_count(&s, 10, &v);
    assert_int_equal(v.store_visits, 2);
    assert_int_equal(v.nroutes, 2);
    for (int r = 0; r < 2; r++) {
        if (v.routes[r].zones[0] == C) {
            assert_int_equal(v.routes[r].len, 1);       /* C, C, C ... is one step */
        } else {
            assert_true(v.routes[r].len > VISITS_MAX_ROUTE);   /* cut */
            assert_int_equal(v.routes[r].zones[VISITS_MAX_ROUTE - 1], B);
        }
    }
    assert_int_equal(v.zones[C].visits, 1);
    assert_int_equal(v.zones[C].dwell_ms, 11);
    assert_int_equal(v.zones[A].visits, 1);   /* A again within the gap: the same visit */
    assert_int_equal(v.zones[A].hourly[10], 1);
    visit_stats_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_visits__gaps_dwell_routes_and_footfall),
        cmocka_unit_test(test_visits__long_routes_are_cut_and_repeats_collapse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
