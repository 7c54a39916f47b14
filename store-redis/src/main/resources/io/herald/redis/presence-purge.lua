-- Claims up to ARGV[3] members of one bucket that expired by ARGV[1] (ms) and removes them, atomically, so
-- that each expired member is handed out by exactly one call on whichever node.
--
-- KEYS[1] bucket index (sorted set of '<channel>\n<client id>' by expiry); ARGV[2] prefix of the bucket's
-- channel keys. Returns {members examined, {channel, client id, value, ...}}.
local index, now, prefix = KEYS[1], tonumber(ARGV[1]), ARGV[2]
local members = redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, member in ipairs(members) do
  redis.call('ZREM', index, member)
  local newline = string.find(member, '\n', 1, true)
  local channel, client = string.sub(member, 1, newline - 1), string.sub(member, newline + 1)
  local key = prefix .. channel
  local value = redis.call('HGET', key, client)
  if value then
    local expires = tonumber(string.match(value, '^%d+:%d+:(%d+):'))
    if expires <= now then
      redis.call('HDEL', key, client)
      table.insert(out, channel)
      table.insert(out, client)
      table.insert(out, value)
    else
      redis.call('ZADD', index, expires, member)
    end
  end
end
return {#members, out}
