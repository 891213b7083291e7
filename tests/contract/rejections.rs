//! Bad requests: each gets a 4xx problem+json (checked against the spec by the client) and
//! leaves the whole store as it was.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// Sends a request that must be rejected with `status`; asserts the store is unchanged.
async fn rejected(
    app: &TestApp,
    status: u16,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Value {
    let before = app.all_items().await;

    let response = app
        .send(method, path, content_type, Some(body.to_vec()))
        .await;

    assert_eq!(
        response.status,
        status,
        "{method} {path} {}: {response:?}",
        String::from_utf8_lossy(body)
    );
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(response.json["status"], status);
    assert_eq!(
        app.all_items().await,
        before,
        "a rejected request changed the store"
    );
    response.json
}

const JSON: Option<&str> = Some("application/json");

pub async fn malformed_and_mistyped_bodies_are_400() {
    let app = spawn_app().await;

    for body in [
        &br#"{"name":"#[..],
        br#"{"size":"big"}"#,
        br#"{"size":1.5}"#,
        br#"[1,2]"#,
        br#""#,
        br#"null"#,
        br#"{"name":{"first":"x"}}"#,
        // poem-openapi's own String reads these as "7" and "true": JsonBody does not.
        br#"{"name":7}"#,
        br#"{"name":true,"size":1}"#,
    ] {
        rejected(&app, 400, "PUT", "/items/foo", JSON, body).await;
        rejected(&app, 400, "PUT", "/items/newone", JSON, body).await;
    }
}

pub async fn an_unknown_field_is_400_and_names_the_field() {
    let app = spawn_app().await;

    let problem = rejected(&app, 400, "PUT", "/items/foo", JSON, br#"{"nmae":"typo"}"#).await;

    assert!(
        problem["detail"].as_str().unwrap().contains("nmae"),
        "{problem}"
    );
    assert_eq!(problem["errors"][0]["in"], "body");
    assert_eq!(problem["errors"][0]["pointer"], "/nmae");
}

/// Each rejection says where it was, in the request and in the spec (`errors`): the
/// parameter or body member by the spec's name, and the schema that refused it.
pub async fn rejections_point_at_the_request_and_the_spec() {
    let app = spawn_app().await;
    // (method, path, body, in, pointer, schema)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a [u8],
        &'a str,
        &'a str,
        Option<&'a str>,
    );
    let cases: [Case; 4] = [
        (
            "PUT",
            "/items/foo",
            br#"{"size":"x"}"#,
            "body",
            "/size",
            Some("#/components/schemas/ItemUpdate/properties/size"),
        ),
        (
            "PUT",
            "/items/a%20b",
            br#"{}"#,
            "path",
            "/item_id",
            Some("#/components/parameters/ItemIdPath/schema"),
        ),
        (
            "GET",
            "/items?limit=500",
            b"",
            "query",
            "/limit",
            Some("#/paths/~1items/get/parameters/0/schema"),
        ),
        (
            "PUT",
            "/items/foo",
            b"{",
            "body",
            "",
            Some("#/components/schemas/ItemUpdate"),
        ),
    ];
    for (method, path, body, location, pointer, schema) in cases {
        let content_type = (!body.is_empty()).then_some("application/json");
        let problem = rejected(&app, 400, method, path, content_type, body).await;
        let error = &problem["errors"][0];
        assert_eq!(error["in"], location, "{method} {path}: {problem}");
        assert_eq!(error["pointer"], pointer, "{method} {path}: {problem}");
        assert_eq!(
            error["schema"].as_str(),
            schema,
            "{method} {path}: {problem}"
        );
        assert!(error["message"].is_string(), "{problem}");
        assert!(
            !problem["detail"].as_str().unwrap().contains("param0"),
            "{problem}"
        );
    }
}

/// `(in, pointer, schema)` of each error of a problem body.
fn places(problem: &Value) -> Vec<(String, String, String)> {
    problem["errors"]
        .as_array()
        .expect("an errors list")
        .iter()
        .map(|e| {
            let text = |key: &str| e[key].as_str().unwrap_or_default().to_owned();
            (text("in"), text("pointer"), text("schema"))
        })
        .collect()
}

pub async fn every_parameter_problem_is_reported_at_once() {
    let app = spawn_app().await;
    let owned = |cases: &[(&str, &str, &str)]| -> Vec<(String, String, String)> {
        cases
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect()
    };

    // Two query parameters: a bound and a pattern.
    let problem = rejected(&app, 400, "GET", "/items?limit=500&cursor=a%20b", None, b"").await;
    assert_eq!(
        places(&problem),
        owned(&[
            ("query", "/limit", "#/paths/~1items/get/parameters/0/schema"),
            (
                "query",
                "/cursor",
                "#/paths/~1items/get/parameters/1/schema"
            ),
        ]),
        "{problem}"
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("query /limit: must be at most 100")
            && detail.contains("query /cursor: must match the pattern"),
        "{detail}"
    );

    // A path parameter and a header; the body is not read once a parameter failed.
    let long_tag = format!("\"{}\"", "x".repeat(2000));
    let before = app.all_items().await;
    let response = app
        .send_with(
            "PUT",
            "/items/a%20b",
            &[
                ("content-type", "application/json"),
                ("if-match", &long_tag),
            ],
            Some(br#"{"size":-1}"#.to_vec()),
        )
        .await;
    assert_eq!(response.status, 400, "{response:?}");
    assert_eq!(
        places(&response.json),
        owned(&[
            (
                "path",
                "/item_id",
                "#/components/parameters/ItemIdPath/schema"
            ),
            (
                "header",
                "/If-Match",
                "#/components/parameters/IfMatch/schema"
            ),
        ]),
        "{:?}",
        response.json
    );
    assert_eq!(
        response.json["errors"][1]["message"],
        "must be at most 1024 characters long"
    );
    assert_eq!(app.all_items().await, before);

    // Each parameter alone is still reported alone, and a valid request still passes.
    let problem = rejected(&app, 400, "GET", "/items?limit=0", None, b"").await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 1, "{problem}");
    let listed = app.send("GET", "/items?limit=1", None, None).await;
    assert_eq!(listed.status, 200);
}

pub async fn values_outside_the_specs_limits_are_400() {
    let app = spawn_app().await;
    let long_name = json!({ "name": "n".repeat(101) }).to_string();

    // Each says what the spec allows, in words, and sums it up in `detail`.
    for (body, detail) in [
        (
            long_name.as_bytes(),
            "body /name: must be at most 100 characters long",
        ),
        (br#"{"size":-1}"#, "body /size: must be at least 0"),
        (
            br#"{"size":1000001}"#,
            "body /size: must be at most 1000000",
        ),
        (
            br#"{"name":"a\u0000b"}"#,
            "body /name: must match the pattern `^[^\\x00]*$`",
        ),
        (
            br#"{"size":"x"}"#,
            "body /size: must be an integer, not \"x\"",
        ),
        (
            br#"{"nmae":1}"#,
            "body /nmae: is not a member the schema declares",
        ),
        (br#"[1]"#, "body: must be an object, not [1]"),
        (
            b"{\n  \"size\": 1,\n",
            "body: not valid JSON: EOF while parsing a value at line 3 column 0",
        ),
    ] {
        let problem = rejected(&app, 400, "PUT", "/items/foo", JSON, body).await;
        assert_eq!(problem["detail"], detail, "{problem}");
    }
    // Every problem of a body, not only the first, each in its place.
    let body = br#"{"size": -1, "name": "a\u0000", "nmae": 1, "sise": 2}"#;
    let problem = rejected(&app, 400, "PUT", "/items/foo", JSON, body).await;
    let errors: Vec<(&str, &str)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap(),
                e["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("/name", "must match the pattern `^[^\\x00]*$`"),
            ("/size", "must be at least 0"),
            ("/nmae", "is not a member the schema declares"),
            ("/sise", "is not a member the schema declares"),
        ],
        "{problem}"
    );
    assert_eq!(
        problem["errors"][1]["schema"],
        "#/components/schemas/ItemUpdate/properties/size"
    );
    assert_eq!(
        app.get("/items/foo").await.json["size"],
        6,
        "nothing was written"
    );

    let limit = rejected(&app, 400, "GET", "/items?limit=0", None, b"").await;
    assert_eq!(limit["detail"], "query /limit: must be at least 1");
    let id = rejected(&app, 400, "GET", "/items/a%20b", None, b"").await;
    assert_eq!(
        id["errors"][0]["message"],
        "must match the pattern `^[A-Za-z0-9._~-]*[A-Za-z0-9_~-][A-Za-z0-9._~-]*$`"
    );
}

pub async fn malformed_item_ids_are_400_on_every_operation() {
    let app = spawn_app().await;
    let long_id = format!("/items/{}", "x".repeat(65));

    for path in [
        "/items/b%20z",
        "/items/a%2Fb",
        long_id.as_str(),
        "/items/%C3%A9",
    ] {
        rejected(&app, 400, "PUT", path, JSON, br#"{}"#).await;
        rejected(&app, 400, "GET", path, None, b"").await;
        rejected(&app, 400, "DELETE", path, None, b"").await;
    }

    // `.` and `..` are path segments every client resolves away (`Location: /items/..`
    // would point at `/`): the pattern refuses ids of dots only. Sent raw, because HTTP
    // client libraries normalise them before sending.
    let before = app.all_items().await;
    for id in [".", "..", "..."] {
        let put = format!(
            "PUT /items/{id} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        );
        let path = format!("/items/{id}");
        let answer = app.raw("PUT", &path, put.as_bytes()).await;
        assert_eq!(answer.status, 400, "PUT {path}: {answer:?}");
        let get = format!("GET /items/{id} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert_eq!(
            app.raw("GET", &path, get.as_bytes()).await.status,
            400,
            "GET {path}"
        );
    }
    assert_eq!(app.all_items().await, before);
    // Dots among other characters are fine.
    assert_eq!(
        app.send("PUT", "/items/v1.2", JSON, Some(b"{}".to_vec()))
            .await
            .status,
        201
    );
}

pub async fn bad_listing_parameters_are_400() {
    let app = spawn_app().await;

    for query in [
        "limit=0",
        "limit=101",
        "limit=ten",
        "cursor=a%20b",
        "limit=-5",
    ] {
        rejected(&app, 400, "GET", &format!("/items?{query}"), None, b"").await;
    }
}

pub async fn a_body_that_is_not_declared_json_is_415() {
    let app = spawn_app().await;

    rejected(&app, 415, "PUT", "/items/foo", None, br#"{"name":"x"}"#).await;
    rejected(
        &app,
        415,
        "PUT",
        "/items/foo",
        Some("text/plain"),
        br#"{"name":"x"}"#,
    )
    .await;
    rejected(
        &app,
        415,
        "PUT",
        "/items/new",
        Some("application/x-www-form-urlencoded"),
        b"name=x",
    )
    .await;
}

pub async fn a_body_over_64_kib_is_413_with_or_without_content_length() {
    let app = spawn_app().await;
    let big = format!(r#"{{"name":"{}"}}"#, "a".repeat(70 * 1024));
    rejected(&app, 413, "PUT", "/items/foo", JSON, big.as_bytes()).await;
    let before = app.all_items().await;

    let mut chunked = b"PUT /items/big HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n".to_vec();
    for _ in 0..80 {
        chunked.extend_from_slice(format!("{:x}\r\n{}\r\n", 1024, "a".repeat(1024)).as_bytes());
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let response = app.raw("PUT", "/items/big", &chunked).await;

    assert_eq!(response.status, 413);
    assert_eq!(app.all_items().await, before);

    // A declared length over the limit is answered at once, before any body byte is sent:
    // no `100 Continue` first, and no waiting for a body of 10^18 bytes.
    for (length, expect) in [
        ("1000000000000000000", ""),
        ("70000", "Expect: 100-continue\r\n"),
    ] {
        let head = format!(
            "PUT /items/huge HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n{expect}Connection: close\r\n\r\n"
        );
        let response = app.raw_head("PUT", "/items/huge", head.as_bytes()).await;
        assert_eq!(response.status, 413, "Content-Length: {length}");
        assert!(!response.text.contains("100 Continue"), "{}", response.text);
    }
    assert_eq!(app.all_items().await, before);
}

pub async fn unknown_routes_and_methods_get_problem_bodies() {
    let app = spawn_app().await;

    rejected(&app, 404, "GET", "/nope", None, b"").await;
    rejected(&app, 404, "GET", "/items/foo/bar", None, b"").await;
    let post = rejected(&app, 405, "POST", "/items/foo", JSON, br#"{}"#).await;
    assert_eq!(post["title"], "Method Not Allowed");
    rejected(&app, 405, "PATCH", "/items", JSON, br#"{}"#).await;
    rejected(&app, 405, "TRACE", "/items/foo", None, b"").await;
    rejected(&app, 405, "POST", "/openapi.json", JSON, br#"{}"#).await;
}

/// RFC 9110: a 405 lists the allowed methods in `Allow`; OPTIONS on a path answers with the
/// same list; HEAD is answered wherever GET is, without a body.
pub async fn allowed_methods_are_announced_and_head_works() {
    let app = spawn_app().await;

    for (path, allow) in [
        ("/items/foo", "GET, PUT, DELETE, HEAD, OPTIONS"),
        ("/items", "GET, HEAD, OPTIONS"),
        ("/openapi.json", "GET, HEAD, OPTIONS"),
    ] {
        let not_allowed = app.send("PATCH", path, JSON, Some(b"{}".to_vec())).await;
        assert_eq!(
            (not_allowed.status, not_allowed.header("allow")),
            (405, Some(allow)),
            "PATCH {path}"
        );
        let options = app.send("OPTIONS", path, None, None).await;
        assert_eq!(
            (options.status, options.header("allow")),
            (204, Some(allow)),
            "OPTIONS {path}"
        );
        assert!(options.bytes.is_empty());
    }
    let options = app.send("OPTIONS", "/nope", None, None).await;
    assert_eq!(options.status, 404, "no path of the spec: still a 404");

    let get = app.get("/items/foo").await;
    let head = app.send("HEAD", "/items/foo", None, None).await;
    assert_eq!(head.status, 200);
    assert!(head.bytes.is_empty(), "HEAD has no body");
    assert_eq!(head.header("content-type"), get.header("content-type"));
    let missing = app.send("HEAD", "/items/nope", None, None).await;
    assert_eq!(missing.status, 404);
}

/// `X-Request-Id`: a usable one is echoed and names the problem (`instance`); an unusable one
/// (a space, a line break, too long) is replaced by a new id, never reflected.
pub async fn request_ids_are_echoed_and_name_the_problem() {
    let app = spawn_app().await;
    let mine = app
        .send_with(
            "GET",
            "/items/nope",
            &[("x-request-id", "client:7/a")],
            None,
        )
        .await;
    assert_eq!(mine.header("x-request-id"), Some("client:7/a"));
    assert_eq!(mine.json["instance"], "client:7/a");

    let long = "x".repeat(129);
    for bad in ["two words", long.as_str()] {
        let answer = app
            .send_with("GET", "/items/nope", &[("x-request-id", bad)], None)
            .await;
        let id = answer.header("x-request-id").unwrap();
        assert!(is_generated(id), "a new id, not {bad:?}: {id}");
        assert_eq!(answer.json["instance"], id);
    }
    let first = app.get("/items/foo").await;
    let second = app.get("/items/foo").await;
    let (a, b) = (
        first.header("x-request-id").unwrap(),
        second.header("x-request-id").unwrap(),
    );
    assert!(
        is_generated(a) && is_generated(b) && a != b,
        "every answer has its own: {a} {b}"
    );
}

/// `<12 hex digits>-<hex counter>`: a random prefix per process and a counter.
fn is_generated(id: &str) -> bool {
    id.split_once('-').is_some_and(|(prefix, n)| {
        prefix.len() == 12
            && !n.is_empty()
            && prefix
                .chars()
                .chain(n.chars())
                .all(|c| c.is_ascii_hexdigit())
    })
}

/// Limits below hyper's own, so that a too-long target or too many header bytes get problem
/// details (hyper answers past its limits with an empty body).
pub async fn long_targets_and_headers_get_problem_bodies() {
    let app = spawn_app().await;
    let long_path = format!("/items/foo?pad={}", "a".repeat(9 * 1024));
    let target = app.send("GET", &long_path, None, None).await;
    assert_eq!((target.status, &target.json["status"]), (414, &414.into()));
    let padding = "b".repeat(6 * 1024);
    let headers = [
        ("x-pad-1", padding.as_str()),
        ("x-pad-2", padding.as_str()),
        ("x-pad-3", padding.as_str()),
    ];
    let big = app.send_with("GET", "/items/foo", &headers, None).await;
    assert_eq!((big.status, &big.json["status"]), (431, &431.into()));
    assert_eq!(big.header("content-type"), Some("application/problem+json"));
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![
        malformed_and_mistyped_bodies_are_400,
        an_unknown_field_is_400_and_names_the_field,
        rejections_point_at_the_request_and_the_spec,
        every_parameter_problem_is_reported_at_once,
        values_outside_the_specs_limits_are_400,
        malformed_item_ids_are_400_on_every_operation,
        bad_listing_parameters_are_400,
        a_body_that_is_not_declared_json_is_415,
        a_body_over_64_kib_is_413_with_or_without_content_length,
        unknown_routes_and_methods_get_problem_bodies,
        allowed_methods_are_announced_and_head_works,
        request_ids_are_echoed_and_name_the_problem,
        long_targets_and_headers_get_problem_bodies,
    ]
}
