/*
** forecast.c -- seasonal naive, simple exponential smoothing, trend and a
** rolling-origin backtest (see forecast.h). Tests: tests/unit/test_forecast.c.
*/
#include "analytics/forecast.h"

#include <math.h>
#include <stddef.h>

static double ses_level(const double *y, int n, double a, double *sse)
{
    double l = y[0];
    *sse = 0;
    for (int t = 1; t < n; t++) {
        double e = y[t] - l;
        *sse += e * e;
        l = a * y[t] + (1 - a) * l;
    }
    return l;
}

double forecast_next(const double *y, int n, enum forecast_method m, double *alpha)
{
    if (n < 1)
        return 0;
    if (m == FORECAST_SEASONAL_NAIVE)
        return n >= 12 ? y[n - 12] : y[n - 1];
    {
        double best = 0, best_sse = INFINITY, a_best = 0.5;
        for (int k = 1; k <= 9; k++) {
            double sse, a = k / 10.0, l = ses_level(y, n, a, &sse);
            if (sse < best_sse - 1e-9) {
                best_sse = sse;
                best = l;
                a_best = a;
            }
        }
        if (alpha)
            *alpha = a_best;
        return best;
    }
}

double forecast_trend(const double *y, int n, int last)
{
    int from = n - last < 0 ? 0 : n - last, k = n - from;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    if (k < 2)
        return 0;
    for (int t = from; t < n; t++) {
        double x = t - from;
        sx += x;
        sy += y[t];
        sxx += x * x;
        sxy += x * y[t];
    }
    return (k * sxy - sx * sy) / (k * sxx - sx * sx);
}

void forecast_backtest(const double *y, int n, enum forecast_method m, int min_train, double *ape_sum, int *ape_n)
{
    for (int t = min_train < 1 ? 1 : min_train; t < n; t++) {
        double f;
        if (y[t] <= 0)
            continue;
        f = forecast_next(y, t, m, NULL);
        *ape_sum += fabs(y[t] - f) / y[t];
        (*ape_n)++;
    }
}
