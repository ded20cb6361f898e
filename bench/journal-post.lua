-- wrk script for bench/write: POST /api/v1/journal as one signed-in member,
-- a JSON body of 173-189 bytes (one of eight, in turn), with the session
-- cookie and the CSRF token, which come from the environment (bench/write
-- sets them; they are never printed).  Every answer must be 201: the others
-- are counted by status, printed at the end, and make wrk exit 1.
--
--   BENCH_COOKIE=<session> BENCH_CSRF=<token> wrk ... -s bench/journal-post.lua URL

local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
if not cookie or cookie == "" or not csrf or csrf == "" then
	io.stderr:write("journal-post.lua: BENCH_COOKIE and BENCH_CSRF must be set\n")
	os.exit(2)
end

local texts = {
	"Today we talked for an hour without raising our voices, and I noticed how much I had been bracing for the worst. I want to remember this evening and what made it possible.",
	"I felt shut out at dinner when the phone came out again. I said so calmly this time, and we agreed to leave both phones in the hall until the dishes are done.",
	"Walked by the river after work. Small things help: she asked about my day first, and I actually listened instead of planning my answer. Trust grows slowly, but it grows.",
	"Hard morning. The old fear came back when a message arrived late at night. I wrote it down here instead of accusing, and later asked a question instead. That was better.",
	"We cooked together for the first time in months. Burnt the rice, laughed about it, and for twenty minutes nothing else mattered. I want more evenings like this one, please.",
	"Therapy homework: name one thing I appreciated today. He fixed the bike without being asked, and kept his word about being home by seven. I told him, and he looked surprised.",
	"I am tired of being the one who checks in first. Writing this so I can say it kindly on Sunday rather than sharply tonight. What I need is to feel that he is choosing us too.",
	"Good week overall. Two honest conversations, one apology that landed, and a plan for the weekend. Still anxious at times, but the anxiety passes faster than it used to.",
}

local counter = 0
local requests = {}
local threads = {}
-- globals, so that done() can read each thread's with thread:get()
statuses = {}
non201 = 0

function setup(thread)
	table.insert(threads, thread)
end

function init(args)
	for i, text in ipairs(texts) do
		-- a different number in each of the eight, so that no two bodies are the same
		local body = '{"body":"' .. text .. ' (' .. i .. ')"}'
		requests[i] = wrk.format("POST", nil, {
			["Content-Type"] = "application/json",
			["Cookie"] = "kintsugi_session=" .. cookie,
			["X-CSRF-Token"] = csrf,
		}, body)
	end
end

function request()
	counter = counter % #requests + 1
	return requests[counter]
end

function response(status, headers, body)
	if status ~= 201 then
		non201 = non201 + 1
		statuses[status] = (statuses[status] or 0) + 1
	end
end

function done(summary, latency, reqs)
	local total = 0
	local by = {}
	for _, thread in ipairs(threads) do
		total = total + (thread:get("non201") or 0)
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
	if #parts > 0 then
		io.write(string.format("non-201 responses: %d (%s)\n", total, table.concat(parts, ", ")))
	else
		io.write(string.format("non-201 responses: %d\n", total))
	end
	if total > 0 then
		os.exit(1)
	end
end
