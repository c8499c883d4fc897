-- wrk script: an analyst's funnel over the whole event history, again and again
-- (the load that must not slow the tills: bench/tills_analytics.sh).
local token = os.getenv("O2O_BENCH_TOKEN")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"steps":["view","add_to_cart","purchase"],"window":"1d","from":"2023-01-01","to":"2030-01-01","by":"channel"}'
wrk.path = "/v1/analytics/funnel"
