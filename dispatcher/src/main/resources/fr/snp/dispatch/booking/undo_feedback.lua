-- Undoes the effector's answer shortly after it was given (a tap on the wrong button): the appointment goes back to
-- what it was before the answer (awaiting feedback, or closed without feedback) and the statistics the answer
-- counted are counted back, in one step. Only the one who answered may undo it (the link of the appointment's
-- effector, or the same token). An answer that cancelled the appointment before its start stays: cancel.lua gave
-- the slot back, and another patient may have taken it since.
-- KEYS
--   appointment         the appointment hash
--   slotDay             statistics of the slot's local day
--   awaiting            appointments awaiting feedback
--   reminders           appointments by reminder due time
--   sasOutbox           the territory's pushes to the national SAS platform (sas/sas_push.lua)
-- ARGV
--   appointmentId       the appointment
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   windowMs            how long after the answer it may be undone
--   reminderAfter       seconds after the slot's end when its one reminder is due
--   callerId            who undoes: must be who answered
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local a = redis.call('HMGET', KEY.appointment, 'status', 'end', 'feedback', 'effector', 'origin', 'hour', 'lead',
  'cpts', 'org', 'feedbackAt', 'feedbackBy', 'feedbackFrom')
if not a[1] or not reachesAppointment(KEY.appointment, a[9], a[4], a[8]) then
  return {'APPOINTMENT_NOT_FOUND', '', {}, {}}
end
if not a[3] or a[11] ~= ARG.callerId then
  return {'NOTHING_TO_UNDO', '', {}, redis.call('HGETALL', KEY.appointment)}
end
local now = nowMs()
if now - tonumber(a[10]) > tonumber(ARG.windowMs) then
  return {'UNDO_WINDOW_PASSED', a[10], {}, redis.call('HGETALL', KEY.appointment)}
end
-- feedback.lua counted the answer only when it changed the status itself (from booked or closed)
local before = a[12]
if before ~= 'booked' and before ~= 'closed' then
  return {'UNDO_NOT_POSSIBLE', '', {}, redis.call('HGETALL', KEY.appointment)}
end
local dims = appointmentDims(a[4], a[5], a[6], a[7], a[8])
bump(KEY.slotDay, a[1], dims, -1)
redis.call('HDEL', KEY.appointment, 'feedback', 'feedbackAt', 'feedbackComment', 'feedbackBy', 'feedbackFrom')
redis.call('HSET', KEY.appointment, 'status', before, 'feedbackUndoneAt', tostring(now), 'feedbackUndoneBy', ARG.callerId)
-- the SAS platform was told the answer: it is told the appointment is booked again (a closure is ours only)
if sasPushed(KEY.appointment) then queueSasPush(KEY.sasOutbox, KEY.appointment, ARG.appointmentId, 'booked') end
if before == 'closed' then
  bump(KEY.slotDay, 'closed', dims, 1)
else
  redis.call('ZADD', KEY.awaiting, a[2], ARG.appointmentId)
  -- its one reminder, if it was not due yet when the answer came (else remind.lua has sent it)
  local due = tonumber(a[2]) + tonumber(ARG.reminderAfter)
  if due * 1000 > now then redis.call('ZADD', KEY.reminders, due, ARG.appointmentId) end
end
return {'OK', before, {}, redis.call('HGETALL', KEY.appointment)}
