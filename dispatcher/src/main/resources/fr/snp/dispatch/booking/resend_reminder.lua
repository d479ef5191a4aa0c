-- The coordinator's "Relancer": one more feedback reminder to the effector, put in the territory's outbox in the
-- same step as it is recorded on the appointment (when, by whom, how many), and at most one per minIntervalMs per
-- appointment, so that a double click or two coordinators at once send one reminder.
-- KEYS
--   appointment         the appointment hash
--   outbox              the territory's notifications
-- ARGV
--   appointmentId       the appointment
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   minIntervalMs       least time between two reminders of one appointment
--   callerId            who sends it
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local a = redis.call('HMGET', KEY.appointment, 'status', 'end', 'feedback', 'effector', 'cpts', 'org', 'remindedAt')
if not a[1] or not reachesAppointment(KEY.appointment, a[6], a[4], a[5]) then
  return {'APPOINTMENT_NOT_FOUND', '', {}, {}}
end
local now = nowMs()
if a[1] ~= 'booked' or a[3] or tonumber(a[2]) * 1000 > now then
  return {'NOT_AWAITING_FEEDBACK', '', {}, redis.call('HGETALL', KEY.appointment)}
end
if a[7] and now - tonumber(a[7]) < tonumber(ARG.minIntervalMs) then
  return {'REMINDER_RECENT', a[7], {}, redis.call('HGETALL', KEY.appointment)}
end
redis.call('HSET', KEY.appointment, 'remindedAt', tostring(now), 'remindedBy', ARG.callerId)
redis.call('HINCRBY', KEY.appointment, 'reminderCount', 1)
redis.call('XADD', KEY.outbox, '*', 'type', 'reminder', 'appt', ARG.appointmentId, 'e', a[4], 'by', ARG.callerId)
return {'OK', tostring(now), {}, redis.call('HGETALL', KEY.appointment)}
