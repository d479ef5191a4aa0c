-- Prepended to hold.lua and book.lua: the checks a request and a slot must pass before the request may take the
-- slot. Each returns nil when it passes, else the refusal code.

-- the request is one the caller reaches, and still open; req = HMGET request origin appointment outcome org
local function requestRefusal(req)
  if not req[1] or not reachesRequest(KEY.request, req[4]) then return 'REQUEST_NOT_FOUND' end
  if req[2] then return 'REQUEST_ALREADY_BOOKED' end
  if req[3] then return 'REQUEST_CLOSED' end
  return nil
end

-- the slot can be offered now to a caller of this audience mask (a reserved slot counts as released once its
-- release time has come, even before release_audience.lua writes it down); s = slotFields(slot, id, st s a ra rt)
local function slotRefusal(s, now, mask)
  if s[1] == 'b' then return 'SLOT_BOOKED' end
  if s[1] == 'c' then return 'SLOT_WITHDRAWN' end
  if tonumber(s[2]) * 1000 <= now then return 'SLOT_STARTED' end
  local audiences = tonumber(s[3])
  if s[4] and tonumber(s[4]) <= now then audiences = bit.bor(audiences, tonumber(s[5])) end
  if bit.band(audiences, tonumber(mask)) == 0 then return 'SLOT_NOT_VISIBLE' end
  return nil
end
