-- Holds a free slot for a request while the caller is on the phone. The hold is a key with a time-to-live:
-- the slot is held exactly while it lives, and Redis alone ends it. A request holding the same slot again gets
-- its hold back (a retried click is harmless).
-- KEYS
--   slot                the slot hash
--   hold                the hold key ("holdId|requestId", PX time-to-live)
--   request             the request hash
--   events              the territory's change stream
-- ARGV
--   slotId              the slot
--   holdId              a new hold id, used if the slot is not held yet
--   requestId           the request the slot is held for
--   ttlMs               how long the hold lasts
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   audienceMask        the audiences the caller sees for this slot's effector
--   streamMaxLen        change stream cap
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local function refuse(code) return {code, '', redis.call('HGETALL', KEY.slot)} end

if redis.call('EXISTS', KEY.slot) == 0 or not serves(KEY.slot) then return {'SLOT_NOT_FOUND', '', {}} end
local refusal = requestRefusal(redis.call('HMGET', KEY.request, 'origin', 'appointment', 'outcome', 'org'))
if refusal then return refuse(refusal) end
local now = nowMs()
refusal = slotRefusal(redis.call('HMGET', KEY.slot, 'st', 's', 'a', 'ra', 'rt'), now, ARG.audienceMask)
if refusal then return refuse(refusal) end

local current = redis.call('GET', KEY.hold)
if current then
  local sep = string.find(current, '|', 1, true)
  if string.sub(current, sep + 1) == ARG.requestId then
    local ttl = redis.call('PTTL', KEY.hold)
    return {'OK', string.sub(current, 1, sep - 1) .. '|' .. tostring(now + ttl), redis.call('HGETALL', KEY.slot)}
  end
  return refuse('SLOT_HELD')
end

redis.call('SET', KEY.hold, ARG.holdId .. '|' .. ARG.requestId, 'PX', ARG.ttlMs)
local untilMs = now + tonumber(ARG.ttlMs)
redis.call('HSET', KEY.slot, 'h', tostring(untilMs))
redis.call('HINCRBY', KEY.slot, 'v', 1)
return {'OK', ARG.holdId .. '|' .. tostring(untilMs), emit(KEY.events, ARG.streamMaxLen, 'held', KEY.slot, ARG.slotId)}
