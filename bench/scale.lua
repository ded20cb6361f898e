-- wrk script for bench/scale: signed-in requests spread over every member
-- of a database that bench/scale-gen filled, in turn, one member after the
-- other, so that the server's work touches all of the data and not one
-- member's hot rows.  The cookies file is scale-gen's (one line per member:
-- "<cookie> <csrf> <couple> <a|b>"); cookies and tokens are never printed.
--
--   wrk ... -s bench/scale.lua URL -- COOKIES MODE THREADS [PACE_MS]
--
-- MODE: journal (GET /api/v1/journal?limit=50), checkins (GET
-- /api/v1/checkins: the year of both partners' check-ins, revealed),
-- home (GET /home), write (POST /api/v1/journal and POST
-- /api/v1/checkins in turn) or post (POST /api/v1/journal alone: the
-- issue's journal POSTs per second).  THREADS is wrk's -t: thread k takes the
-- members whose line number is k modulo THREADS, so that two threads never
-- write the same member's check-in; on the reads, thread k starts its walk
-- k/THREADS of the way through the members, so that two threads do not ask
-- for the same member's rows one after the other (the second would find
-- them in the caches).  PACE_MS (0: none) makes each connection wait
-- between an answer and its next request, a random time averaging PACE_MS
-- milliseconds (from half to one and a half times it): the server then gets
-- a steady load below what it can take, and p99 is the time of a request,
-- not of a queue (bench/scale's paced runs).  A write-mix check-in is for a day
-- 400 days ago and earlier, one day further back each time for that member
-- (scale-gen's year is the last 365 days; bench/scale runs the write mix on
-- a copy of the database).  Every answer must be 200 (reads) or 201
-- (writes): the others are counted by status, printed at the end, and make
-- wrk exit 1.

local threads = {}
local nthreads = 0
-- globals, so that done() can read each thread's with thread:get()
statuses = {}
bad = 0
tid = 0

function setup(thread)
	thread:set("tid", nthreads)
	nthreads = nthreads + 1
	table.insert(threads, thread)
end

local mode
local want
local members = {}
local requests = {}
local counter = 0
local turn = 0

local texts = {
	"Today we talked for an hour without raising our voices, and I noticed how much I had been bracing for the worst. I want to remember this evening.",
	"I felt shut out at dinner when the phone came out again. I said so calmly this time, and we agreed to leave both phones in the hall.",
	"Walked by the river after work. Small things help: she asked about my day first, and I actually listened instead of planning my answer.",
	"We cooked together for the first time in months. Burnt the rice, laughed about it, and for twenty minutes nothing else mattered.",
}

-- "YYYY-MM-DD" of the day `days` before today (UTC)
local function day_before(days)
	return os.date("!%Y-%m-%d", os.time() - days * 86400)
end

function init(args)
	local path, n = args[1], tonumber(args[3] or "1")
	mode = args[2]
	if not path or not mode or not n then
		io.stderr:write("scale.lua: arguments COOKIES MODE THREADS\n")
		os.exit(2)
	end
	local paths = {
		journal = "/api/v1/journal?limit=50",
		checkins = "/api/v1/checkins",
		home = "/home",
	}
	local writes = mode == "write" or mode == "post"
	if not writes and not paths[mode] then
		io.stderr:write("scale.lua: MODE is journal, checkins, home, write or post\n")
		os.exit(2)
	end
	want = writes and 201 or 200
	local line_no = 0
	for line in io.lines(path) do
		local cookie, csrf = line:match("^(%S+) (%S+)")
		if cookie and (not writes or line_no % n == tid) then
			table.insert(members, {cookie = cookie, csrf = csrf, back = 400})
		end
		line_no = line_no + 1
	end
	if #members == 0 then
		io.stderr:write("scale.lua: no member for this thread in " .. path .. "\n")
		os.exit(2)
	end
	local pace = tonumber(args[4] or "0") or 0
	if pace > 0 then
		-- wrk looks for delay() after init(): defined only for paced runs
		math.randomseed(os.time() + tid)
		local lo = math.max(1, math.floor(pace / 2))
		local hi = math.max(lo, math.floor(pace * 3 / 2))
		delay = function()
			return math.random(lo, hi)
		end
	end
	if not writes then
		counter = math.floor(tid * #members / n)
		for i, m in ipairs(members) do
			requests[i] = wrk.format("GET", paths[mode], {
				["Cookie"] = "kintsugi_session=" .. m.cookie,
			})
		end
	end
end

local function write_request(m)
	local headers = {
		["Content-Type"] = "application/json",
		["Cookie"] = "kintsugi_session=" .. m.cookie,
		["X-CSRF-Token"] = m.csrf,
	}
	turn = turn + 1
	if mode == "post" or turn % 2 == 1 then
		local body = '{"body":"' .. texts[math.floor(turn / 2) % #texts + 1] .. ' (' .. turn .. ')"}'
		return wrk.format("POST", "/api/v1/journal", headers, body)
	end
	local period = day_before(m.back)
	m.back = m.back + 1
	local body = '{"period":"' .. period .. '","scores":{"emotional":4,"physical":3,' ..
		'"mental":4,"sexual":3,"financial":2},"trust":6,"closeness":7,' ..
		'"note":"A calmer day than most.","shared_with":["partner"]}'
	return wrk.format("POST", "/api/v1/checkins", headers, body)
end

function request()
	counter = counter % #members + 1
	if mode == "write" or mode == "post" then
		return write_request(members[counter])
	end
	return requests[counter]
end

function response(status, headers, body)
	if status ~= want then
		bad = bad + 1
		statuses[status] = (statuses[status] or 0) + 1
	end
end

function done(summary, latency, reqs)
	local total = 0
	local by = {}
	for _, thread in ipairs(threads) do
		total = total + (thread:get("bad") or 0)
		local s = thread:get("statuses") or {}
		for code, n in pairs(s) do
			by[code] = (by[code] or 0) + n
		end
	end
	local parts = {}
	for code, n in pairs(by) do
		table.insert(parts, code .. ": " .. n)
	end
	table.sort(parts)
	io.write(string.format("unexpected responses: %d%s\n", total,
		#parts > 0 and (" (" .. table.concat(parts, ", ") .. ")") or ""))
	if total > 0 then
		os.exit(1)
	end
end
