-- Widens a reserved slot's audience once its release time has come, so unused reserved time is not lost.
-- Matching and booking already treat a due slot as released; this makes it visible in the stored state and the
-- change stream, and records that the slot was released (for the "released then used" indicator). Run by the
-- server's own housekeeping, for no caller.
-- KEYS
--   slot                the slot hash
--   events              the territory's change stream
--   slotDay             statistics of the slot's local day
-- ARGV
--   slotId              the slot
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   streamMaxLen        change stream cap
local s = redis.call('HMGET', KEY.slot, 'st', 'a', 'ra', 'rt')
if not s[1] then return {'SLOT_NOT_FOUND', '', {}} end
if not s[3] or tonumber(s[3]) > nowMs() then return {'NOT_DUE', '', redis.call('HGETALL', KEY.slot)} end
redis.call('HSET', KEY.slot, 'a', tostring(bit.bor(tonumber(s[2]), tonumber(s[4]))), 'rl', s[3])
redis.call('HDEL', KEY.slot, 'ra', 'rt')
bump(KEY.slotDay, 'released', {'all', '-'}, 1)
redis.call('HINCRBY', KEY.slot, 'v', 1)
return {'OK', '', emit(KEY.events, ARG.streamMaxLen, 'audience_released', KEY.slot, ARG.slotId)}
