-- Sends the one feedback reminder of every appointment whose reminder is due (slot ended N hours ago without
-- feedback): taken off the reminders zset and put in the outbox in one step, so each is sent exactly once.
-- It stays in the awaiting-feedback zset, which the coordinator lists.
-- KEYS: 1 reminders zset, 2 outbox stream
-- ARGV: 1 now (epoch s), 2 most reminders in one run
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for i = 1, #due do
  redis.call('ZREM', KEYS[1], due[i])
  redis.call('XADD', KEYS[2], '*', 'type', 'reminder', 'appt', due[i])
end
return #due
