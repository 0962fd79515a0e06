/**
 * The Redis budget store's Lua scripts: one per operation, so each runs atomically on the server.
 *
 * Per counter (scope × period) there are two keys:
 *   H  hash  `spent`, `reserved`, and `r:<reservation id>` → amount held
 *   Z  zset  reservation id → expiry (ms, Redis server clock)
 * Per reservation one hash R: `a` (amount held) and `s` (JSON list of its counters, written by the client:
 * id, period, timeZone, limit, hard, periodId, end, and the keys h, z plus their expire-at x).
 *
 * Time is the Redis server's (TIME), so instances with skewed clocks agree on when a reservation expires.
 * Integers travel as strings: a Lua number passed to redis.call can be formatted in exponent notation.
 */

const PRELUDE = `
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function int(n)
  return string.format('%d', n)
end

local function counts(h)
  local v = redis.call('HMGET', h, 'spent', 'reserved')
  return tonumber(v[1] or 0), tonumber(v[2] or 0)
end

-- Takes one reservation out of one counter, if it is still held there.
local function drop(h, z, id)
  local amount = redis.call('HGET', h, 'r:' .. id)
  if amount then
    redis.call('HINCRBY', h, 'reserved', int(-tonumber(amount)))
    redis.call('HDEL', h, 'r:' .. id)
  end
  redis.call('ZREM', z, id)
end

-- Expired reservations stop counting. Bounded per call so one script never runs long;
-- the next call continues.
local function sweep(h, z, now)
  local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now, 'LIMIT', 0, 500)
  for _, id in ipairs(expired) do drop(h, z, id) end
end

local function hold(h, z, x, id, amount_text, expires_at)
  redis.call('HSET', h, 'r:' .. id, amount_text)
  redis.call('ZADD', z, expires_at, id)
  redis.call('PEXPIREAT', h, x)
  redis.call('PEXPIREAT', z, x)
end
`;

/**
 * KEYS: R, then H1, Z1, H2, Z2, …
 * ARGV: id, amount, ttlMs, recordTtlMs, scopesJson, then per counter: limit, hard (1|0), expireAt.
 * Returns {1, spent1, reserved1, …} or {0, index of the refusing counter, spent, reserved}.
 */
export const RESERVE_SCRIPT = `${PRELUDE}
local id, amount, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local n = (#KEYS - 1) / 2
local result = {1}
-- A retried reserve (same id) must not hold the amount twice.
if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = 1, n do
    local spent, reserved = counts(KEYS[2 * i])
    result[#result + 1] = spent
    result[#result + 1] = reserved
  end
  return result
end
local now = now_ms()
for i = 1, n do sweep(KEYS[2 * i], KEYS[2 * i + 1], now) end
for i = 1, n do
  local base = 5 + 3 * (i - 1)
  if ARGV[base + 2] == '1' and amount > 0 then
    local spent, reserved = counts(KEYS[2 * i])
    if spent + reserved + amount > tonumber(ARGV[base + 1]) then return {0, i, spent, reserved} end
  end
end
for i = 1, n do
  local h, z, base = KEYS[2 * i], KEYS[2 * i + 1], 5 + 3 * (i - 1)
  redis.call('HINCRBY', h, 'reserved', ARGV[2])
  hold(h, z, ARGV[base + 3], id, ARGV[2], now + ttl)
  local spent, reserved = counts(h)
  result[#result + 1] = spent
  result[#result + 1] = reserved
end
redis.call('HSET', KEYS[1], 'a', ARGV[2], 's', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return result
`;

/**
 * KEYS: R.  ARGV: id, additional, ttlMs, recordTtlMs, force (1: hold past hard limits, the money is spent).
 * Returns {1, scopesJson, spent1, reserved1, …}, {0, scopesJson, index, spent, reserved}, or {-1} when R is gone.
 */
export const EXTEND_SCRIPT = `${PRELUDE}
local id, additional, ttl = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local record = redis.call('HMGET', KEYS[1], 'a', 's')
if not record[2] then return {-1} end
local scopes = cjson.decode(record[2])
local total = tonumber(record[1]) + additional
local now = now_ms()
local deltas = {}
for i, s in ipairs(scopes) do
  sweep(s.h, s.z, now)
  -- An expired reservation no longer counts here, so it must be held again in full.
  if redis.call('HEXISTS', s.h, 'r:' .. id) == 1 then deltas[i] = additional else deltas[i] = total end
  if s.hard and deltas[i] > 0 and ARGV[5] ~= '1' then
    local spent, reserved = counts(s.h)
    if spent + reserved + deltas[i] > s.limit then return {0, record[2], i, spent, reserved} end
  end
end
local result = {1, record[2]}
for i, s in ipairs(scopes) do
  if deltas[i] ~= 0 then redis.call('HINCRBY', s.h, 'reserved', int(deltas[i])) end
  hold(s.h, s.z, int(s.x), id, int(total), now + ttl)
  local spent, reserved = counts(s.h)
  result[#result + 1] = spent
  result[#result + 1] = reserved
end
redis.call('HSET', KEYS[1], 'a', int(total))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return result
`;

/**
 * KEYS: R.  ARGV: id, actual.
 * Returns {1, scopesJson, spent1, reserved1, …}, or {0} when R is gone (already settled or released).
 */
export const SETTLE_SCRIPT = `${PRELUDE}
local id = ARGV[1]
local record = redis.call('HMGET', KEYS[1], 'a', 's')
if not record[2] then return {0} end
local scopes = cjson.decode(record[2])
local now = now_ms()
local result = {1, record[2]}
for _, s in ipairs(scopes) do
  drop(s.h, s.z, id)
  sweep(s.h, s.z, now)
  redis.call('HINCRBY', s.h, 'spent', ARGV[2])
  -- The counter may have been emptied and dropped meanwhile; HINCRBY recreates it without a TTL.
  redis.call('PEXPIREAT', s.h, int(s.x))
  local spent, reserved = counts(s.h)
  result[#result + 1] = spent
  result[#result + 1] = reserved
end
redis.call('DEL', KEYS[1])
return result
`;

/** KEYS: R.  ARGV: id.  Returns 1, or 0 when R is gone. */
export const RELEASE_SCRIPT = `${PRELUDE}
local record = redis.call('HGET', KEYS[1], 's')
if not record then return 0 end
for _, s in ipairs(cjson.decode(record)) do drop(s.h, s.z, ARGV[1]) end
redis.call('DEL', KEYS[1])
return 1
`;

/** KEYS: H, Z.  Returns {spent, reserved} after dropping expired reservations. */
export const USAGE_SCRIPT = `${PRELUDE}
sweep(KEYS[1], KEYS[2], now_ms())
local spent, reserved = counts(KEYS[1])
return {spent, reserved}
`;
