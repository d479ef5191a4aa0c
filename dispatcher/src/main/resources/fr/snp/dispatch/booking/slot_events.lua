-- Prepended to every slot script when it is loaded (Redis scripts cannot include one another).
-- emit: appends the slot's whole new state to the territory's change stream, which keeps every instance's index
-- (and, later, the live feeds) in step; returns the state as a flat field list for the script's reply.
local function emit(stream, maxlen, kind, slotKey, slotId, extra)
  local fields = redis.call('HGETALL', slotKey)
  local args = {'XADD', stream, 'MAXLEN', '~', maxlen, '*', 'type', kind, 'id', slotId}
  if extra then for i = 1, #extra do args[#args + 1] = extra[i] end end
  for i = 1, #fields do args[#args + 1] = fields[i] end
  redis.call(unpack(args))
  return fields
end


-- slotMinute: a slot id's start-minute part ("36-E17-t3k9m0" -> "t3k9m0"), its member in its effector's start index
-- (Keys.effectorSlots, Ids.slotMinute): the effector is the key, the start the score, so the member needs no more.
local function slotMinute(slotId)
  return string.match(slotId, '%-([0-9a-z]+)$')
end
