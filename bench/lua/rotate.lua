-- GET each path of a list in turn (one list per thread, each thread starting elsewhere):
-- wrk -s rotate.lua URL -- paths.txt
local paths = {}
local i = 0

function init(args)
  for line in io.lines(args[1]) do
    paths[#paths + 1] = line
  end
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
