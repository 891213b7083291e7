-- PUT an existing item: 200 every time.
wrk.method = "PUT"
wrk.path = "/items/foo"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"Fighters","size":6}'
