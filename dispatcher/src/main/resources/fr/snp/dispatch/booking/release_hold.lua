-- Gives a hold back before it expires (the caller chose another slot or hung up). The hold id is the proof.
-- KEYS
--   slot                the slot hash
--   hold                the hold key
--   events              the territory's change stream
--   principalHolds      the caller's holds in this territory (the hold stops counting against its cap)
-- ARGV
--   slotId              the slot
--   holdId              the hold to give back
--   streamMaxLen        change stream cap
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
if not serves(KEY.slot) then return {'SLOT_NOT_FOUND', '', {}} end
local current = redis.call('GET', KEY.hold)
if not current or string.sub(current, 1, string.find(current, '|', 1, true) - 1) ~= ARG.holdId then
  return {'HOLD_NOT_FOUND', '', redis.call('HGETALL', KEY.slot)}
end
redis.call('DEL', KEY.hold)
redis.call('ZREM', KEY.principalHolds, ARG.slotId .. '|' .. ARG.holdId)
redis.call('HDEL', KEY.slot, 'h')
redis.call('HINCRBY', KEY.slot, 'v', 1)
return {'OK', '', emit(KEY.events, ARG.streamMaxLen, 'released', KEY.slot, ARG.slotId)}
