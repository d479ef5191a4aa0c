-- Stores a care request (expiring with the retention period) and counts it, in one step.
-- KEYS: 1 request hash, 2 statistics of the request's day
-- ARGV: 1 origin, 2 '1' if SAS-regulated, 3 caller principal, 4 created at (ms), 5 patient JSON, 6 need JSON,
--       7 retention in seconds
redis.call('HSET', KEYS[1], 'origin', ARGV[1], 'sas', ARGV[2], 'by', ARGV[3], 'ca', ARGV[4], 'pj', ARGV[5], 'nj', ARGV[6])
redis.call('EXPIRE', KEYS[1], ARGV[7])
bump(KEYS[2], 'requests', {'all', '-', 'origin', ARGV[1]}, 1)
return 'OK'
