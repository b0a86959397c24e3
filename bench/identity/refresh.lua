-- Refresh grants: each wrk thread follows its own rotating refresh chain (run with -c equal to -t,
-- so a thread's requests are strictly sequential). response() takes the new refresh_token and the
-- next request() presents it; presenting a used token would revoke the whole family.
-- TOKENS_FILE: one refresh token per line, one per thread; CLIENT_ID: the public client.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do
  if #line > 0 then
    table.insert(tokens, line)
  end
end
local client_id = os.getenv("CLIENT_ID")
local threads = {}
local next_index = 1

function setup(thread)
  assert(tokens[next_index], "fewer refresh tokens than wrk threads")
  thread:set("token", tokens[next_index])
  next_index = next_index + 1
  table.insert(threads, thread)
end

function init(args)
  failures = 0
  broken = false
end

function request()
  return wrk.format("POST", "/token",
    { ["Content-Type"] = "application/x-www-form-urlencoded" },
    "grant_type=refresh_token&client_id=" .. client_id .. "&refresh_token=" .. token)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    return
  end
  local next_token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
  if next_token then
    token = next_token
  else
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do
    failed = failed + t:get("failures")
  end
  io.write(string.format("non-200 responses (or no new refresh_token): %d of %d\n",
    failed, summary.requests))
end
