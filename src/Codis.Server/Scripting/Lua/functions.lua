-- Redis 7 functions (FUNCTION LOAD): what a library sees while it loads, and redis.register_function.
-- Called by the prelude of the functions' Lua state, before the globals become read-only, with the
-- redis table and the prelude's raise; returns { load = loader, env = environment }.
-- A library is compiled with `env` as its globals: while it loads they are only `redis` with
-- register_function, log and the version (Redis 7.0's library API); once loaded, its functions see the
-- ordinary script globals through the same table.
local redis, raise = ...
local type, tostring, select, pairs, rawget, setmetatable, error, pcall, lower =
      type, tostring, select, pairs, rawget, setmetatable, error, pcall, string.lower
local globals = _G

-- The library being loaded: its registered functions, nil when no FUNCTION LOAD is running.
local registering
local registered_names

local flag_bits = {
  ['no-writes'] = 1, ['allow-oom'] = 2, ['allow-stale'] = 4, ['no-cluster'] = 8, ['allow-cross-slot-keys'] = 16,
}

-- Strings and numbers pass as strings (lua_isstring), as in Redis.
local function is_string(v)
  local t = type(v)
  return t == 'string' or t == 'number'
end

local function read_flags(t)
  local bits = 0
  local i = 1
  while true do
    local v = t[i]
    if v == nil then return bits end
    if not is_string(v) then raise('unknown flag given') end
    local bit = flag_bits[lower(tostring(v))]
    if bit == nil then raise('unknown flag given') end
    bits = bits | bit
    i = i + 1
  end
end

local function register_function(...)
  if registering == nil then raise('redis.register_function can only be called on FUNCTION LOAD command') end
  local argc = select('#', ...)
  if argc < 1 or argc > 2 then raise('wrong number of arguments to redis.register_function') end
  local name, callback, flags, description
  flags = 0
  if argc == 1 then
    local t = ...
    if type(t) ~= 'table' then
      raise('calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).')
    end
    for k, v in pairs(t) do
      if not is_string(k) then raise('named argument key given to redis.register_function is not a string') end
      local key = lower(tostring(k))
      if key == 'function_name' then
        if not is_string(v) then raise('function_name argument given to redis.register_function must be a string') end
        name = tostring(v)
      elseif key == 'description' then
        if not is_string(v) then raise('description argument given to redis.register_function must be a string') end
        description = tostring(v)
      elseif key == 'callback' then
        if type(v) ~= 'function' then raise('callback argument given to redis.register_function must be a function') end
        callback = v
      elseif key == 'flags' then
        if type(v) ~= 'table' then
          raise('flags argument to redis.register_function must be a table representing function flags')
        end
        flags = read_flags(v)
      else
        raise('unknown argument given to redis.register_function')
      end
    end
    if name == nil then raise('redis.register_function must get a function name argument') end
    if callback == nil then raise('redis.register_function must get a callback argument') end
  else
    local n, f = ...
    if not is_string(n) then raise('first argument to redis.register_function must be a string') end
    if type(f) ~= 'function' then raise('second argument to redis.register_function must be a function') end
    name, callback = tostring(n), f
  end
  if not name:match('^[%w_]+$') then
    raise('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long')
  end
  if registered_names[name] then raise('Function already exists in the library') end
  registered_names[name] = true
  registering[#registering + 1] = { name, callback, flags, description }
end

-- Tables of the load-time API: reading a missing name is an error, as Redis's protected tables.
local function strict(t)
  return setmetatable({}, {
    __index = function(_, k)
      local v = rawget(t, k)
      if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
      return v
    end,
    __newindex = function() error('Attempt to modify a readonly table', 2) end,
    __metatable = 'redis',
  })
end
local load_api = {
  redis = strict({
    register_function = register_function, log = redis.log,
    LOG_DEBUG = redis.LOG_DEBUG, LOG_VERBOSE = redis.LOG_VERBOSE, LOG_NOTICE = redis.LOG_NOTICE,
    LOG_WARNING = redis.LOG_WARNING, REDIS_VERSION = redis.REDIS_VERSION, REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM,
  }),
}

local env = setmetatable({}, {
  __index = function(_, k)
    local v
    if registering ~= nil then v = rawget(load_api, k) else v = rawget(globals, k) end
    if v == nil then error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2) end
    return v
  end,
  __newindex = function() error('Attempt to modify a readonly table', 2) end,
  __metatable = '_G',
})

-- Runs a compiled library: (true, {{name, callback, flags, description}, ...}) or (false, error text).
-- load(nil) ends a load that was stopped by its time limit.
local function load(chunk)
  if chunk == nil then
    registering, registered_names = nil, nil
    return
  end
  registering, registered_names = {}, {}
  local ok, e = pcall(chunk)
  local list = registering
  registering, registered_names = nil, nil
  if ok then return true, list end
  if type(e) == 'table' and type(rawget(e, 'err')) == 'string' then return false, rawget(e, 'err') end
  return false, 'ERR ' .. tostring(e)
end

return { load = load, env = env }
