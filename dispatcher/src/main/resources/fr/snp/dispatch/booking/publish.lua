-- Publishes one slot, or finds it again: a slot id is its effector and start minute, so publishing the same slot
-- twice (a rule applied again, a retried batch) is harmless. A withdrawn slot published again comes back free.
-- KEYS
--   slot                the slot hash
--   effectorSlots       the effector's slots by start (member: the slot id's start minute, Ids.slotMinute)
--   events              the territory's change stream
--   slotDay             statistics of the slot's local day
--   effectors           the territory's effectors (who manages whom)
-- ARGV
--   slotId              the slot
--   effectorId          its effector
--   location            practice location index
--   startSec            start (epoch s)
--   endSec              end (epoch s)
--   offset              UTC offset at start (s)
--   mode                AMB, HH or VR
--   audiences           audience mask
--   releaseAt           epoch ms when a reserved slot opens to releaseTo, 0 = not reserved
--   releaseTo           audience mask added at releaseAt
--   week                ISO week of the start (the weekly SAS cap)
--   streamMaxLen        change stream cap
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
if redis.call('HEXISTS', KEY.effectors, ARG.effectorId) == 0 or not serves(KEY.slot) then
  return {'EFFECTOR_NOT_FOUND', '', {}}
end
if not managesEffector(KEY.effectors, ARG.effectorId) then return {'NOT_YOUR_EFFECTOR', '', {}} end
local status = redis.call('HGET', KEY.slot, 'st')
if status and status ~= 'c' then
  return {'SLOT_EXISTS', status, redis.call('HGETALL', KEY.slot)}
end
-- the effector and the start are in the slot id (slotFields, SlotState.fromHash): not stored again, the start only
-- when it is not on the minute the id names; a withdrawn slot stored by an earlier version loses both here
redis.call('HDEL', KEY.slot, 'ra', 'rt', 'rl', 'h', 'ap', 'e', 's')
redis.call('HSET', KEY.slot, 'l', ARG.location, 'n', ARG.endSec, 'o', ARG.offset, 'm', ARG.mode, 'a', ARG.audiences,
  'st', 'f', 'w', ARG.week)
if tonumber(ARG.startSec) ~= slotStartOf(ARG.slotId) then redis.call('HSET', KEY.slot, 's', ARG.startSec) end
if ARG.releaseAt ~= '0' then redis.call('HSET', KEY.slot, 'ra', ARG.releaseAt, 'rt', ARG.releaseTo) end
redis.call('HINCRBY', KEY.slot, 'v', 1)
redis.call('ZADD', KEY.effectorSlots, ARG.startSec, slotMinute(ARG.slotId))
-- the index keeps the effector's slots of the last week and ahead (an instance loads from a day back): trimmed here
-- so that it stays within zset-max-listpack-entries, Redis' compact encoding (28 days ahead and 7 back at a slot
-- every 3 h: 280). The slot hashes themselves stay, as before.
redis.call('ZREMRANGEBYSCORE', KEY.effectorSlots, '-inf', '(' .. string.format('%d', math.floor(nowMs() / 1000) - 7 * 86400))
bump(KEY.slotDay, 'offered', {'all', '-', 'effector', ARG.effectorId}, 1)
return {'OK', '', emit(KEY.events, ARG.streamMaxLen, 'published', KEY.slot, ARG.slotId)}
