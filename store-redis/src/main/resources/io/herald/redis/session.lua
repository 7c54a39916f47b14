-- One atomic operation on a durable session, kept in a hash:
--   p principal, c created (ms), e expires (ms),
--   s:<key> subscription ('1' or '0' for acknowledged, then the channel), k:<key> cursor '<epoch>:<offset>',
--   u:<key> unacked positions, oldest first, comma-separated; n the key of its name, for a named session
--   (session-claim.lua), which expires and goes with the session while it still holds this session's id.
-- The key expires <grace> after the session so that Redis drops dead sessions even if no node purges them;
-- the bucket's index (a sorted set of ids by expiry) lets purging find them first.
--
-- KEYS[1] session hash; KEYS[2] bucket index
-- ARGV[1] operation; ARGV[2] now (ms); ARGV[3] grace (ms); ARGV[4] session id; then the operation's own.
-- Returns -2 for an unknown or expired session, -1 for an unknown subscription, else the operation's answer.
local key, index = KEYS[1], KEYS[2]
local op, now, grace, id = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]

local function keepIndexUntil(at)
  local ttl = redis.call('PTTL', index)
  if ttl < 0 or now + ttl < at + grace then
    redis.call('PEXPIREAT', index, at + grace)
  end
end

-- The key of the session's name, while the name is still bound to this session; nil otherwise.
local function boundName()
  local n = redis.call('HGET', key, 'n')
  if n and redis.call('GET', n) == id then return n end
  return nil
end

local function expireAt(e)
  redis.call('HSET', key, 'e', string.format('%d', e))
  redis.call('PEXPIREAT', key, e + grace)
  local n = boundName()
  if n then redis.call('PEXPIREAT', n, e + grace) end
  redis.call('ZADD', index, e, id)
  keepIndexUntil(e)
end

if op == 'create' then -- ARGV[5] principal, ARGV[6] expires
  if redis.call('EXISTS', key) == 1 then return 0 end
  redis.call('HSET', key, 'p', ARGV[5], 'c', ARGV[2])
  expireAt(tonumber(ARGV[6]))
  return 1
end

local expires = redis.call('HGET', key, 'e')
if not expires or tonumber(expires) <= now then
  -- Gone for every method; an expired session stays for the purge, which must still hand it out.
  return -2
end

if op == 'touch' then -- ARGV[5] expires
  expireAt(tonumber(ARGV[5]))
  return 1
elseif op == 'delete' then
  local n = boundName()
  if n then redis.call('DEL', n) end
  redis.call('DEL', key)
  redis.call('ZREM', index, id)
  return 1
elseif op == 'subscribe' then -- ARGV[5] key, ARGV[6] definition, ARGV[7] cursor or '', ARGV[8] unacked or ''
  local k = ARGV[5]
  redis.call('HSET', key, 's:' .. k, ARGV[6])
  if ARGV[7] == '' then redis.call('HDEL', key, 'k:' .. k) else redis.call('HSET', key, 'k:' .. k, ARGV[7]) end
  if ARGV[8] == '' then redis.call('HDEL', key, 'u:' .. k) else redis.call('HSET', key, 'u:' .. k, ARGV[8]) end
  return 1
elseif op == 'unsubscribe' then -- ARGV[5] key
  local k = ARGV[5]
  local removed = redis.call('HDEL', key, 's:' .. k)
  redis.call('HDEL', key, 'k:' .. k, 'u:' .. k)
  return removed
end

-- Operations on a subscription's positions: ARGV[5] key, ARGV[6] epoch, ARGV[7] offset, ARGV[8] window or cumulative.
local k = ARGV[5]
if redis.call('HEXISTS', key, 's:' .. k) == 0 then return -1 end
local epoch, offset = ARGV[6], tonumber(ARGV[7])
local position = epoch .. ':' .. ARGV[7]

local function advance()
  local cursor = redis.call('HGET', key, 'k:' .. k)
  if cursor then
    local e, o = string.match(cursor, '^(.*):(%d+)$')
    if e == epoch and tonumber(o) >= offset then return end
  end
  redis.call('HSET', key, 'k:' .. k, position)
end

local function unacked()
  local list = {}
  local text = redis.call('HGET', key, 'u:' .. k)
  if text then
    for p in string.gmatch(text, '[^,]+') do table.insert(list, p) end
  end
  return list
end

if op == 'advance' then
  advance()
  return 1
elseif op == 'delivered' then
  local list = unacked()
  if #list >= tonumber(ARGV[8]) then return 0 end
  local known = false
  for _, p in ipairs(list) do
    if p == position then known = true end
  end
  if not known then
    table.insert(list, position)
    redis.call('HSET', key, 'u:' .. k, table.concat(list, ','))
  end
  advance()
  return 1
elseif op == 'acknowledge' then
  local cumulative = ARGV[8] == '1'
  local kept, removed = {}, 0
  for _, p in ipairs(unacked()) do
    local e, o = string.match(p, '^(.*):(%d+)$')
    if p == position or (cumulative and e == epoch and tonumber(o) <= offset) then
      removed = removed + 1
    else
      table.insert(kept, p)
    end
  end
  if removed > 0 then
    if #kept == 0 then redis.call('HDEL', key, 'u:' .. k) else redis.call('HSET', key, 'u:' .. k, table.concat(kept, ',')) end
  end
  return removed
end
return redis.error_reply('unknown session operation ' .. op)
