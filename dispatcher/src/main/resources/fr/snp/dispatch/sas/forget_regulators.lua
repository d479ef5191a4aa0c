-- Forgets the regulator accounts withdrawn (active=false) before a date, with their index entries, in one step: the
-- retention of staff data (names, e-mail) the national SAS platform sent. An account given the right again meanwhile
-- has no withdrawal date and stays; an index entry already pointing at another account is left to it. A few thousand
-- accounts at most (the regulators of the platforms one server serves): one pass over the hash, once a day.
-- KEYS
--   accounts            hash account id -> JSON of the account
--   byUuid              hash SAS UUID -> account id
--   byNationalId        hash national id -> account id
-- ARGV
--   beforeMs            accounts withdrawn before this (epoch ms) are forgotten
local before = tonumber(ARG.beforeMs)
local all = redis.call('HGETALL', KEY.accounts)
local forgotten = 0
for i = 1, #all, 2 do
  local id = all[i]
  local a = cjson.decode(all[i + 1])
  if a.active == false and a.withdrawnMs and tonumber(a.withdrawnMs) < before then
    redis.call('HDEL', KEY.accounts, id)
    if a.uuid and redis.call('HGET', KEY.byUuid, a.uuid) == id then redis.call('HDEL', KEY.byUuid, a.uuid) end
    if a.nationalId and redis.call('HGET', KEY.byNationalId, a.nationalId) == id then
      redis.call('HDEL', KEY.byNationalId, a.nationalId)
    end
    forgotten = forgotten + 1
  end
end
return forgotten
