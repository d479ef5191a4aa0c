-- The coordinator closes an appointment that never got feedback ("clos sans retour"): it leaves the list of
-- appointments awaiting feedback and its pending reminder, and is counted apart ('closed'), so that it is neither
-- a no-show nor a consultation in the figures. Closing again is harmless. A late answer of the doctor still
-- replaces the closure (feedback.lua).
-- KEYS
--   appointment         the appointment hash
--   slotDay             statistics of the slot's local day
--   awaiting            appointments awaiting feedback
--   reminders           appointments by reminder due time
-- ARGV
--   appointmentId       the appointment
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   callerId            who closes it
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local a = redis.call('HMGET', KEY.appointment, 'status', 'end', 'feedback', 'effector', 'origin', 'hour', 'lead',
  'cpts', 'org')
if not a[1] or not reachesAppointment(KEY.appointment, a[9], a[4], a[8]) then
  return {'APPOINTMENT_NOT_FOUND', '', {}, {}}
end
if a[1] == 'closed' then return {'ALREADY_CLOSED', '', {}, redis.call('HGETALL', KEY.appointment)} end
local now = nowMs()
if a[1] ~= 'booked' or a[3] or tonumber(a[2]) * 1000 > now then
  return {'NOT_AWAITING_FEEDBACK', '', {}, redis.call('HGETALL', KEY.appointment)}
end
redis.call('HSET', KEY.appointment, 'status', 'closed', 'closedAt', tostring(now), 'closedBy', ARG.callerId)
redis.call('ZREM', KEY.awaiting, ARG.appointmentId)
redis.call('ZREM', KEY.reminders, ARG.appointmentId)
bump(KEY.slotDay, 'closed', appointmentDims(a[4], a[5], a[6], a[7], a[8]), 1)
return {'OK', '', {}, redis.call('HGETALL', KEY.appointment)}
