/*
 * Lua scripts that make each quota operation atomic across replicas. Redis runs a script alone,
 * so "check the limit, then reserve" can never interleave with another replica's.
 *
 * Layout, for a slot (rule, key):
 *   {p}q:{rule}:{key}  hash  period, used, pending:{replica}...   (usage of the current period)
 *   {p}o:{rule}:{key}  hash  object path -> size                  (track: objects)
 *   {p}lru             zset  member [objectsKey, object, rule] scored by write order (bounded)
 *   {p}replica:{id}    string with a TTL: the replica is alive; a dead replica's reservations
 *                      stop counting once it expires.
 */

/** New period: usage starts again and tracked objects are forgotten. Shared prologue. */
const ROLL_PERIOD = `
local h = KEYS[1]
if redis.call('HGET', h, 'period') ~= ARGV[1] then
  redis.call('HSET', h, 'period', ARGV[1], 'used', 0)
  redis.call('DEL', KEYS[2])
end
`;

/** Take a replica's reservation out of pending. ARGV[2] replica id, ARGV[3] amount. */
const RELEASE = `
local f = 'pending:' .. ARGV[2]
local p = tonumber(redis.call('HGET', h, f) or '0') - tonumber(ARGV[3])
if p <= 0 then redis.call('HDEL', h, f) else redis.call('HSET', h, f, p) end
`;

/** KEYS h, objects; ARGV period, replica, amount, limit, replicaPrefix → {ok, used, pending}. */
export const RESERVE = `${ROLL_PERIOD}
local used = tonumber(redis.call('HGET', h, 'used') or '0')
local pending = 0
local fields = redis.call('HGETALL', h)
for i = 1, #fields, 2 do
  local f = fields[i]
  if string.sub(f, 1, 8) == 'pending:' then
    if redis.call('EXISTS', ARGV[5] .. string.sub(f, 9)) == 1 then
      pending = pending + tonumber(fields[i + 1])
    else
      redis.call('HDEL', h, f)
    end
  end
end
local amount = tonumber(ARGV[3])
if used + pending + amount <= tonumber(ARGV[4]) then
  redis.call('HINCRBY', h, 'pending:' .. ARGV[2], amount)
  return {1, used, pending}
end
return {0, used, pending}
`;

/** KEYS h, objects; ARGV period, replica, reserved, delta. */
export const SETTLE = `${ROLL_PERIOD}${RELEASE}
local u = tonumber(redis.call('HGET', h, 'used') or '0') + tonumber(ARGV[4])
if u < 0 then u = 0 end
redis.call('HSET', h, 'used', u)
return u
`;

/** KEYS h, objects, lru, lruSeq; ARGV period, replica, reserved, object, size, maxObjects, member → evicted rules. */
export const PUT_OBJECT = `${ROLL_PERIOD}${RELEASE}
local prev = tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or '0')
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
local u = tonumber(redis.call('HGET', h, 'used') or '0') + tonumber(ARGV[5]) - prev
if u < 0 then u = 0 end
redis.call('HSET', h, 'used', u)
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), ARGV[7])
local evicted = {}
while redis.call('ZCARD', KEYS[3]) > tonumber(ARGV[6]) do
  local oldest = redis.call('ZPOPMIN', KEYS[3])
  local m = cjson.decode(oldest[1])
  redis.call('HDEL', m[1], m[2])
  table.insert(evicted, m[3])
end
return evicted
`;

/** KEYS h, objects, lru; ARGV period, object, member. */
export const DELETE_OBJECT = `${ROLL_PERIOD}
local size = redis.call('HGET', KEYS[2], ARGV[2])
if not size then return 0 end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[3])
local u = tonumber(redis.call('HGET', h, 'used') or '0') - tonumber(size)
if u < 0 then u = 0 end
redis.call('HSET', h, 'used', u)
return tonumber(size)
`;

/** KEYS h, objects; ARGV period, used. */
export const SET_USED = `${ROLL_PERIOD}
redis.call('HSET', h, 'used', ARGV[2])
return 1
`;
