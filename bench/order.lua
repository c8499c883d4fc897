-- wrk script: durable till sales at one store, each with 3 lines (stock reserved
-- and handed over), a member (points earned) and a cash tender (payment record).
local token = os.getenv("O2O_BENCH_TOKEN")
local members = tonumber(os.getenv("O2O_BENCH_MEMBERS") or "100000")
local skus = tonumber(os.getenv("O2O_BENCH_SKUS") or "200")
local prefix = os.getenv("O2O_BENCH_SKU_PREFIX") or "BENCH-"
local lines = tonumber(os.getenv("O2O_BENCH_LINES") or "3")
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
local n, i = 0, 0
-- wrk.format replaces wrk.headers when given headers: pass them all
local function headers(key)
  return {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json", ["Idempotency-Key"] = key}
end
setup = function(thread)
  n = n + 1
  thread:set("seed", n)
end
init = function(args)
  math.randomseed(seed * 7919 + os.time())
end
request = function()
  local first = math.random(0, skus - 1)
  local parts = {}
  for i = 0, lines - 1 do
    parts[#parts + 1] = string.format('{"sku":"%s%03d","qty":1}', prefix, (first + i * 7) % skus)
  end
  local body = string.format('{"member_id":%d,"lines":[%s],"tenders":[{"tender":"cash","amount":10000000}]}',
                             math.random(1, members), table.concat(parts, ","))
  i = i + 1
  -- a till retries with the same key; every sale has its own
  return wrk.format(nil, "/v1/orders", headers(string.format("o%d-%d-%d", seed, os.time(), i)), body)
end
