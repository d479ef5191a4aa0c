-- Gives a hold back before it expires (the caller chose another slot or hung up).
-- KEYS: 1 slot hash, 2 hold key, 3 events stream
-- ARGV: 1 slotId, 2 holdId, 3 stream max length
local current = redis.call('GET', KEYS[2])
if not current or string.sub(current, 1, string.find(current, '|', 1, true) - 1) ~= ARGV[2] then
  return {'HOLD_NOT_FOUND', '', redis.call('HGETALL', KEYS[1])}
end
redis.call('DEL', KEYS[2])
redis.call('HDEL', KEYS[1], 'h')
redis.call('HINCRBY', KEYS[1], 'v', 1)
return {'OK', '', emit(KEYS[3], ARGV[3], 'released', KEYS[1], ARGV[1])}
