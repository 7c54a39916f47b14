-- What history-append.lua and history-read.lua share; LuaScript puts it in front of both.

-- Redis's clock, in milliseconds.
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- The channel's epoch and head. When it has none (new channel, or the meta was lost), or its log was evicted
-- or deleted while the counter survived, that history is lost: a new epoch (the caller's random candidate)
-- whose offsets start at 1, and any log and publisher ids left from the lost epoch are deleted so they are
-- not mistaken for the new one's. Returns epoch, head, and whether the epoch is new.
local function resolve_epoch(meta, log, candidate, ids)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then
    local head = tonumber(redis.call('HGET', meta, 'head'))
    if head == 0 or redis.call('EXISTS', log) == 1 then
      return epoch, head, false
    end
  end
  redis.call('DEL', log, ids)
  return candidate, 0, true
end

-- Drops the entries older than cutoff (ms; entry ids are <offset>-<timestamp ms>) and returns the oldest
-- entry left, as XRANGE ... COUNT 1 answers it.
local function trim_older_than(log, cutoff)
  local oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
  while #oldest > 0 do
    local id = oldest[1][1]
    local dash = string.find(id, '-', 1, true)
    if tonumber(string.sub(id, dash + 1)) >= cutoff then break end
    redis.call('XTRIM', log, 'MINID', string.format('%d-0', tonumber(string.sub(id, 1, dash - 1)) + 1))
    oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
  end
  return oldest
end

