-- Finds or creates the session bound to a name, atomically (SessionStore.claim). The name key holds the
-- session id and sits in the session's bucket (the Java side draws the new id from the name's bucket), so
-- this script touches one Redis Cluster slot. A named session's hash keeps its name key in field 'n', so
-- that touching, deleting and purging it (session.lua, session-purge.lua) keep the binding in step.
--
-- KEYS[1] name key; KEYS[2] bucket index; KEYS[3] hash of the new session, used only when the name is free
-- ARGV[1] now (ms); ARGV[2] grace (ms); ARGV[3] new session id; ARGV[4] principal; ARGV[5] expires (ms);
-- ARGV[6] prefix of the bucket's session keys
-- Returns {1, id, fields} for a created session, {0, id, fields} for a found one, {-1} if the new id is taken.
local nameKey, index, fresh = KEYS[1], KEYS[2], KEYS[3]
local now, grace, expires = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[5])

local function expireAt(key, id)
  redis.call('HSET', key, 'e', ARGV[5])
  redis.call('PEXPIREAT', key, expires + grace)
  redis.call('PEXPIREAT', nameKey, expires + grace)
  redis.call('ZADD', index, expires, id)
  local ttl = redis.call('PTTL', index)
  if ttl < 0 or now + ttl < expires + grace then
    redis.call('PEXPIREAT', index, expires + grace)
  end
end

local bound = redis.call('GET', nameKey)
if bound then
  local key = ARGV[6] .. bound
  local e = redis.call('HGET', key, 'e')
  if e and tonumber(e) > now then
    expireAt(key, bound)
    return {0, bound, redis.call('HGETALL', key)}
  end
  -- Expired (or gone): the name goes to a new session; purging the old one leaves this binding alone.
end
if redis.call('EXISTS', fresh) == 1 then return {-1} end
redis.call('HSET', fresh, 'p', ARGV[4], 'c', ARGV[1], 'n', nameKey)
redis.call('SET', nameKey, ARGV[3])
expireAt(fresh, ARGV[3])
return {1, ARGV[3], redis.call('HGETALL', fresh)}
