-- Prepended to every script that acts for a caller (after the generated KEY/ARG names). The caller's tenancy comes
-- as three arguments, ARG.callerTerritories (comma-separated département codes), ARG.callerOrg (its organisation)
-- and ARG.callerReach (TERRITORY, CPTS, ORG or EFFECTOR, see auth/Reach.java), and is checked here again whatever
-- Java checked before: a bug in a handler cannot reach another tenant's data.
local function territoryOf(key) return string.match(key, '{(.-)}') end

local function inList(csv, value)
  if not value or value == '' then return false end
  for item in string.gmatch(csv or '', '[^,]+') do
    if item == value then return true end
  end
  return false
end

-- the key belongs to a territory the caller serves (every key carries its territory as hash tag)
local function serves(key) return inList(ARG.callerTerritories, territoryOf(key)) end

-- a request: a SAS desk reaches every request of its territories, anyone else those its organisation filed
local function reachesRequest(key, org)
  return serves(key) and (ARG.callerReach == 'TERRITORY' or (org ~= nil and org == ARG.callerOrg))
end

-- an appointment: a SAS desk all of its territories; an effector their own; a CPTS coordinator those of its
-- effectors (the CPTS list copied at booking) and those its organisation booked; others those they booked
local function reachesAppointment(key, org, effector, cpts)
  if not serves(key) then return false end
  local reach = ARG.callerReach
  if reach == 'TERRITORY' then return true end
  if reach == 'EFFECTOR' then return effector == ARG.callerOrg end
  if reach == 'CPTS' and inList(cpts, ARG.callerOrg) then return true end
  return org ~= nil and org == ARG.callerOrg
end

-- an effector the caller may publish and withdraw slots for: a doctor their own, a CPTS coordinator its CPTS'
-- effectors (read from the stored effector); TERRITORY reach is the server itself (demo loader, release jobs,
-- benchmark): the route table never lets a SAS desk publish. effectors = the territory's effector hash.
local function managesEffector(effectors, effectorId)
  if not serves(effectors) then return false end
  local reach = ARG.callerReach
  if reach == 'TERRITORY' then return true end
  if reach == 'EFFECTOR' then return effectorId == ARG.callerOrg end
  if reach ~= 'CPTS' then return false end
  local json = redis.call('HGET', effectors, effectorId)
  if not json then return false end
  for _, c in ipairs(cjson.decode(json).cpts or {}) do
    if c == ARG.callerOrg then return true end
  end
  return false
end
