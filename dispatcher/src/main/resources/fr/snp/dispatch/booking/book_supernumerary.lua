-- Books a consultation outside the effector's published slots ("surnuméraire", SAS practice): the effector declared
-- they accept it (a daily cap, 0 = never) and the regulator agreed a time with them. The slot is made for this
-- booking only (never offered to anyone, withdrawn if the appointment is cancelled), in the same step as the
-- booking, which then follows book_core.lua like any other: the weekly SAS cap counts it, the patient and the effector
-- are told. Refused before anything is written when the effector does not accept it, their cap for the day is
-- reached, a published slot is at that time (book that one), or the request cannot be booked.
-- KEYS
--   slot                the slot hash
--   hold                the hold key
--   appointment         the new appointment hash
--   idempotency         the caller's Idempotency-Key ("appointmentId|fingerprint", expiring)
--   request             the request hash
--   load                the territory's weekly bookings per effector (cap and fairness)
--   events              the territory's change stream
--   slotDay             statistics of the slot's local day
--   requestDay          statistics of the request's local day
--   outbox              the territory's notifications
--   awaiting            appointments awaiting feedback, by slot end
--   reminders           the same, by the time their reminder is due
--   references          the territory's appointment references (what the patient is told)
--   contact             the patient's contact for this appointment (sms, email), if they agreed to be told
--   messages            the delivery records of the patient's messages about this appointment
--   patientReminders    the territory's patient reminders, "appointmentId|channels" by due time (epoch s)
--   waiting             the territory's waiting list (the request leaves it, served)
--   effectorSlots       the effector's slots by start (member: the slot id's start minute, Ids.slotMinute)
--   effectors           the territory's effectors
--   sasOutbox           the territory's pushes to the national SAS platform (sas/sas_push.lua)
-- ARGV
--   slotId              the slot
--   appointmentId       the id the appointment gets
--   requestId           the request booked for
--   holdId              the caller's hold on the slot, or empty
--   fingerprint         what the Idempotency-Key was first used for (slot/request)
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   audienceMask        the audiences the caller sees for this slot's effector
--   weeklySasCap        the effector's weekly cap of SAS-regulated consultations
--   callerId            the principal booking
--   idempotencyTtl      seconds the Idempotency-Key is remembered
--   streamMaxLen        change stream cap
--   hour                local hour of the slot (statistics)
--   cpts                the effector's CPTS, comma-separated (statistics, the coordinators' reach)
--   reminderAfter       seconds after the slot's end when the feedback reminder is due
--   reference           the appointment's reference, read out to the patient
--   contactSms          the patient's mobile number, or empty
--   contactEmail        the patient's e-mail address, or empty
--   contactTtl          seconds the contact is kept (until a day after the appointment)
--   channels            the channels the patient is told by ("sms,email"), empty if none
--   patientReminderAt   when the patient's reminder is due (epoch s), 0 for none
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
--   effectorId          the effector
--   location            practice location index
--   startSec            start (epoch s)
--   endSec              end (epoch s)
--   offset              UTC offset at start (s)
--   mode                AMB, HH or VR
--   week                ISO week of the start (the weekly SAS cap)
--   day                 local day of the start (yyyymmdd: the daily cap)
--   dailyCap            how many such consultations a day the effector accepts (0 = none)
--   sasPush             1: a SAS desk books a SAS-regulated request and the push is on (sas.baseUrl): push it
local previous = redis.call('GET', KEY.idempotency)
local created = false
local dayKey = ARG.day .. ':' .. ARG.effectorId .. ':x'
if not previous then
  if redis.call('HEXISTS', KEY.effectors, ARG.effectorId) == 0 or not serves(KEY.slot) then
    return {'EFFECTOR_NOT_FOUND', '', {}}
  end
  local st = redis.call('HGET', KEY.slot, 'st')
  if st and st ~= 'c' then return {'SUPERNUMERARY_SLOT_EXISTS', '', redis.call('HGETALL', KEY.slot)} end
  if tonumber(ARG.dailyCap) <= 0 then return {'SUPERNUMERARY_NOT_ACCEPTED', '', {}} end
  if tonumber(redis.call('HGET', KEY.load, dayKey) or '0') >= tonumber(ARG.dailyCap) then
    return {'SUPERNUMERARY_CAP_REACHED', '', {}}
  end
  if tonumber(ARG.startSec) * 1000 <= nowMs() then return {'SLOT_STARTED', '', {}} end
  if redis.call('EXISTS', KEY.hold) == 1 then return {'SLOT_HELD', '', {}} end
  -- what book() would refuse, refused before the slot exists: nothing is left behind
  local req = redis.call('HMGET', KEY.request, 'origin', 'appointment', 'outcome', 'org', 'sas', 'createdAt')
  local refusal = requestRefusal(req)
  if refusal then return {refusal, '', {}} end
  if req[5] == '1' and tonumber(redis.call('HGET', KEY.load, ARG.week .. ':' .. ARG.effectorId .. ':s') or '0')
      >= tonumber(ARG.weeklySasCap) then
    return {'EFFECTOR_CAP_REACHED', '', {}}
  end
  redis.call('DEL', KEY.slot)
  -- the effector and the start are in the slot id, as in publish.lua
  redis.call('HSET', KEY.slot, 'l', ARG.location, 'n', ARG.endSec, 'o', ARG.offset, 'm', ARG.mode, 'a', ARG.audienceMask,
    'st', 'f', 'w', ARG.week, 'sn', '1', 'v', '0')
  if tonumber(ARG.startSec) ~= slotStartOf(ARG.slotId) then redis.call('HSET', KEY.slot, 's', ARG.startSec) end
  redis.call('ZADD', KEY.effectorSlots, ARG.startSec, slotMinute(ARG.slotId))
  created = true
end
local r = book()
if created and r[1] == 'OK' then
  redis.call('HINCRBY', KEY.load, dayKey, 1)
  redis.call('HSET', KEY.appointment, 'supernumerary', '1')
  local a = redis.call('HMGET', KEY.appointment, 'origin', 'lead')
  bump(KEY.slotDay, 'supernumerary', appointmentDims(ARG.effectorId, a[1], ARG.hour, a[2], ARG.cpts), 1)
  r[4] = redis.call('HGETALL', KEY.appointment)
elseif created then
  -- cannot happen after the checks above; if it does, the made slot goes away with the refusal
  redis.call('DEL', KEY.slot)
  redis.call('ZREM', KEY.effectorSlots, slotMinute(ARG.slotId))
end
return r
