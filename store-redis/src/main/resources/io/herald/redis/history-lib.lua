-- What history-append.lua and history-read.lua share; LuaScript puts it in front of both.

-- Redis's clock, in milliseconds.
local function now_ms()
  local time = redis.call('TIME')
  return tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end

-- The epoch a channel without history has until its first message, computed, never stored, so that reading
-- a channel creates nothing: the epoch the last loss of this channel set aside (KEYS next), or for a
-- channel never published to one derived from its meta key and the hour. A position read from an empty
-- channel then stays valid when the first message comes (in the same hour; across the hour it gets a reset,
-- which loses nothing), and a channel recreated after all its keys were lost (FLUSHALL, eviction) in
-- another hour cannot take its first epoch again. On a cluster the master's replication id (replid) is
-- part of it: a channel whose first messages a failed master took with it (asynchronous replication) must
-- not take their epoch again on the replica that replaced it, or their offsets would name other messages.
local function absent_epoch(meta, next, replid)
  local reserved = redis.call('GET', next)
  if reserved then
    return reserved
  end
  local hour = math.floor(tonumber(redis.call('TIME')[1]) / 3600)
  return string.sub(redis.sha1hex(meta .. '@' .. hour .. replid), 1, 12)
end

-- The replication id of this master (Redis Cluster): it changes when a replica takes over, and when a
-- master without persistence restarts.
local function master_replid()
  return string.match(redis.call('INFO', 'replication'), 'master_replid:(%x+)')
end

-- The channel's epoch and head. When it has none (new channel, or the meta was lost), the absent epoch (see
-- above). When its log was evicted or deleted while the counter survived, that history is lost: a new epoch
-- (the caller's random candidate) whose offsets start at 1, and any log left from the lost epoch is deleted
-- so it is not mistaken for the new one's, and so are its publisher ids (KEYS ids). On a cluster (replid not
-- '') history last written by another master (meta field 'r': a replica took over, asynchronously
-- replicated) may lack messages publishers were told of and subscribers got: it counts as lost too, else
-- their offsets would be given again to other messages. Returns epoch, head, and whether the epoch is not
-- stored yet.
local function resolve_epoch(meta, log, next, candidate, ids, replid)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then
    local head = tonumber(redis.call('HGET', meta, 'head'))
    local writer = replid ~= '' and redis.call('HGET', meta, 'r')
    if writer and writer ~= replid then
      redis.call('DEL', log, ids)
      return candidate, 0, true
    end
    if head == 0 or redis.call('EXISTS', log) == 1 then
      return epoch, head, false
    end
    redis.call('DEL', log, ids)
    return candidate, 0, true
  end
  redis.call('DEL', log, ids)
  return absent_epoch(meta, next, replid), 0, true
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

