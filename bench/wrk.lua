-- wrk script of bench/load.py: adds the request headers given in BENCH_HEADERS (one
-- "Name: value" a line), sends BENCH_METHOD with BENCH_BODY when given (the creation
-- benchmark's POSTs), counts every response that is not a 2xx (wrk itself only counts
-- statuses above 399), and prints one machine-readable line with the figures load.py reads.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.body = os.getenv("BENCH_BODY")
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then wrk.headers[name] = value end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
  bad_status = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    bad_status = status
  end
end

function done(summary, latency, requests)
  local bad_total, status = 0, 0
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    if thread:get("bad_status") ~= 0 then status = thread:get("bad_status") end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"non_2xx": %d, "non_2xx_status": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    bad_total, status, e.connect + e.read + e.write + e.timeout))
end
