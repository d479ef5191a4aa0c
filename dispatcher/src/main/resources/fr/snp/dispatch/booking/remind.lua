-- Sends the one feedback reminder of every appointment whose reminder is due (slot ended N hours ago without
-- feedback): taken off the reminders zset and put in the outbox in one step, so each is sent exactly once.
-- It stays in the awaiting-feedback zset, which the coordinator lists. Run by the server's housekeeping.
-- KEYS
--   reminders           appointments by reminder due time
--   outbox              the territory's notifications
-- ARGV
--   nowSec              now (epoch s)
--   batch               most reminders in one run
local due = redis.call('ZRANGEBYSCORE', KEY.reminders, '-inf', ARG.nowSec, 'LIMIT', 0, tonumber(ARG.batch))
for i = 1, #due do
  redis.call('ZREM', KEY.reminders, due[i])
  redis.call('XADD', KEY.outbox, '*', 'type', 'reminder', 'appt', due[i])
end
return #due
