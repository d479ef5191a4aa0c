-- Records that the national SAS platform took push #seq of an appointment: the highest number taken only grows (a late
-- answer to an earlier push, sent again by another instance meanwhile, does not move it back), and the worker holding
-- the next push may send it from now on.
-- KEYS
--   appointment         the appointment hash
-- ARGV
--   seq                 the sequence number of the push the platform took
local sent = tonumber(redis.call('HGET', KEY.appointment, 'sasSent') or '0')
if tonumber(ARG.seq) > sent then redis.call('HSET', KEY.appointment, 'sasSent', ARG.seq) end
return sent
