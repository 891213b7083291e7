//! The catalog example (openapi/catalog.yaml) at run time: the generator's parameters in every
//! location, enums, arrays, maps, formats, inline and recursive schemas, defaults and component
//! references behave as the spec says. Every response is checked against catalog.yaml.

use std::sync::Arc;

use serde_json::{json, Value};

use codegen_testing::{differences, normalize_served, normalize_written};
use codegen_testing::{Checked, TestServer};

const SEED: &str = "6c1e55a4-0b7a-4d1e-9f2a-1d5c0e3b7a11";

/// catalog-example's openapi.yaml as JSON: the oracle every response is checked against.
fn spec() -> Arc<Value> {
    Arc::new(codegen_testing::written_document(include_str!(
        "../openapi.yaml"
    )))
}

/// The example served on 127.0.0.1 with a free port, every response checked.
async fn spawn_catalog() -> TestServer {
    TestServer::start(catalog_example::routes(), spec()).await
}

/// The document poem-openapi derives from the generated code.
fn derived() -> Value {
    codegen_testing::derived_document(
        catalog_example::api::service(catalog_example::Catalog::seeded()).spec(),
    )
}

#[tokio::test]
async fn served_document_equals_catalog_yaml() {
    let served = derived();

    let diffs = differences(
        &normalize_served(&served, &spec()),
        &normalize_written(&spec()),
    );
    assert!(
        diffs.is_empty(),
        "served /openapi.json differs from openapi/catalog.yaml at:\n{}",
        diffs.join("\n")
    );
}

async fn post(app: &TestServer, path: &str, body: Value) -> Checked {
    app.send(
        "POST",
        path,
        Some("application/json"),
        Some(body.to_string().into_bytes()),
    )
    .await
}

