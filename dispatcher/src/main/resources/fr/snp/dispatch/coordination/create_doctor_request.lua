-- Files a "médecin traitant" request: a priority patient without a regular doctor, for a CPTS to follow up. It
-- holds patient data, so it expires: the time-to-live is set in the same step as the write.
-- KEYS
--   doctorRequest       the new doctor request hash
--   doctorRequests      the territory's doctor requests by creation time
-- ARGV
--   id                  the request id
--   createdAt           epoch ms
--   createdBy           the principal filing it (its display name is kept for the coordinator)
--   createdByName
--   org                 the filer's organisation
--   cpts                the CPTS that follows it up (the filer's CPTS), or empty: any coordinator of the territory
--   patient             the patient, minimal JSON
--   comment             a short comment, or empty
--   ttlSeconds          how long it is kept
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
if not serves(KEY.doctorRequest) then return {'OUTSIDE_TERRITORY'} end
redis.call('HSET', KEY.doctorRequest, 'id', ARG.id, 'status', 'OPEN', 'createdAt', ARG.createdAt,
  'createdBy', ARG.createdBy, 'createdByName', ARG.createdByName, 'org', ARG.org, 'cpts', ARG.cpts,
  'patient', ARG.patient, 'comment', ARG.comment)
redis.call('EXPIRE', KEY.doctorRequest, ARG.ttlSeconds)
-- the index entry is dropped when read after its request expired (list_doctor_requests.lua)
redis.call('ZADD', KEY.doctorRequests, ARG.createdAt, ARG.id)
return {'OK'}
