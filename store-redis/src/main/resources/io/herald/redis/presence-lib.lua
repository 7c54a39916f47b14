-- Functions the presence scripts share, put in front of each. A member's value is
-- '<join sequence>:<joined ms>:<expires ms>:<len>:<user><info>'; a user's, in the channel's users hash,
-- '<online sequence>:<connections>:<since ms>:<end ms>', where <end> is when the latest of their gone
-- connections went. A user with no connection is leaving: listed in the bucket's offline index
-- ('<channel>\n<user>' by <end>) until a purge takes them offline or a connection takes them back.

local function parseMember(value)
  local s, j, e, len, at = string.match(value, '^(%d+):(%d+):(%d+):(%d+):()')
  return tonumber(s), tonumber(j), tonumber(e), string.sub(value, at, at + tonumber(len) - 1)
end

local function parseUser(value)
  local s, n, since, last = string.match(value, '^(%d+):(%d+):(%d+):(%d+)$')
  return tonumber(s), tonumber(n), tonumber(since), tonumber(last)
end

local function formatUser(seq, count, since, last)
  return string.format('%d:%d:%d:%d', seq, count, since, last)
end

-- Keeps key k at least until <at> + <keep> ms, never shortening a longer life.
local function keepUntil(k, now, at, keep)
  local ttl = redis.call('PTTL', k)
  if ttl < 0 or now + ttl < at + keep then
    redis.call('PEXPIREAT', k, at + keep)
  end
end

-- One connection of <user> on <channel> went at <at>: one fewer, and leaving when it was the last.
local function gone(users, offline, channel, user, at, now, keep)
  local value = redis.call('HGET', users, user)
  if not value then
    return
  end
  local seq, count, since, last = parseUser(value)
  count = count - 1
  if at > last then last = at end
  redis.call('HSET', users, user, formatUser(seq, count, since, last))
  if count <= 0 then
    redis.call('ZADD', offline, last, channel .. '\n' .. user)
    keepUntil(users, now, last, keep)
  end
end
