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
