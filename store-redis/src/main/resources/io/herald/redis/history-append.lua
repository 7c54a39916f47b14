-- Appends one message to a channel, atomically: resolves the epoch, assigns the next offset, stores the
-- message, trims to retention (count and age) and publishes it for fan-out. Nothing is written before the
-- XADD that could fail, so an error leaves the channel as it was. A message carrying its publisher's id that
-- a retained message of the channel already carries is not stored again: the stored one is returned.
--
-- KEYS[1] meta hash {epoch, head}; KEYS[2] log stream, entry ids <offset>-<timestamp ms>, one field 'b'
-- KEYS[3] the epoch this channel takes if its history is ever lost (string)
-- KEYS[4] ids sorted set: the publisher ids of retained messages, scored by offset
-- ARGV[1] a new epoch drawn at random by the caller, used if the log was lost
-- ARGV[2] messages to keep; ARGV[3] age in ms after which messages go, 0 for none
-- ARGV[4] message body; ARGV[5] pub/sub channel; ARGV[6] another random epoch, set aside for the next loss
-- ARGV[7] the publisher's id, '' for none
-- ARGV[8] '' for one Redis, where ARGV[5] is a classic channel; on a cluster ARGV[5] is the channel's shard
-- channel (SPUBLISH, same slot as KEYS) and ARGV[8] the classic channel pattern subscribers read, published
-- to only while this master has a subscriber of the marker channel ARGV[9] (some node has a pattern); the
-- meta then also keeps the replication id of the master that wrote it (see resolve_epoch)
-- Returns {epoch, offset, timestamp ms} for a new message, {epoch, offset, timestamp ms, body} for the
-- message already stored with that id. Runs after history-lib.lua.
local meta, log, ids = KEYS[1], KEYS[2], KEYS[4]
local maxCount, maxAge, id = tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[7]

local replid = ARGV[8] == '' and '' or master_replid()
local epoch, head, new = resolve_epoch(meta, log, KEYS[3], ARGV[1], ids, replid)
local now = now_ms()
if id ~= '' then
  if maxAge > 0 then
    -- Trim first, so that a message that aged out is not taken for the original of a retry.
    trim_older_than(log, now - maxAge)
  end
  local known = redis.call('ZSCORE', ids, id)
  if known then
    local entry = redis.call('XRANGE', log, known, known)
    if #entry > 0 then
      local entryId = entry[1][1]
      return {epoch, tonumber(known), tonumber(string.sub(entryId, string.find(entryId, '-', 1, true) + 1)), entry[1][2][2]}
    end
    redis.call('ZREM', ids, id)
  end
end

local offset = head + 1
redis.call('XADD', log, 'MAXLEN', maxCount, string.format('%d-%d', offset, now), 'b', ARGV[4])
if replid == '' then
  redis.call('HSET', meta, 'epoch', epoch, 'head', offset)
else
  redis.call('HSET', meta, 'epoch', epoch, 'head', offset, 'r', replid)
end
redis.call('PERSIST', meta)
if new then
  -- Should this history be lost, the channel must not come back with this epoch: the next one is set aside now.
  redis.call('SET', KEYS[3], ARGV[6])
end
local oldest = offset - maxCount + 1
if maxAge > 0 then
  local first = trim_older_than(log, now - maxAge)
  if #first > 0 then
    local firstId = first[1][1]
    oldest = tonumber(string.sub(firstId, 1, string.find(firstId, '-', 1, true) - 1))
  end
end
if id ~= '' then
  redis.call('ZADD', ids, offset, id)
end
-- The ids of trimmed messages go with them, so the set never holds more than the log.
if oldest > 1 then
  redis.call('ZREMRANGEBYSCORE', ids, '-inf', '(' .. oldest)
end

local frame = string.format('%s\n%d\n%d\n', epoch, offset, now) .. ARGV[4]
if ARGV[8] == '' then
  redis.call('PUBLISH', ARGV[5], frame)
else
  redis.call('SPUBLISH', ARGV[5], frame)
  if redis.call('PUBSUB', 'NUMSUB', ARGV[9])[2] > 0 then
    redis.call('PUBLISH', ARGV[8], frame)
  end
end
return {epoch, offset, now}
