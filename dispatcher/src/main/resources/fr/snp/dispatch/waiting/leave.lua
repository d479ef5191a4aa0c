-- Takes a request off its territory's waiting list (the desk found another way, or the patient no longer waits).
-- Taking it off twice is harmless.
-- KEYS
--   request             the request hash
--   waiting             the territory's waiting list
-- ARGV
--   requestId           the request
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local org = redis.call('HGET', KEY.request, 'org')
if not org or not reachesRequest(KEY.request, org) then return {'REQUEST_NOT_FOUND', ''} end
redis.call('HDEL', KEY.request, 'waitingSince', 'waitingBy')
if redis.call('ZREM', KEY.waiting, ARG.requestId) == 0 then return {'NOT_WAITING', ''} end
return {'OK', ''}
