-- Claims up to ARGV[3] sessions of one bucket that expired by ARGV[1] (ms) and removes them, atomically, so
-- that each expired session is handed out by exactly one call on whichever node; the name of a named
-- session goes with it.
--
-- KEYS[1] bucket index (sorted set of ids by expiry); ARGV[2] prefix of the bucket's session keys
-- Returns {ids examined, {id, fields, id, fields, ...}}.
local index, now, prefix = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local ids = redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, id in ipairs(ids) do
  redis.call('ZREM', index, id)
  local key = prefix .. id
  local expires = redis.call('HGET', key, 'e')
  if expires and tonumber(expires) <= now then
    table.insert(out, id)
    table.insert(out, redis.call('HGETALL', key))
    -- Its name, unless a newer session has it by now (session-claim.lua).
    local n = redis.call('HGET', key, 'n')
    if n and redis.call('GET', n) == id then redis.call('DEL', n) end
    redis.call('DEL', key)
  elseif expires then
    redis.call('ZADD', index, tonumber(expires), id)
  end
end
return {#ids, out}
