-- Publishes a message another store positioned (RedisBroker.publish) on a Redis Cluster, as
-- history-append.lua does after storing: on the channel's shard channel, and on the classic channel pattern
-- subscribers read while some node has a pattern subscription (a subscriber of the marker on this master).
--
-- KEYS[1] the shard channel (declared so that the script runs on the master owning its slot)
-- ARGV[1] the frame; ARGV[2] the classic channel of pattern subscribers; ARGV[3] the marker channel
redis.call('SPUBLISH', KEYS[1], ARGV[1])
if redis.call('PUBSUB', 'NUMSUB', ARGV[3])[2] > 0 then
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
return 1
