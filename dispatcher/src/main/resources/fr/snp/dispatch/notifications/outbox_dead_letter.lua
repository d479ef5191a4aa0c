-- An outbox entry set aside as a dead letter: pending for longer than outbox.deadLetterAfterHours (its receiver never
-- took it), or one that can never be sent as it is (its body over outbox.maxBodyBytes). In one step, so that no
-- instance sees half of it: recorded in the territory's outbox dead letters (ids only, as the entry holds them: entry,
-- type, appointment id, effector id, channel, attempts, and our reason; no patient data; the time is the dead letter's
-- id) and acknowledged in the group, so nothing retries it any more. An entry no longer pending (delivered meanwhile,
-- here or by another instance) is left alone. Answers 1 when the entry was set aside, 0 when it was no longer pending.
-- KEYS
--   outbox              the territory's outbox stream
--   deadLetters         the territory's outbox dead letters (a stream, trimmed by age)
-- ARGV
--   group               the notifiers' consumer group
--   entryId             the outbox entry set aside
--   type                its type (booked, cancelled, reminder, patient)
--   appointmentId       its appointment
--   effectorId          the effector it was for ("" when the entry does not say)
--   channel             a patient message's channel (sms, email; "" for an effector's notification)
--   attempts            how many times it was tried
--   reason              why, for ops (no patient data)
--   keepSinceMs         dead letters recorded before this (Redis's clock, epoch ms) are trimmed
if #redis.call('XPENDING', KEY.outbox, ARG.group, ARG.entryId, ARG.entryId, 1) == 0 then return 0 end
redis.call('XADD', KEY.deadLetters, 'MINID', '~', ARG.keepSinceMs, '*', 'entry', ARG.entryId, 'type', ARG.type,
  'appt', ARG.appointmentId, 'e', ARG.effectorId, 'channel', ARG.channel, 'attempts', ARG.attempts, 'reason', ARG.reason)
redis.call('XACK', KEY.outbox, ARG.group, ARG.entryId)
return 1
