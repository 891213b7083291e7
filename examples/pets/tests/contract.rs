//! The pets example (openapi/pets.yaml) at run time: `allOf` objects, discriminated and plain
//! unions, several 2xx and bodiless responses, `default` and `4XX` responses, bodies in JSON,
//! text, image bytes and forms, and API-key, bearer and basic credentials behave as the spec
//! says. Every response is checked against pets.yaml.

use std::sync::Arc;

use serde_json::{json, Value};

use codegen_testing::TestServer;
use codegen_testing::{differences, normalize_served, normalize_written};

/// pets-example's openapi.yaml as JSON: the oracle every response is checked against.
fn spec() -> Arc<Value> {
    Arc::new(codegen_testing::written_document(include_str!(
        "../openapi.yaml"
    )))
}

/// The example served on 127.0.0.1 with a free port, every response checked.
async fn spawn_pets() -> TestServer {
    TestServer::start(pets_example::routes(), spec()).await
}

/// The document poem-openapi derives from the generated code.
fn derived() -> Value {
    codegen_testing::derived_document(
        pets_example::api::service(pets_example::Shelter::seeded()).spec(),
    )
}

#[tokio::test]
async fn served_document_equals_pets_yaml() {
    let served = derived();

    let diffs = differences(
        &normalize_served(&served, &spec()),
        &normalize_written(&spec()),
    );
    assert!(
        diffs.is_empty(),
        "served /openapi.json differs from openapi/pets.yaml at:\n{}",
        diffs.join("\n")
    );
}

/// The normalizations above are many; each known difference must still let a real change
/// through. One mutation per kind of construct they touch: an enum, a format, a status, a
/// discriminator mapping, a property type, security, a media type, a description.
/// (`additionalProperties: false` is not in the derived document: the probes of
/// items' `tests/contract/rejections.rs` and this file send an unknown member and expect a 400.)
#[tokio::test]
async fn a_changed_pets_yaml_is_reported() {
    let served = derived();
    let mutations: [(&str, Mutation); 8] = [
        ("/paths/~1pets/get/parameters/0/schema/enum", &|s| {
            s["paths"]["/pets"]["get"]["parameters"][0]["schema"]["enum"] = json!(["cat", "bird"]);
        }),
        (
            "/paths/~1adoptions/post/responses/202/headers/retry-after/schema/format",
            &|s| {
                s["paths"]["/adoptions"]["post"]["responses"]["202"]["headers"]["Retry-After"]
                    ["schema"]["format"] = json!("int64");
            },
        ),
        ("/paths/~1adoptions/post/responses/20", &|s| {
            let responses = &mut s["paths"]["/adoptions"]["post"]["responses"];
            responses["201"] = responses["202"].take();
        }),
        ("/components/schemas/Pet/discriminator/mapping", &|s| {
            s["components"]["schemas"]["Pet"]["discriminator"]["mapping"]["kitty"] =
                s["components"]["schemas"]["Pet"]["discriminator"]["mapping"]["cat"].take();
        }),
        ("/components/schemas/Cat/properties/indoor/type", &|s| {
            s["components"]["schemas"]["Cat"]["allOf"][1]["properties"]["indoor"]["type"] =
                json!("string");
        }),
        ("/paths/~1pets/post/security", &|s| {
            s["paths"]["/pets"]["post"]["security"] = json!([{"DeviceKey": []}]);
        }),
        ("/paths/~1pets~1{pet_id}/get/responses/200/content", &|s| {
            let content = &mut s["paths"]["/pets/{pet_id}"]["get"]["responses"]["200"]["content"];
            content["text/html"] = content["text/plain"].take();
        }),
        ("/paths/~1pets/post/responses/4XX/description", &|s| {
            s["components"]["responses"]["Problem"]["description"] = json!("Nope.");
        }),
    ];
    for (pointer, mutate) in mutations {
        let mut written = (*spec()).clone();
        mutate(&mut written);
        // A `take()` leaves a null behind; a real edit would remove the key.
        strip_nulls(&mut written);

        let diffs = differences(
            &normalize_served(&served, &written),
            &normalize_written(&written),
        );

        assert!(
            diffs.iter().any(|d| d.starts_with(pointer)),
            "a change at {pointer} is not reported; differences: {diffs:#?}"
        );
    }
}

