-- The cjson library (Mark Pulford's lua-cjson, what Redis embeds) in Lua: the same output (numbers
-- as %.14g, '/' escaped, empty tables as {}), the same array rules (integer keys 1..n, holes as null,
-- an excessively sparse array refused) and the same error texts.
local null = ...
local type, pairs, tostring, error, format, concat, byte, char, floor =
      type, pairs, tostring, error, string.format, table.concat, string.byte, string.char, math.floor
local mtype, tointeger, huge = math.type, math.tointeger, math.huge

local settings = { sparse_convert = false, sparse_ratio = 2, sparse_safe = 10, encode_depth = 1000,
                   decode_depth = 1000, precision = 14, invalid_encode = false, invalid_decode = true }

local escapes = { ['"'] = '\\"', ['\\'] = '\\\\', ['/'] = '\\/', ['\b'] = '\\b', ['\f'] = '\\f',
                  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t', ['\127'] = '\\u007f' }
for c = 0, 31 do
  local ch = char(c)
  if escapes[ch] == nil then escapes[ch] = format('\\u%04x', c) end
end

local function number_text(n)
  if mtype(n) == 'integer' then return format('%d', n) end
  if n ~= n or n == huge or n == -huge then
    if not settings.invalid_encode then error('Cannot serialise number: must not be NaN or Inf', 0) end
    if n ~= n then return 'nan' end
    return n > 0 and 'inf' or '-inf'
  end
  return format('%.' .. settings.precision .. 'g', n)
end

-- cjson's array test: the largest key if every key is a positive integer, -1 otherwise.
local function array_length(t)
  local max, items = 0, 0
  for k in pairs(t) do
    if mtype(k) == 'float' then k = tointeger(k) or -1 end
    if mtype(k) ~= 'integer' or k < 1 then return -1 end
    if k > max then max = k end
    items = items + 1
  end
  if settings.sparse_ratio > 0 and max > items * settings.sparse_ratio and max > settings.sparse_safe then
    if not settings.sparse_convert then error('Cannot serialise table: excessively sparse array', 0) end
    return -1
  end
  return max
end

local encode_value
local function encode_table(t, depth, out)
  depth = depth + 1
  if depth > settings.encode_depth then error('Cannot serialise, excessive nesting (' .. depth .. ')', 0) end
  local n = array_length(t)
  if n > 0 then
    out[#out + 1] = '['
    for i = 1, n do
      if i > 1 then out[#out + 1] = ',' end
      encode_value(t[i], depth, out)
    end
    out[#out + 1] = ']'
    return
  end
  out[#out + 1] = '{'
  local first = true
  for k, v in pairs(t) do
    local key
    if type(k) == 'string' then key = k
    elseif type(k) == 'number' then key = number_text(k)
    else error('Cannot serialise ' .. type(k) .. ': table key must be a number or string', 0) end
    if not first then out[#out + 1] = ',' end
    first = false
    out[#out + 1] = '"' .. key:gsub('[%c"\\/\127]', escapes) .. '":'
    encode_value(v, depth, out)
  end
  out[#out + 1] = '}'
end

encode_value = function(v, depth, out)
  local tv = type(v)
  if tv == 'string' then out[#out + 1] = '"' .. v:gsub('[%c"\\/\127]', escapes) .. '"'
  elseif tv == 'number' then out[#out + 1] = number_text(v)
  elseif tv == 'boolean' then out[#out + 1] = v and 'true' or 'false'
  elseif tv == 'nil' or v == null then out[#out + 1] = 'null'
  elseif tv == 'table' then encode_table(v, depth, out)
  else error('Cannot serialise ' .. tv .. ': type not supported', 0) end
end

local cjson = { null = null, _NAME = 'cjson', _VERSION = '2.1.0' }

cjson.encode = function(...)
  if select('#', ...) ~= 1 then error('bad argument #1 to \'encode\' (expected 1 argument)', 2) end
  local out = {}
  encode_value((...), 0, out)
  return concat(out)
end

-- Decoding: a recursive descent parser with cjson's token names in its errors.
local function decode_error(expected, found, pos)
  error(format('Expected %s but found %s at character %d', expected, found, pos), 0)
end

local function utf8_char(cp)
  if cp < 0x80 then return char(cp) end
  if cp < 0x800 then return char(0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)) end
  if cp < 0x10000 then return char(0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)) end
  return char(0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F))
end

local simple_escapes = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }

local decode_value

local function skip(s, pos)
  return s:find('[^ \t\n\r]', pos) or #s + 1
end

-- The token at pos, named as cjson names it, for error texts.
local function token_name(s, pos)
  local c = s:sub(pos, pos)
  if c == '' then return 'T_END' end
  local names = { ['{'] = 'T_OBJ_BEGIN', ['}'] = 'T_OBJ_END', ['['] = 'T_ARR_BEGIN', [']'] = 'T_ARR_END',
                  [':'] = 'T_COLON', [','] = 'T_COMMA', ['"'] = 'T_STRING' }
  if names[c] then return names[c] end
  if c:match('[%-%d]') then return 'T_NUMBER' end
  if s:sub(pos, pos + 3) == 'true' or s:sub(pos, pos + 4) == 'false' then return 'T_BOOLEAN' end
  if s:sub(pos, pos + 3) == 'null' then return 'T_NULL' end
  return 'invalid token'
end

local function decode_string(s, pos)
  local parts = {}
  local i = pos + 1
  while true do
    local j = s:find('["\\]', i)
    if j == nil then decode_error('value', 'unexpected end of string', pos) end
    parts[#parts + 1] = s:sub(i, j - 1)
    if s:sub(j, j) == '"' then return concat(parts), j + 1 end
    local e = s:sub(j + 1, j + 1)
    if simple_escapes[e] then
      parts[#parts + 1] = simple_escapes[e]
      i = j + 2
    elseif e == 'u' then
      local hex = s:sub(j + 2, j + 5)
      local cp = #hex == 4 and hex:match('^%x%x%x%x$') and tonumber(hex, 16)
      if not cp then decode_error('value', 'invalid unicode escape code', pos) end
      i = j + 6
      if cp >= 0xD800 and cp <= 0xDBFF then
        local low = s:sub(i, i + 1) == '\\u' and s:sub(i + 2, i + 5):match('^%x%x%x%x$') and tonumber(s:sub(i + 2, i + 5), 16)
        if not low or low < 0xDC00 or low > 0xDFFF then decode_error('value', 'invalid unicode escape code', pos) end
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
        i = i + 6
      elseif cp >= 0xDC00 and cp <= 0xDFFF then
        decode_error('value', 'invalid unicode escape code', pos)
      end
      parts[#parts + 1] = utf8_char(cp)
    else
      decode_error('value', 'invalid escape code', pos)
    end
  end
end

local function decode_number(s, pos)
  local text = s:match('^-?%d+%.?%d*[eE]?[-+]?%d*', pos)
  if text == nil or text == '' or text == '-' then decode_error('value', 'invalid number', pos) end
  local n = tonumber(text)
  if n == nil then decode_error('value', 'invalid number', pos) end
  if not text:find('[.eE]') then n = tointeger(n) or n end
  return n, pos + #text
end

decode_value = function(s, pos, depth)
  pos = skip(s, pos)
  local c = s:sub(pos, pos)
  if c == '{' then
    depth = depth + 1
    if depth > settings.decode_depth then error(format('Found too many nested data structures (%d) at character %d', depth, pos), 0) end
    local t = {}
    pos = skip(s, pos + 1)
    if s:sub(pos, pos) == '}' then return t, pos + 1 end
    while true do
      if s:sub(pos, pos) ~= '"' then decode_error('object key string', token_name(s, pos), pos) end
      local key
      key, pos = decode_string(s, pos)
      pos = skip(s, pos)
      if s:sub(pos, pos) ~= ':' then decode_error('colon', token_name(s, pos), pos) end
      t[key], pos = decode_value(s, pos + 1, depth)
      pos = skip(s, pos)
      local d = s:sub(pos, pos)
      if d == '}' then return t, pos + 1 end
      if d ~= ',' then decode_error('comma or object end', token_name(s, pos), pos) end
      pos = skip(s, pos + 1)
    end
  elseif c == '[' then
    depth = depth + 1
    if depth > settings.decode_depth then error(format('Found too many nested data structures (%d) at character %d', depth, pos), 0) end
    local t, n = {}, 0
    pos = skip(s, pos + 1)
    if s:sub(pos, pos) == ']' then return t, pos + 1 end
    while true do
      n = n + 1
      t[n], pos = decode_value(s, pos, depth)
      pos = skip(s, pos)
      local d = s:sub(pos, pos)
      if d == ']' then return t, pos + 1 end
      if d ~= ',' then decode_error('comma or array end', token_name(s, pos), pos) end
      pos = pos + 1
    end
  elseif c == '"' then
    return decode_string(s, pos)
  elseif c == '-' or c:match('%d') then
    return decode_number(s, pos)
  elseif s:sub(pos, pos + 3) == 'true' then
    return true, pos + 4
  elseif s:sub(pos, pos + 4) == 'false' then
    return false, pos + 5
  elseif s:sub(pos, pos + 3) == 'null' then
    return null, pos + 4
  end
  decode_error('value', token_name(s, pos), pos)
end

cjson.decode = function(...)
  if select('#', ...) ~= 1 then error('bad argument #1 to \'decode\' (expected 1 argument)', 2) end
  local s = ...
  if type(s) ~= 'string' then
    if type(s) == 'number' then s = tostring(s) else error("bad argument #1 to 'decode' (string expected, got " .. type(s) .. ")", 2) end
  end
  local v, pos = decode_value(s, 1, 0)
  pos = skip(s, pos)
  if pos <= #s then decode_error('the end', token_name(s, pos), pos) end
  return v
end

-- Configuration calls: each returns the setting, and sets it when given.
cjson.encode_sparse_array = function(convert, ratio, safe)
  if convert ~= nil then settings.sparse_convert = convert == true or convert == 'on' end
  if ratio ~= nil then settings.sparse_ratio = ratio end
  if safe ~= nil then settings.sparse_safe = safe end
  return settings.sparse_convert, settings.sparse_ratio, settings.sparse_safe
end
cjson.encode_max_depth = function(d) if d ~= nil then settings.encode_depth = d end return settings.encode_depth end
cjson.decode_max_depth = function(d) if d ~= nil then settings.decode_depth = d end return settings.decode_depth end
cjson.encode_number_precision = function(p)
  if p ~= nil then
    if p < 1 or p > 14 then error("bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)", 2) end
    settings.precision = p
  end
  return settings.precision
end
cjson.encode_keep_buffer = function() return true end
cjson.encode_invalid_numbers = function(v) if v ~= nil then settings.invalid_encode = v == true or v == 'on' end return settings.invalid_encode end
cjson.decode_invalid_numbers = function(v) if v ~= nil then settings.invalid_decode = v == true or v == 'on' end return settings.invalid_decode end
cjson.new = function() return cjson end

return cjson
