-- Registers an effector once per RPPS in a territory and gives it the next id ("36-E17").
-- KEYS
--   rpps                the territory's RPPS -> effector id hash
--   sequence            the territory's counters
--   effectors           the territory's effectors (id -> JSON)
--   events              the territory's change stream
--   webhookSecrets      the territory's webhook signing secrets (effector id -> JSON list, newest first)
-- ARGV
--   rppsNumber          the effector's RPPS (11 digits)
--   territory           the territory (from the first practice location)
--   json                the effector as JSON, with the placeholder __ID__ for its id
--   streamMaxLen        change stream cap
--   webhookSecret       the new effector's webhook signing secret, or empty when it has no webhook
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
if not serves(KEY.effectors) then return {'TERRITORY_NOT_SERVED', ''} end
if ARG.callerReach ~= 'TERRITORY' then
  -- a CPTS coordinator registers effectors of its own CPTS only
  local ours = false
  for _, c in ipairs(cjson.decode(ARG.json).cpts or {}) do
    if c == ARG.callerOrg then ours = true end
  end
  if ARG.callerReach ~= 'CPTS' or not ours then return {'NOT_YOUR_EFFECTOR', ''} end
end
local existing = redis.call('HGET', KEY.rpps, ARG.rppsNumber)
if existing then return {'EFFECTOR_EXISTS', existing} end
local id = ARG.territory .. '-E' .. redis.call('HINCRBY', KEY.sequence, 'effector', 1)
local json = string.gsub(ARG.json, '__ID__', id)
redis.call('HSET', KEY.rpps, ARG.rppsNumber, id)
redis.call('HSET', KEY.effectors, id, json)
if ARG.webhookSecret ~= '' then redis.call('HSET', KEY.webhookSecrets, id, cjson.encode({ARG.webhookSecret})) end
redis.call('XADD', KEY.events, 'MAXLEN', '~', ARG.streamMaxLen, '*', 'type', 'effector', 'id', id)
return {'OK', id}
