/*
** test_forecast.c -- forecasts on hand-made series: seasonal naive takes the
** same month a year before, exponential smoothing follows a level shift with the
** alpha that fits best, the trend's slope, and backtest errors worked by hand.
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analytics/forecast.h"

static void test_forecast__seasonal_naive_and_smoothing(void **state)
{
    double y[14], alpha = 0;
    (void)state;
    for (int t = 0; t < 14; t++)
        y[t] = 100 + 10 * (t % 12);     /* a yearly pattern */
    /* month 14 is month 2 of the second year: the same as month 2 */
    assert_true(forecast_next(y, 14, FORECAST_SEASONAL_NAIVE, NULL) == y[2]);
    /* shorter than a year: the month before */
    assert_true(forecast_next(y, 5, FORECAST_SEASONAL_NAIVE, NULL) == y[4]);
    /* a constant series: smoothing forecasts the constant */
    {
        double c[6] = {7, 7, 7, 7, 7, 7};
        assert_true(forecast_next(c, 6, FORECAST_SES, NULL) == 7);
    }
    /* a level shift: the best alpha is the largest, and the forecast is near the new level */
    {
        double s[8] = {10, 10, 10, 10, 50, 50, 50, 50};
        double f = forecast_next(s, 8, FORECAST_SES, &alpha);
        assert_true(alpha > 0.85 && alpha < 0.95);
        /* level after 4 steps at 50 from 10 with alpha 0.9: 50 - 40 * 0.1^4 */
        assert_true(f > 49.99 && f < 50.0);
    }
}

static void test_forecast__trend_and_backtest(void **state)
{
    double line[6] = {3, 5, 7, 9, 11, 13}, ape = 0;
    double y[4] = {100, 200, 100, 0};
    int n = 0;
    (void)state;
    assert_true(forecast_trend(line, 6, 6) > 1.999 && forecast_trend(line, 6, 6) < 2.001);
    assert_true(forecast_trend(line, 6, 3) > 1.999);
    assert_true(forecast_trend(line, 1, 3) == 0);
    /* naive (shorter than a year): t=1 forecasts 100 for 200 (APE 0.5), t=2 forecasts 200 for
    ** 100 (APE 1.0), t=3 is 0 and not counted */
    forecast_backtest(y, 4, FORECAST_SEASONAL_NAIVE, 1, &ape, &n);
    assert_int_equal(n, 2);
    assert_true(ape > 1.4999 && ape < 1.5001);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forecast__seasonal_naive_and_smoothing),
        cmocka_unit_test(test_forecast__trend_and_backtest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
