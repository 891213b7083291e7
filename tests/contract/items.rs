//! The behaviour users rely on: 200 vs 201 on PUT, reads, deletes and paging.

use serde_json::json;

use crate::helpers::spawn_app;

pub async fn seed_scenario_update_is_200_create_is_201_with_location_then_200() {
    let app = spawn_app().await;

    let updated = app
        .put_json("/items/foo", json!({"name": "The Fighters", "size": 7}))
        .await;
    let created = app.put_json("/items/baz", json!({"name": "Baz"})).await;
    let again = app
        .put_json("/items/baz", json!({"name": "Baz", "size": 1}))
        .await;
    let read = app.get("/items/baz").await;

    assert_eq!(updated.status, 200);
    assert_eq!(updated.json, json!({"name": "The Fighters", "size": 7}));
    assert_eq!(created.status, 201);
    assert_eq!(created.header("location"), Some("/items/baz"));
    assert_eq!(created.json, json!({"name": "Baz", "size": null}));
    assert_eq!(again.status, 200);
    assert_eq!(read.status, 200);
    assert_eq!(read.json, json!({"name": "Baz", "size": 1}));
}

pub async fn seed_items_are_served() {
    let app = spawn_app().await;

    let fighters = app.get("/items/foo").await;
    let tenders = app.get("/items/bar").await;

    assert_eq!(fighters.json, json!({"name": "Fighters", "size": 6}));
    assert_eq!(tenders.json, json!({"name": "Tenders", "size": 3}));
}

pub async fn put_replaces_both_fields_so_an_omitted_field_becomes_null() {
    let app = spawn_app().await;

    let put = app.put_json("/items/foo", json!({"size": 9})).await;

    assert_eq!(put.status, 200);
    assert_eq!(
        app.get("/items/foo").await.json,
        json!({"name": null, "size": 9})
    );
}

