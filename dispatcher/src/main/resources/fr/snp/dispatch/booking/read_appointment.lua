-- Reads an appointment for a caller: its fields if the caller reaches it, else nothing (an id of another tenant
-- is not confirmed to exist).
-- KEYS
--   appointment         the appointment hash
-- ARGV
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local a = redis.call('HMGET', KEY.appointment, 'status', 'org', 'effector', 'cpts')
if not a[1] or not reachesAppointment(KEY.appointment, a[2], a[3], a[4]) then return {} end
return redis.call('HGETALL', KEY.appointment)
