-- A permanent refusal by the national SAS platform (an HTTP 4xx other than 408, 425, 429) of one sas-outbox entry:
-- counted, and the maxRefusals-th sets the entry aside as a dead letter, in one step so that no instance sees half of
-- it: recorded in the territory's dead letters (appointment id, status, seq, HTTP status, reason; the time is the
-- dead letter's id), acknowledged in the group (nobody retries it), its error and count dropped, and the appointment
-- marked (sasDeadLetter: the lowest seq set aside) so that its later entries are set aside too instead of waiting
-- forever for a push the platform will never take; those come here with maxRefusals 1 (at once) and httpStatus 0.
-- An entry no longer pending (another instance acknowledged it meanwhile) is left alone. Answers the refusals counted
-- so far, -1 when the entry was set aside, 0 when it was no longer pending.
-- KEYS
--   outbox              the territory's sas-outbox stream
--   refusals            sas-outbox entry id -> permanent refusals counted so far
--   errors              sas-outbox entry id -> why its last attempt failed (the ops backlog)
--   deadLetters         the territory's dead letters (a stream, trimmed by age)
--   appointment         the appointment hash
-- ARGV
--   group               the pushers' consumer group
--   entryId             the sas-outbox entry refused
--   appointmentId       its appointment
--   status              its status (booked, cancelled, ...)
--   seq                 its sequence number in the appointment's pushes
--   httpStatus          the platform's answer (0: not sent, a predecessor was set aside)
--   reason              why, for ops (no patient data)
--   maxRefusals         the refusals after which the entry is set aside (sas.maxRefusals)
--   keepSinceMs         dead letters recorded before this (Redis's clock, epoch ms) are trimmed
if #redis.call('XPENDING', KEY.outbox, ARG.group, ARG.entryId, ARG.entryId, 1) == 0 then return 0 end
local n = redis.call('HINCRBY', KEY.refusals, ARG.entryId, 1)
if n < tonumber(ARG.maxRefusals) then return n end
redis.call('XADD', KEY.deadLetters, 'MINID', '~', ARG.keepSinceMs, '*', 'appt', ARG.appointmentId, 'status', ARG.status,
  'seq', ARG.seq, 'httpStatus', ARG.httpStatus, 'reason', ARG.reason, 'entry', ARG.entryId)
redis.call('XACK', KEY.outbox, ARG.group, ARG.entryId)
redis.call('HDEL', KEY.refusals, ARG.entryId)
redis.call('HDEL', KEY.errors, ARG.entryId)
local first = redis.call('HGET', KEY.appointment, 'sasDeadLetter')
if not first or tonumber(ARG.seq) < tonumber(first) then redis.call('HSET', KEY.appointment, 'sasDeadLetter', ARG.seq) end
return -1
