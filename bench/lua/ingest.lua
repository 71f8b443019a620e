-- POST /api/v1/tracking-events: each request one parcel's new scans (never seen before), parcels
-- taken in turn from a file of "api_key carrier tracking_number" lines:
-- wrk -s ingest.lua URL -- parcels.txt EVENTS_PER_REQUEST
local parcels = {}
local per = 5
local n = 0
local thread_id = 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  for line in io.lines(args[1]) do
    local key, carrier, number = line:match("(%S+) (%S+) (%S+)")
    parcels[#parcels + 1] = {key, carrier, number}
  end
  per = tonumber(args[2] or "5")
  n = math.random(#parcels)
end

function request()
  n = n + 1
  local p = parcels[n % #parcels + 1]
  local events = {}
  for k = 1, per do
    local id = string.format("bench-%d-%d-%d", thread_id, n, k)
    events[k] = string.format(
      '{"id":"%s","status":"in_transit","occurred_at":"2026-11-18T%02d:%02d:00Z","location":"Hub %d","message":"Scanned"}',
      id, k % 24, n % 60, k)
  end
  local body = string.format('{"carrier":"%s","tracking_number":"%s","events":[%s]}', p[2], p[3],
    table.concat(events, ","))
  return wrk.format("POST", "/api/v1/tracking-events",
    {["Authorization"] = "Bearer " .. p[1], ["Content-Type"] = "application/json"}, body)
end
