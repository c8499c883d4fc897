-- bench/desk_msg.lua -- wrk: customers' messages into the service desk by mixed media
-- (chat from a device, e-mail, SMS, WeChat), each from a sender of its own
-- (DESK_MODE=new: every message opens and dispatches a conversation) or from one of
-- 500 senders again and again (DESK_MODE=repeat: messages join open conversations).
local key = os.getenv("O2O_BENCH_TOKEN")
local mode = os.getenv("DESK_MODE") or "new"
local media = {
  {"chat", "device", "dev-"}, {"email", "email", "mail-"}, {"sms", "phone", "+86139"}, {"wechat", "wechat_openid", "o-"},
}
-- DESK_DELAY_MS: each connection waits this long before its next message (a paced load)
local pace = tonumber(os.getenv("DESK_DELAY_MS") or "0")
local n = 0
local tid = 0
function setup(thread) tid = tid + 1; thread:set("tid", tid) end
function init(args) math.randomseed(os.time() + (tid or 0) * 7919) end
request = function()
  n = n + 1
  local m = media[(n % 4) + 1]
  local who
  if mode == "repeat" then who = string.format("%08d", n % 500) else who = string.format("%08d", math.random(0, 99999999)) end
  local from = m[3] .. who
  if m[2] == "email" then from = from .. "@example.com" end
  local body = string.format('{"medium":"%s","from_kind":"%s","from":"%s","body":"where is my order %d?"}', m[1], m[2], from, n)
  return wrk.format("POST", "/v1/desk/messages", {["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/json"}, body)
end

function delay()
  return pace
end
