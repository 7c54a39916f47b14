-- Claims up to ARGV[3] members of one bucket that expired by ARGV[1] (ms) and removes them, atomically, so
-- that each expired member is handed out by exactly one call on whichever node; each counts as gone for
-- its user at its expiry.
--
-- KEYS[1] bucket index (sorted set of '<channel>\n<client id>' by expiry); KEYS[2] bucket offline index;
-- ARGV[2] prefix of the bucket's members keys; ARGV[4] prefix of its users keys; ARGV[5] keep (ms).
-- Returns {members examined, {channel, client id, value, ...}}.
local index, offline, now, prefix, userPrefix, keep = KEYS[1], KEYS[2], tonumber(ARGV[1]), ARGV[2], ARGV[4], tonumber(ARGV[5])
local members = redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
for _, member in ipairs(members) do
  redis.call('ZREM', index, member)
  local newline = string.find(member, '\n', 1, true)
  local channel, client = string.sub(member, 1, newline - 1), string.sub(member, newline + 1)
  local key = prefix .. channel
  local value = redis.call('HGET', key, client)
  if value then
    local _, _, expires, user = parseMember(value)
    if expires <= now then
      redis.call('HDEL', key, client)
      gone(userPrefix .. channel, offline, channel, user, expires, now, keep)
      table.insert(out, channel)
      table.insert(out, client)
      table.insert(out, value)
    else
      redis.call('ZADD', index, expires, member)
    end
  end
end
return {#members, out}
