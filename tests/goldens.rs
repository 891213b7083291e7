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
    component_references,
    formats_defaults_and_flags,
    items,
    items_with_new_operation,
    objects_arrays_maps_and_recursion,
    parameters_in_every_location,
    scalars_and_arrays,
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
