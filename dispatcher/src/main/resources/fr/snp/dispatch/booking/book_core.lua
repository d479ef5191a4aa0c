-- Prepended to book.lua and book_supernumerary.lua: the booking itself, from the Idempotency-Key to the outbox, so
-- that an appointment outside the published slots is booked by the very same steps (and checks) as any other.
local function book()
  local function refuse(code) return {code, '', redis.call('HGETALL', KEY.slot)} end

  local previous = redis.call('GET', KEY.idempotency)
  if previous then
    local sep = string.find(previous, '|', 1, true)
    local apptId = string.sub(previous, 1, sep - 1)
    if string.sub(previous, sep + 1) ~= ARG.fingerprint then return {'IDEMPOTENCY_KEY_REUSED', apptId, {}} end
    -- one write (the key's time-to-live set again, as it was): a WAIT after this replay (redis.durability=strict)
    -- then covers the first booking on whichever connection asks, not only on the one that booked (Redis 7.0
    -- already counts any script call as the connection's last write for WAIT; this does not depend on it)
    local ttl = redis.call('PTTL', KEY.idempotency)
    if ttl > 0 then redis.call('PEXPIRE', KEY.idempotency, ttl) end
    return {'REPLAY', apptId, {}}
  end

  if redis.call('EXISTS', KEY.slot) == 0 or not serves(KEY.slot) then return {'SLOT_NOT_FOUND', '', {}} end
  local req = redis.call('HMGET', KEY.request, 'origin', 'appointment', 'outcome', 'org', 'sas', 'createdAt')
  local refusal = requestRefusal(req)
  if refusal then return refuse(refusal) end
  local now = nowMs()
  local s = slotFields(KEY.slot, ARG.slotId, 'st', 's', 'a', 'ra', 'rt', 'e', 'w')
  refusal = slotRefusal(s, now, ARG.audienceMask)
  if refusal then return refuse(refusal) end

  local hold = redis.call('GET', KEY.hold)
  if hold then
    if string.sub(hold, 1, string.find(hold, '|', 1, true) - 1) ~= ARG.holdId then return refuse('SLOT_HELD') end
  elseif ARG.holdId ~= '' then
    return refuse('HOLD_EXPIRED')
  end

  local loadPrefix = s[7] .. ':' .. s[6] .. ':'
  local sas = req[5] == '1'
  local loadSas = tonumber(redis.call('HGET', KEY.load, loadPrefix .. 's') or '0')
  if sas and loadSas >= tonumber(ARG.weeklySasCap) then return refuse('EFFECTOR_CAP_REACHED') end

  -- every check passed: commit
  if sas then loadSas = redis.call('HINCRBY', KEY.load, loadPrefix .. 's', 1) end
  local loadAll = redis.call('HINCRBY', KEY.load, loadPrefix .. 'a', 1)
  redis.call('DEL', KEY.hold)
  redis.call('HDEL', KEY.slot, 'h')
  redis.call('HSET', KEY.slot, 'st', 'b', 'ap', ARG.appointmentId)
  redis.call('HINCRBY', KEY.slot, 'v', 1)
  local slot = slotFields(KEY.slot, ARG.slotId, 'e', 'l', 's', 'n', 'o', 'm', 'w', 'rl')
  local lead = leadBucket(tonumber(slot[3]) * 1000, now)
  local wait = tostring(math.floor((tonumber(slot[3]) * 1000 - tonumber(req[6])) / 300000))
  redis.call('HSET', KEY.appointment, 'id', ARG.appointmentId, 'slot', ARG.slotId, 'request', ARG.requestId,
    'effector', slot[1], 'location', slot[2], 'start', slot[3], 'end', slot[4], 'offset', slot[5], 'mode', slot[6],
    'week', slot[7], 'status', 'booked', 'createdAt', tostring(now), 'bookedBy', ARG.callerId, 'org', ARG.callerOrg,
    'origin', req[1], 'sas', req[5], 'released', slot[8] and '1' or '0', 'hour', ARG.hour, 'lead', lead,
    'cpts', ARG.cpts, 'wait', wait, 'reference', ARG.reference)
  redis.call('HSETNX', KEY.references, ARG.reference, ARG.appointmentId)
  bump(KEY.slotDay, 'booked', appointmentDims(slot[1], req[1], ARG.hour, lead, ARG.cpts), 1)
  if slot[8] then bump(KEY.slotDay, 'relused', {'all', '-'}, 1) end
  -- the request ended in an SNP appointment; its wait (request to start) in 5-minute buckets, for the median
  bump(KEY.requestDay, 'outcome.SNP_SLOT', {'all', '-', 'origin', req[1]}, 1)
  bump(KEY.requestDay, 'wait', {'5min', wait}, 1)
  -- the effector is told (durably: the outbox entry exists if and only if the booking does), and awaits feedback
  redis.call('XADD', KEY.outbox, '*', 'type', 'booked', 'appt', ARG.appointmentId, 'e', slot[1])
  -- the national SAS platform is told of a SAS desk's booking of a SAS-regulated request (INT_R03), durably too
  if ARG.sasPush == '1' and sas then queueSasPush(KEY.sasOutbox, KEY.appointment, ARG.appointmentId, 'booked') end
  redis.call('ZADD', KEY.awaiting, slot[4], ARG.appointmentId)
  redis.call('ZADD', KEY.reminders, tonumber(slot[4]) + tonumber(ARG.reminderAfter), ARG.appointmentId)
  redis.call('HSET', KEY.request, 'appointment', ARG.appointmentId)
  -- a request served from the waiting list leaves it, and counts apart (and so does its appointment, if cancelled)
  if redis.call('ZREM', KEY.waiting, ARG.requestId) == 1 then
    redis.call('HSET', KEY.appointment, 'fromWaiting', '1')
    bump(KEY.requestDay, 'servedFromWaiting', {'all', '-', 'origin', req[1]}, 1)
  end
  redis.call('HDEL', KEY.request, 'waitingSince', 'waitingBy')
  -- the patient is told, if they agreed: the contact kept until a day after the appointment, one confirmation per
  -- channel, the reminder scheduled (each in the same step as the booking: told if and only if booked)
  if ARG.channels ~= '' then
    if ARG.contactSms ~= '' then redis.call('HSET', KEY.contact, 'sms', ARG.contactSms) end
    if ARG.contactEmail ~= '' then redis.call('HSET', KEY.contact, 'email', ARG.contactEmail) end
    redis.call('EXPIRE', KEY.contact, tonumber(ARG.contactTtl))
    queuePatientMessages(KEY.outbox, KEY.messages, 'confirmation', ARG.appointmentId, ARG.channels, now)
    if tonumber(ARG.patientReminderAt) > 0 then
      redis.call('ZADD', KEY.patientReminders, ARG.patientReminderAt, ARG.appointmentId .. '|' .. ARG.channels)
    end
  end
  redis.call('SET', KEY.idempotency, ARG.appointmentId .. '|' .. ARG.fingerprint, 'EX', ARG.idempotencyTtl)

  local fields = emit(KEY.events, ARG.streamMaxLen, 'booked', KEY.slot, ARG.slotId,
    {'la', tostring(loadAll), 'ls', tostring(loadSas)})
  return {'OK', ARG.appointmentId, fields, redis.call('HGETALL', KEY.appointment), tostring(loadAll), tostring(loadSas)}
end
