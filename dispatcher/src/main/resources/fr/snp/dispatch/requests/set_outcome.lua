-- Closes a request that ended without an SNP appointment (advice, prescription, redirected to 15...).
-- Refused once the request has an appointment; the same outcome twice is harmless, another one is refused.
-- KEYS
--   request             the request hash
--   requestDay          statistics of the request's local day
--   waiting             the territory's waiting list (a closed request leaves it)
-- ARGV
--   requestId           the request
--   type                the outcome (OutcomeType)
--   details             outcome details, JSON
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   callerId            who recorded it
--   withAdvice          '1' when a prescription came with medical advice (counted under both, as the Indre SAS
--                       report does)
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local r = redis.call('HMGET', KEY.request, 'origin', 'appointment', 'outcome', 'org')
if not r[1] or not reachesRequest(KEY.request, r[4]) then return {'REQUEST_NOT_FOUND', ''} end
if r[2] then return {'REQUEST_ALREADY_BOOKED', r[2]} end
if r[3] then
  if r[3] == ARG.type then return {'ALREADY_SET', r[3]} end
  return {'OUTCOME_ALREADY_SET', r[3]}
end
redis.call('ZREM', KEY.waiting, ARG.requestId)
redis.call('HDEL', KEY.request, 'waitingSince', 'waitingBy')
redis.call('HSET', KEY.request, 'outcome', ARG.type, 'outcomeDetails', ARG.details, 'outcomeAt', tostring(nowMs()),
  'outcomeBy', ARG.callerId)
bump(KEY.requestDay, 'outcome.' .. ARG.type, {'all', '-', 'origin', r[1]}, 1)
if ARG.withAdvice == '1' then
  bump(KEY.requestDay, 'outcome.ADVICE', {'all', '-', 'origin', r[1]}, 1)
  bump(KEY.requestDay, 'outcome.PRESCRIPTION_WITH_ADVICE', {'all', '-', 'origin', r[1]}, 1)
end
return {'OK', ARG.type}
