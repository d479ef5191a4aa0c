-- The "médecin traitant" requests a coordinator follows, newest first: those of its CPTS and those of no CPTS.
-- Entries whose request has expired are dropped from the index on the way.
-- KEYS
--   doctorRequests      the territory's doctor requests by creation time
-- ARGV
--   keyPrefix           the territory's doctor request key prefix (the id is appended)
--   status              only this status, or empty for all
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
if not serves(KEY.doctorRequests) then return {} end
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', KEY.doctorRequests, 0, -1)) do
  -- the key is built from the territory's own prefix, so it stays in the same hash slot
  local fields = redis.call('HGETALL', ARG.keyPrefix .. id)
  if #fields == 0 then
    redis.call('ZREM', KEY.doctorRequests, id)
  else
    local d = {}
    for i = 1, #fields, 2 do d[fields[i]] = fields[i + 1] end
    local mine = ARG.callerReach ~= 'CPTS' or d.cpts == '' or d.cpts == ARG.callerOrg
    if mine and (ARG.status == '' or d.status == ARG.status) then out[#out + 1] = fields end
  end
end
return out
