-- Prepended to the scripts that count (after slot_events.lua): statistics change in the same atomic step as the
-- state they count, so they are exact. One hash per territory and local day, fields "metric|dimension|value".
-- Each script also notes which days it changed, for the read model in memory (StatsReader): the revision hash has a field
-- per day (yyyymmdd -> changes), '*' (changes in all: what a report reads first) and 'gen' (set when the hash is
-- made: a flushed or restored Redis gets another, so a model of the old data is thrown away, never patched).
-- Its key is derived from the day hash's rather than passed by each of the ten counting scripts: it keeps the same
-- "snp:{territory}:" prefix, hence the same hash tag and cluster slot as the day hash the script was given
-- (Keys.statsRevision names it for Java; StatsReadModelTest checks that the two agree).
-- A script notes each day it changes once, at its first bump of that day: the read model only asks whether a day
-- moved, and a script is atomic, so no reader sees its first bump without its last (a booking bumps one day four
-- times: this saves it six HINCRBY). The table is the script's own: Redis runs the script body afresh at each call.
local statsRevised = {}
local function bump(statsKey, metric, dims, by)
  for i = 1, #dims, 2 do
    redis.call('HINCRBY', statsKey, metric .. '|' .. dims[i] .. '|' .. dims[i + 1], by)
  end
  if statsRevised[statsKey] then return end
  statsRevised[statsKey] = true
  local prefix, day = string.match(statsKey, '^(.*)stats:(%d+)$')
  local revision = prefix .. 'stats-rev'
  redis.call('HINCRBY', revision, day, 1)
  if redis.call('HINCRBY', revision, '*', 1) == 1 then
    local now = redis.call('TIME')
    redis.call('HSET', revision, 'gen', now[1] .. '.' .. now[2])
  end
end

-- The dimensions an appointment counts under: everything, its effector, the request's origin, the local hour of
-- the slot, the lead time from booking to start, and each CPTS of the effector (at booking time).
local function appointmentDims(effector, origin, hour, lead, cpts)
  local dims = {'all', '-', 'effector', effector, 'origin', origin, 'hour', hour, 'lead', lead}
  for c in string.gmatch(cpts or '', '[^,]+') do
    dims[#dims + 1] = 'cpts'
    dims[#dims + 1] = c
  end
  return dims
end

local function leadBucket(startMs, bookedMs)
  local minutes = (startMs - bookedMs) / 60000
  if minutes < 60 then return 'lt1h' end
  if minutes < 240 then return '1-4h' end
  if minutes < 1440 then return '4-24h' end
  if minutes < 2880 then return '24-48h' end
  return 'gt48h'
end

