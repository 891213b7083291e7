//! Compiles every generator golden (`codegen/tests/golden/*.rs`) as a module of this one test
//! crate, under `deny(warnings)`: one compile proves all of them are valid poem-openapi code.

#![deny(warnings)]

macro_rules! goldens {
    ($($name:ident),* $(,)?) => {
        $(
            // Generated items are unused here; only compiling them matters.
            #[allow(dead_code)]
            mod $name {
                include!(concat!(env!("CARGO_MANIFEST_DIR"), "/codegen/tests/golden/", stringify!($name), ".rs"));
            }
        )*
        const COMPILED: &[&str] = &[$(stringify!($name)),*];
    };
}

goldens!(
    admin_console,
    billing_invoices,
    bookshop,
    chat_messages,
    ci_pipelines,
    component_references,
    composition,
    dns_records,
    event_stream,
    feature_flags,
    file_storage,
    formats_defaults_and_flags,
    geo_places,
    healthcheck,
    inventory,
    iot_devices,
    items,
    items_with_new_operation,
    job_queue,
    library_loans,
    media_gallery,
    objects_arrays_maps_and_recursion,
    orders_ecommerce,
    parameters_in_every_location,
    payments,
    pet_clinic,
    responses_and_media_types,
    scalars_and_arrays,
    search,
    security,
    survey_forms,
    todo_list,
    url_shortener,
    user_accounts,
    webhooks_notifications,
);

#[test]
fn every_golden_is_compiled_here() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/codegen/tests/golden");
    let mut goldens: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    goldens.sort();

    assert_eq!(goldens, COMPILED, "add the new golden to the goldens! list");
}

/// Goldens are compiled above; this runs one through poem without a socket, to prove that
/// path, query, header and cookie parameters with non-identifier names parse at run time.
mod parameters_at_run_time {
    use std::sync::Mutex;

    use poem::{Endpoint, Request};

    use super::parameters_in_every_location as generated;

    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

    struct Recorder;

    impl generated::Handlers for Recorder {
        async fn list_objects(
            &self,
            bucket_name: String,
            prefix: Option<String>,
            tag: Option<Vec<String>>,
            order: generated::ListObjectsOrder,
            storage_class: Option<generated::StorageClass>,
            x_request_id: uuid::Uuid,
            x_retries: Option<i32>,
            session: Option<String>,
        ) -> generated::ListObjectsResponse {
            SEEN.lock().unwrap().push(format!(
                "{bucket_name} {prefix:?} {tag:?} {order:?} {storage_class:?} {x_request_id} {x_retries:?} {session:?}"
            ));
            generated::ListObjectsResponse::NoContent
        }
    }

    #[tokio::test]
    async fn every_parameter_location_parses() {
        let app = poem::Route::new().nest("/", generated::service(Recorder));
        let request = Request::builder()
            .uri_str("/buckets/my-bucket/objects?tag=a&tag=b&storage-class=cold-line")
            .header("X-Request-Id", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
            .header("X-Retries", "2")
            .header("Cookie", "session=s1")
            .finish();

        let ok = app.call(request).await.unwrap();
        let missing_header = app
            .call(Request::builder().uri_str("/buckets/b/objects").finish())
            .await
            .unwrap();

        assert_eq!(ok.status(), 204);
        assert_eq!(missing_header.status(), 400, "X-Request-Id is required");
        assert_eq!(
            SEEN.lock().unwrap().as_slice(),
            ["my-bucket None Some([\"a\", \"b\"]) Asc Some(ColdLine) 3f2504e0-4f89-11d3-9a0c-0305e82c3301 Some(2) Some(\"s1\")"]
        );
    }
}

/// Differential test of the generated `Matching<P>` against poem-openapi's own `pattern`
/// validator, which it replaces on the request path: over the same inputs, both accept and
/// reject exactly the same strings, and the rejection names the same pattern (poem-openapi
/// prefixes a parse error with the type, `failed to parse "string": `).
mod matching_equals_poem_pattern_validator {
    use poem_openapi::types::{ParseFromJSON, ParseFromParameter};
    use poem_openapi::validation::{Pattern as PoemPattern, Validator};

