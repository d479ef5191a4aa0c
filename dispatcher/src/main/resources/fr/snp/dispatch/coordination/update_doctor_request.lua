-- The coordinator's follow-up of a "médecin traitant" request: a new status and a note. The time-to-live is kept.
-- KEYS
--   doctorRequest       the doctor request hash
-- ARGV
--   status              OPEN, CONTACTED, ASSIGNED or CLOSED
--   note                a short note, or empty
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   callerId            who followed up
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local d = redis.call('HMGET', KEY.doctorRequest, 'status', 'cpts')
if not d[1] or not serves(KEY.doctorRequest) then return {'DOCTOR_REQUEST_NOT_FOUND'} end
if ARG.callerReach == 'CPTS' and d[2] ~= '' and d[2] ~= ARG.callerOrg then return {'DOCTOR_REQUEST_NOT_FOUND'} end
redis.call('HSET', KEY.doctorRequest, 'status', ARG.status, 'note', ARG.note, 'updatedAt', tostring(nowMs()),
  'updatedBy', ARG.callerId)
return {'OK', redis.call('HGETALL', KEY.doctorRequest)}
