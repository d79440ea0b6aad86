-- The script environment, built once per Lua state after the libraries are loaded: Redis's names,
-- Lua 5.1 names scripts written for Redis expect, the redis table, the error handler, and last the
-- read-only globals. Receives the engine's native functions and the state's mode ('eval' or
-- 'functions') as its arguments; returns the runner, and in 'functions' mode also the library loader
-- and the environment libraries are compiled with.
local native, mode = ...
local error, type, tostring, tonumber, select, rawequal, rawget, rawset, setmetatable, xpcall, pairs =
      error, type, tostring, tonumber, select, rawequal, rawget, rawset, setmetatable, xpcall, pairs
local getinfo = debug.getinfo
local floor = math.floor
local concat = table.concat

-- Lua 5.1 names (Redis embeds 5.1).
unpack = table.unpack
table.getn = function(t) return #t end
math.pow = function(x, y) return x ^ y end
math.mod = math.fmod
math.log10 = function(x) return math.log(x, 10) end
string.gfind = string.gmatch
local rawload = load
load = function(chunk, name, _, env) return rawload(chunk, name, 't', env) end
loadstring = function(s, name) return rawload(s, name, 't') end

-- What Redis leaves out of the sandbox.
dofile, loadfile, print, require, package, io, os, utf8 = nil, nil, nil, nil, nil, nil, nil, nil
debug = { getinfo = debug.getinfo, traceback = debug.traceback }

-- math.random is Redis's: the 48-bit linear congruential generator (rand48) seeded at start-up, so
-- a script's numbers do not depend on the platform's C library.
local seed = 0x1234ABCD330E
local function rand48()
  seed = (seed * 0x5DEECE66D + 0xB) & 0xFFFFFFFFFFFF
  return seed >> 17
end
math.random = function(m, n)
  local r = (rand48() % 0x7FFFFFFF) / 0x7FFFFFFF
  if m == nil then return r end
  if n == nil then
    if m < 1 then error("bad argument #1 to 'random' (interval is empty)", 2) end
    return floor(r * m) + 1
  end
  if m > n then error("bad argument #2 to 'random' (interval is empty)", 2) end
  return floor(r * (n - m + 1)) + m
end
math.randomseed = function(s)
  seed = (((floor(s) & 0xFFFFFFFF) << 16) | 0x330E) & 0xFFFFFFFFFFFF
end

-- The redis table.
local call = native.call
local last_error -- the text the last failing redis.call raised: reported as the command's own error

local call_failed = false

