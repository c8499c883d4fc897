-- wrk script: recommendations at a fixed rate. Each of the C connections waits
-- DELAY ms between requests, so C connections give C * 1000 / DELAY requests/s
-- (at most). Members are drawn from 1..O2O_BENCH_MEMBERS.
local token = os.getenv("O2O_BENCH_TOKEN")
local members = tonumber(os.getenv("O2O_BENCH_MEMBERS") or "4000")
local delay_ms = tonumber(os.getenv("O2O_BENCH_DELAY_MS") or "20")
local n = 0
setup = function(thread)
  n = n + 1
  thread:set("seed", n)
end
init = function(args)
  math.randomseed(seed * 7919)
end
delay = function()
  return delay_ms
end
request = function()
  local path = string.format("/v1/members/%d/recommendations?context=login&limit=10", math.random(1, members))
  return wrk.format("GET", path, {["Authorization"] = "Bearer " .. token})
end
