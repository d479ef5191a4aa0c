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

-- slotStartOf / slotEffectorOf: the start (epoch s) and the effector a slot id encodes (Ids.slotStart,
-- Ids.effectorOfSlot): "36-E17-t3k9m0" is effector 36-E17's slot starting at minute t3k9m0 (base 36) since 1970.
local function slotStartOf(slotId)
  return tonumber(slotMinute(slotId), 36) * 60
end

local function slotEffectorOf(slotId)
  return string.match(slotId, '^(.*)%-[0-9a-z]+$')
end

-- slotFields: HMGET of a slot hash, the effector 'e' and the start 's' read from the slot id when the hash has
-- them not. A slot hash leaves out what its id tells (issue 14: ~20 B less a slot in the hash and again in each
-- change-stream entry): 'e' always, 's' when the start is on a whole minute; hashes written before keep both.
local function slotFields(slotKey, slotId, ...)
  local names = {...}
  local values = redis.call('HMGET', slotKey, unpack(names))
  for i = 1, #names do
    if not values[i] then
      if names[i] == 'e' then values[i] = slotEffectorOf(slotId)
      elseif names[i] == 's' then values[i] = tostring(slotStartOf(slotId)) end
    end
  end
  return values
end
