-- Prepended to the scripts that change an appointment the national SAS platform is told of (book, cancel, feedback,
-- undo): one sas-outbox entry per change, in the same atomic step as the change, numbered per appointment
-- ('sasSeq' in the appointment hash) so that the push worker sends them in that order (a 'fulfilled' never
-- overtakes its 'booked'). Only the status and the numbers: the worker reads the rest from the appointment.

local function queueSasPush(sasOutbox, appointment, appointmentId, status)
  local seq = redis.call('HINCRBY', appointment, 'sasSeq', 1)
  redis.call('XADD', sasOutbox, '*', 'appt', appointmentId, 'status', status, 'seq', tostring(seq))
end

-- whether the booking was pushed (then every later change of its status is pushed too)
local function sasPushed(appointment) return redis.call('HEXISTS', appointment, 'sasSeq') == 1 end
