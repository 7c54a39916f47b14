-- Appends one message to a channel, atomically: resolves the epoch, assigns the next offset, stores the
-- message, trims to retention (count and age) and publishes it for fan-out. Nothing is written before the
-- XADD that could fail, so an error leaves the channel as it was.
--
-- KEYS[1] meta hash {epoch, head}; KEYS[2] log stream, entry ids <offset>-<timestamp ms>, one field 'b'
-- KEYS[3] the epoch this channel takes if its history is ever lost (string)
-- ARGV[1] a new epoch drawn at random by the caller, used if the log was lost
-- ARGV[2] messages to keep; ARGV[3] age in ms after which messages go, 0 for none
-- ARGV[4] message body; ARGV[5] pub/sub channel; ARGV[6] another random epoch, set aside for the next loss
-- Returns {epoch, offset, timestamp ms}. Runs after history-lib.lua.
local meta, log = KEYS[1], KEYS[2]
local maxCount, maxAge = tonumber(ARGV[2]), tonumber(ARGV[3])

local epoch, head, new = resolve_epoch(meta, log, KEYS[3], ARGV[1])
local now = now_ms()
local offset = head + 1
redis.call('XADD', log, 'MAXLEN', maxCount, string.format('%d-%d', offset, now), 'b', ARGV[4])
redis.call('HSET', meta, 'epoch', epoch, 'head', offset)
redis.call('PERSIST', meta)
if new then
  -- Should this history be lost, the channel must not come back with this epoch: the next one is set aside now.
  redis.call('SET', KEYS[3], ARGV[6])
end
if maxAge > 0 then
  trim_older_than(log, now - maxAge)
end

redis.call('PUBLISH', ARGV[5], string.format('%s\n%d\n%d\n', epoch, offset, now) .. ARGV[4])
return {epoch, offset, now}
