-- wrk script: count responses by HTTP status across all threads.
--
--   wrk -s scripts/wrk-status.lua URL
--
-- When the run ends, done() prints one line per status seen, then the
-- socket errors of wrk's summary and the total of responses:
--
--   status 200: 12345
--   status 502: 3
--   errors connect 0 read 0 write 0 timeout 0
--   responses 12348
--
-- Each thread runs in its own Lua state, so each keeps its own table;
-- setup() remembers the threads and done() sums their tables, fetched
-- with thread:get.

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	statuses = {}
end

function response(status, headers, body)
	statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
	local total, codes, n = {}, {}, 0
	for _, thread in ipairs(threads) do
		for code, count in pairs(thread:get("statuses") or {}) do
			if total[code] == nil then
				table.insert(codes, code)
			end
			total[code] = (total[code] or 0) + count
		end
	end
	table.sort(codes)
	for _, code in ipairs(codes) do
		io.write(string.format("status %d: %d\n", code, total[code]))
		n = n + total[code]
	end
	local e = summary.errors
	io.write(string.format("errors connect %d read %d write %d timeout %d\n",
		e.connect, e.read, e.write, e.timeout))
	io.write(string.format("responses %d\n", n))
end
