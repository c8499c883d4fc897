-- wrk script: scan-in-store lookups by barcode at one store, with a POS key.
-- Barcodes follow the demo chain's numbering (EAN-13 of 690000000000 + product*10 + sku).
local token = os.getenv("O2O_BENCH_TOKEN")
local store = os.getenv("O2O_BENCH_STORE") or "SH01"
local products = tonumber(os.getenv("O2O_BENCH_PRODUCTS") or "2000")
local codes = {}

local function ean13(n)
  local s = string.format("%012d", n)
  local sum = 0
  for i = 1, 12 do
    local d = tonumber(s:sub(i, i))
    if i % 2 == 0 then sum = sum + 3 * d else sum = sum + d end
  end
  return s .. tostring((10 - sum % 10) % 10)
end

for p = 0, products - 1, 7 do
  if p % 100 == 99 then goto continue end -- launches next week: channels cannot see it yet
  codes[#codes + 1] = ean13(690000000000 + p * 10 + (p % 5))
  ::continue::
end

wrk.headers["Authorization"] = "Bearer " .. token
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/v1/skus/lookup?barcode=" .. codes[(i % #codes) + 1] .. "&store=" .. store)
end