#[tokio::test]
async fn every_operation_answers_as_declared() {
    let app = spawn_catalog().await;

    let listed = app
        .send(
            "GET",
            "/books?tag=rust&tag=programming&genre=reference&order=desc&page-size=5",
            None,
            None,
        )
        .await;
    let created = post(&app, "/books", json!({
        "title": "Dune", "genre": "fiction", "tags": ["sf", "classic"], "price_cents": 995,
        "published": "1965-08-01T00:00:00Z", "homepage": "https://example.org/dune",
        "metadata": {"edition": "first"}, "author": {"name": "Frank Herbert", "email": "frank@example.org"},
        "weight_kg": 0.4, "dimensions_cm": [17.5, 10.6, 3.0],
    }))
    .await;
    let id = created.json["id"].as_str().unwrap().to_owned();
    let read = app.get(&format!("/books/{id}")).await;
    let replaced = app
        .send(
            "PUT",
            &format!("/books/{id}"),
            Some("application/json"),
            Some(br#"{"title":"Dune Messiah","genre":"fiction"}"#.to_vec()),
        )
        .await;
    let review = post(
        &app,
        &format!("/books/{id}/reviews"),
        json!({"rating": 5, "reviewer": "ann@example.org", "text": "Spice."}),
    )
    .await;
    let reviews = app.get(&format!("/books/{id}/reviews")).await;
    let categories = app.get("/categories").await;
    let stats = app.get("/stats").await;
    let health = app.get("/health").await;
    let deleted = app.delete(&format!("/books/{id}")).await;
    let gone = app.get(&format!("/books/{id}")).await;

    assert_eq!(listed.status, 200);
    assert_eq!(listed.json["books"][0]["id"], SEED);
    assert_eq!(created.status, 201);
    assert_eq!(
        created.header("location"),
        Some(format!("/books/{id}").as_str())
    );
    assert_eq!(
        created.json["available"], true,
        "the default of `available` applies"
    );
    assert_eq!(read.json, created.json);
    assert_eq!(replaced.json["title"], "Dune Messiah");
    assert_eq!(
        replaced.json["tags"],
        json!([]),
        "a replaced book loses what the new one omits"
    );
    assert_eq!(review.status, 201);
    assert_eq!(review.json["id"], 1);
    assert_eq!(reviews.json.as_array().unwrap().len(), 1);
    assert_eq!(
        categories.json["children"][0]["children"][0]["name"],
        "novels"
    );
    assert_eq!(stats.json["books"], 2);
    assert_eq!(
        stats.json["by_genre"],
        json!({"fiction": 1, "reference": 1})
    );
    assert_eq!(health.status, 204);
    assert!(health.header("x-uptime-seconds").is_some());
    assert_eq!(deleted.status, 204);
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn parameters_in_every_location_are_parsed_and_defaulted() {
    let app = spawn_catalog().await;
    for i in 0..12 {
        post(
            &app,
            "/books",
            json!({"title": format!("Book {i:02}"), "genre": "poetry"}),
        )
        .await;
    }

    let defaults = app.get("/books?genre=poetry").await;
    let with_header = app
        .send(
            "GET",
            "/books?genre=poetry&order=desc&page-size=2",
            None,
            None,
        )
        .await;
    let header_and_cookie = app
        .send_with(
            "GET",
            "/books?page-size=1",
            &[
                ("X-Request-Id", "3f2504e0-4f89-11d3-9a0c-0305e82c3301"),
                ("Cookie", "session=abc"),
            ],
            None,
        )
        .await
        .json;

    let titles = |v: &Value| -> Vec<String> {
        v["books"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles(&defaults.json).len(), 10, "page-size defaults to 10");
    assert_eq!(
        titles(&defaults.json)[0],
        "Book 00",
        "order defaults to asc"
    );
    assert_eq!(titles(&with_header.json), ["Book 11", "Book 10"]);
    assert_eq!(
        header_and_cookie["request_id"],
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    );
}

#[tokio::test]
async fn values_the_spec_forbids_are_400_problems() {
    let app = spawn_catalog().await;
    let books = format!("/books/{SEED}");
    let long_session = format!("session={}", "s".repeat(65));

    let mut statuses = Vec::new();
    for query in [
        "genre=comics",
        "tag=a&tag=b&tag=c&tag=d&tag=e&tag=f",
        "page-size=0",
        "page-size=51",
        "order=sideways",
    ] {
        statuses.push((
            query.to_owned(),
            app.get(&format!("/books?{query}")).await.status,
        ));
    }
    for (name, header) in [
        ("X-Request-Id", "not-a-uuid"),
        ("Cookie", long_session.as_str()),
    ] {
        let r = app
            .send_with("GET", "/books", &[(name, header)], None)
            .await;
        statuses.push((name.to_owned(), r.status));
    }
    for body in [
        json!({"title": "", "genre": "fiction"}),
        json!({"title": "T", "genre": "comics"}),
        json!({"title": "T", "genre": "fiction", "isbn": "12345"}),
        json!({"title": "T", "genre": "fiction", "price_cents": 7}),
        json!({"title": "T", "genre": "fiction", "tags": ["a", "a"]}),
        json!({"title": "T", "genre": "fiction", "published": "yesterday"}),
        json!({"title": "T", "genre": "fiction", "metadata": (0..11).map(|i| (i.to_string(), json!("v"))).collect::<serde_json::Map<_, _>>()}),
        json!({"title": "T", "genre": "fiction", "author": {"name": "A", "email": "not an email"}}),
        json!({"title": "T", "genre": "fiction", "colour": "red"}),
        json!({"title": "T", "genre": "fiction", "weight_kg": 0}),
        json!({"title": "T", "genre": "fiction", "dimensions_cm": [1.0, 2.0]}),
        json!({"title": "T", "genre": "fiction", "metadata": {}}),
    ] {
        let r = app
            .send(
                "PUT",
                &books,
                Some("application/json"),
                Some(body.to_string().into_bytes()),
            )
            .await;
        statuses.push((body.to_string(), r.status));
    }
    for body in [
        json!({"rating": 6, "reviewer": "a@example.org"}),
        json!({"rating": 3, "reviewer": "nobody"}),
        json!({"rating": 3, "reviewer": "a@example.org", "stars": 3}),
    ] {
        statuses.push((
            body.to_string(),
            post(&app, &format!("{books}/reviews"), body).await.status,
        ));
    }
    statuses.push(("bad id".into(), app.get("/books/42").await.status));

    let not_400: Vec<_> = statuses.iter().filter(|(_, s)| *s != 400).collect();
    assert!(not_400.is_empty(), "not rejected with 400: {not_400:?}");
    assert_eq!(
        app.get(&books).await.json["title"],
        "The Rust Programming Language",
        "nothing changed"
    );
}
