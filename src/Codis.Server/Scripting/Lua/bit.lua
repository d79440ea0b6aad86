-- LuaBitOp's bit library (what Redis embeds), over Lua 5.4's integer operators: every result is a
-- signed 32-bit number, and arguments are taken modulo 2^32.
local floor, type, tointeger, error, format, select = math.floor, math.type, math.tointeger, error, string.format, select

local function norm(x)
  if type(x) == 'float' then
    if x ~= x or x == math.huge or x == -math.huge then return 0 end
    -- LuaBitOp rounds to the nearest integer, halves to even.
    local f = floor(x)
    local d = x - f
    if d > 0.5 or (d == 0.5 and f % 2 == 1) then f = f + 1 end
    x = tointeger(f) or (f % 4294967296)
    x = tointeger(x) or 0
  elseif type(x) ~= 'integer' then
    local n = tonumber(x)
    if n == nil then error("bad argument #1 to 'tobit' (number expected, got " .. (x == nil and 'no value' or _G.type(x)) .. ")", 3) end
    return norm(n)
  end
  x = x & 0xFFFFFFFF
  if x >= 0x80000000 then x = x - 0x100000000 end
  return x
end

local bit = {}
bit.tobit = function(x) return norm(x) end
bit.bnot = function(x) return norm(~norm(x)) end
bit.band = function(x, ...)
  local r = norm(x)
  for i = 1, select('#', ...) do r = r & norm((select(i, ...))) end
  return norm(r)
end
bit.bor = function(x, ...)
  local r = norm(x)
  for i = 1, select('#', ...) do r = r | norm((select(i, ...))) end
  return norm(r)
end
bit.bxor = function(x, ...)
  local r = norm(x)
  for i = 1, select('#', ...) do r = r ~ norm((select(i, ...))) end
  return norm(r)
end
bit.lshift = function(x, n) return norm((norm(x) & 0xFFFFFFFF) << (norm(n) & 31)) end
bit.rshift = function(x, n) return norm((norm(x) & 0xFFFFFFFF) >> (norm(n) & 31)) end
bit.arshift = function(x, n) return norm(norm(x) // (1 << (norm(n) & 31))) end
bit.rol = function(x, n)
  local v, s = norm(x) & 0xFFFFFFFF, norm(n) & 31
  return norm((v << s) | (v >> (32 - s)))
end
bit.ror = function(x, n)
  local v, s = norm(x) & 0xFFFFFFFF, norm(n) & 31
  return norm((v >> s) | (v << (32 - s)))
end
bit.bswap = function(x)
  local v = norm(x) & 0xFFFFFFFF
  return norm(((v & 0xFF) << 24) | ((v & 0xFF00) << 8) | ((v >> 8) & 0xFF00) | (v >> 24))
end
bit.tohex = function(x, n)
  local v = norm(x) & 0xFFFFFFFF
  n = n == nil and 8 or norm(n)
  local upper = n < 0
  if upper then n = -n end
  if n > 8 then n = 8 end
  if n == 0 then return '' end
  local s = format(upper and '%08X' or '%08x', v)
  return s:sub(9 - n)
end
return bit
