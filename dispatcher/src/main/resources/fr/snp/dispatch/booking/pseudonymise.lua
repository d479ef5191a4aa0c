-- Pseudonymises an appointment once it is old enough (appointments.pseudonymiseAfterDays after its end): what could
-- lead back to the patient goes (the request it came from, the reference the patient was told, the doctor's free-text
-- comment, the patient's contact and the record of the messages they were sent); what the statistics and the
-- effector's record need stays (times, effector, mode, status, feedback answer). The contact expires a day after the
-- appointment anyway; it goes here too so that no patient field outlives its appointment's pseudonymisation whatever
-- happened to its time-to-live (and when a replay's clock runs ahead of Redis'). Done once; a younger appointment is
-- left as it is.
-- KEYS
--   appointment         the appointment hash
--   references          the territory's references -> appointment id
--   contact             the patient's contact for this appointment (sms, email), if any is left
--   messages            the delivery records of the patient's messages about this appointment
-- ARGV
--   appointmentId       the appointment
--   endedBeforeSec      appointments whose slot ended before this (epoch s) are pseudonymised
--   nowMs               when (recorded)
local a = redis.call('HMGET', KEY.appointment, 'end', 'pseudonymisedAt', 'reference')
if not a[1] or a[2] or tonumber(a[1]) >= tonumber(ARG.endedBeforeSec) then return 0 end
if a[3] and redis.call('HGET', KEY.references, a[3]) == ARG.appointmentId then redis.call('HDEL', KEY.references, a[3]) end
redis.call('HDEL', KEY.appointment, 'request', 'reference', 'feedbackComment')
redis.call('DEL', KEY.contact, KEY.messages)
redis.call('HSET', KEY.appointment, 'pseudonymisedAt', ARG.nowMs)
return 1
