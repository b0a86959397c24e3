-- Client-credentials grants: POST /token with HTTP Basic client authentication.
-- BASIC_FILE names the file holding the Authorization header value (written by IdentityLoad serve).
local f = assert(io.open(os.getenv("BASIC_FILE"), "r"))
local basic = f:read("*l")
f:close()

wrk.method = "POST"
wrk.path = "/token"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = basic

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
