-- Publishes a message another store positioned (RedisBroker.publish on a Redis Cluster) on the classic
-- channel pattern subscribers read, while some node has a pattern subscription (a subscriber of the marker
-- channel on this master). It runs on the master every node's pattern subscriptions are on, which delivers
-- the messages in the order they came, whatever their channels' slots; the message's own shard channel was
-- published to with SPUBLISH on its owner first.
--
-- KEYS[1] the marker channel, declared only so that the script runs on the master owning its slot
-- ARGV[1] the frame; ARGV[2] the classic channel of pattern subscribers
if redis.call('PUBSUB', 'NUMSUB', KEYS[1])[2] > 0 then
  redis.call('PUBLISH', ARGV[2], ARGV[1])
end
return 1
