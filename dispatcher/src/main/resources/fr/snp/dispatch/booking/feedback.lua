-- The effector's answer after an appointment: seen or reoriented (fulfilled), noshow, or cancelled by the patient.
-- The first answer stands: the same answer again is harmless, another one is refused. Only a cancellation may
-- come before the slot starts (the caller frees the slot through cancel.lua first, which counted it already).
-- An appointment the coordinator closed without feedback still takes a late answer, which replaces the closure
-- (it leaves the "closed" count). The status before the answer is kept (feedbackFrom) for undo_feedback.lua.
-- KEYS
--   appointment         the appointment hash
--   slotDay             statistics of the slot's local day
--   awaiting            appointments awaiting feedback
--   reminders           appointments by reminder due time
--   sasOutbox           the territory's pushes to the national SAS platform (sas/sas_push.lua)
-- ARGV
--   appointmentId       the appointment
--   answer              seen, reoriented, noshow or cancelled
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   comment             a short comment, or empty
--   callerId            who answered
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local a = redis.call('HMGET', KEY.appointment, 'status', 'start', 'feedback', 'effector', 'origin', 'hour', 'lead',
  'cpts', 'org')
if not a[1] or not reachesAppointment(KEY.appointment, a[9], a[4], a[8]) then
  return {'APPOINTMENT_NOT_FOUND', '', {}, {}}
end
if a[3] then
  if a[3] == ARG.answer then return {'ALREADY_ANSWERED', a[3], {}, redis.call('HGETALL', KEY.appointment)} end
  return {'FEEDBACK_CONFLICT', a[3], {}, redis.call('HGETALL', KEY.appointment)}
end
local answer = ARG.answer
if a[1] == 'cancelled' and answer ~= 'cancelled' then
  return {'APPOINTMENT_CANCELLED', '', {}, redis.call('HGETALL', KEY.appointment)}
end
local now = nowMs()
if answer ~= 'cancelled' and tonumber(a[2]) * 1000 > now then
  return {'FEEDBACK_TOO_EARLY', '', {}, redis.call('HGETALL', KEY.appointment)}
end
local status = 'fulfilled'
if answer == 'noshow' then status = 'noshow' elseif answer == 'cancelled' then status = 'cancelled' end
redis.call('HSET', KEY.appointment, 'feedback', answer, 'feedbackAt', tostring(now), 'feedbackComment', ARG.comment,
  'feedbackBy', ARG.callerId, 'feedbackFrom', a[1])
redis.call('ZREM', KEY.awaiting, ARG.appointmentId)
redis.call('ZREM', KEY.reminders, ARG.appointmentId)
if a[1] ~= 'cancelled' then
  local dims = appointmentDims(a[4], a[5], a[6], a[7], a[8])
  redis.call('HSET', KEY.appointment, 'status', status)
  bump(KEY.slotDay, status, dims, 1)
  if a[1] == 'closed' then bump(KEY.slotDay, 'closed', dims, -1) end
  -- the SAS platform knows it booked (a closure is ours only): now fulfilled, noshow or cancelled
  if sasPushed(KEY.appointment) then queueSasPush(KEY.sasOutbox, KEY.appointment, ARG.appointmentId, status) end
end
return {'OK', status, {}, redis.call('HGETALL', KEY.appointment)}
