-- Cancels a booked appointment. A slot that has not started yet goes back to the pool; the request may then be
-- oriented to another slot. Cancelling twice is harmless. The effector's weekly load goes down either way.
-- KEYS: 1 appointment hash, 2 slot hash, 3 request hash, 4 territory load hash, 5 events stream,
--       6 statistics of the slot's day, 7 statistics of the request's day, 8 outbox stream,
--       9 awaiting-feedback zset, 10 reminders zset
-- ARGV: 1 appointmentId, 2 now ms, 3 reason, 4 caller principal, 5 stream max length
local a = redis.call('HMGET', KEYS[1], 'st', 'slot', 'e', 'w', 'sas', 'origin', 'hr', 'lb', 'cp', 'wt')
if not a[1] then return {'APPOINTMENT_NOT_FOUND', '', {}, {}} end
if a[1] == 'cancelled' then
  return {'ALREADY_CANCELLED', '0', redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[1])}
end
if a[1] ~= 'booked' then
  return {'APPOINTMENT_NOT_CANCELLABLE', '', redis.call('HGETALL', KEYS[2]), redis.call('HGETALL', KEYS[1])}
end
local now = tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'st', 'cancelled', 'xa', ARGV[2], 'xr', ARGV[3], 'xb', ARGV[4])
bump(KEYS[6], 'cancelled', appointmentDims(a[3], a[6], a[7], a[8], a[9]), 1)
redis.call('XADD', KEYS[8], '*', 'type', 'cancelled', 'appt', ARGV[1], 'e', a[3])
redis.call('ZREM', KEYS[9], ARGV[1])
redis.call('ZREM', KEYS[10], ARGV[1])
-- the request is open again: it no longer counts as ended in an SNP appointment
if redis.call('HGET', KEYS[3], 'ap') == ARGV[1] then
  redis.call('HDEL', KEYS[3], 'ap')
  bump(KEYS[7], 'outcome.SNP_SLOT', {'all', '-', 'origin', a[6]}, -1)
  bump(KEYS[7], 'wait', {'5min', a[10]}, -1)
end

local loadPrefix = a[4] .. ':' .. a[3] .. ':'
local loadAll = redis.call('HINCRBY', KEYS[4], loadPrefix .. 'a', -1)
local loadSas = tonumber(redis.call('HGET', KEYS[4], loadPrefix .. 's') or '0')
if a[5] == '1' then loadSas = redis.call('HINCRBY', KEYS[4], loadPrefix .. 's', -1) end

local freed = '0'
local s = redis.call('HMGET', KEYS[2], 'st', 'ap', 's')
if s[1] == 'b' and s[2] == ARGV[1] and tonumber(s[3]) * 1000 > now then
  redis.call('HSET', KEYS[2], 'st', 'f')
  redis.call('HDEL', KEYS[2], 'ap')
  freed = '1'
end
redis.call('HINCRBY', KEYS[2], 'v', 1)
local fields = emit(KEYS[5], ARGV[5], 'cancelled', KEYS[2], a[2],
  {'la', tostring(loadAll), 'ls', tostring(loadSas), 'freed', freed})
return {'OK', freed, fields, redis.call('HGETALL', KEYS[1]), tostring(loadAll), tostring(loadSas)}
