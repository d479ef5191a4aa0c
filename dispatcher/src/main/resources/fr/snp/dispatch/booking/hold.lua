-- Holds a free slot for a request while the caller is on the phone. The hold is a key with a time-to-live:
-- the slot is held exactly while it lives, and Redis alone ends it. A request holding the same slot again gets
-- its hold back (a retried click is harmless). A request has one hold at a time: holding another slot gives the
-- first back in the same step (its 'released' change goes on the stream, so other desks and the live feeds see it
-- free), so a desk cannot hoard slots for one caller.
-- The request's pointer names its current hold. Scripts declare every key they touch, so the first call does not
-- know the previous slot's keys: when the pointer names another slot than previousSlotId, the script changes
-- nothing and answers HOLD_ELSEWHERE with that slot id; the caller calls again with its keys (Bookings.hold).
-- KEYS
--   slot                the slot hash
--   hold                the hold key ("holdId|requestId", PX time-to-live)
--   request             the request hash
--   events              the territory's change stream
--   requestHold         the request's current hold ("slotId|holdId", PX time-to-live of that hold)
--   previousSlot        the slot hash the request's pointer names (this slot's own key when there is none)
--   previousHold        that slot's hold key (this slot's own hold key when there is none)
--   principalHolds      the caller's holds in this territory ("slotId|holdId" by end, ms): the cap counts them
-- ARGV
--   slotId              the slot
--   holdId              a new hold id, used if the slot is not held yet
--   requestId           the request the slot is held for
--   ttlMs               how long the hold lasts
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   audienceMask        the audiences the caller sees for this slot's effector
--   streamMaxLen        change stream cap
--   previousSlotId      the slot of previousSlot, or empty on the first call
--   holdCap             how many holds the caller may have at once (0: no cap)
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local function refuse(code) return {code, '', redis.call('HGETALL', KEY.slot)} end

if redis.call('EXISTS', KEY.slot) == 0 or not serves(KEY.slot) then return {'SLOT_NOT_FOUND', '', {}} end
local refusal = requestRefusal(redis.call('HMGET', KEY.request, 'origin', 'appointment', 'outcome', 'org'))
if refusal then return refuse(refusal) end
local now = nowMs()
refusal = slotRefusal(slotFields(KEY.slot, ARG.slotId, 'st', 's', 'a', 'ra', 'rt'), now, ARG.audienceMask)
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

-- the request's hold on another slot, if it still lives (it may have expired, been given back or booked)
local previousHoldId = nil
local pointer = redis.call('GET', KEY.requestHold)
if pointer then
  local sep = string.find(pointer, '|', 1, true)
  local previousSlotId = string.sub(pointer, 1, sep - 1)
  if previousSlotId ~= ARG.slotId then
    if previousSlotId ~= ARG.previousSlotId then return {'HOLD_ELSEWHERE', previousSlotId, {}} end
    local id = string.sub(pointer, sep + 1)
    if redis.call('GET', KEY.previousHold) == id .. '|' .. ARG.requestId then previousHoldId = id end
  end
end

-- the cap: the caller's holds still running (ended ones are pruned only when a hold is taken, so that a refused
-- call changes nothing); the hold this one replaces does not count
local cap = tonumber(ARG.holdCap)
local previousMember = previousHoldId and (ARG.previousSlotId .. '|' .. previousHoldId) or nil
if cap > 0 then
  local running = redis.call('ZCOUNT', KEY.principalHolds, '(' .. now, '+inf')
  if previousMember and redis.call('ZSCORE', KEY.principalHolds, previousMember) then running = running - 1 end
  if running >= cap then
    local oldest = redis.call('ZRANGEBYSCORE', KEY.principalHolds, '(' .. now, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    return {'TOO_MANY_HOLDS', tostring(tonumber(oldest[2]) - now), redis.call('HGETALL', KEY.slot)}
  end
end

local released = {}
if previousHoldId then
  -- given back exactly as release_hold.lua does
  redis.call('DEL', KEY.previousHold)
  redis.call('HDEL', KEY.previousSlot, 'h')
  redis.call('HINCRBY', KEY.previousSlot, 'v', 1)
  released = emit(KEY.events, ARG.streamMaxLen, 'released', KEY.previousSlot, ARG.previousSlotId)
  redis.call('ZREM', KEY.principalHolds, previousMember)
end

redis.call('SET', KEY.hold, ARG.holdId .. '|' .. ARG.requestId, 'PX', ARG.ttlMs)
redis.call('SET', KEY.requestHold, ARG.slotId .. '|' .. ARG.holdId, 'PX', ARG.ttlMs)
local untilMs = now + tonumber(ARG.ttlMs)
redis.call('ZREMRANGEBYSCORE', KEY.principalHolds, '-inf', now)
redis.call('ZADD', KEY.principalHolds, untilMs, ARG.slotId .. '|' .. ARG.holdId)
redis.call('PEXPIRE', KEY.principalHolds, ARG.ttlMs) -- every hold lasts ttlMs: the newest ends last
redis.call('HSET', KEY.slot, 'h', tostring(untilMs))
redis.call('HINCRBY', KEY.slot, 'v', 1)
-- the 4th element: the state of the slot given back (empty if none), for this instance's index
return {'OK', ARG.holdId .. '|' .. tostring(untilMs), emit(KEY.events, ARG.streamMaxLen, 'held', KEY.slot, ARG.slotId), released}
