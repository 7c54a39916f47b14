-- Takes offline up to ARGV[4] users of one bucket whose last connection went by ARGV[1] (ms, now minus the
-- grace), atomically: each is handed out by exactly one call on whichever node, and the interval they were
-- online is added to their online time.
--
-- KEYS[1] bucket offline index ('<channel>\n<user>' by when their last connection went); ARGV[2] prefix of
-- the bucket's users keys; ARGV[3] prefix of its online-time keys.
-- Returns {users examined, {channel, user, since ms, end ms, ...}}.
local offline, cutoff, userPrefix, timePrefix = KEYS[1], tonumber(ARGV[1]), ARGV[2], ARGV[3]
local candidates = redis.call('ZRANGEBYSCORE', offline, '-inf', cutoff, 'LIMIT', 0, tonumber(ARGV[4]))
local out = {}
for _, candidate in ipairs(candidates) do
  redis.call('ZREM', offline, candidate)
  local newline = string.find(candidate, '\n', 1, true)
  local channel, user = string.sub(candidate, 1, newline - 1), string.sub(candidate, newline + 1)
  local users = userPrefix .. channel
  local value = redis.call('HGET', users, user)
  if value then
    local _, count, since, last = parseUser(value)
    if count <= 0 and last <= cutoff then
      redis.call('HDEL', users, user)
      redis.call('HINCRBY', timePrefix .. channel, user, last - since)
      table.insert(out, channel)
      table.insert(out, user)
      table.insert(out, since)
      table.insert(out, last)
    elseif count <= 0 then
      redis.call('ZADD', offline, last, candidate)
    end
  end
end
return {#candidates, out}
