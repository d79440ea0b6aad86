-- Roberto Ierusalimschy's struct library (what Redis embeds), translated onto Lua 5.4's string.pack:
-- the same format letters, except that 's' is a zero-terminated string, integers wrap to their size
-- instead of raising an overflow, and 'c0' takes its length from the string (pack) or from the
-- previous value (unpack).
local spack, sunpack, ssize = string.pack, string.unpack, string.packsize
local tonumber, tointeger, floor, ceil, error, type = tonumber, math.tointeger, math.floor, math.ceil, error, type

local intsizes = { b = 1, B = 1, h = 2, H = 2, l = 8, L = 8, T = 8 }

-- The format as a list of items: { letter, count or nil }.
local function parse(fmt)
  if type(fmt) ~= 'string' then error("bad argument #1 (string expected)", 3) end
  local list, i = {}, 1
  while i <= #fmt do
    local ch = fmt:sub(i, i)
    i = i + 1
    local digits = fmt:match('^%d+', i)
    if digits then i = i + #digits end
    if ch ~= ' ' then list[#list + 1] = { ch, digits and tonumber(digits) } end
  end
  return list
end

-- One item as a string.pack option; for integers also the size and whether it is signed.
local function option(item)
  local ch, n = item[1], item[2]
  if ch == '<' or ch == '>' or ch == '=' then return ch end
  if ch == '!' then return '!' .. (n or '') end
  if ch == 'x' then return 'x' end
  if ch == 'f' or ch == 'd' then return ch end
  if ch == 's' then return 'z' end
  if intsizes[ch] then return nil, intsizes[ch], ch == ch:lower() and ch ~= 'T' end
  if ch == 'i' or ch == 'I' then
    local size = n or 4
    if size < 1 or size > 8 then error("integral size " .. size .. " is larger than limit of 8", 3) end
    return nil, size, ch == 'i'
  end
  if ch == 'c' then return 'c', n or 1 end
  error("invalid format option '" .. ch .. "'", 3)
end

local function toint(v, size)
  local x = tonumber(v)
  if x == nil then error("bad argument to 'pack' (number expected)", 3) end
  if math.type(x) == 'float' then
    x = x >= 0 and floor(x) or ceil(x)
    x = tointeger(x) or error("bad argument to 'pack' (number out of range)", 3)
  end
  if size < 8 then x = x & ((1 << (size * 8)) - 1) end
  return x
end

local struct = {}

struct.pack = function(fmt, ...)
  local out, args, argn = {}, { ... }, 0
  for _, item in ipairs(parse(fmt)) do
    local opt, size, signed = option(item)
    if opt == nil then
      argn = argn + 1
      out[#out + 1] = 'I' .. size
      args[argn] = toint(args[argn], size)
    elseif opt == 'c' then
      argn = argn + 1
      local s = args[argn]
      if type(s) ~= 'string' and type(s) ~= 'number' then error("bad argument to 'pack' (string expected)", 2) end
      s = tostring(s)
      if size == 0 then size = #s end
      if #s < size then error("bad argument to 'pack' (string too short)", 2) end
      args[argn] = s:sub(1, size)
      out[#out + 1] = 'c' .. size
    elseif opt == 'x' or opt == '<' or opt == '>' or opt == '=' or opt:sub(1, 1) == '!' then
      out[#out + 1] = opt
    else
      argn = argn + 1
      out[#out + 1] = opt
    end
  end
  return spack(table.concat(out), table.unpack(args, 1, argn))
end

struct.unpack = function(fmt, data, init)
  if type(data) ~= 'string' then error("bad argument #2 to 'unpack' (string expected)", 2) end
  local pos = init or 1
  local results = {}
  local mode = ''
  for _, item in ipairs(parse(fmt)) do
    local opt, size, signed = option(item)
    local v
    if opt == nil then
      v, pos = sunpack(mode .. (signed and 'i' or 'I') .. size, data, pos)
      if not signed and size == 8 and v < 0 then v = v + 18446744073709551616.0 end
      results[#results + 1] = v
    elseif opt == 'c' then
      if size == 0 then
        size = tointeger(results[#results]) or error("bad argument to 'unpack' (previous value is not a length)", 2)
        results[#results] = nil
      end
      if pos + size - 1 > #data then error("bad argument #2 to 'unpack' (data string too short)", 2) end
      results[#results + 1] = data:sub(pos, pos + size - 1)
      pos = pos + size
    elseif opt == '<' or opt == '>' or opt == '=' or opt:sub(1, 1) == '!' then
      mode = mode .. opt
    elseif opt == 'x' then
      pos = pos + 1
    else
      v, pos = sunpack(mode .. opt, data, pos)
      results[#results + 1] = v
    end
  end
  results[#results + 1] = pos
  return table.unpack(results)
end

struct.size = function(fmt)
  local out = {}
  for _, item in ipairs(parse(fmt)) do
    local opt, size = option(item)
    if opt == nil then
      out[#out + 1] = 'I' .. size
    elseif opt == 'z' or (opt == 'c' and size == 0) then
      error("options 'c0' - 's' have undefined sizes", 2)
    elseif opt == 'c' then
      out[#out + 1] = 'c' .. size
    else
      out[#out + 1] = opt
    end
  end
  return ssize(table.concat(out))
end

return struct
