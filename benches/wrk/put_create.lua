-- PUT a new id every time: 201 every time. Ids are unique per run (time + random prefix).
math.randomseed(os.time())
local prefix = "c" .. os.time() .. "-" .. math.random(1, 1000000) .. "-"
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("PUT", "/items/" .. prefix .. counter,
    { ["Content-Type"] = "application/json" }, '{"name":"new","size":1}')
end
