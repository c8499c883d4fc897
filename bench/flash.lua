-- wrk script: a flash sale on one SKU at one store: single-line till sales with
-- cash, each with its own Idempotency-Key, until the stock runs out.
local token = os.getenv("O2O_BENCH_TOKEN")
local sku = os.getenv("O2O_BENCH_FLASH_SKU") or "FLASH-1"
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"
local body = string.format('{"lines":[{"sku":"%s","qty":1}],"tenders":[{"tender":"cash","amount":100000}]}', sku)
local n, i = 0, 0
-- wrk.format replaces wrk.headers when given headers: pass them all
local function headers(key)
  return {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json", ["Idempotency-Key"] = key}
end
setup = function(thread)
  n = n + 1
  thread:set("seed", n)
end
request = function()
  i = i + 1
  return wrk.format(nil, "/v1/orders", headers(string.format("f%d-%d-%d", seed, os.time(), i)), body)
end
