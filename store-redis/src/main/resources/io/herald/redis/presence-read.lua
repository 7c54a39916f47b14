-- Reads a channel's users and online times in one step, so that a user taken offline meanwhile is counted
-- once (either still online, or in the accumulated time).
--
-- KEYS[1] channel users hash; KEYS[2] channel online-time hash; ARGV[1] a user, or '' for all.
-- Returns {user value or false, accumulated ms or false} for one user; {users HGETALL, times HGETALL} for all.
if ARGV[1] ~= '' then
  return {redis.call('HGET', KEYS[1], ARGV[1]), redis.call('HGET', KEYS[2], ARGV[1])}
end
return {redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[2])}
