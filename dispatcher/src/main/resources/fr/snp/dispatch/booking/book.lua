-- Books a slot for a request: the one place where a slot becomes booked, so a slot is never booked twice.
-- Idempotent: the same Idempotency-Key (per caller) answers REPLAY with the first appointment's id (the caller
-- reads it back); the key reused for another slot or request is refused.
-- KEYS: 1 slot hash, 2 hold key, 3 appointment hash, 4 idempotency key, 5 request hash, 6 territory load hash,
--       7 events stream, 8 statistics of the slot's day, 9 statistics of the request's day, 10 outbox stream,
--       11 awaiting-feedback zset, 12 reminders zset
-- ARGV: 1 slotId, 2 appointmentId, 3 requestId, 4 holdId ('' = none), 5 request fingerprint, 6 now ms,
--       7 caller audience mask, 8 effector weekly SAS cap, 9 caller principal, 10 idempotency ttl s,
--       11 stream max length, 12 '1' when the caller works the shared queue (SAS, CPTS platform), else only
--       requests the caller created, 13 local hour of the slot, 14 the effector's CPTS (comma-separated),
--       15 seconds after the slot's end when the feedback reminder is due
local function refuse(code) return {code, '', redis.call('HGETALL', KEYS[1])} end

local previous = redis.call('GET', KEYS[4])
if previous then
  local sep = string.find(previous, '|', 1, true)
  local apptId = string.sub(previous, 1, sep - 1)
  if string.sub(previous, sep + 1) ~= ARGV[5] then return {'IDEMPOTENCY_KEY_REUSED', apptId, {}} end
  return {'REPLAY', apptId, {}}
end

if redis.call('EXISTS', KEYS[1]) == 0 then return {'SLOT_NOT_FOUND', '', {}} end
local req = redis.call('HMGET', KEYS[5], 'origin', 'ap', 'oc', 'sas', 'by', 'ca')
if not req[1] or (ARGV[12] ~= '1' and req[5] ~= ARGV[9]) then return refuse('REQUEST_NOT_FOUND') end
if req[2] then return refuse('REQUEST_ALREADY_BOOKED') end
if req[3] then return refuse('REQUEST_CLOSED') end

local s = redis.call('HMGET', KEYS[1], 'st', 's', 'a', 'ra', 'rt', 'e', 'w')
if s[1] == 'b' then return refuse('SLOT_BOOKED') end
if s[1] == 'c' then return refuse('SLOT_WITHDRAWN') end
local now = tonumber(ARGV[6])
if tonumber(s[2]) * 1000 <= now then return refuse('SLOT_STARTED') end

local hold = redis.call('GET', KEYS[2])
if hold then
  if string.sub(hold, 1, string.find(hold, '|', 1, true) - 1) ~= ARGV[4] then return refuse('SLOT_HELD') end
elseif ARGV[4] ~= '' then
  return refuse('HOLD_EXPIRED')
end

local audiences = tonumber(s[3])
if s[4] and tonumber(s[4]) <= now then audiences = bit.bor(audiences, tonumber(s[5])) end
if bit.band(audiences, tonumber(ARGV[7])) == 0 then return refuse('SLOT_NOT_VISIBLE') end

local loadPrefix = s[7] .. ':' .. s[6] .. ':'
local sas = req[4] == '1'
if sas and tonumber(redis.call('HGET', KEYS[6], loadPrefix .. 's') or '0') >= tonumber(ARGV[8]) then
  return refuse('EFFECTOR_CAP_REACHED')
end

-- every check passed: commit
local loadSas = tonumber(redis.call('HGET', KEYS[6], loadPrefix .. 's') or '0')
if sas then loadSas = redis.call('HINCRBY', KEYS[6], loadPrefix .. 's', 1) end
local loadAll = redis.call('HINCRBY', KEYS[6], loadPrefix .. 'a', 1)
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[1], 'h')
redis.call('HSET', KEYS[1], 'st', 'b', 'ap', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'v', 1)
local slot = redis.call('HMGET', KEYS[1], 'e', 'l', 's', 'n', 'o', 'm', 'w', 'rl')
local lead = leadBucket(tonumber(slot[3]) * 1000, now)
local wait = tostring(math.floor((tonumber(slot[3]) * 1000 - tonumber(req[6])) / 300000))
redis.call('HSET', KEYS[3], 'id', ARGV[2], 'slot', ARGV[1], 'req', ARGV[3], 'e', slot[1], 'l', slot[2], 's', slot[3],
  'n', slot[4], 'o', slot[5], 'm', slot[6], 'w', slot[7], 'st', 'booked', 'ca', ARGV[6], 'by', ARGV[9],
  'origin', req[1], 'sas', req[4], 'rel', slot[8] and '1' or '0', 'hr', ARGV[13], 'lb', lead, 'cp', ARGV[14], 'wt', wait)
bump(KEYS[8], 'booked', appointmentDims(slot[1], req[1], ARGV[13], lead, ARGV[14]), 1)
if slot[8] then bump(KEYS[8], 'relused', {'all', '-'}, 1) end
-- the request ended in an SNP appointment; its wait (request to start) in 5-minute buckets, for the median
bump(KEYS[9], 'outcome.SNP_SLOT', {'all', '-', 'origin', req[1]}, 1)
bump(KEYS[9], 'wait', {'5min', wait}, 1)
-- the effector is told (durably: the outbox entry exists if and only if the booking does), and awaits feedback
redis.call('XADD', KEYS[10], '*', 'type', 'booked', 'appt', ARGV[2], 'e', slot[1])
redis.call('ZADD', KEYS[11], slot[4], ARGV[2])
redis.call('ZADD', KEYS[12], tonumber(slot[4]) + tonumber(ARGV[15]), ARGV[2])
redis.call('HSET', KEYS[5], 'ap', ARGV[2])
redis.call('SET', KEYS[4], ARGV[2] .. '|' .. ARGV[5], 'EX', ARGV[10])

local fields = emit(KEYS[7], ARGV[11], 'booked', KEYS[1], ARGV[1], {'la', tostring(loadAll), 'ls', tostring(loadSas)})
return {'OK', ARGV[2], fields, redis.call('HGETALL', KEYS[3]), tostring(loadAll), tostring(loadSas)}
