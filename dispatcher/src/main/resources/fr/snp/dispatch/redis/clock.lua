-- Prepended to the scripts that need the time (after the generated KEY/ARG names).
-- the time of a change: Redis's own clock, so that every instance and Redis agree on when a hold ends, except in
-- simulation mode where the server's movable clock comes as ARG.nowMs
local function nowMs()
  if ARG.nowMs ~= nil and ARG.nowMs ~= '' then return tonumber(ARG.nowMs) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
