//! Five corpus specs behind real servers on 127.0.0.1, over real HTTP: each serves its
//! document exactly as written (same JSON value, same key order), the document poem-openapi
//! derives from the generated code passes `codegen_testing`'s cross-check, and every
//! response a scenario receives is checked against the spec; each scenario observes every
//! (operation, status) pair its spec declares that a client can provoke.

use std::sync::Arc;

use codegen_testing::{Checked, TestServer};
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../codegen/tests/fixtures/corpus"
);

/// A corpus server and its checked client. The corpus is generated in the default mode, so
/// an undeclared 400, 401, 413 or 415 must be problem details.
struct Server {
    app: TestServer,
    text: String,
}

impl Server {
    async fn start(name: &str) -> Server {
        let text = std::fs::read_to_string(format!("{CORPUS}/{name}.yaml")).unwrap();
        let spec: Value = serde_yaml::from_str(&text).unwrap();
        let routes = corpus_servers::routes(name).expect("a corpus server");
        let app = TestServer::start(routes, Arc::new(spec))
            .await
            .default_mode();
        Server { app, text }
    }

    /// Sends a request with `headers` and, if given, a JSON body, not checked.
    async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> reqwest::Response {
        let mut req = reqwest::Client::new()
            .request(method.parse().unwrap(), format!("{}{path}", self.app.base));
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        req.send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    /// Sends a request with `headers` and, if given, a JSON body; the answer must be one the
    /// spec allows.
    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Checked {
        let mut all = headers.to_vec();
        if body.is_some() {
            all.push(("content-type", "application/json"));
        }
        self.app
            .send_with(method, path, &all, body.map(|b| b.as_bytes().to_vec()))
            .await
    }

    /// A request the server rejects before any handler, where the spec's declared answer
    /// cannot be used (the build warned): problem details with `status`, nothing else checked.
    async fn rejected(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Value {
        let resp = self.request(method, path, headers, body).await;
        let status = resp.status().as_u16();
        assert_eq!(
            resp.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
        let problem: Value = resp.json().await.unwrap();
        assert_eq!(problem["status"], status, "{problem}");
        assert!(
            problem["title"].is_string() && problem["type"].is_string(),
            "{problem}"
        );
        problem
    }

    /// The document at /openapi.json is the written one, key order kept; /openapi.yaml is
    /// the file; the derived document passes the cross-check, but for the differences the
    /// build warned about (`warned`: pointers the cross-check must still report).
    async fn documents_are_the_written_spec(&self, derived: String, warned: &[&str]) {
        let served = self.app.served_document().await;
        assert_eq!(
            serde_json::to_string(&served).unwrap(),
            serde_json::to_string(self.app.spec()).unwrap(),
            "/openapi.json is the written document, key order kept"
        );
        assert_eq!(self.app.served("/openapi.yaml").await, self.text);
        let diffs = codegen_testing::cross_check(&derived, &self.text);
        let (expected, unexpected): (Vec<&String>, Vec<&String>) = diffs
            .iter()
            .partition(|d| warned.iter().any(|w| d.starts_with(&format!("{w}:"))));
        assert!(
            unexpected.is_empty(),
            "the derived document differs from the spec at:\n{unexpected:#?}"
        );
        assert_eq!(
            expected.len(),
            warned.len(),
            "a warned difference is gone: {diffs:#?}"
        );
    }

    /// Every response the spec declares (code, range or `default`) was answered.
    fn all_declared_statuses_seen(&self) {
        assert_eq!(
            self.app.coverage().missing(self.app.spec()),
            Vec::<String>::new(),
            "declared but never observed"
        );
    }
}

#[tokio::test]
async fn todo_list() {
    use corpus_servers::todo_list::{api, Todos};
    let s = Server::start("todo_list").await;
    s.documents_are_the_written_spec(api::service(Todos::default()).spec(), &[])
        .await;

    let created = s
        .send("POST", "/todos", &[], Some(r#"{"title": "write tests"}"#))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(
        created.json["done"], false,
        "the default of an omitted optional field"
    );
    let id = created.json["id"].as_i64().unwrap();
    assert_eq!(
        s.send("GET", &format!("/todos/{id}"), &[], None).await.json["title"],
        "write tests"
    );
    let updated = s
        .send(
            "PUT",
            &format!("/todos/{id}"),
            &[],
            Some(r#"{"id": 0, "title": "done", "done": true}"#),
        )
        .await;
    assert_eq!(
        (updated.status, updated.json["id"].as_i64()),
        (200, Some(id)),
        "the path's id wins"
    );
    assert_eq!(
        s.send("GET", "/todos", &[], None)
            .await
            .json
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let deleted = s.send("DELETE", &format!("/todos/{id}"), &[], None).await;
    assert_eq!((deleted.status, deleted.bytes.len()), (204, 0));
    assert_eq!(
        s.send("GET", &format!("/todos/{id}"), &[], None)
            .await
            .status,
        404
    );
    // Rejected before the handler: undeclared 400s in problem details, nothing stored.
    for (path, body) in [
        ("/todos", r#"{"done": true}"#),
        ("/todos", "{"),
        ("/todos", r#"{"title": 5}"#),
    ] {
        assert_eq!(
            s.send("POST", path, &[], Some(body)).await.status,
            400,
            "{body}"
        );
    }
    assert_eq!(s.send("GET", "/todos/abc", &[], None).await.status, 400);
    assert_eq!(
        s.send("GET", "/todos", &[], None).await.json,
        serde_json::json!([])
    );
    s.all_declared_statuses_seen();
}

#[tokio::test]
async fn geo_places() {
    use corpus_servers::geo_places::{api, Places};
    let s = Server::start("geo_places").await;
    // The build warns: "constraints on items that are themselves arrays or maps are not
    // checked" (a polygon's ring of coordinate pairs: the pairs' lengths).
    let warned = [
        "/components/schemas/Polygon/properties/coordinates/items/items/maxItems",
        "/components/schemas/Polygon/properties/coordinates/items/items/minItems",
    ];
    s.documents_are_the_written_spec(api::service(Places::default()).spec(), &warned)
        .await;

    // Near Belém (the tower is about 300 m away, LX Factory about 3 km), API key in the query.
    let near = s
        .send(
            "GET",
            "/places/nearby?key=k&lat=38.6930&lng=-9.2130&radius=1000",
            &[],
            None,
        )
        .await;
    assert_eq!(near.status, 200);
    let ids: Vec<&str> = near
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["belem"]);
    assert!(near.json[0]["distance_m"].as_f64().unwrap() < 500.0);
    let wide = s
        .send(
            "GET",
            "/places/nearby?key=k&lat=38.6930&lng=-9.2130&radius=50000&categories=market,park",
            &[],
            None,
        )
        .await;
    assert_eq!(
        wide.json.as_array().map(Vec::len),
        Some(1),
        "form, explode: false: a comma list"
    );
    assert_eq!(wide.json[0]["id"], "lx-factory");

    let within = s
        .send(
            "GET",
            "/places/within?key=k&bbox=-9.25|38.68|-9.17|38.71",
            &[],
            None,
        )
        .await;
    assert_eq!(within.status, 200);
    assert_eq!(within.header("content-type"), Some("application/geo+json"));
    assert_eq!(within.json["type"], "FeatureCollection");
    assert_eq!(within.json["features"].as_array().map(Vec::len), Some(2));
    assert_eq!(within.json["features"][0]["geometry"]["type"], "Point");
    let limited = s
        .send(
            "GET",
            "/places/within?key=k&limit=1&bbox=-9.25|38.68|-9.17|38.71",
            &[],
            None,
        )
        .await;
    assert_eq!(limited.json["features"].as_array().map(Vec::len), Some(1));

    assert_eq!(
        s.send("GET", "/places/belem?key=k", &[], None).await.json["hours"]["mon"][0],
        "09:00-18:00"
    );
    assert_eq!(
        s.send("GET", "/places/nowhere?key=k", &[], None)
            .await
            .status,
        404
    );

    // Rejected before the handler, in problem details: no key, a bbox of three numbers, a
    // radius over the maximum, a latitude that is not a number.
    for path in [
        "/places/belem",
        "/places/within?key=k&bbox=-9.25|38.68|-9.17",
        "/places/nearby?key=k&lat=38.69&lng=-9.21&radius=50001",
        "/places/nearby?key=k&lat=north&lng=-9.21",
    ] {
        let rejected = s.send("GET", path, &[], None).await;
        assert!(
            matches!(rejected.status, 400 | 401),
            "{path}: {}",
            rejected.status
        );
        assert_eq!(
            rejected.header("content-type"),
            Some("application/problem+json"),
            "{path}"
        );
    }
    s.all_declared_statuses_seen();
}

#[tokio::test]
async fn job_queue() {
    use corpus_servers::job_queue::{api, Jobs, QUEUE_CAPACITY};
    let s = Server::start("job_queue").await;
    s.documents_are_the_written_spec(api::service(Jobs::default()).spec(), &[])
        .await;
    let key = [("x-api-key", "k")];

    let ran = s
        .send(
            "POST",
            "/queues/thumbs/jobs?wait=true",
            &key,
            Some(r#"{"task": "t", "payload": {"w": 64}}"#),
        )
        .await;
    assert_eq!(
        (ran.status, &ran.json["state"], &ran.json["result"]),
        (200, &"succeeded".into(), &serde_json::json!({"w": 64}))
    );
    assert_eq!(
        ran.json["priority"], 2,
        "the default of a $ref'd integer enum"
    );
    let later = s
        .send(
            "POST",
            "/queues/thumbs/jobs",
            &key,
            Some(r#"{"task": "t", "run_at": "2999-01-01T00:00:00Z"}"#),
        )
        .await;
    assert_eq!(later.status, 201);
    let queued = s
        .send(
            "POST",
            "/queues/thumbs/jobs",
            &key,
            Some(r#"{"task": "t", "dedupe_key": "once", "priority": 3}"#),
        )
        .await;
    assert_eq!(queued.status, 202);
    let id = queued.json["id"].as_str().unwrap().to_owned();
    assert_eq!(
        queued.header("location"),
        Some(format!("/jobs/{id}").as_str())
    );
    assert_eq!(queued.header("retry-after"), Some("5"));
    let again = s
        .send(
            "POST",
            "/queues/thumbs/jobs",
            &key,
            Some(r#"{"task": "other", "dedupe_key": "once"}"#),
        )
        .await;
    assert_eq!(
        (again.status, again.json["id"].as_str()),
        (200, Some(id.as_str())),
        "deduplicated"
    );

    let listed = s
        .send(
            "GET",
            "/queues/thumbs/jobs?priority=3&state=queued",
            &key,
            None,
        )
        .await;
    assert_eq!(listed.json.as_array().map(Vec::len), Some(1));
    let queues = s.send("GET", "/queues", &key, None).await;
    assert_eq!(queues.json[0]["name"], "thumbs");
    assert_eq!(
        s.send("GET", &format!("/jobs/{id}"), &key, None).await.json["state"],
        "queued"
    );
    assert_eq!(
        s.send("POST", &format!("/jobs/{id}/cancel"), &key, None)
            .await
            .status,
        202
    );
    let twice = s
        .send("POST", &format!("/jobs/{id}/cancel"), &key, None)
        .await;
    assert_eq!(
        (twice.status, &twice.json["error"]["code"]),
        (409, &"not_cancellable".into())
    );
    let unknown = "00000000-0000-0000-0000-0000000000ff";
    assert_eq!(
        s.send("GET", &format!("/jobs/{unknown}"), &key, None)
            .await
            .status,
        404
    );

    // The handler's own 400, and 429 once the queue is full.
    let past = s
        .send(
            "POST",
            "/queues/thumbs/jobs",
            &key,
            Some(r#"{"task": "t", "run_at": "2000-01-01T00:00:00Z"}"#),
        )
        .await;
    assert_eq!(
        (past.status, &past.json["error"]["code"]),
        (400, &"run_at_in_past".into())
    );
    let mut full = None;
    for _ in 0..=QUEUE_CAPACITY {
        let answer = s
            .send("POST", "/queues/busy/jobs", &key, Some(r#"{"task": "t"}"#))
            .await;
        if answer.status == 429 {
            full = Some(answer);
            break;
        }
    }
    assert_eq!(
        full.expect("the queue fills").json["error"]["code"],
        "queue_full"
    );

    // Rejected before the handler. The build warns "`ErrorEnvelope` cannot carry a rejected
    // request ... the server answers rejections with RFC 9457 problem details instead": so
    // these 400s are problem details, not the declared envelope.
    for (path, body) in [
        ("/queues/thumbs/jobs", r#"{"payload": 1}"#),
        ("/queues/thumbs/jobs", r#"{"task": "t", "priority": 7}"#),
        ("/queues/thumbs/jobs", "{"),
        ("/queues/Not_A_Name/jobs", r#"{"task": "t"}"#),
    ] {
        let problem = s.rejected("POST", path, &key, Some(body)).await;
        assert_eq!(problem["status"], 400, "{path} {body}: {problem}");
    }
    assert_eq!(
        s.rejected("POST", "/queues/thumbs/jobs", &[], Some(r#"{"task": "t"}"#))
            .await["status"],
        401
    );
    // An operation that declares no 400: the server's problem details are allowed by the checker.
    assert_eq!(s.send("GET", "/jobs/42", &key, None).await.status, 400);
    assert_eq!(
        s.send("GET", "/queues/thumbs/jobs?state=lost", &key, None)
            .await
            .status,
        400
    );
    s.all_declared_statuses_seen();
}

#[tokio::test]
async fn inventory() {
    use corpus_servers::inventory::{api, Inventory};
    let s = Server::start("inventory").await;
    s.documents_are_the_written_spec(api::service(Inventory::default()).spec(), &[])
        .await;
    let token = ("authorization", "Bearer t0ken");

    let tree = s.send("GET", "/categories", &[token], None).await;
    assert_eq!(tree.json[0]["children"][0]["children"][0]["name"], "Bits");
    let shallow = s.send("GET", "/categories?depth=1", &[token], None).await;
    assert!(
        shallow.json[0].get("children").is_none(),
        "{}",
        shallow.json
    );

    let item = r#"{"sku": "TLS-0000", "name": "Hammer", "category_id": 1, "stock": {"AMS-1": 5}}"#;
    let put = |warehouses: &'static str| [token, ("x-warehouse-ids", warehouses)];
    let created = s
        .send("PUT", "/items/TLS-0001", &put("AMS-1,BER-2"), Some(item))
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.json["sku"], "TLS-0001", "the path's SKU wins");
    assert_eq!(created.json["unit"], "each", "a string enum's default");
    assert_eq!(
        created.json["stock"],
        serde_json::json!({"AMS-1": 5, "BER-2": 0})
    );
    assert_eq!(
        s.send("PUT", "/items/TLS-0001", &put("AMS-1"), Some(item))
            .await
            .status,
        200
    );
    let unknown_category = r#"{"sku": "TLS-0002", "name": "Saw", "category_id": 99}"#;
    assert_eq!(
        s.send(
            "PUT",
            "/items/TLS-0002",
            &put("AMS-1"),
            Some(unknown_category)
        )
        .await
        .status,
        422
    );

    let adjusted = s
        .send(
            "PATCH",
            "/items/TLS-0001/stock",
            &[token],
            Some(r#"{"AMS-1": -3, "BER-2": 10}"#),
        )
        .await;
    assert_eq!(adjusted.json, serde_json::json!({"AMS-1": 2, "BER-2": 10}));
    let overdrawn = s
        .send(
            "PATCH",
            "/items/TLS-0001/stock",
            &[token],
            Some(r#"{"AMS-1": -3}"#),
        )
        .await;
    assert_eq!(
        (
            overdrawn.status,
            overdrawn.header("content-type").unwrap_or_default()
        ),
        (409, "application/problem+json")
    );
    let one = s
        .send(
            "GET",
            "/items/TLS-0001",
            &[token, ("x-warehouse-ids", "BER-2")],
            None,
        )
        .await;
    assert_eq!(
        one.json["stock"],
        serde_json::json!({"BER-2": 10}),
        "the header's list filters"
    );
    assert_eq!(
        s.send("GET", "/items/TLS-0001", &[token], None).await.json["stock"]["AMS-1"],
        2,
        "nothing else changed"
    );
    assert_eq!(
        s.send("GET", "/items/TLS-9999", &[token], None)
            .await
            .status,
        404
    );

    // Rejected before the handler, with problem details: no token, a SKU off its pattern, a
    // depth over 10, a PUT without the header its operation requires, a stock level that is
    // not an integer.
    assert_eq!(s.send("GET", "/categories", &[], None).await.status, 401);
    assert_eq!(
        s.send("GET", "/items/hammer", &[token], None).await.status,
        400
    );
    assert_eq!(
        s.send("GET", "/categories?depth=11", &[token], None)
            .await
            .status,
        400
    );
    assert_eq!(
        s.send("PUT", "/items/TLS-0003", &[token], Some(item))
            .await
            .status,
        400
    );
    assert_eq!(
        s.send(
            "PATCH",
            "/items/TLS-0001/stock",
            &[token],
            Some(r#"{"AMS-1": "many"}"#)
        )
        .await
        .status,
        400
    );
    assert_eq!(
        s.send("GET", "/items/TLS-0001", &[token], None).await.json["stock"]["AMS-1"],
        2
    );
    s.all_declared_statuses_seen();
}

#[tokio::test]
async fn event_stream() {
    use corpus_servers::event_stream::{api, Feed, WORKSPACE};
    let s = Server::start("event_stream").await;
    s.documents_are_the_written_spec(api::service(Feed::default()).spec(), &[])
        .await;
    let token = [("authorization", "Bearer t0ken")];
    let events = format!("/workspaces/{WORKSPACE}/events");

    let first = s
        .send("GET", &format!("{events}?limit=2"), &token, None)
        .await;
    assert_eq!(
        (
            first.json["has_more"].as_bool(),
            first.json["next_cursor"].as_str()
        ),
        (Some(true), Some("ev2"))
    );
    assert_eq!(
        first.json["data"][0]["type"], "member.joined",
        "the discriminator value of the mapping"
    );
    assert_eq!(first.json["data"][0]["role"], "admin");
    assert_eq!(first.json["data"][1]["size"], 52_000);
    let rest = s
        .send("GET", &format!("{events}?limit=2&cursor=ev2"), &token, None)
        .await;
    assert_eq!(rest.json["data"][0]["changes"]["theme"]["new"], "dark");
    assert_eq!(
        (rest.json["has_more"].as_bool(), &rest.json["next_cursor"]),
        (Some(false), &Value::Null)
    );
    let members = s
        .send(
            "GET",
            &format!("{events}?types=member.joined,member.left"),
            &token,
            None,
        )
        .await;
    let kinds: Vec<&str> = members.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["member.joined", "member.left"]);
    let recent = s
        .send(
            "GET",
            &format!("{events}?since=2026-11-03T00:00:00Z"),
            &token,
            None,
        )
        .await;
    assert_eq!(recent.json["data"].as_array().map(Vec::len), Some(2));

    assert_eq!(
        s.send("GET", &format!("{events}/ev4"), &token, None)
            .await
            .json["reason"],
        "left"
    );
    assert_eq!(
        s.send("GET", &format!("{events}/ev9"), &token, None)
            .await
            .status,
        404
    );

    // Rejected before the handler, with problem details: an unknown event type in the list,
    // a workspace id that is not a UUID, a limit over 200, a timestamp that is not one.
    for path in [
        format!("{events}?types=member.joined,file.renamed"),
        "/workspaces/42/events".to_owned(),
        format!("{events}?limit=201"),
        format!("{events}?since=yesterday"),
    ] {
        assert_eq!(
            s.send("GET", &path, &token, None).await.status,
            400,
            "{path}"
        );
    }
    assert_eq!(s.send("GET", &events, &[], None).await.status, 401);
    s.all_declared_statuses_seen();
}
