-- Counts one write of a principal in a fixed window (limits.writesPerMinute): the window starts at its first write
-- and ends with the counter's time-to-live. At the limit the call is refused and nothing is counted, so a refused
-- call changes nothing stored and a client that waits Retry-After gets through.
-- Answers {1, count} when counted, {0, ms until the window ends} when refused.
-- KEYS
--   counter             the principal's write counter (PX time-to-live: the window)
-- ARGV
--   limit               writes allowed per window
--   windowMs            the window's length
local count = tonumber(redis.call('GET', KEY.counter) or '0')
if count >= tonumber(ARG.limit) then
  local left = redis.call('PTTL', KEY.counter)
  if left < 0 then -- a counter without its time-to-live would refuse forever: give it one
    redis.call('PEXPIRE', KEY.counter, ARG.windowMs)
    left = tonumber(ARG.windowMs)
  end
  return {0, left}
end
count = redis.call('INCR', KEY.counter)
if count == 1 or redis.call('PTTL', KEY.counter) < 0 then redis.call('PEXPIRE', KEY.counter, ARG.windowMs) end
return {1, count}
