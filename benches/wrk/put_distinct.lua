-- PUT over 64 ids in turn (d0 … d63): with 64 connections, the requests in flight update
-- different rows, so a SQL store measures writes rather than one hot row's lock hand-over
-- (put_update). The warm-up creates the 64 items; measured runs are 200s.
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("PUT", "/items/d" .. (counter % 64),
    { ["Content-Type"] = "application/json" }, '{"name":"distinct","size":2}')
end
