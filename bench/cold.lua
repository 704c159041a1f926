-- wrk: every request carries the next signed-in person's session cookie, so each of N people
-- asks once (a cold visit each); a thread stops once its share of the N has been answered.
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
  answered = 0
  share = 0
  for i = id + 1, #cookies, step do share = share + 1 end
end

function request()
  local cookie = cookies[next_index] or cookies[1]
  next_index = next_index + step
  return wrk.format("GET", path, {Cookie = cookie})
end

function response(status, headers, body)
  answered = answered + 1
  if answered >= share then
    wrk.thread:stop()
  end
end
