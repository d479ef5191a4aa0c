-- Creates or updates a regulator account the national SAS platform sends (INT_R02), in one step: both identifiers
-- of the body are looked up, so that an account first known by its SAS UUID and later by its national id (or the
-- reverse) stays one person, and the account is then indexed under both. Refused with nothing written when the two
-- identifiers name two accounts, when one would replace another already recorded (a person's ids do not change), or
-- when the account belongs to another platform. Staff data only (names, e-mail), never logged.
-- KEYS
--   accounts            hash account id -> JSON of the account
--   byUuid              hash SAS UUID -> account id
--   byNationalId        hash national id -> account id
-- ARGV
--   uuid                the body's IdentifiantInterne, or ''
--   nationalId          the body's IdentifiantNatPS, or ''
--   newId               the account's id if this creates it
--   json                the body's fields (family, given, email, active) and the platform's org and territories
--   nowMs               now (epoch ms)
local idU = false
local idN = false
if ARG.uuid ~= '' then idU = redis.call('HGET', KEY.byUuid, ARG.uuid) end
if ARG.nationalId ~= '' then idN = redis.call('HGET', KEY.byNationalId, ARG.nationalId) end
if idU and idN and idU ~= idN then return {'conflict', 'the SAS UUID and the national id name two different accounts'} end
local fields = cjson.decode(ARG.json)
local id = idU or idN
local account
local status = 'updated'
if id then
  account = cjson.decode(redis.call('HGET', KEY.accounts, id))
  if account.org ~= fields.org then return {'conflict', 'the account was created by another platform'} end
  if ARG.uuid ~= '' and account.uuid and account.uuid ~= ARG.uuid then
    return {'conflict', 'the account already has another SAS UUID'}
  end
  if ARG.nationalId ~= '' and account.nationalId and account.nationalId ~= ARG.nationalId then
    return {'conflict', 'the account already has another national id'}
  end
else
  id = ARG.newId
  account = {id = id, createdMs = tonumber(ARG.nowMs)}
  status = 'created'
end
local wasActive = account.active ~= false and status == 'updated'
for k, v in pairs(fields) do account[k] = v end
-- when the right was withdrawn: the retention pass forgets an account withdrawn long enough (staff data kept no longer
-- than any push may still name its person); given the right again, it is no longer withdrawn
if account.active == false then
  if wasActive or not account.withdrawnMs then account.withdrawnMs = tonumber(ARG.nowMs) end
else
  account.withdrawnMs = nil
end
if ARG.uuid ~= '' then
  account.uuid = ARG.uuid
  redis.call('HSET', KEY.byUuid, ARG.uuid, id)
end
if ARG.nationalId ~= '' then
  account.nationalId = ARG.nationalId
  redis.call('HSET', KEY.byNationalId, ARG.nationalId, id)
end
account.updatedMs = tonumber(ARG.nowMs)
redis.call('HSET', KEY.accounts, id, cjson.encode(account))
return {status, id}