-- redis.call is a C function (coroutine.wrap's), not a Lua one: a Lua function called as
-- `return redis.call(...)` would be a tail call, replacing the script's frame and losing the line
-- an error is reported at. The wrapper also prefixes a failing call's text with that line.
local function make_call()
  return coroutine.wrap(function(...)
    local args = table.pack(...)
    while true do
      local ok, v = call(table.unpack(args, 1, args.n))
      if not ok then
        last_error = v
        call_failed = true
        error(v, 0)
      end
      args = table.pack(coroutine.yield(v))
    end
  end)
end
local current_call = make_call()

redis = {}
redis.pcall = function(...)
  local ok, v = call(...)
  if ok then return v end
  return { err = v }
end
-- Errors of the redis functions themselves are raised as Redis raises them: a table, "ERR " first,
-- without a position prefix.
local function raise(text) error({ err = 'ERR ' .. text }) end

redis.error_reply = function(s)
  if type(s) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
  return { err = s }
end
redis.status_reply = function(s)
  if type(s) ~= 'string' then return { err = 'ERR wrong number or type of arguments' } end
  return { ok = s }
end
redis.sha1hex = function(s)
  if select('#', s) == 0 or (type(s) ~= 'string' and type(s) ~= 'number') then
    raise('wrong number of arguments')
  end
  return native.sha1hex(tostring(s))
end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.log = function(level, ...)
  if select('#', ...) < 1 then raise('redis.log() requires two arguments or more.') end
  if type(level) ~= 'number' then raise('First argument must be a number (log level).') end
  if level < 0 or level > 3 then raise('Invalid debug level.') end
  local parts = {}
  for i = 1, select('#', ...) do
    local v = select(i, ...)
    if type(v) == 'string' or type(v) == 'number' then parts[#parts + 1] = tostring(v) end
  end
  native.log(level, concat(parts, ' '))
end
redis.setresp = function(v)
  if v ~= 2 and v ~= 3 then raise('RESP version must be 2 or 3.') end
  native.setresp(v)
end
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.set_repl = function(flags)
  if type(flags) ~= 'number' or flags < 0 or flags > 3 then raise('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.') end
end
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.REDIS_VERSION = native.version
redis.REDIS_VERSION_NUM = native.version_num

-- Errors: the text and the script line they came from, for "<text> script: <sha>, on @user_script:<line>.".
local function user_line()
  for level = 2, 200 do
    local info = getinfo(level, 'Sl')
    if info == nil then return 0 end
    if info.source == '@user_script' or info.source == '@user_function' then return info.currentline end
  end
  return 0
end
local function on_error(e)
  local text
  if type(e) == 'string' and last_error ~= nil then
    local line, rest = e:match('^user_%a+:(%d+): (.*)$')
    if rest ~= nil and rest == last_error then
      last_error = nil
      return { rest, tonumber(line) }
    end
  end
  if type(e) == 'table' and type(rawget(e, 'err')) == 'string' then
    text = rawget(e, 'err')
  elseif type(e) == 'string' and rawequal(e, last_error) then
    text = e
  elseif type(e) == 'table' then
    text = 'ERR unknown error'
  else
    text = 'ERR ' .. tostring(e)
  end
  last_error = nil
  return { text, user_line() }
end

-- The libraries' functions raise their errors at the script's line, as C functions do (luaL_error),
-- without the position inside our Lua code.
local pack, unpack_results = table.pack, table.unpack
local function at_caller(f)
  return function(...)
    local r = pack(pcall(f, ...))
    if r[1] then return unpack_results(r, 2, r.n) end
    local e = r[2]
    if type(e) == 'string' then e = e:gsub('^%a+%.lua:%d+: ', '') end
    error(e, 2)
  end
end
for _, name in pairs({ 'bit', 'struct', 'cjson', 'cmsgpack' }) do
  local lib = rawget(_G, name)
  for k, f in pairs(lib) do
    if type(f) == 'function' then lib[k] = at_caller(f) end
  end
end

-- Redis 7 functions: redis.register_function and the environment libraries load in (functions.lua).
local functions_api
if mode == 'functions' then
  functions_api = native.functions_api(redis, raise)
end

-- Read-only globals and libraries, as Redis 7.
local function readonly(t, name)
  return setmetatable({}, {
    __index = t,
    __newindex = function() error('Attempt to modify a readonly table', 2) end,
    __pairs = function() return pairs(t) end,
    __len = function() return #t end,
    __metatable = name,
  })
end
local redis_table = redis
rawset(_G, 'redis', setmetatable({}, {
  __index = function(_, k)
    if k == 'call' then
      if call_failed then
        call_failed = false
        current_call = make_call()
      end
      return current_call
    end
    return redis_table[k]
  end,
  __newindex = function() error('Attempt to modify a readonly table', 2) end,
  __pairs = function() return pairs(redis_table) end,
  __metatable = 'redis',
}))
for _, name in pairs({ 'string', 'table', 'math', 'bit', 'struct', 'cjson', 'cmsgpack', 'coroutine', 'debug' }) do
  local lib = rawget(_G, name)
  if lib ~= nil then rawset(_G, name, readonly(lib, name)) end
end
local script_globals = native.script_globals
setmetatable(_G, {
  __index = function(_, k)
    local v = script_globals[k]
    if v ~= nil then return v end
    error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
  end,
  __newindex = function() error('Attempt to modify a readonly table', 2) end,
  __metatable = '_G',
})

-- The runner: a script function and its arguments in, (true, value) or (false, {text, line}) out.
local function runner(f, ...) return xpcall(f, on_error, ...) end
if functions_api == nil then return runner end
return runner, functions_api.load, functions_api.env
