-- Puts an open request on its territory's waiting list, until its window ends: when a fitting slot appears (published,
-- freed, released to more audiences) the desks are told. Putting it twice is harmless.
-- KEYS
--   request             the request hash
--   waiting             the territory's waiting list (request ids by the end of their window, ms)
-- ARGV
--   requestId           the request
--   untilMs             the end of the request's window (epoch ms): it leaves the list then
--   nowMs               the server's clock in simulation mode, else empty (Redis's clock)
--   callerId            the desk putting it there
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
local r = redis.call('HMGET', KEY.request, 'org', 'appointment', 'outcome', 'waitingSince')
if not r[1] or not reachesRequest(KEY.request, r[1]) then return {'REQUEST_NOT_FOUND', ''} end
if r[2] then return {'REQUEST_ALREADY_BOOKED', ''} end
if r[3] then return {'REQUEST_CLOSED', ''} end
local now = nowMs()
if tonumber(ARG.untilMs) <= now then return {'WINDOW_PASSED', ''} end
if r[4] and redis.call('ZSCORE', KEY.waiting, ARG.requestId) then return {'ALREADY_WAITING', r[4]} end
redis.call('ZADD', KEY.waiting, ARG.untilMs, ARG.requestId)
redis.call('HSET', KEY.request, 'waitingSince', tostring(now), 'waitingBy', ARG.callerId)
return {'OK', tostring(now)}
