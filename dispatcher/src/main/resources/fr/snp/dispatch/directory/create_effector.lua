-- Registers an effector once per RPPS in a territory and gives it the next id ("36-E17").
-- KEYS: 1 rpps -> id hash, 2 counters hash, 3 effectors hash (id -> JSON), 4 events stream
-- ARGV: 1 rpps, 2 territory, 3 effector JSON with the placeholder __ID__, 4 stream max length
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing then return {'EFFECTOR_EXISTS', existing} end
local id = ARGV[2] .. '-E' .. redis.call('HINCRBY', KEYS[2], 'effector', 1)
local json = string.gsub(ARGV[3], '__ID__', id)
redis.call('HSET', KEYS[1], ARGV[1], id)
redis.call('HSET', KEYS[3], id, json)
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*', 'type', 'effector', 'id', id)
return {'OK', id}
