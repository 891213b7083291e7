-- GET an existing item.
wrk.method = "GET"
wrk.path = "/items/foo"
