-- Publishes one slot, or finds it again: a slot id is its effector and start minute, so publishing the same slot
-- twice (a rule applied again, a retried batch) is harmless. A withdrawn slot published again comes back free.
-- KEYS: 1 slot hash, 2 territory slots-by-start zset, 3 territory events stream, 4 statistics of the slot's day
-- ARGV: 1 slotId, 2 effectorId, 3 location, 4 start (epoch s), 5 end, 6 offset (s), 7 mode, 8 audience mask,
--       9 releaseAt (epoch ms, 0 = none), 10 releaseTo mask, 11 ISO week, 12 stream max length
local status = redis.call('HGET', KEYS[1], 'st')
if status and status ~= 'c' then
  return {'SLOT_EXISTS', status, redis.call('HGETALL', KEYS[1])}
end
redis.call('HDEL', KEYS[1], 'ra', 'rt', 'rl', 'h', 'ap')
redis.call('HSET', KEYS[1], 'e', ARGV[2], 'l', ARGV[3], 's', ARGV[4], 'n', ARGV[5], 'o', ARGV[6], 'm', ARGV[7],
  'a', ARGV[8], 'st', 'f', 'w', ARGV[11])
if ARGV[9] ~= '0' then redis.call('HSET', KEYS[1], 'ra', ARGV[9], 'rt', ARGV[10]) end
redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
bump(KEYS[4], 'offered', {'all', '-', 'effector', ARGV[2]}, 1)
return {'OK', '', emit(KEYS[3], ARGV[12], 'published', KEYS[1], ARGV[1])}
