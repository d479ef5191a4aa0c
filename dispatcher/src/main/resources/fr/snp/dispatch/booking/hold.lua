-- Holds a free slot for a request while the caller is on the phone. The hold is a key with a time-to-live:
-- the slot is held exactly while it lives, and Redis alone ends it. A request holding the same slot again gets
-- its hold back (a retried click is harmless).
-- KEYS: 1 slot hash, 2 hold key, 3 request hash, 4 events stream
-- ARGV: 1 slotId, 2 new holdId, 3 requestId, 4 ttl ms, 5 now ms, 6 caller audience mask, 7 stream max length,
--       8 caller principal, 9 '1' when the caller works the shared queue (SAS, CPTS platform), else only own requests
local function refuse(code) return {code, '', redis.call('HGETALL', KEYS[1])} end

if redis.call('EXISTS', KEYS[1]) == 0 then return {'SLOT_NOT_FOUND', '', {}} end
local req = redis.call('HMGET', KEYS[3], 'origin', 'ap', 'oc', 'by')
if not req[1] or (ARGV[9] ~= '1' and req[4] ~= ARGV[8]) then return refuse('REQUEST_NOT_FOUND') end
if req[2] then return refuse('REQUEST_ALREADY_BOOKED') end
if req[3] then return refuse('REQUEST_CLOSED') end

local s = redis.call('HMGET', KEYS[1], 'st', 's', 'a', 'ra', 'rt')
if s[1] == 'b' then return refuse('SLOT_BOOKED') end
if s[1] == 'c' then return refuse('SLOT_WITHDRAWN') end
local now = tonumber(ARGV[5])
if tonumber(s[2]) * 1000 <= now then return refuse('SLOT_STARTED') end
local audiences = tonumber(s[3])
if s[4] and tonumber(s[4]) <= now then audiences = bit.bor(audiences, tonumber(s[5])) end
if bit.band(audiences, tonumber(ARGV[6])) == 0 then return refuse('SLOT_NOT_VISIBLE') end

local current = redis.call('GET', KEYS[2])
if current then
  local sep = string.find(current, '|', 1, true)
  if string.sub(current, sep + 1) == ARGV[3] then
    local ttl = redis.call('PTTL', KEYS[2])
    return {'OK', string.sub(current, 1, sep - 1) .. '|' .. tostring(now + ttl), redis.call('HGETALL', KEYS[1])}
  end
  return refuse('SLOT_HELD')
end

redis.call('SET', KEYS[2], ARGV[2] .. '|' .. ARGV[3], 'PX', ARGV[4])
local untilMs = now + tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'h', tostring(untilMs))
redis.call('HINCRBY', KEYS[1], 'v', 1)
return {'OK', ARGV[2] .. '|' .. tostring(untilMs), emit(KEYS[4], ARGV[7], 'held', KEYS[1], ARGV[1])}
