-- The effector's answer after an appointment: seen or reoriented (fulfilled), noshow, or cancelled by the patient.
-- The first answer stands: the same answer again is harmless, another one is refused. Only a cancellation may
-- come before the slot starts (the caller frees the slot through cancel.lua first, which counted it already).
-- KEYS: 1 appointment hash, 2 statistics hash of the slot's day, 3 awaiting-feedback zset, 4 reminders zset
-- ARGV: 1 answer (seen|reoriented|noshow|cancelled), 2 now ms, 3 comment, 4 who answered, 5 appointment id
local a = redis.call('HMGET', KEYS[1], 'st', 's', 'fb', 'e', 'origin', 'hr', 'lb', 'cp')
if not a[1] then return {'APPOINTMENT_NOT_FOUND', '', {}} end
if a[3] then
  if a[3] == ARGV[1] then return {'ALREADY_ANSWERED', a[3], {}, redis.call('HGETALL', KEYS[1])} end
  return {'FEEDBACK_CONFLICT', a[3], {}, redis.call('HGETALL', KEYS[1])}
end
local answer = ARGV[1]
if a[1] == 'cancelled' and answer ~= 'cancelled' then
  return {'APPOINTMENT_CANCELLED', '', {}, redis.call('HGETALL', KEYS[1])}
end
if answer ~= 'cancelled' and tonumber(a[2]) * 1000 > tonumber(ARGV[2]) then
  return {'FEEDBACK_TOO_EARLY', '', {}, redis.call('HGETALL', KEYS[1])}
end
local status = 'fulfilled'
if answer == 'noshow' then status = 'noshow' elseif answer == 'cancelled' then status = 'cancelled' end
redis.call('HSET', KEYS[1], 'fb', answer, 'fa', ARGV[2], 'fc', ARGV[3], 'fby', ARGV[4])
redis.call('ZREM', KEYS[3], ARGV[5])
redis.call('ZREM', KEYS[4], ARGV[5])
if a[1] ~= 'cancelled' then
  redis.call('HSET', KEYS[1], 'st', status)
  bump(KEYS[2], status, appointmentDims(a[4], a[5], a[6], a[7], a[8]), 1)
end
return {'OK', status, {}, redis.call('HGETALL', KEYS[1])}
