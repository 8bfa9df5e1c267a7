-- wrk script for bench/run.py: one endpoint (or a rotation of paths) with a bearer token.
--
-- Environment:
--   BENCH_TOKEN     access token for the Authorization header (empty: none)
--   BENCH_COOKIE    a Cookie header instead (the web app's session), when set
--   BENCH_METHOD    GET (default) or POST
--   BENCH_PATH      the path; "{id}" in it takes the ids of BENCH_POOL in turn
--   BENCH_BODY      JSON body of a POST
--   BENCH_POOL      comma-separated ticket ids for the transition benchmark: each wrk thread
--                   takes its own share in turn and moves each ticket OPEN -> IN_PROGRESS ->
--                   OPEN, from the status the last answer about it gave (a request wrk built
--                   but never sent, on a connection that was reset, changes nothing)
--   BENCH_PATHS     comma-separated paths taken in turn (the RSS run), instead of BENCH_PATH
--   BENCH_THREADS   the -t given to wrk (to split the pool)
--
-- done() prints one line "BENCH_RESULT {json}" with counts and latency percentiles in us.

local token = os.getenv("BENCH_TOKEN") or ""
local cookie = os.getenv("BENCH_COOKIE") or ""
local method = os.getenv("BENCH_METHOD") or "GET"
local path_template = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY")
local pool_env = os.getenv("BENCH_POOL") or ""
local paths_env = os.getenv("BENCH_PATHS") or ""
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")

local count = 0

function setup(thread)
  count = count + 1
  thread:set("tid", count)
end

local function split(value)
  local out = {}
  for item in string.gmatch(value, "[^,]+") do
    table.insert(out, item)
  end
  return out
end

function init(args)
  headers = {}
  -- Behind the deployment's TLS proxy: no HTTPS redirect, as in production.
  headers["X-Forwarded-Proto"] = "https"
  headers["Accept"] = "application/json"
  if cookie ~= "" then
    headers["Cookie"] = cookie
    headers["Accept"] = "text/html"
  elseif token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  items = {}
  local i = 0
  for _, id in ipairs(split(pool_env)) do
    if i % nthreads == (tid or 1) - 1 then
      table.insert(items, id)
    end
    i = i + 1
  end
  if body or #items > 0 then
    headers["Content-Type"] = "application/json"
  end
  statuses = {}
  paths = split(paths_env)
  position = 0
end

function request()
  position = position + 1
  if #items > 0 then
    local id = items[(position - 1) % #items + 1]
    local to_status = (statuses[id] == "IN_PROGRESS") and "OPEN" or "IN_PROGRESS"
    local path = string.gsub(path_template, "{id}", id)
    return wrk.format("POST", path, headers, '{"to_status": "' .. to_status .. '"}')
  end
  if #paths > 0 then
    return wrk.format("GET", paths[(position - 1) % #paths + 1], headers)
  end
  return wrk.format(method, path_template, headers, body)
end

if pool_env ~= "" then
  -- The ticket JSON starts with its id; its first "status" is the ticket's.
  function response(status, headers, body)
    if status == 200 and body then
      local id = string.match(body, '"id":%s*"([%w%-]+)"')
      local current = string.match(body, '"status":%s*"([%u_]+)"')
      if id and current then
        statuses[id] = current
      end
    end
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, ' ..
    '"read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
