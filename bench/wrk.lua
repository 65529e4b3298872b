-- wrk script: the session cookie (and, for the creation POST, a fresh form each time),
-- then the latency percentiles and counts as one JSON line.
local cookie = os.getenv("BENCH_COOKIE") or ""
local body_template = os.getenv("BENCH_BODY")
local counter = 0
math.randomseed(os.time())

request = function()
  local headers = { ["Cookie"] = cookie }
  if body_template then
    counter = counter + 1
    -- A new form (its draft) each time: the same draft would find the same ticket.
    local draft = string.format("benchdraft%08d%06d", math.random(0, 99999999), counter)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", nil, headers, (body_template:gsub("DRAFT", draft)))
  end
  return wrk.format("GET", nil, headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"non_2xx_3xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, e.status,
    e.connect + e.read + e.write + e.timeout))
end
