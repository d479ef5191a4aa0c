-- Withdraws a slot the effector can no longer offer. Refused while booked (cancel the appointment first) or
-- held (a caller is on the phone for it). Withdrawing twice is harmless.
-- KEYS
--   slot                the slot hash
--   hold                the hold key
--   events              the territory's change stream
--   slotDay             statistics of the slot's local day
--   effectors           the territory's effectors (who manages whom)
-- ARGV
--   slotId              the slot
--   streamMaxLen        change stream cap
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local s = slotFields(KEY.slot, ARG.slotId, 'st', 'e')
if not s[1] or not serves(KEY.slot) then return {'SLOT_NOT_FOUND', '', {}} end
if not managesEffector(KEY.effectors, s[2]) then return {'NOT_YOUR_EFFECTOR', '', {}} end
if s[1] == 'c' then return {'ALREADY_WITHDRAWN', '', redis.call('HGETALL', KEY.slot)} end
if s[1] == 'b' then return {'SLOT_BOOKED', '', redis.call('HGETALL', KEY.slot)} end
if redis.call('EXISTS', KEY.hold) == 1 then return {'SLOT_HELD', '', redis.call('HGETALL', KEY.slot)} end
redis.call('HSET', KEY.slot, 'st', 'c')
bump(KEY.slotDay, 'offered', {'all', '-', 'effector', s[2]}, -1)
redis.call('HINCRBY', KEY.slot, 'v', 1)
return {'OK', '', emit(KEY.events, ARG.streamMaxLen, 'withdrawn', KEY.slot, ARG.slotId)}
