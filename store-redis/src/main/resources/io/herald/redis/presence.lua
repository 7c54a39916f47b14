-- Joins or leaves one member of a channel, with its user, atomically. The bucket's index (sorted set of
-- '<channel>\n<client id>' by expiry) lets purging find expired members, and the channel's keys expire
-- <keep> after their last member, so Redis drops them even if no node purges.
--
-- KEYS[1] channel members hash; KEYS[2] bucket index; KEYS[3] bucket sequence; KEYS[4] channel users
-- hash; KEYS[5] bucket offline index
-- ARGV[1] 'join' or 'leave'; ARGV[2] now (ms); ARGV[3] keep (ms); ARGV[4] client id; ARGV[5] index member;
-- ARGV[6] channel
-- join: ARGV[7] expires (ms), ARGV[8] user id, ARGV[9] encoded info. Returns {joined ms, 1 if the user came
--   online, the user's connections, the user} (a client keeps its first user and, while live, its joined time).
-- leave: returns 1 if a live member left, else 0 (an expired one stays for the purge).
local key, index, sequence, users, offline = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local op, now, keep, client, member, channel = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]

local current = redis.call('HGET', key, client)
if op == 'join' then
  local expires, seq, joined, user, came, count = tonumber(ARGV[7]), nil, nil, ARGV[8], 0, 0
  if current then
    -- Live, or expired but not purged yet: it still counts for its user, so this is a heartbeat.
    local s, j, e, u = parseMember(current)
    user = u
    if e > now then seq, joined = s, j end
    local value = redis.call('HGET', users, user)
    if value then
      local _, n = parseUser(value)
      count = n
    end
  else
    local value = redis.call('HGET', users, user)
    if value then
      local us, n, since, last = parseUser(value)
      count = n + 1
      redis.call('HSET', users, user, formatUser(us, count, since, last))
      if n <= 0 then redis.call('ZREM', offline, channel .. '\n' .. user) end
    else
      count, came = 1, 1
      redis.call('HSET', users, user, formatUser(redis.call('INCR', sequence), 1, now, 0))
    end
  end
  if not seq then
    seq, joined = redis.call('INCR', sequence), now
  end
  redis.call('HSET', key, client, string.format('%d:%d:%d:%d:', seq, joined, expires, #user) .. user .. ARGV[9])
  redis.call('ZADD', index, expires, member)
  keepUntil(key, now, expires, keep)
  keepUntil(index, now, expires, keep)
  keepUntil(users, now, expires, keep)
  return {joined, came, count, user}
elseif op == 'leave' then
  if current then
    local _, _, e, user = parseMember(current)
    if e > now then
      redis.call('HDEL', key, client)
      redis.call('ZREM', index, member)
      gone(users, offline, channel, user, now, now, keep)
      return 1
    end
  end
  return 0
end
return redis.error_reply('unknown presence operation ' .. op)
