-- Closes a request that ended without an SNP appointment (advice, prescription, redirected to 15...).
-- Refused once the request has an appointment; the same outcome twice is harmless, another one is refused.
-- KEYS: 1 request hash, 2 statistics of the request's day
-- ARGV: 1 outcome type, 2 outcome details JSON, 3 now ms, 4 caller principal, 5 '1' when a prescription came
--       with medical advice (counted under both, as the Indre SAS report does)
local r = redis.call('HMGET', KEYS[1], 'origin', 'ap', 'oc')
if not r[1] then return {'REQUEST_NOT_FOUND', ''} end
if r[2] then return {'REQUEST_ALREADY_BOOKED', r[2]} end
if r[3] then
  if r[3] == ARGV[1] then return {'ALREADY_SET', r[3]} end
  return {'OUTCOME_ALREADY_SET', r[3]}
end
redis.call('HSET', KEYS[1], 'oc', ARGV[1], 'ocd', ARGV[2], 'oca', ARGV[3], 'ocb', ARGV[4])
bump(KEYS[2], 'outcome.' .. ARGV[1], {'all', '-', 'origin', r[1]}, 1)
if ARGV[5] == '1' then
  bump(KEYS[2], 'outcome.ADVICE', {'all', '-', 'origin', r[1]}, 1)
  bump(KEYS[2], 'outcome.PRESCRIPTION_WITH_ADVICE', {'all', '-', 'origin', r[1]}, 1)
end
return {'OK', ARGV[1]}
