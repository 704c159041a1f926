-- wrk: every request carries the next signed-in person's session cookie, so over a round the
-- people take turns (each thread walks its own share of them: 1, 1+T, 1+2T, …, round and round).
-- Environment: BENCH_COOKIES (a file, one "name=value" cookie per line), BENCH_PATH and
-- BENCH_THREADS (wrk's -t).
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  cookies = {}
  for line in io.lines(os.getenv("BENCH_COOKIES")) do
    table.insert(cookies, line)
  end
  path = os.getenv("BENCH_PATH")
  step = tonumber(os.getenv("BENCH_THREADS"))
  next_index = id + 1
end

function request()
  if next_index > #cookies then
    next_index = id + 1
  end
  local cookie = cookies[next_index]
  next_index = next_index + step
  return wrk.format("GET", path, {Cookie = cookie})
end
