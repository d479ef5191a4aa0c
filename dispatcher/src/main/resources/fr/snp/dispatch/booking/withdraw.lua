-- Withdraws a slot the effector can no longer offer. Refused while booked (cancel the appointment first) or
-- held (a caller is on the phone for it). Withdrawing twice is harmless.
-- KEYS: 1 slot hash, 2 hold key, 3 events stream, 4 statistics of the slot's day
-- ARGV: 1 slotId, 2 stream max length
local status = redis.call('HGET', KEYS[1], 'st')
if not status then return {'SLOT_NOT_FOUND', '', {}} end
if status == 'c' then return {'ALREADY_WITHDRAWN', '', redis.call('HGETALL', KEYS[1])} end
if status == 'b' then return {'SLOT_BOOKED', '', redis.call('HGETALL', KEYS[1])} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'SLOT_HELD', '', redis.call('HGETALL', KEYS[1])} end
redis.call('HSET', KEYS[1], 'st', 'c')
bump(KEYS[4], 'offered', {'all', '-', 'effector', redis.call('HGET', KEYS[1], 'e')}, -1)
redis.call('HINCRBY', KEYS[1], 'v', 1)
return {'OK', '', emit(KEYS[3], ARGV[2], 'withdrawn', KEYS[1], ARGV[1])}
