-- 90% GET, 10% PUT update of the same item.
local counter = 0
request = function()
  counter = counter + 1
  if counter % 10 == 0 then
    return wrk.format("PUT", "/items/foo", { ["Content-Type"] = "application/json" },
      '{"name":"Fighters","size":6}')
  end
  return wrk.format("GET", "/items/foo")
end
