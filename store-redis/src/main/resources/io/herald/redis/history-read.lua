-- Reads a channel: its epoch and head, the oldest offset still retained, and the messages from a position.
-- A channel without history is answered with its absent epoch (history-lib.lua) and writes nothing, so
-- reading channels never published to creates no key. A channel whose log was lost while its meta survived
-- gets a new epoch here, kept for a day unless a message comes.
--
-- KEYS[1] meta hash; KEYS[2] log stream; KEYS[3] epoch set aside for a loss; KEYS[4] ids sorted set
-- (see history-append.lua)
-- ARGV[1] epoch to use if the log was lost; ARGV[2] age in ms after which messages go, 0 for none
-- ARGV[3] epoch of the position to read after, '' to read from the oldest retained message
-- ARGV[4] offset of that position; ARGV[5] most messages to return, 0 for none (head only)
-- ARGV[6] '1' on a Redis Cluster (history written by another master counts as lost: see resolve_epoch)
-- Returns {epoch, head, first retained offset (head + 1 when none), entries}. Runs after history-lib.lua.
local meta, log = KEYS[1], KEYS[2]
local maxAge, afterEpoch, afterOffset, limit = tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])

local replid = ARGV[6] == '1' and master_replid() or ''
local epoch, head, new = resolve_epoch(meta, log, KEYS[3], ARGV[1], KEYS[4], replid)
if new then
  if redis.call('EXISTS', meta) == 1 then
    -- The log was lost under a surviving meta: the new epoch must hold for every reader from now on.
    redis.call('HSET', meta, 'epoch', epoch, 'head', 0)
    if replid ~= '' then redis.call('HSET', meta, 'r', replid) end
    redis.call('PEXPIRE', meta, 86400000)
  end
  return {epoch, 0, 1, {}}
end

local oldest
if maxAge > 0 then
  oldest = trim_older_than(log, now_ms() - maxAge)
else
  oldest = redis.call('XRANGE', log, '-', '+', 'COUNT', 1)
end
local first = head + 1
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
