-- Reads a request for a caller: its fields if the caller reaches it, else nothing (an id of another tenant is not
-- confirmed to exist).
-- KEYS
--   request             the request hash
-- ARGV
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local org = redis.call('HGET', KEY.request, 'org')
if not org or not reachesRequest(KEY.request, org) then return {} end
return redis.call('HGETALL', KEY.request)
