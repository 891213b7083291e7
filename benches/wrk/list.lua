-- GET the first page of 20 items (the harness stores 100 items first).
wrk.method = "GET"
wrk.path = "/items?limit=20"
