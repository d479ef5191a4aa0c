-- Gives an effector's webhook a new signing secret; the previous one stays valid beside it (its signature is sent
-- too) until the next rotation, so the receiver can switch without losing a notification.
-- KEYS
--   effectors           the territory's effectors (who manages whom)
--   webhookSecrets      the territory's webhook signing secrets (effector id -> JSON list, newest first)
-- ARGV
--   effectorId          the effector
--   secret              the new secret
--   callerTerritories   the caller's tenancy (redis/tenancy.lua)
--   callerOrg
--   callerReach
if redis.call('HEXISTS', KEY.effectors, ARG.effectorId) == 0 or not serves(KEY.effectors) then
  return {'EFFECTOR_NOT_FOUND', ''}
end
if not managesEffector(KEY.effectors, ARG.effectorId) then return {'NOT_YOUR_EFFECTOR', ''} end
local previous = redis.call('HGET', KEY.webhookSecrets, ARG.effectorId)
local secrets = {ARG.secret}
if previous then
  local list = cjson.decode(previous)
  if list[1] then secrets[2] = list[1] end
end
redis.call('HSET', KEY.webhookSecrets, ARG.effectorId, cjson.encode(secrets))
return {'OK', ''}
