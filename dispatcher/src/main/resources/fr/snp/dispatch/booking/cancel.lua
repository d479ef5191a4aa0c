-- Cancels a booked appointment. A slot that has not started yet goes back to the pool; the request may then be
-- oriented to another slot. Cancelling twice is harmless. The effector's weekly load goes down either way.
-- KEYS
--   appointment         the appointment hash
--   slot                its slot's hash
--   request             its request's hash
--   load                the territory's weekly bookings per effector
--   events              the territory's change stream
--   slotDay             statistics of the slot's local day
--   requestDay          statistics of the request's local day
--   outbox              the territory's notifications
--   awaiting            appointments awaiting feedback
--   reminders           appointments by reminder due time
--   contact             the patient's contact for this appointment, if they agreed to be told
--   messages            the delivery records of the patient's messages about this appointment
--   patientReminders    the territory's patient reminders by due time
--   sasOutbox           the territory's pushes to the national SAS platform (sas/sas_push.lua)
-- ARGV
--   appointmentId       the appointment
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   reason              PATIENT, EFFECTOR, REGULATOR, DUPLICATE or OTHER
--   callerId            the principal cancelling
--   streamMaxLen        change stream cap
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local a = redis.call('HMGET', KEY.appointment, 'status', 'slot', 'effector', 'week', 'sas', 'origin', 'hour', 'lead',
  'cpts', 'wait', 'org', 'fromWaiting')
if not a[1] or not reachesAppointment(KEY.appointment, a[11], a[3], a[9]) then
  return {'APPOINTMENT_NOT_FOUND', '', {}, {}}
end
if a[1] == 'cancelled' then
  return {'ALREADY_CANCELLED', '0', redis.call('HGETALL', KEY.slot), redis.call('HGETALL', KEY.appointment)}
end
if a[1] ~= 'booked' then
  return {'APPOINTMENT_NOT_CANCELLABLE', '', redis.call('HGETALL', KEY.slot), redis.call('HGETALL', KEY.appointment)}
end
local now = nowMs()
redis.call('HSET', KEY.appointment, 'status', 'cancelled', 'cancelledAt', tostring(now), 'cancelReason', ARG.reason,
  'cancelledBy', ARG.callerId)
bump(KEY.slotDay, 'cancelled', appointmentDims(a[3], a[6], a[7], a[8], a[9]), 1)
redis.call('XADD', KEY.outbox, '*', 'type', 'cancelled', 'appt', ARG.appointmentId, 'e', a[3])
if sasPushed(KEY.appointment) then queueSasPush(KEY.sasOutbox, KEY.appointment, ARG.appointmentId, 'cancelled') end
redis.call('ZREM', KEY.awaiting, ARG.appointmentId)
redis.call('ZREM', KEY.reminders, ARG.appointmentId)
-- counted by reason, and apart when the patient cancelled from their own link
bump(KEY.slotDay, 'cancelled.' .. ARG.reason, {'all', '-'}, 1)
if ARG.callerId == 'patient-link' then bump(KEY.slotDay, 'cancelled.byPatientLink', {'all', '-'}, 1) end
-- the patient, if they agreed to be told, gets no reminder and is told of the cancellation
local channels = patientChannels(KEY.contact)
if channels ~= '' then
  redis.call('ZREM', KEY.patientReminders, ARG.appointmentId .. '|' .. channels)
  queuePatientMessages(KEY.outbox, KEY.messages, 'cancellation', ARG.appointmentId, channels, now)
end
-- the request is open again: it no longer counts as ended in an SNP appointment
if redis.call('HGET', KEY.request, 'appointment') == ARG.appointmentId then
  redis.call('HDEL', KEY.request, 'appointment')
  bump(KEY.requestDay, 'outcome.SNP_SLOT', {'all', '-', 'origin', a[6]}, -1)
  bump(KEY.requestDay, 'wait', {'5min', a[10]}, -1)
  if a[12] == '1' then bump(KEY.requestDay, 'servedFromWaiting', {'all', '-', 'origin', a[6]}, -1) end
end

local loadPrefix = a[4] .. ':' .. a[3] .. ':'
local loadAll = redis.call('HINCRBY', KEY.load, loadPrefix .. 'a', -1)
local loadSas = tonumber(redis.call('HGET', KEY.load, loadPrefix .. 's') or '0')
if a[5] == '1' then loadSas = redis.call('HINCRBY', KEY.load, loadPrefix .. 's', -1) end

local freed = '0'
local s = slotFields(KEY.slot, a[2], 'st', 'ap', 's', 'sn')
if s[4] == '1' and s[2] == ARG.appointmentId then
  -- a consultation outside the published slots was made for this patient only: it is not offered to anyone else
  redis.call('HSET', KEY.slot, 'st', 'c')
  redis.call('HDEL', KEY.slot, 'ap')
elseif s[1] == 'b' and s[2] == ARG.appointmentId and tonumber(s[3]) * 1000 > now then
  redis.call('HSET', KEY.slot, 'st', 'f')
  redis.call('HDEL', KEY.slot, 'ap')
  freed = '1'
end
redis.call('HINCRBY', KEY.slot, 'v', 1)
local fields = emit(KEY.events, ARG.streamMaxLen, 'cancelled', KEY.slot, a[2],
  {'la', tostring(loadAll), 'ls', tostring(loadSas), 'freed', freed})
return {'OK', freed, fields, redis.call('HGETALL', KEY.appointment), tostring(loadAll), tostring(loadSas)}
