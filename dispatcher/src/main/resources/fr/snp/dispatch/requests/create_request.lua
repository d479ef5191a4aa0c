-- Stores a care request (expiring with the retention period: it holds patient data) and counts it, in one step.
-- KEYS
--   request             the new request hash
--   requestDay          statistics of the request's local day
--   patientRequests     the patient's requests, under a hash of their phone number (expiring like the requests)
-- ARGV
--   territory           the territory (from the patient's commune)
--   id                  the request id
--   origin              where the request comes from (Origin)
--   sas                 '1' when SAS-regulated (counts against the weekly SAS cap)
--   createdBy           the principal filing it
--   org                 the principal's organisation (who else may act on it)
--   createdAt           epoch ms (the server's clock: the id says the same)
--   patient             the patient, minimal JSON (initials, year of birth, phone, commune, flags)
--   need                the need, JSON (window, modes, specialty, radius, limit)
--   retentionSeconds    how long the request is kept
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
if not serves(KEY.request) then return {'OUTSIDE_TERRITORY'} end
redis.call('HSET', KEY.request, 'territory', ARG.territory, 'origin', ARG.origin, 'sas', ARG.sas,
  'createdBy', ARG.createdBy, 'org', ARG.org, 'createdAt', ARG.createdAt, 'patient', ARG.patient, 'need', ARG.need)
redis.call('EXPIRE', KEY.request, ARG.retentionSeconds)
redis.call('ZADD', KEY.patientRequests, ARG.createdAt, ARG.id)
redis.call('EXPIRE', KEY.patientRequests, ARG.retentionSeconds)
bump(KEY.requestDay, 'requests', {'all', '-', 'origin', ARG.origin}, 1)
return {'OK'}
