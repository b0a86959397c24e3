-- GET /api/items with the bench's access token, the same request to nginx and to the gateway.
-- TOKEN_FILE names the file holding the token (written by GatewayLoad).
local f = assert(io.open(os.getenv("TOKEN_FILE"), "r"))
local token = f:read("*l")
f:close()

wrk.method = "GET"
wrk.path = "/api/items"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failures = 0
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do
    failed = failed + t:get("failures")
  end
  io.write(string.format("non-200 responses: %d of %d\n", failed, summary.requests))
end
