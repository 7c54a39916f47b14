-- Reads a channel: its epoch and head, the oldest offset still retained, and the messages from a position.
-- A channel without history gets its epoch here (so that a position read from an empty channel's head
-- stays valid once it is published to); such an empty meta expires after a day unless a message comes.
--
-- KEYS[1] meta hash; KEYS[2] log stream (see history-append.lua)
-- ARGV[1] epoch to use if the channel has none; ARGV[2] age in ms after which messages go, 0 for none
-- ARGV[3] epoch of the position to read after, '' to read from the oldest retained message
-- ARGV[4] offset of that position; ARGV[5] most messages to return, 0 for none (head only)
-- Returns {epoch, head, first retained offset (head + 1 when none), entries}.
local meta, log = KEYS[1], KEYS[2]
local maxAge, afterEpoch, afterOffset, limit = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])

local epoch = redis.call('HGET', meta, 'epoch')
local head = 0
if epoch then
  head = tonumber(redis.call('HGET', meta, 'head'))
  if head > 0 and redis.call('EXISTS', log) == 0 then
    epoch = false
  end
end
if not epoch then
  epoch, head = ARGV[1], 0
  redis.call('DEL', log)
  redis.call('HSET', meta, 'epoch', epoch, 'head', 0)
  redis.call('PEXPIRE', meta, 86400000)
end

local first = head + 1
local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
if maxAge > 0 then
  local time = redis.call('TIME')
  local cutoff = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) - maxAge
  while #oldest > 0 do
    local id = oldest[1][1]
    local dash = string.find(id, '-', 1, true)
    if tonumber(string.sub(id, dash + 1)) >= cutoff then break end
    redis.call('XTRIM', log, 'MINID', string.format('%d-0', tonumber(string.sub(id, 1, dash - 1)) + 1))
    oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
  end
end
if #oldest > 0 then
  local id = oldest[1][1]
  first = tonumber(string.sub(id, 1, string.find(id, '-', 1, true) - 1))
end

local entries = {}
if limit > 0 then
  local from = nil
  if afterEpoch == '' then
    from = first
  elseif afterEpoch == epoch and afterOffset <= head then
    from = math.max(afterOffset + 1, first)
  end
  if from and from <= head then
    entries = redis.call('XRANGE', log, string.format('%d-0', from), '+', 'COUNT', limit)
  end
end
return {epoch, head, first, entries}
