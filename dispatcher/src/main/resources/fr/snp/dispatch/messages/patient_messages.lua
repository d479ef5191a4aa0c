-- Prepended to the scripts that tell a patient something (book, cancel): one outbox entry per channel the patient
-- agreed to, in the same atomic step as the change it reports, and its delivery record ("queued"), which the
-- outbox worker updates (sent, retrying, failed) and GET /appointments/{id}/messages lists. No text, no address.

-- The channels of a patient's contact hash, in sending order ("sms,email"), or ''.
local function patientChannels(contactKey)
  local c = redis.call('HMGET', contactKey, 'sms', 'email')
  local out = {}
  if c[1] then out[#out + 1] = 'sms' end
  if c[2] then out[#out + 1] = 'email' end
  return table.concat(out, ',')
end

local function queuePatientMessages(outbox, messages, kind, appointmentId, channels, atMs)
  for channel in string.gmatch(channels, '[^,]+') do
    local id = redis.call('XADD', outbox, '*', 'type', 'patient', 'kind', kind, 'channel', channel, 'appt', appointmentId)
    redis.call('HSET', messages, id, cjson.encode({channel = channel, kind = kind, status = 'queued',
      queuedAt = atMs, attempts = 0}))
  end
end
