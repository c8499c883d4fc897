/*
** forecast.h -- next-month forecasts of monthly series and how good they
** would have been: seasonal naive (the same month a year before; the month
** before while the series is shorter than a year), simple exponential
** smoothing (its alpha chosen from 0.1..0.9 by the smallest squared one-step
** error on the series), a least-squares trend, and a rolling-origin backtest
** that forecasts each month from the months before it.
*/
#ifndef O2O_ANALYTICS_FORECAST_H
#define O2O_ANALYTICS_FORECAST_H

enum forecast_method { FORECAST_SES, FORECAST_SEASONAL_NAIVE };

/* The forecast of y[n] from y[0..n-1] (n >= 1). alpha may be NULL. */
double forecast_next(const double *y, int n, enum forecast_method m, double *alpha);

/* Slope per month of a least-squares line through the last `last` points (0 if < 2). */
double forecast_trend(const double *y, int n, int last);

/* One month ahead from every origin: for t = min_train .. n-1, the forecast of
** y[t] from y[0..t-1]; adds |y[t] - f| / y[t] for each t with y[t] > 0 to *ape_sum
** and counts it in *ape_n (the MAPE is their mean). */
void forecast_backtest(const double *y, int n, enum forecast_method m, int min_train, double *ape_sum, int *ape_n);

#endif
