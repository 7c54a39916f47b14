-- Appends one message to a channel, atomically: resolves the epoch, assigns the next offset, stores the
-- message, trims to retention (count and age) and publishes it for fan-out. Nothing is written before the
-- XADD that could fail, so an error leaves the channel as it was.
--
-- KEYS[1] meta hash {epoch, head}; KEYS[2] log stream, entry ids <offset>-<timestamp ms>, one field 'b'
-- ARGV[1] epoch to use if the channel has none (drawn at random by the caller)
-- ARGV[2] messages to keep; ARGV[3] age in ms after which messages go, 0 for none
-- ARGV[4] message body; ARGV[5] pub/sub channel
-- Returns {epoch, offset, timestamp ms}.
local meta, log = KEYS[1], KEYS[2]
local maxCount, maxAge = tonumber(ARGV[2]), tonumber(ARGV[3])

local epoch = redis.call('HGET', meta, 'epoch')
local head = 0
if epoch then
  head = tonumber(redis.call('HGET', meta, 'head'))
  if head > 0 and redis.call('EXISTS', log) == 0 then
    -- The log was evicted or deleted while the counter survived: that history is lost.
    epoch = false
  end
end
if not epoch then
  -- No history (new channel, or the meta was lost): a new epoch whose offsets start at 1. A log left from
  -- a lost epoch must not be mistaken for this one's.
  epoch, head = ARGV[1], 0
  redis.call('DEL', log)
end

local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local offset = head + 1
redis.call('XADD', log, 'MAXLEN', maxCount, string.format('%d-%d', offset, now), 'b', ARGV[4])
redis.call('HSET', meta, 'epoch', epoch, 'head', offset)
redis.call('PERSIST', meta)

if maxAge > 0 then
  local cutoff = now - maxAge
  while true do
    local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
    if #oldest == 0 then break end
    local id = oldest[1][1]
    local dash = string.find(id, '-', 1, true)
    if tonumber(string.sub(id, dash + 1)) >= cutoff then break end
    redis.call('XTRIM', log, 'MINID', string.format('%d-0', tonumber(string.sub(id, 1, dash - 1)) + 1))
  end
end

redis.call('PUBLISH', ARGV[5], string.format('%s\n%d\n%d\n', epoch, offset, now) .. ARGV[4])
return {epoch, offset, now}
