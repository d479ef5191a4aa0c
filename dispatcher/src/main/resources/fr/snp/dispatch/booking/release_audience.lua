-- Widens a reserved slot's audience once its release time has come, so unused reserved time is not lost.
-- Matching and booking already treat a due slot as released; this makes it visible in the stored state and the
-- change stream, and records that the slot was released (for the "released then used" indicator).
-- KEYS: 1 slot hash, 2 events stream, 3 statistics of the slot's day
-- ARGV: 1 slotId, 2 now ms, 3 stream max length
local s = redis.call('HMGET', KEYS[1], 'st', 'a', 'ra', 'rt')
if not s[1] then return {'SLOT_NOT_FOUND', '', {}} end
if not s[3] or tonumber(s[3]) > tonumber(ARGV[2]) then return {'NOT_DUE', '', redis.call('HGETALL', KEYS[1])} end
redis.call('HSET', KEYS[1], 'a', tostring(bit.bor(tonumber(s[2]), tonumber(s[4]))), 'rl', s[3])
redis.call('HDEL', KEYS[1], 'ra', 'rt')
bump(KEYS[3], 'released', {'all', '-'}, 1)
redis.call('HINCRBY', KEYS[1], 'v', 1)
return {'OK', '', emit(KEYS[2], ARGV[3], 'audience_released', KEYS[1], ARGV[1])}