    use codegen_runtime::{Matching, Pattern};

    use super::items::{Pattern1, Pattern2};

    /// Deterministic pseudo-random strings over characters that matter to the patterns:
    /// ASCII letters and digits, the id punctuation, separators, NUL, and non-ASCII.
    fn corpus() -> Vec<String> {
        const CHARS: &[char] = &[
            'a', 'Z', '0', '9', '.', '_', '~', '-', ' ', '/', '%', '\0', '\n', 'é', '🍍',
            '\u{200b}', '$', '^',
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut out: Vec<String> = [
            "",
            "foo",
            "a b",
            "x\0",
            "\0",
            "é",
            "-",
            "~._-",
            &"z".repeat(70),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for _ in 0..5000 {
            let len = (next() % 12) as usize;
            out.push(
                (0..len)
                    .map(|_| CHARS[(next() % CHARS.len() as u64) as usize])
                    .collect(),
            );
        }
        out
    }

    fn agrees<P: Pattern>() {
        let poem = PoemPattern::new(P::PATTERN);
        for s in corpus() {
            let expected = Validator::<String>::check(&poem, &s);

            let from_param = Matching::<P>::parse_from_parameter(&s);
            let from_json =
                Matching::<P>::parse_from_json(Some(serde_json::Value::String(s.clone())));

            assert_eq!(
                from_param.is_ok(),
                expected,
                "parameter {s:?} against {}",
                P::PATTERN
            );
            assert_eq!(
                from_json.is_ok(),
                expected,
                "JSON {s:?} against {}",
                P::PATTERN
            );
            if let Err(e) = from_param {
                assert!(e
                    .into_message()
                    .ends_with(&format!("verification failed. {poem}")));
            }
        }
    }

    #[test]
    fn every_items_pattern_accepts_and_rejects_like_poem() {
        agrees::<Pattern1>();
        agrees::<Pattern2>();
    }

    #[test]
    fn non_strings_are_rejected() {
        assert!(Matching::<Pattern1>::parse_from_json(Some(serde_json::json!(5))).is_err());
        assert!(Matching::<Pattern1>::parse_from_json(None).is_err());
    }
}

/// A union of a string, a number and a boolean tells them apart: poem-openapi's own `String`
/// would read `7` and `true` as strings too.
mod union_of_string_and_number {
    use codegen_runtime::StrictString;
    use poem_openapi::types::ParseFromJSON;
    use serde_json::json;

    use super::feature_flags::VariationValue;

    #[test]
    fn each_json_type_parses_as_its_own_variant() {
        let parse = |v| VariationValue::parse_from_json(Some(v)).unwrap();

        assert_eq!(parse(json!(true)), VariationValue::Boolean(true));
        assert_eq!(parse(json!(7)), VariationValue::Double(7.0));
        assert_eq!(
            parse(json!("7")),
            VariationValue::String(StrictString("7".into()))
        );
    }
}

/// A base schema with a `discriminator` and no `oneOf` (`Pet`, which `Dog`, `Cat` and `Bird`
/// extend with `allOf`) is a union of its children: a body sent as a `Pet` keeps the fields
/// of the child its discriminator names.
mod discriminator_on_a_base_schema {
    use poem_openapi::types::ParseFromJSON;
    use serde_json::json;

    use super::pet_clinic::Pet;

    #[test]
    fn the_discriminator_selects_the_child_and_its_own_fields_are_kept() {
        let cat = Pet::parse_from_json(Some(json!({
            "name": "Tom", "species": "cat", "indoor": true
        })));
        let unknown = Pet::parse_from_json(Some(json!({"name": "Rex", "species": "lizard"})));

        match cat {
            Ok(Pet::Cat(cat)) => assert_eq!(cat.indoor, Some(true)),
            other => panic!("expected a cat: {other:?}"),
        }
        assert!(
            unknown.is_err(),
            "a species no child is mapped to is rejected"
        );
    }
}