/// An edit of pets.yaml.
type Mutation = &'static dyn Fn(&mut Value);

fn strip_nulls(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|_, c| !c.is_null());
            m.values_mut().for_each(strip_nulls);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake image data";

async fn login(app: &TestServer) -> String {
    let ok = app
        .send_with(
            "POST",
            "/login",
            &[("authorization", "Basic c3RhZmY6c2hlbHRlcg==")],
            None,
        )
        .await;
    assert_eq!(ok.status, 200, "{ok:?}");
    ok.text.clone()
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn every_operation_answers_as_declared() {
    let app = spawn_pets().await;
    let token = login(&app).await;
    let auth = bearer(&token);
    let json = ("content-type", "application/json");

    let wrong_password = app
        .send_with(
            "POST",
            "/login",
            &[("authorization", "Basic c3RhZmY6bm8=")],
            None,
        )
        .await;
    let public = app.get("/pets").await;
    let staff_list = app
        .send_with("GET", "/pets?kind=dog", &[("authorization", &auth)], None)
        .await;
    let bad_token = app
        .send_with("GET", "/pets", &[("authorization", "Bearer nope")], None)
        .await;
    let cat = br#"{"petType":"cat","name":"Mia","size":"medium","indoor":false}"#;
    let added = app
        .send_with(
            "POST",
            "/pets",
            &[("authorization", &auth), json],
            Some(cat.to_vec()),
        )
        .await;
    let anonymous_add = app
        .send_with("POST", "/pets", &[json], Some(cat.to_vec()))
        .await;
    let id = added.json["id"].as_i64().expect("an id");
    let as_json = app.get(&format!("/pets/{id}")).await;
    let as_text = app.get(&format!("/pets/{id}?format=text")).await;
    let missing = app.get("/pets/999").await;
    let bad_id = app.get("/pets/0").await;
    let photo_put = app
        .send_with(
            "PUT",
            &format!("/pets/{id}/photo"),
            &[("x-device-key", "camera-1"), ("content-type", "image/png")],
            Some(PNG.to_vec()),
        )
        .await;
    let photo = app.get(&format!("/pets/{id}/photo")).await;
    let no_photo = app.get("/pets/2/photo").await;
    let photo_of_nobody = app
        .send_with(
            "PUT",
            "/pets/999/photo?device_key=camera-1",
            &[("content-type", "image/png")],
            Some(PNG.to_vec()),
        )
        .await;
    let photo_bad_id = app.get("/pets/x/photo").await;
    let note = app
        .send_with(
            "POST",
            &format!("/pets/{id}/notes"),
            &[
                ("authorization", &auth),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(b"text=needs+brushing&urgent=true".to_vec()),
        )
        .await;
    let text_note = app
        .send_with(
            "POST",
            &format!("/pets/{id}/notes"),
            &[("authorization", &auth), ("content-type", "text/plain")],
            Some(b"fed at 8".to_vec()),
        )
        .await;
    let note_anonymous = app
        .send_with(
            "POST",
            &format!("/pets/{id}/notes"),
            &[("content-type", "text/plain")],
            Some(b"x".to_vec()),
        )
        .await;
    let note_nobody = app
        .send_with(
            "POST",
            "/pets/999/notes",
            &[("authorization", &auth), ("content-type", "text/plain")],
            Some(b"x".to_vec()),
        )
        .await;
    let adoption = json!({"petId": id, "adopter": {"name": "Ann", "email": "ann@example.org"},
        "guarantor": {"petType": "dog", "name": "Rex"}});
    let adopted = app
        .send_with(
            "POST",
            "/adoptions",
            &[json],
            Some(adoption.to_string().into_bytes()),
        )
        .await;
    let again = app
        .send_with(
            "POST",
            "/adoptions",
            &[json],
            Some(adoption.to_string().into_bytes()),
        )
        .await;
    let adopt_nobody = app
        .send_with(
            "POST",
            "/adoptions",
            &[json],
            Some(br#"{"petId":999,"adopter":{"name":"A","email":"a@example.org"}}"#.to_vec()),
        )
        .await;
    let found = app.get("/search?q=an").await;
    let removed = app
        .send_with(
            "DELETE",
            &format!("/pets/{id}"),
            &[("authorization", &auth)],
            None,
        )
        .await;
    let removed_again = app
        .send_with(
            "DELETE",
            &format!("/pets/{id}"),
            &[("authorization", &auth)],
            None,
        )
        .await;
    let remove_anonymous = app.delete("/pets/1").await;
    let remove_bad_id = app
        .send_with("DELETE", "/pets/x", &[("authorization", &auth)], None)
        .await;
    let search_empty = app.get("/search?q=").await;
    // The `4XX` ranges: answered by poem-openapi's rejections and by handlers alike.
    let add_malformed = app
        .send_with(
            "POST",
            "/pets",
            &[("authorization", &auth), json],
            Some(b"{".to_vec()),
        )
        .await;
    let photo_gif = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[("x-device-key", "camera-1"), ("content-type", "image/gif")],
            Some(b"GIF89a".to_vec()),
        )
        .await;
    let note_blank = app
        .send_with(
            "POST",
            "/pets/1/notes",
            &[("authorization", &auth), ("content-type", "text/plain")],
            Some(b"  ".to_vec()),
        )
        .await;
    let note_form_without_text = app
        .send_with(
            "POST",
            "/pets/1/notes",
            &[
                ("authorization", &auth),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            Some(b"urgent=true".to_vec()),
        )
        .await;
    // `name` is a plain `type: string`: poem-openapi's own String would read 7 as "7".
    let adopt_number_name = app
        .send_with(
            "POST",
            "/adoptions",
            &[json],
            Some(br#"{"petId":1,"adopter":{"name":7,"email":"ann@example.org"}}"#.to_vec()),
        )
        .await;
    let adopt_bad_email = app
        .send_with(
            "POST",
            "/adoptions",
            &[json],
            Some(br#"{"petId":1,"adopter":{"name":"A","email":"not an address"}}"#.to_vec()),
        )
        .await;

    assert_eq!(wrong_password.status, 401);
    assert_eq!(public.json.as_array().map(Vec::len), Some(2));
    assert_eq!(staff_list.json[0]["breed"], "collie", "{staff_list:?}");
    assert_eq!(
        bad_token.status, 401,
        "a wrong token is the `default` response"
    );
    assert_eq!(added.status, 201);
    assert_eq!(
        added.header("location"),
        Some(format!("/pets/{id}").as_str())
    );
    assert_eq!(added.json["petType"], "cat");
    assert_eq!(added.json["size"], "medium");
    assert_eq!(anonymous_add.status, 401);
    assert_eq!(as_json.json, added.json);
    assert_eq!(as_text.text, format!("Mia (cat {id})"));
    assert_eq!(missing.status, 404);
    assert_eq!(bad_id.status, 400, "minimum: 1 answers through `default`");
    assert_eq!(photo_put.status, 204);
    assert_eq!(photo.header("content-type"), Some("image/png"));
    assert_eq!(photo.bytes, PNG);
    assert_eq!(no_photo.status, 404);
    assert_eq!(photo_of_nobody.status, 404);
    assert_eq!(photo_bad_id.status, 400);
    assert_eq!(note.json, json!(["URGENT: needs brushing"]));
    assert_eq!(
        text_note.json,
        json!(["URGENT: needs brushing", "fed at 8"])
    );
    assert_eq!(note_anonymous.status, 401);
    assert_eq!(note_nobody.status, 404);
    assert_eq!(adopted.status, 202);
    assert_eq!(adopted.header("retry-after"), Some("86400"));
    assert_eq!(adopted.json["guarantor"]["petType"], "dog");
    assert_eq!(again.status, 409);
    assert_eq!(adopt_nobody.status, 404);
    assert_eq!(
        found.json,
        json!([{"name": "Ann", "email": "ann@example.org"}])
    );
    assert_eq!(removed.status, 204);
    assert_eq!(removed_again.status, 404);
    assert_eq!(remove_anonymous.status, 401);
    assert_eq!(remove_bad_id.status, 400);
    assert_eq!(search_empty.status, 400);
    assert_eq!(add_malformed.status, 400);
    assert_eq!(photo_gif.status, 415);
    assert_eq!(note_blank.status, 400);
    assert_eq!(note_form_without_text.status, 400);
    assert_eq!(adopt_bad_email.status, 400);
    assert_eq!(adopt_number_name.status, 400, "{adopt_number_name:?}");
    assert!(
        adopt_number_name.json["detail"]
            .as_str()
            .is_some_and(|d| d == "body /adopter/name: must be a string, not 7"),
        "the JSON pointer of the wrong value is named: {:?}",
        adopt_number_name.json
    );
    let visible = app.get("/pets").await;
    assert!(
        visible.json.as_array().unwrap().iter().any(|p| p["id"] == 1),
        "the rejected adoption put no hold on pet 1 (held pets are hidden from the public): {visible:?}"
    );

    // deletePhoto: both credentials at once.
    let both = [
        ("authorization", auth.as_str()),
        ("x-device-key", "camera-1"),
    ];
    app.send_with(
        "PUT",
        "/pets/2/photo",
        &[("x-device-key", "camera-1"), ("content-type", "image/png")],
        Some(PNG.to_vec()),
    )
    .await;
    let deleted = app.send_with("DELETE", "/pets/2/photo", &both, None).await;
    let token_only = app
        .send_with(
            "DELETE",
            "/pets/2/photo",
            &[("authorization", auth.as_str())],
            None,
        )
        .await;
    let no_pet = app
        .send_with("DELETE", "/pets/999/photo", &both, None)
        .await;
    let bad_id = app.send_with("DELETE", "/pets/0/photo", &both, None).await;
    assert_eq!(deleted.status, 204, "{deleted:?}");
    assert_eq!(token_only.status, 401);
    assert_eq!(no_pet.status, 404);
    assert_eq!(bad_id.status, 400, "{bad_id:?}");
    // Each response pets.yaml declares (codes, ranges and `default`) was answered.
    assert_eq!(app.coverage().missing(&spec()), Vec::<String>::new());
}

#[tokio::test]
async fn unions_are_told_apart_by_discriminator_and_by_shape() {
    let app = spawn_pets().await;
    let auth = bearer(&login(&app).await);
    let json = ("content-type", "application/json");
    let post = |body: &'static str| {
        let auth = auth.clone();
        let app = &app;
        async move {
            app.send_with(
                "POST",
                "/pets",
                &[("authorization", &auth), json],
                Some(body.as_bytes().to_vec()),
            )
            .await
        }
    };

    let dog = post(r#"{"petType":"dog","name":"Ace","breed":"pug","size":4000}"#).await;
    let unknown_kind = post(r#"{"petType":"bird","name":"Tweety"}"#).await;
    let no_kind = post(r#"{"name":"Tweety"}"#).await;
    let bad_size = post(r#"{"petType":"cat","name":"Mia","size":"huge"}"#).await;
    let empty_name = post(r#"{"petType":"cat","name":""}"#).await;
    let listed = app.get("/pets").await;
    let no_guarantor = app
        .send_with(
            "POST",
            "/adoptions",
            &[json],
            Some(
                br#"{"petId":1,"adopter":{"name":"Bo","email":"bo@example.org"},"guarantor":null}"#
                    .to_vec(),
            ),
        )
        .await;
    let adopter_guarantor = app
        .send_with(
            "POST",
            "/adoptions",
            &[json],
            Some(br#"{"petId":2,"adopter":{"name":"Cy","email":"cy@example.org"},"guarantor":{"name":"Di","email":"di@example.org"}}"#.to_vec()),
        )
        .await;
    let hits = app.get("/search?q=o").await;

    assert_eq!(dog.status, 201);
    assert_eq!(dog.json["breed"], "pug");
    assert_eq!(
        dog.json["size"], 4000,
        "an integer size is the anyOf's second variant"
    );
    for rejected in [&unknown_kind, &no_kind, &bad_size, &empty_name] {
        assert_eq!(rejected.status, 400, "{rejected:?}");
    }
    assert_eq!(
        listed.json.as_array().map(Vec::len),
        Some(3),
        "rejected pets were not stored: {listed:?}"
    );
    assert_eq!(no_guarantor.status, 202);
    assert_eq!(no_guarantor.json["guarantor"], Value::Null);
    assert_eq!(
        adopter_guarantor.json["guarantor"]["email"],
        "di@example.org"
    );
    let kinds: Vec<&str> = hits
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["petType"].as_str().unwrap_or("adopter"))
        .collect();
    assert_eq!(kinds, ["cat", "adopter"], "Tom, then Bo: {hits:?}");
}

#[tokio::test]
async fn credentials_are_required_typed_and_alternative() {
    let app = spawn_pets().await;
    let png = ("content-type", "image/png");

    let by_header = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[("x-device-key", "camera-1"), png],
            Some(PNG.to_vec()),
        )
        .await;
    let by_query = app
        .send_with(
            "PUT",
            "/pets/1/photo?device_key=camera-1",
            &[png],
            Some(PNG.to_vec()),
        )
        .await;
    let by_cookie = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[("cookie", "device=camera-1"), png],
            Some(PNG.to_vec()),
        )
        .await;
    let wrong_key = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[("x-device-key", "camera-2"), png],
            Some(PNG.to_vec()),
        )
        .await;
    let no_key = app
        .send_with("PUT", "/pets/1/photo", &[png], Some(PNG.to_vec()))
        .await;
    let not_png = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[("x-device-key", "camera-1"), png],
            Some(b"GIF89a".to_vec()),
        )
        .await;
    let jpeg_as_jpeg = app
        .send_with(
            "PUT",
            "/pets/2/photo",
            &[("x-device-key", "camera-1"), ("content-type", "image/jpeg")],
            Some(b"\xff\xd8\xff\xe0jpeg".to_vec()),
        )
        .await;
    let gif = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[("x-device-key", "camera-1"), ("content-type", "image/gif")],
            Some(b"GIF89a".to_vec()),
        )
        .await;
    let jpeg = app.get("/pets/2/photo").await;
    let basic_as_bearer = app
        .send_with(
            "GET",
            "/pets",
            &[("authorization", "Basic c3RhZmY6c2hlbHRlcg==")],
            None,
        )
        .await;

    for ok in [&by_header, &by_query, &by_cookie, &jpeg_as_jpeg] {
        assert_eq!(ok.status, 204, "{ok:?}");
    }
    assert_eq!(wrong_key.status, 401, "the handler rejects a wrong key");
    assert_eq!(no_key.status, 401, "poem-openapi rejects a missing key");
    assert_eq!(no_key.json["type"], "about:blank", "as problem details");
    assert_eq!(not_png.status, 400);
    assert_eq!(gif.status, 415);
    assert_eq!(jpeg.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        basic_as_bearer.status, 200,
        "listing allows anonymous requests, so a non-bearer credential is ignored"
    );
    assert_eq!(basic_as_bearer.json.as_array().map(Vec::len), Some(2));
}

/// A `multipart/form-data` body with the given parts: (name, file name, bytes).
fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "pets-test-boundary";
    let mut body = Vec::new();
    for (name, file, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file {
            Some(f) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), body)
}

#[tokio::test]
async fn a_photo_form_is_read_part_by_part() {
    let app = spawn_pets().await;
    let auth = bearer(&login(&app).await);
    let key = ("x-device-key", "camera-1");
    let long = "x".repeat(101);

    let (ct, body) = multipart(&[
        ("photo", Some("tom.png"), PNG),
        ("caption", None, b"asleep"),
    ]);
    let stored = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[key, ("content-type", &ct)],
            Some(body),
        )
        .await;
    let photo = app.get("/pets/1/photo").await;
    let (ct, body) = multipart(&[("caption", None, b"no photo")]);
    let without_photo = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[key, ("content-type", &ct)],
            Some(body),
        )
        .await;
    let (ct, body) = multipart(&[
        ("photo", Some("a.png"), PNG),
        ("caption", None, long.as_bytes()),
    ]);
    let long_caption = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[key, ("content-type", &ct)],
            Some(body),
        )
        .await;
    let notes = app
        .send_with(
            "POST",
            "/pets/1/notes",
            &[("authorization", &auth), ("content-type", "text/plain")],
            Some(b"checked".to_vec()),
        )
        .await;

    assert_eq!(stored.status, 204, "{stored:?}");
    assert_eq!(photo.bytes, PNG);
    assert_eq!(photo.header("content-type"), Some("image/png"));
    assert_eq!(without_photo.status, 400, "{without_photo:?}");
    assert_eq!(
        long_caption.status, 400,
        "maxLength: 100 is checked per part"
    );
    assert_eq!(
        notes.json,
        json!(["asleep (calm)", "checked"]),
        "the caption became a note with the default mood; the rejected forms left nothing"
    );
}

