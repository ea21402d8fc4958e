/*
 * Lua scripts that make each quota operation atomic across replicas. Redis runs a script alone,
 * so "check the limit, then reserve" can never interleave with another replica's.
 *
 * Layout, for a slot (rule, key):
 *   {p}q:{rule}:{key}  hash  period, used, pending:{replica}...   (usage of the current period)
 *   {p}o:{rule}:{key}  hash  object path -> size                  (track: objects)
 *   {p}lru             zset  member objectsKey NUL object, scored by write order (bounded); members
 *                            written before COPY/MOVE were accounted are JSON [objectsKey, object, rule]
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

/**
 * Past the bound, forget the least recently written objects (of any slot); their objects keys go
 * to evicted. Needs max and evicted in scope.
 */
const EVICT = `
while redis.call('ZCARD', KEYS[3]) > max do
  local m = redis.call('ZPOPMIN', KEYS[3])[1]
  local okey, object
  if string.sub(m, 1, 1) == '[' then
    local d = cjson.decode(m)
    okey, object = d[1], d[2]
  else
    local z = string.find(m, '\\0', 1, true)
    okey, object = string.sub(m, 1, z - 1), string.sub(m, z + 1)
  end
  redis.call('HDEL', okey, object)
  table.insert(evicted, okey)
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

/** KEYS h, objects, lru, lruSeq; ARGV period, replica, reserved, object, size, maxObjects → evicted objects keys. */
export const PUT_OBJECT = `${ROLL_PERIOD}${RELEASE}
local prev = tonumber(redis.call('HGET', KEYS[2], ARGV[4]) or '0')
redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
local u = tonumber(redis.call('HGET', h, 'used') or '0') + tonumber(ARGV[5]) - prev
if u < 0 then u = 0 end
redis.call('HSET', h, 'used', u)
redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), KEYS[2] .. '\\0' .. ARGV[4])
local max = tonumber(ARGV[6])
local evicted = {}
${EVICT}
return evicted
`;

/** Is object p the root or under it? (isUnder in objects.ts) */
const IS_UNDER = `
local function isUnder(p, root)
  return p == root or root == '/' or string.sub(p, 1, #root + 1) == root .. '/'
end
`;

/** The objects at or under any root: {path, size, ...}. KEYS h, objects; ARGV period, root... */
export const OBJECTS_UNDER = `${IS_UNDER}
local out = {}
if redis.call('HGET', KEYS[1], 'period') ~= ARGV[1] then return out end
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  for r = 2, #ARGV do
    if isUnder(all[i], ARGV[r]) then
      table.insert(out, all[i])
      table.insert(out, all[i + 1])
      break
    end
  end
end
return out
`;

/**
 * Settle a reservation and carry out a DELETE, COPY or MOVE the server did, planned here as
 * src/quota/objects.ts plans it (deleteChange, transferChange with Overwrite: T): the objects under
 * the destination are replaced, a copy adds the sources under the destination, a move renames them.
 * KEYS h, objects, lru, lruSeq; ARGV period, replica, reserved, maxObjects, op (delete|copy|move),
 * from, to, depth0 (1|0) → evicted objects keys.
 */
export const CHANGE_OBJECTS = `${ROLL_PERIOD}${RELEASE}${IS_UNDER}
local op, from, to, depth0 = ARGV[5], ARGV[6], ARGV[7], ARGV[8] == '1'
local all = redis.call('HGETALL', KEYS[2])
local deletes, puts = {}, {}
if op == 'delete' then
  for i = 1, #all, 2 do
    if isUnder(all[i], from) then table.insert(deletes, all[i]) end
  end
elseif not (isUnder(to, from) or isUnder(from, to)) then
  local sources = {}
  for i = 1, #all, 2 do
    local p = all[i]
    if isUnder(p, to) then table.insert(deletes, p) end
    if p == from or (not depth0 and isUnder(p, from)) then
      table.insert(puts, {to .. string.sub(p, #from + 1), all[i + 1]})
      if op == 'move' then table.insert(sources, p) end
    end
  end
  for _, p in ipairs(sources) do table.insert(deletes, p) end
end
local u = tonumber(redis.call('HGET', h, 'used') or '0')
for _, p in ipairs(deletes) do
  local size = redis.call('HGET', KEYS[2], p)
  if size then
    redis.call('HDEL', KEYS[2], p)
    redis.call('ZREM', KEYS[3], KEYS[2] .. '\\0' .. p)
    u = u - tonumber(size)
  end
end
for _, put in ipairs(puts) do
  local prev = tonumber(redis.call('HGET', KEYS[2], put[1]) or '0')
  redis.call('HSET', KEYS[2], put[1], put[2])
  u = u + tonumber(put[2]) - prev
  redis.call('ZADD', KEYS[3], redis.call('INCR', KEYS[4]), KEYS[2] .. '\\0' .. put[1])
end
if u < 0 then u = 0 end
redis.call('HSET', h, 'used', u)
local max = tonumber(ARGV[4])
local evicted = {}
${EVICT}
return evicted
`;

/** KEYS h, objects; ARGV period, used. */
export const SET_USED = `${ROLL_PERIOD}
redis.call('HSET', h, 'used', ARGV[2])
return 1
`;
