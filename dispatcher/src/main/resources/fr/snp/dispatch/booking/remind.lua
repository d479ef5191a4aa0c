-- Sends the one feedback reminder of every appointment whose reminder is due (slot ended N hours ago without
-- feedback): taken off the reminders zset and put in the outbox in one step, so each is sent exactly once.
-- It stays in the awaiting-feedback zset, which the coordinator lists. Run by the server's housekeeping.
-- The patients' reminders (the evening before, or 2 h before a same-day appointment) go the same way: one outbox
-- entry per channel the patient agreed to; cancel.lua takes a cancelled appointment's reminder off first.
-- KEYS
--   reminders           appointments by reminder due time
--   outbox              the territory's notifications
--   patientReminders    "appointmentId|channels" by due time
-- ARGV
--   nowSec              now (epoch s)
--   batch               most reminders in one run
local due = redis.call('ZRANGEBYSCORE', KEY.reminders, '-inf', ARG.nowSec, 'LIMIT', 0, tonumber(ARG.batch))
for i = 1, #due do
  redis.call('ZREM', KEY.reminders, due[i])
  redis.call('XADD', KEY.outbox, '*', 'type', 'reminder', 'appt', due[i])
end
local patients = redis.call('ZRANGEBYSCORE', KEY.patientReminders, '-inf', ARG.nowSec, 'LIMIT', 0, tonumber(ARG.batch))
for i = 1, #patients do
  redis.call('ZREM', KEY.patientReminders, patients[i])
  local sep = string.find(patients[i], '|', 1, true)
  local appt = string.sub(patients[i], 1, sep - 1)
  for channel in string.gmatch(string.sub(patients[i], sep + 1), '[^,]+') do
    redis.call('XADD', KEY.outbox, '*', 'type', 'patient', 'kind', 'reminder', 'channel', channel, 'appt', appt)
  end
end
return #due + #patients