pub async fn put_accepts_json_with_a_charset_parameter() {
    let app = spawn_app().await;

    let put = app
        .send(
            "PUT",
            "/items/qux",
            Some("application/json; charset=utf-8"),
            Some(br#"{"name":"Q"}"#.to_vec()),
        )
        .await;

    assert_eq!(put.status, 201);
}

pub async fn get_of_a_missing_item_is_404_problem() {
    let app = spawn_app().await;

    let missing = app.get("/items/nope").await;

    assert_eq!(missing.status, 404);
    assert_eq!(missing.json["status"], 404);
    assert_eq!(missing.json["title"], "Not Found");
}

pub async fn delete_is_204_then_404_and_the_item_is_gone() {
    let app = spawn_app().await;

    let first = app.delete("/items/bar").await;
    let second = app.delete("/items/bar").await;

    assert_eq!(first.status, 204);
    assert_eq!(second.status, 404);
    assert_eq!(app.get("/items/bar").await.status, 404);
}

pub async fn listing_pages_in_id_order_and_every_item_appears_once() {
    let app = spawn_app().await;
    for id in ["e", "a", "d", "c", "b"] {
        app.put_json(&format!("/items/{id}"), json!({"name": id}))
            .await;
    }

    let first = app.get("/items?limit=3").await;
    let cursor = first.json["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let second = app.get(&format!("/items?limit=3&cursor={cursor}")).await;
    let rest = app
        .get(&format!(
            "/items?limit=3&cursor={}",
            second.json["next_cursor"].as_str().unwrap()
        ))
        .await;

    let ids = |page: &crate::helpers::Checked| -> Vec<String> {
        page.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&first), ["a", "b", "bar"]);
    assert_eq!(ids(&second), ["c", "d", "e"]);
    assert_eq!(ids(&rest), ["foo"]);
    assert_eq!(rest.json["next_cursor"], json!(null));
}

pub async fn listing_defaults_to_20_items() {
    let app = spawn_app().await;
    for i in 0..25 {
        app.put_json(&format!("/items/item{i:02}"), json!({})).await;
    }

    let page = app.get("/items").await;

    assert_eq!(page.json["items"].as_array().unwrap().len(), 20);
    assert!(page.json["next_cursor"].is_string());
}

pub async fn a_body_sent_with_a_get_is_ignored_not_rejected() {
    let app = spawn_app().await;

    let read = app
        .send(
            "GET",
            "/items/foo",
            Some("text/plain"),
            Some(vec![b'x'; 100 * 1024]),
        )
        .await;

    assert_eq!(
        read.status, 200,
        "GET declares no 413; its body is not read"
    );
}

pub async fn conditional_requests_follow_rfc_9110() {
    let app = spawn_app().await;
    let read = app.get("/items/foo").await;
    let tag = read
        .header("etag")
        .expect("an ETag on every item answer")
        .to_owned();
    assert!(
        tag.starts_with('"') && tag.ends_with('"'),
        "a strong tag: {tag}"
    );

    let unchanged = app
        .send_with("GET", "/items/foo", &[("if-none-match", &tag)], None)
        .await;
    let weak = format!("W/{tag}");
    let unchanged_weak = app
        .send_with("GET", "/items/foo", &[("if-none-match", &weak)], None)
        .await;
    let other = app
        .send_with("GET", "/items/foo", &[("if-none-match", "\"1\", *x")], None)
        .await;
    assert_eq!(
        (unchanged.status, unchanged.header("etag")),
        (304, Some(tag.as_str()))
    );
    assert!(unchanged.bytes.is_empty(), "304 has no body");
    assert_eq!(unchanged_weak.status, 304, "If-None-Match compares weakly");
    assert_eq!(
        other.status, 200,
        "tags this server did not issue match nothing"
    );

    // A lost update is refused: the second writer holds the first read's tag.
    let first = app
        .put_json_with(
            "/items/foo",
            &[("if-match", &tag)],
            json!({"name": "first"}),
        )
        .await;
    let second = app
        .put_json_with(
            "/items/foo",
            &[("if-match", &tag)],
            json!({"name": "second"}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let new_tag = first.header("etag").unwrap().to_owned();
    assert_ne!(new_tag, tag, "a write changes the tag");
    assert_eq!(second.status, 412, "{}", second.text);
    assert_eq!(second.json["status"], 412);
    assert!(second.json["detail"].as_str().unwrap().contains("If-Match"));
    assert_eq!(
        app.get("/items/foo").await.json["name"],
        "first",
        "412 wrote nothing"
    );
    let weak_match = app
        .put_json_with(
            "/items/foo",
            &[("if-match", &format!("W/{new_tag}"))],
            json!({}),
        )
        .await;
    assert_eq!(weak_match.status, 412, "If-Match compares strongly");

    // Create-only, and If-Match never creates.
    let create_only = [("if-none-match", "*")];
    let made = app
        .put_json_with("/items/fresh", &create_only, json!({"size": 1}))
        .await;
    let again = app
        .put_json_with("/items/fresh", &create_only, json!({"size": 2}))
        .await;
    let never = app
        .put_json_with("/items/never", &[("if-match", "*")], json!({"size": 1}))
        .await;
    assert_eq!((made.status, again.status, never.status), (201, 412, 412));
    assert!(made.header("etag").is_some(), "201 carries the ETag");
    assert_eq!(app.get("/items/never").await.status, 404);

    // DELETE with a stale tag keeps the item; with the current one it goes, and a re-created
    // item never takes a tag it had before.
    let fresh_tag = made.header("etag").unwrap().to_owned();
    let stale = app
        .send_with("DELETE", "/items/foo", &[("if-match", &tag)], None)
        .await;
    assert_eq!(stale.status, 412);
    assert_eq!(app.get("/items/foo").await.status, 200);
    let gone = app
        .send_with("DELETE", "/items/fresh", &[("if-match", &fresh_tag)], None)
        .await;
    assert_eq!(gone.status, 204);
    let remade = app.put_json("/items/fresh", json!({"size": 1})).await;
    assert_eq!(remade.status, 201);
    let remade_tag = remade.header("etag").unwrap();
    assert_ne!(remade_tag, fresh_tag, "a re-created item has a new tag");
    let old_tag_after_recreate = app
        .put_json_with("/items/fresh", &[("if-match", &fresh_tag)], json!({}))
        .await;
    assert_eq!(
        old_tag_after_recreate.status, 412,
        "an old tag does not match the new item"
    );
    let unquoted = app
        .send_with("DELETE", "/items/foo", &[("if-match", "abc")], None)
        .await;
    assert_eq!(unquoted.status, 412, "an unquoted tag matches nothing");
    assert!(unquoted.json["detail"].as_str().unwrap().contains("quoted"));
}

/// The value of the sample `series` (name and labels, as written out) in a metrics text.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

pub async fn metrics_count_requests_by_operation_and_status() {
    let app = spawn_app().await;
    let found = r#"http_request_duration_seconds_count{operation="getItem",status="200"}"#;
    let missing = r#"http_request_duration_seconds_count{operation="getItem",status="404"}"#;
    let unrouted = r#"http_request_duration_seconds_count{operation="none",status="404"}"#;
    let store_gets = r#"item_store_call_duration_seconds_count{call="get",outcome="ok"}"#;
    let before = app.get("/metrics").await;
    assert_eq!(before.status, 200);
    assert!(before
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));

    app.get("/items/foo").await;
    app.get("/items/nope").await;
    app.get("/no/such/route").await;
    let after = app.get("/metrics").await.text;

    // Other tests share the process's metrics: each count grew by at least this test's share.
    for series in [found, missing, unrouted] {
        assert!(
            sample(&after, series) >= sample(&before.text, series) + 1.0,
            "{series} did not grow:\n{after}"
        );
    }
    assert!(sample(&after, store_gets) >= sample(&before.text, store_gets) + 2.0);
    assert!(
        sample(&after, "http_requests_in_flight") >= 1.0,
        "the scrape itself is in flight"
    );
    let le = r#"http_request_duration_seconds_bucket{operation="getItem",status="200",le="+Inf"}"#;
    assert_eq!(
        sample(&after, le),
        sample(&after, found),
        "a histogram's +Inf bucket is its count"
    );
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![
        seed_scenario_update_is_200_create_is_201_with_location_then_200,
        seed_items_are_served,
        put_replaces_both_fields_so_an_omitted_field_becomes_null,
        put_accepts_json_with_a_charset_parameter,
        get_of_a_missing_item_is_404_problem,
        delete_is_204_then_404_and_the_item_is_gone,
        listing_pages_in_id_order_and_every_item_appears_once,
        listing_defaults_to_20_items,
        a_body_sent_with_a_get_is_ignored_not_rejected,
        conditional_requests_follow_rfc_9110,
        metrics_count_requests_by_operation_and_status,
    ]
}