/// Multipart parts that are enums and JSON objects are parsed and checked like the same
/// values in JSON.
#[tokio::test]
async fn multipart_enum_and_json_parts_are_checked() {
    let app = spawn_pets().await;
    let auth = bearer(&login(&app).await);
    let key = ("x-device-key", "camera-1");
    let put = |parts: Vec<(&'static str, Option<&'static str>, Vec<u8>)>| {
        let app = &app;
        async move {
            let parts: Vec<(&str, Option<&str>, &[u8])> = parts
                .iter()
                .map(|(n, f, b)| (*n, *f, b.as_slice()))
                .collect();
            let (ct, body) = multipart(&parts);
            app.send_with(
                "PUT",
                "/pets/1/photo",
                &[key, ("content-type", &ct)],
                Some(body),
            )
            .await
        }
    };
    let photo = || ("photo", Some("a.png"), PNG.to_vec());

    let full = put(vec![
        photo(),
        ("caption", None, b"yawning".to_vec()),
        ("mood", None, b"sleepy".to_vec()),
        ("camera", None, br#"{"model": "X100", "iso": 200}"#.to_vec()),
    ])
    .await;
    let bad_mood = put(vec![
        photo(),
        ("caption", None, b"a".to_vec()),
        ("mood", None, b"angry".to_vec()),
    ])
    .await;
    let bad_json = put(vec![
        photo(),
        ("caption", None, b"b".to_vec()),
        ("camera", None, b"{not json".to_vec()),
    ])
    .await;
    let low_iso = put(vec![
        photo(),
        ("caption", None, b"c".to_vec()),
        ("camera", None, br#"{"model": "X100", "iso": 10}"#.to_vec()),
    ])
    .await;
    let unknown_camera_field = put(vec![
        photo(),
        ("caption", None, b"d".to_vec()),
        (
            "camera",
            None,
            br#"{"model": "X100", "flash": true}"#.to_vec(),
        ),
    ])
    .await;
    let notes = app
        .send_with(
            "POST",
            "/pets/1/notes",
            &[("authorization", &auth), ("content-type", "text/plain")],
            Some(b"checked".to_vec()),
        )
        .await;

    assert_eq!(full.status, 204, "{full:?}");
    for (what, r) in [
        ("an enum part outside the enum", &bad_mood),
        ("a JSON part that is not JSON", &bad_json),
        ("a JSON part below its minimum", &low_iso),
        ("a JSON part with an unknown field", &unknown_camera_field),
    ] {
        assert_eq!(r.status, 400, "{what}: {r:?}");
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{what}"
        );
    }
    assert_eq!(
        notes.json,
        json!(["yawning (sleepy, X100)", "checked"]),
        "only the valid form became a note"
    );
}

/// A form body is read by the same parser as JSON: numbers, booleans, dates and enums from
/// text, repeated and bracketed keys as arrays, `a[b]` as nested objects, and every
/// constraint checked.
#[tokio::test]
async fn form_fields_are_typed_nested_and_checked() {
    let app = spawn_pets().await;
    let auth = bearer(&login(&app).await);
    let post = |body: &'static str| {
        let app = &app;
        let auth = auth.clone();
        async move {
            app.send_with(
                "POST",
                "/pets/2/notes",
                &[
                    ("authorization", &auth),
                    ("content-type", "application/x-www-form-urlencoded"),
                ],
                Some(body.as_bytes().to_vec()),
            )
            .await
        }
    };

    let full = post("text=teeth+cleaned&urgent=false&priority=2&tags=health&tags=food&due=2026-12-24&source%5Bwho%5D=vet&source[visit]=3").await;
    let bracketed = post("text=walk&tags[]=play").await;
    let rejected = [
        (
            "priority above its maximum",
            post("text=x&priority=6").await,
        ),
        (
            "priority that is not a number",
            post("text=x&priority=high").await,
        ),
        ("a tag outside the enum", post("text=x&tags=dance").await),
        (
            "a date that is not a date",
            post("text=x&due=tomorrow").await,
        ),
        (
            "a nested field of the wrong type",
            post("text=x&source[visit]=soon").await,
        ),
        ("an unknown field", post("text=x&colour=red").await),
        ("a missing required field", post("urgent=true").await),
        (
            "a boolean that is not one",
            post("text=x&urgent=maybe").await,
        ),
    ];

    assert_eq!(full.status, 201, "{full:?}");
    assert_eq!(bracketed.status, 201, "{bracketed:?}");
    assert_eq!(
        bracketed.json,
        json!([
            "teeth cleaned (p2) #health #food by 2026-12-24 via vet visit 3",
            "walk #play"
        ])
    );
    for (what, r) in &rejected {
        assert_eq!(r.status, 400, "{what}: {r:?}");
        assert_eq!(
            r.header("content-type"),
            Some("application/problem+json"),
            "{what}"
        );
    }
}

