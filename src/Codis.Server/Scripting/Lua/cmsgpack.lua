-- The cmsgpack library (Salvatore Sanfilippo's lua-cmsgpack, what Redis embeds) in Lua over
-- string.pack: integers in the smallest form, floats as float32 when exact, tables as arrays when
-- their keys are 1..n, nesting deeper than 16 packed as nil.
local spack, sunpack, type, pairs, error, select, concat, mtype, tointeger =
      string.pack, string.unpack, type, pairs, error, select, table.concat, math.type, math.tointeger

local MAX_NESTING = 16

local function is_array(t)
  local count, max = 0, 0
  for k in pairs(t) do
    if mtype(k) == 'float' then k = tointeger(k) end
    if mtype(k) ~= 'integer' or k < 1 then return false end
    count = count + 1
    if k > max then max = k end
  end
  return max == count
end

local encode
local function encode_number(n, out)
  local i = mtype(n) == 'integer' and n or tointeger(n)
  if i then
    if i >= 0 then
      if i < 128 then out[#out + 1] = spack('B', i)
      elseif i < 256 then out[#out + 1] = spack('>BB', 0xcc, i)
      elseif i < 65536 then out[#out + 1] = spack('>BI2', 0xcd, i)
      elseif i < 4294967296 then out[#out + 1] = spack('>BI4', 0xce, i)
      else out[#out + 1] = spack('>Bi8', 0xcf, i) end
    else
      if i >= -32 then out[#out + 1] = spack('b', i)
      elseif i >= -128 then out[#out + 1] = spack('>Bb', 0xd0, i)
      elseif i >= -32768 then out[#out + 1] = spack('>Bi2', 0xd1, i)
      elseif i >= -2147483648 then out[#out + 1] = spack('>Bi4', 0xd2, i)
      else out[#out + 1] = spack('>Bi8', 0xd3, i) end
    end
  elseif sunpack('f', spack('f', n)) == n then
    out[#out + 1] = spack('>Bf', 0xca, n)
  else
    out[#out + 1] = spack('>Bd', 0xcb, n)
  end
end

local function encode_string(s, out)
  local n = #s
  if n < 32 then out[#out + 1] = spack('B', 0xa0 | n)
  elseif n < 256 then out[#out + 1] = spack('>BB', 0xd9, n)
  elseif n < 65536 then out[#out + 1] = spack('>BI2', 0xda, n)
  else out[#out + 1] = spack('>BI4', 0xdb, n) end
  out[#out + 1] = s
end

local function encode_table(t, out, level)
  if is_array(t) then
    local n = #t
    if n < 16 then out[#out + 1] = spack('B', 0x90 | n)
    elseif n < 65536 then out[#out + 1] = spack('>BI2', 0xdc, n)
    else out[#out + 1] = spack('>BI4', 0xdd, n) end
    for i = 1, n do encode(t[i], out, level + 1) end
  else
    local n = 0
    for _ in pairs(t) do n = n + 1 end
    if n < 16 then out[#out + 1] = spack('B', 0x80 | n)
    elseif n < 65536 then out[#out + 1] = spack('>BI2', 0xde, n)
    else out[#out + 1] = spack('>BI4', 0xdf, n) end
    for k, v in pairs(t) do
      encode(k, out, level + 1)
      encode(v, out, level + 1)
    end
  end
end

encode = function(v, out, level)
  local tv = type(v)
  if tv == 'number' then encode_number(v, out)
  elseif tv == 'string' then encode_string(v, out)
  elseif tv == 'boolean' then out[#out + 1] = v and '\xc3' or '\xc2'
  elseif tv == 'table' and level < MAX_NESTING then encode_table(v, out, level)
  else out[#out + 1] = '\xc0' end
end

local cmsgpack = { _NAME = 'cmsgpack', _VERSION = 'lua-cmsgpack 0.4.0' }

cmsgpack.pack = function(...)
  local n = select('#', ...)
  if n == 0 then error('MessagePack pack needs input.', 2) end
  local out = {}
  for i = 1, n do encode((select(i, ...)), out, 0) end
  return concat(out)
end

-- Decoding: returns the value and the next position.
local decode
local function need(s, pos, n)
  if pos + n - 1 > #s then error('Missing bytes in input.', 0) end
end

local function decode_array(s, pos, n)
  local t = {}
  for i = 1, n do t[i], pos = decode(s, pos) end
  return t, pos
end

local function decode_map(s, pos, n)
  local t = {}
  for _ = 1, n do
    local k, v
    k, pos = decode(s, pos)
    v, pos = decode(s, pos)
    if k ~= nil then t[k] = v end
  end
  return t, pos
end

local function fixed(s, pos, fmt, size)
  need(s, pos, size)
  return sunpack(fmt, s, pos)
end

decode = function(s, pos)
  need(s, pos, 1)
  local b = s:byte(pos)
  pos = pos + 1
  if b < 0x80 then return b, pos end
  if b >= 0xe0 then return b - 256, pos end
  if b >= 0xa0 and b <= 0xbf then
    local n = b & 0x1f
    need(s, pos, n)
    return s:sub(pos, pos + n - 1), pos + n
  end
  if b >= 0x90 and b <= 0x9f then return decode_array(s, pos, b & 0x0f) end
  if b >= 0x80 and b <= 0x8f then return decode_map(s, pos, b & 0x0f) end
  if b == 0xc0 then return nil, pos end
  if b == 0xc2 then return false, pos end
  if b == 0xc3 then return true, pos end
  if b == 0xca then return fixed(s, pos, '>f', 4) end
  if b == 0xcb then return fixed(s, pos, '>d', 8) end
  if b == 0xcc then return fixed(s, pos, 'B', 1) end
  if b == 0xcd then return fixed(s, pos, '>I2', 2) end
  if b == 0xce then return fixed(s, pos, '>I4', 4) end
  if b == 0xcf then
    local v, p = fixed(s, pos, '>i8', 8)
    if v < 0 then v = v + 18446744073709551616.0 end
    return v, p
  end
  if b == 0xd0 then return fixed(s, pos, 'b', 1) end
  if b == 0xd1 then return fixed(s, pos, '>i2', 2) end
  if b == 0xd2 then return fixed(s, pos, '>i4', 4) end
  if b == 0xd3 then return fixed(s, pos, '>i8', 8) end
  if b == 0xd9 or b == 0xc4 or b == 0xda or b == 0xc5 or b == 0xdb or b == 0xc6 then
    local fmt = (b == 0xd9 or b == 0xc4) and 'B' or ((b == 0xda or b == 0xc5) and '>I2' or '>I4')
    local n
    n, pos = fixed(s, pos, fmt, (b == 0xd9 or b == 0xc4) and 1 or ((b == 0xda or b == 0xc5) and 2 or 4))
    need(s, pos, n)
    return s:sub(pos, pos + n - 1), pos + n
  end
  if b == 0xdc then local n; n, pos = fixed(s, pos, '>I2', 2); return decode_array(s, pos, n) end
  if b == 0xdd then local n; n, pos = fixed(s, pos, '>I4', 4); return decode_array(s, pos, n) end
  if b == 0xde then local n; n, pos = fixed(s, pos, '>I2', 2); return decode_map(s, pos, n) end
  if b == 0xdf then local n; n, pos = fixed(s, pos, '>I4', 4); return decode_map(s, pos, n) end
  error('Bad data format in input.', 0)
end

local function unpack_limited(s, limit, offset)
  if type(s) ~= 'string' then error("bad argument #1 to 'unpack' (string expected)", 3) end
  local pos = (offset or 0) + 1
  local values, n = {}, 0
  while pos <= #s and (limit == 0 or n < limit) do
    n = n + 1
    values[n], pos = decode(s, pos)
  end
  return values, n, pos
end

cmsgpack.unpack = function(s)
  local values, n = unpack_limited(s, 0, 0)
  return table.unpack(values, 1, n)
end
cmsgpack.unpack_one = function(s, offset)
  local values, n, pos = unpack_limited(s, 1, offset)
  local next_offset = pos > #s and -1 or pos - 1
  return next_offset, table.unpack(values, 1, n)
end
cmsgpack.unpack_limit = function(s, limit, offset)
  local values, n, pos = unpack_limited(s, limit or 0, offset)
  local next_offset = pos > #s and -1 or pos - 1
  return next_offset, table.unpack(values, 1, n)
end

return cmsgpack
