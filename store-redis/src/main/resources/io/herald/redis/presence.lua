-- Joins or leaves one member of a channel, atomically. A channel's members are a hash by client id, each
-- '<join sequence>:<joined ms>:<expires ms>:<user and info>'; the sequence orders members by joining. The
-- bucket's index (sorted set of '<channel>\n<client id>' by expiry) lets purging find expired members, and
-- both keys expire <grace> after their last member, so Redis drops them even if no node purges.
--
-- KEYS[1] channel hash; KEYS[2] bucket index; KEYS[3] bucket join sequence
-- ARGV[1] 'join' or 'leave'; ARGV[2] now (ms); ARGV[3] grace (ms); ARGV[4] client id; ARGV[5] index member
-- join: ARGV[6] expires (ms), ARGV[7] user and info. Returns the joined time (kept by a heartbeat).
-- leave: returns 1 if a live member left, else 0 (an expired one stays for the purge).
local key, index, sequence = KEYS[1], KEYS[2], KEYS[3]
local op, now, grace, client, member = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]

local function parse(value)
  local s, j, e = string.match(value, '^(%d+):(%d+):(%d+):')
  return tonumber(s), tonumber(j), tonumber(e)
end

local function keepUntil(k, at)
  local ttl = redis.call('PTTL', k)
  if ttl < 0 or now + ttl < at + grace then
    redis.call('PEXPIREAT', k, at + grace)
  end
end

local current = redis.call('HGET', key, client)
if op == 'join' then
  local seq, joined
  if current then
    local s, j, e = parse(current)
    if e > now then seq, joined = s, j end
  end
  if not seq then
    seq, joined = redis.call('INCR', sequence), now
  end
  local expires = tonumber(ARGV[6])
  redis.call('HSET', key, client, string.format('%d:%d:%d:', seq, joined, expires) .. ARGV[7])
  redis.call('ZADD', index, expires, member)
  keepUntil(key, expires)
  keepUntil(index, expires)
  return joined
elseif op == 'leave' then
  if current then
    local _, _, e = parse(current)
    if e > now then
      redis.call('HDEL', key, client)
      redis.call('ZREM', index, member)
      return 1
    end
  end
  return 0
end
return redis.error_reply('unknown presence operation ' .. op)