/// `deletePhoto` requires a staff token and a device key together (one requirement of two
/// schemes): either alone is a 401, and a 401 changes nothing.
#[tokio::test]
async fn credentials_required_together_are_both_checked() {
    let app = spawn_pets().await;
    let auth = bearer(&login(&app).await);
    let key = ("x-device-key", "camera-1");
    let stored = app
        .send_with(
            "PUT",
            "/pets/1/photo",
            &[key, ("content-type", "image/png")],
            Some(PNG.to_vec()),
        )
        .await;
    let delete = |headers: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.send_with("DELETE", "/pets/1/photo", &headers, None)
                .await
        }
    };

    let token_only = delete(vec![("authorization", auth.clone())]).await;
    let key_only = delete(vec![("x-device-key", "camera-1".into())]).await;
    let wrong_key = delete(vec![
        ("authorization", auth.clone()),
        ("x-device-key", "camera-9".into()),
    ])
    .await;
    let still_there = app.get("/pets/1/photo").await;
    let both = delete(vec![
        ("authorization", auth.clone()),
        ("x-device-key", "camera-1".into()),
    ])
    .await;
    let gone = app.get("/pets/1/photo").await;

    assert_eq!(stored.status, 204);
    for (what, r) in [
        ("token only", &token_only),
        ("key only", &key_only),
        ("wrong key", &wrong_key),
    ] {
        assert_eq!(r.status, 401, "{what}: {r:?}");
    }
    assert_eq!(still_there.status, 200, "a rejected delete deleted nothing");
    assert_eq!(both.status, 204, "{both:?}");
    assert_eq!(gone.status, 404);
}
