//! The served document is items.yaml as written; the document poem-openapi derives from the
//! generated code equals it up to a written list of known differences; and the response checker every test relies on really rejects bad responses.

use serde_json::{json, Value};

use crate::helpers::spawn_app;
use codegen_testing::{differences, normalize_served, normalize_written};

use crate::spec::{self, Observed};

pub async fn derived_document_equals_items_yaml_up_to_known_differences() {
    // Exactly what a user's crate writes: the exported cross-check of codegen-testing.
    let derived = items::api::service(items::handlers::ItemHandlers::new(
        items::store::MemoryStore::new(),
    ))
    .spec();
    codegen_testing::assert_derived_matches(
        &derived,
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/items.yaml")),
    );
}

pub async fn served_openapi_yaml_is_items_yaml_byte_for_byte() {
    let app = spawn_app().await;

    let yaml = reqwest::get(format!("{}/openapi.yaml", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let json = app.served_document().await;

    let file = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/items.yaml"))
        .unwrap();
    assert_eq!(
        yaml, file,
        "/openapi.yaml is the spec as written, comments included"
    );
    assert_eq!(differences(&json, &spec::written()), Vec::<String>::new());
}

pub async fn served_openapi_yaml_is_the_same_document() {
    let app = spawn_app().await;

    let json: Value = reqwest::get(format!("{}/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let yaml = reqwest::get(format!("{}/openapi.yaml", app.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    let yaml: Value = serde_yaml::from_str(&yaml).unwrap();
    assert_eq!(differences(&yaml, &json), Vec::<String>::new());
}

pub async fn the_comparison_reports_a_changed_description_and_a_changed_status() {
    let served = crate::helpers::derived_items();
    let mut mutated = (*spec::written()).clone();
    mutated["paths"]["/items/{item_id}"]["put"]["responses"]["201"]["description"] = json!("Made.");
    let get_responses = mutated["paths"]["/items/{item_id}"]["get"]["responses"]
        .as_object_mut()
        .unwrap();
    let not_found = get_responses.remove("404").unwrap();
    get_responses.insert("410".into(), not_found);

    let diffs = differences(
        &normalize_served(&served, &spec::written()),
        &normalize_written(&mutated),
    );

    let pointers: Vec<&str> = diffs.iter().map(|d| d.split(':').next().unwrap()).collect();
    assert_eq!(
        pointers,
        [
            "/paths/~1items~1{item_id}/get/responses/404",
            "/paths/~1items~1{item_id}/get/responses/410",
            "/paths/~1items~1{item_id}/put/responses/201/description",
        ]
    );
}

fn observed<'a>(status: u16, headers: &'a [(String, String)], body: &'a [u8]) -> Observed<'a> {
    Observed {
        method: "GET",
        path: "/items/foo",
        status,
        headers,
        body,
    }
}

pub async fn the_response_checker_rejects_what_the_spec_does_not_allow() {
    let json = [("content-type".to_owned(), "application/json".to_owned())];
    let problem = [(
        "content-type".to_owned(),
        "application/problem+json".to_owned(),
    )];
    let spec = &*spec::written();

    let good = spec::check_response(spec, &observed(200, &json, br#"{"name":"x","size":null}"#));
    let wrong_type = spec::check_response(spec, &observed(200, &json, br#"{"name":5}"#));
    let too_big = spec::check_response(spec, &observed(200, &json, br#"{"size":1000001}"#));
    let undeclared = spec::check_response(spec, &observed(201, &json, br#"{}"#));
    let wrong_media = spec::check_response(
        spec,
        &observed(
            404,
            &json,
            br#"{"type":"about:blank","title":"t","status":404}"#,
        ),
    );
    let missing_member = spec::check_response(
        spec,
        &observed(404, &problem, br#"{"title":"t","status":404}"#),
    );

    assert_eq!(good, Ok(Some("getItem".to_owned())));
    for bad in [wrong_type, too_big, undeclared, wrong_media, missing_member] {
        assert!(bad.is_err(), "accepted: {bad:?}");
    }
}

pub async fn the_response_checker_applies_openapi_30_exclusive_bounds() {
    let json = [("content-type".to_owned(), "application/json".to_owned())];
    let book = |weight: f64| {
        serde_json::json!({"id": "6c1e55a4-0b7a-4d1e-9f2a-1d5c0e3b7a11", "title": "t", "genre": "poetry",
            "tags": [], "available": true, "weight_kg": weight})
        .to_string()
    };
    let schema = serde_json::json!({"$ref": "#/components/schemas/NewBook"});
    let at_bound = serde_json::json!({"title": "t", "genre": "poetry", "weight_kg": 0});
    let above = serde_json::json!({"title": "t", "genre": "poetry", "weight_kg": 0.1});
    let validator = jsonschema::draft7::new(&spec::json_schema(spec::catalog(), &schema)).unwrap();

    let served = spec::check_response(
        spec::catalog(),
        &Observed {
            method: "GET",
            path: "/books/6c1e55a4-0b7a-4d1e-9f2a-1d5c0e3b7a11",
            status: 200,
            headers: &json,
            body: book(0.0).as_bytes(),
        },
    );

    assert_eq!(
        served,
        Ok(Some("getBook".to_owned())),
        "Book has no bound on weight_kg"
    );
    assert!(
        !validator.is_valid(&at_bound),
        "exclusiveMinimum: true excludes the minimum itself"
    );
    assert!(validator.is_valid(&above));
}

/// This module's tests, for the harness in main.rs.
pub fn trials() -> Vec<libtest_mimic::Trial> {
    crate::trials![
        derived_document_equals_items_yaml_up_to_known_differences,
        served_openapi_yaml_is_the_same_document,
        served_openapi_yaml_is_items_yaml_byte_for_byte,
        the_comparison_reports_a_changed_description_and_a_changed_status,
        the_response_checker_rejects_what_the_spec_does_not_allow,
        the_response_checker_applies_openapi_30_exclusive_bounds,
    ]
}
