-- wrk script: durable points-earn writes (one purchase of 129.00 CNY each) for
-- members spread over the demo chain's 100,000.
local token = os.getenv("O2O_BENCH_TOKEN")
local members = tonumber(os.getenv("O2O_BENCH_MEMBERS") or "100000")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
local body = '{"amount":12900,"ref":"bench"}'
local n = 0
setup = function(thread)
  n = n + 1
  thread:set("seed", n)
end
init = function(args)
  math.randomseed(seed * 7919 + os.time())
end
request = function()
  return wrk.format(nil, "/v1/members/" .. math.random(1, members) .. "/points/earn", nil, body)
end
