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
    ecma_patterns,
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
    mixed_path_segments,
    objects_arrays_maps_and_recursion,
    openapi_31,
    orders_ecommerce,
    own_error_schema,
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
    weather,
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

    /// Through poem-openapi's own service and through `Routes::new`, which keeps the cookie
    /// jar only because this API has a cookie parameter.
    #[tokio::test]
    async fn every_parameter_location_parses() {
        let layered = poem::Route::new().nest("/", generated::service(Recorder));
        let direct =
            codegen_runtime::serve::serve_api(generated::Api(Recorder), generated::DOCUMENT);
        parses_through(layered).await;
        SEEN.lock().unwrap().clear();
        parses_through(direct).await;
    }

    async fn parses_through(app: impl Endpoint) {
        let request = Request::builder()
            .uri_str("/buckets/my-bucket/objects?tag=a&tag=b&storage-class=cold-line")
            .header("X-Request-Id", "3f2504e0-4f89-11d3-9a0c-0305e82c3301")
            .header("X-Retries", "2")
            .header("Cookie", "session=s1")
            .finish();

        let ok = app.get_response(request).await;
        let missing_header = app
            .get_response(Request::builder().uri_str("/buckets/b/objects").finish())
            .await;

        assert_eq!(ok.status(), 204);
        assert_eq!(missing_header.status(), 400, "X-Request-Id is required");
        assert_eq!(
            SEEN.lock().unwrap().as_slice(),
            ["my-bucket None Some([\"a\", \"b\"]) Asc Some(ColdLine) 3f2504e0-4f89-11d3-9a0c-0305e82c3301 Some(2) Some(\"s1\")"]
        );
    }
}

/// API keys in a header, the query and a cookie, and bearer and basic credentials, are read
/// the same through poem-openapi's own service and through `Routes::new`, which parses the
/// query and keeps the cookie jar only because this API's security schemes read them.
mod security_at_run_time {
    use poem::{Endpoint, Request};
    use poem_openapi::payload::{Json, PlainText};

    use super::security as generated;
    use generated::*;

    struct Keys;

    impl Handlers for Keys {
        async fn who_am_i(&self, auth: poem_openapi::auth::Bearer) -> WhoAmIResponse {
            WhoAmIResponse::Ok(Json(Account { name: auth.token }))
        }
        async fn login(&self, auth: poem_openapi::auth::Basic) -> LoginResponse {
            LoginResponse::Ok(PlainText(auth.username))
        }
        async fn get_report(&self, auth: GetReportAuth, year: i32) -> GetReportResponse {
            let name = match auth {
                GetReportAuth::ApiKeyHeader(k) => format!("header {} {year}", k.0.key),
                GetReportAuth::ApiKeyQuery(k) => format!("query {} {year}", k.0.key),
                GetReportAuth::SessionCookie(k) => format!("cookie {} {year}", k.0.key),
            };
            GetReportResponse::Ok(Json(Account { name }))
        }
        async fn get_feed(&self, auth: GetFeedAuth) -> GetFeedResponse {
            let who = match auth {
                GetFeedAuth::BearerAuth(b) => b.0.token,
                GetFeedAuth::Anonymous => "anonymous".to_owned(),
            };
            GetFeedResponse::Ok(Json(vec![who]))
        }
        async fn health(&self) -> HealthResponse {
            HealthResponse::NoContent
        }
    }

    async fn answers(app: impl Endpoint) -> Vec<(u16, String)> {
        let requests = [
            Request::builder()
                .uri_str("/reports/2024")
                .header("X-API-Key", "h1")
                .finish(),
            Request::builder()
                .uri_str("/reports/2024?api_key=q1")
                .finish(),
            Request::builder()
                .uri_str("/reports/2024")
                .header("Cookie", "session=c1")
                .finish(),
            Request::builder().uri_str("/reports/2024").finish(),
            Request::builder()
                .uri_str("/me")
                .header("Authorization", "Bearer t1")
                .finish(),
            Request::builder().uri_str("/feed").finish(),
            Request::builder()
                .method(poem::http::Method::POST)
                .uri_str("/login")
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .finish(),
        ];
        let mut out = Vec::new();
        for request in requests {
            let response = app.get_response(request).await;
            let status = response.status().as_u16();
            out.push((status, response.into_body().into_string().await.unwrap()));
        }
        out
    }

    #[tokio::test]
    async fn every_credential_is_read_the_same_through_both_routings() {
        let layered = answers(poem::Route::new().nest("/", generated::service(Keys))).await;
        let direct = answers(codegen_runtime::serve::serve_api(
            generated::Api(Keys),
            generated::DOCUMENT,
        ))
        .await;

        let statuses: Vec<u16> = direct.iter().map(|(s, _)| *s).collect();
        assert_eq!(statuses, [200, 200, 200, 401, 200, 200, 200]);
        assert!(direct[2].1.contains("cookie c1 2024"), "{:?}", direct[2]);
        assert!(direct[1].1.contains("query q1 2024"), "{:?}", direct[1]);
        assert_eq!(direct, layered);
    }
}

/// An OpenAPI 3.1 document (FastAPI's `anyOf: [T, {type: "null"}]` optional fields, `const`,
/// numeric exclusive bounds, `unevaluatedProperties: false`) behaves as its 3.0 spelling would:
/// `null` is accepted where the spec allows it, and every bound is enforced.
mod openapi_31_at_run_time {
    use poem::{Endpoint, Request};

    use super::openapi_31 as generated;
    use generated::{GetItemResponse, Item, ItemKind, ItemUpdate, PutItemResponse};

    struct Store;

    fn item(update: ItemUpdate) -> Item {
        Item {
            name: update.name.unwrap_or_else(|| "unnamed".into()),
            size: update.size,
            kind: ItemKind::Item,
            tags: None,
            price: Some(9.5),
            owner: None,
            note: None,
            extra: None,
            checksum: None,
        }
    }

    impl generated::Handlers for Store {
        async fn get_item(&self, _item_id: String) -> GetItemResponse {
            GetItemResponse::Ok(poem_openapi::payload::Json(item(ItemUpdate {
                name: Some("Fighters".into()),
                size: None,
            })))
        }
        async fn put_item(&self, _item_id: String, body: ItemUpdate) -> PutItemResponse {
            PutItemResponse::Created(poem_openapi::payload::Json(item(body)))
        }
    }

    async fn call(method: &str, body: &str) -> (u16, String) {
        let app = poem::Route::new().nest("/", generated::service(Store));
        let request = Request::builder()
            .method(method.parse().unwrap())
            .uri_str("/items/foo")
            .content_type("application/json")
            .body(body.to_owned());
        let response = app.get_response(request).await;
        let status = response.status().as_u16();
        (status, response.into_body().into_string().await.unwrap())
    }

    #[tokio::test]
    async fn null_is_accepted_where_the_31_spec_allows_it_and_bounds_hold() {
        let (status, body) = call("PUT", r#"{"name": null, "size": 3}"#).await;
        assert_eq!(status, 201, "{body}");
        assert!(body.contains(r#""name":"unnamed""#), "{body}");
        assert!(
            body.contains(r#""kind":"item""#),
            "const is written: {body}"
        );

        let (status, body) = call("GET", "").await;
        assert_eq!(status, 200);
        assert!(
            body.contains(r#""size":null"#),
            "nullable is written as null: {body}"
        );

        for bad in [r#"{"size": -1}"#, r#"{"name": 7}"#, r#"{"colour": "red"}"#] {
            let (status, body) = call("PUT", bad).await;
            assert_eq!(status, 400, "{bad}: {body}");
        }
    }
}

/// An API with its own error schema (`{code, message}`): the generated code asks for a
/// `FromRejection` implementation, and every kind of rejected request is answered with it.
mod own_error_schema_at_run_time {
    use codegen_runtime::{FromRejection, Rejection};
    use poem::{Endpoint, Request};

    use super::own_error_schema as generated;
    use generated::{CreateNoteRequest, CreateNoteResponse, Error};

    impl FromRejection for Error {
        fn from_rejection(rejection: &Rejection) -> Self {
            let schema = rejection.errors.first().and_then(|e| e.schema.clone());
            Error {
                code: i32::from(rejection.status.as_u16()),
                message: match schema {
                    Some(schema) => format!("{rejection} [{schema}]"),
                    None => rejection.to_string(),
                },
            }
        }
    }

    struct Notes;

    impl generated::Handlers for Notes {
        async fn create_note(
            &self,
            _auth: poem_openapi::auth::ApiKey,
            _body: CreateNoteRequest,
        ) -> CreateNoteResponse {
            CreateNoteResponse::Created
        }
    }

    async fn post(key: Option<&str>, content_type: &str, body: &str) -> (u16, serde_json::Value) {
        let app = poem::Route::new().nest("/", generated::service(Notes));
        let mut request = Request::builder()
            .method(poem::http::Method::POST)
            .uri_str("/notes")
            .content_type(content_type);
        if let Some(key) = key {
            request = request.header("X-Api-Key", key);
        }
        let response = app.get_response(request.body(body.to_owned())).await;
        let status = response.status().as_u16();
        let text = response.into_body().into_string().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
        )
    }

    #[tokio::test]
    async fn every_rejection_is_answered_with_the_apis_own_error_schema() {
        let (status, _) = post(Some("k"), "application/json", r#"{"text": "hi"}"#).await;
        assert_eq!(status, 201);
        for (key, content_type, body, expected, says) in [
            (None, "application/json", r#"{"text": "hi"}"#, 401, ""),
            (
                Some("k"),
                "application/json",
                r#"{"text": 7}"#,
                400,
                "body /text",
            ),
            (
                Some("k"),
                "application/json",
                r#"{"text": "much too long for twenty"}"#,
                400,
                "body",
            ),
            (Some("k"), "application/json", "{", 400, "body"),
            (Some("k"), "text/plain", "hi", 415, "body"),
        ] {
            let (status, error) = post(key, content_type, body).await;
            assert_eq!(status, expected, "{body}: {error}");
            assert_eq!(error["code"], expected, "{body}: {error}");
            let message = error["message"].as_str().unwrap_or_default();
            assert!(message.starts_with(says), "{body}: {error}");
            assert_eq!(
                error.as_object().map(|o| o.len()),
                Some(2),
                "only code and message: {error}"
            );
        }
        // Each rejection error names the place in the spec that rejected it.
        let (_, mistyped) = post(Some("k"), "application/json", r#"{"text": 7}"#).await;
        let body = "#/paths/~1notes/post/requestBody/content/application~1json/schema";
        assert!(
            mistyped["message"]
                .as_str()
                .unwrap()
                .ends_with(&format!("[{body}/properties/text]")),
            "{mistyped}"
        );
        let (_, malformed) = post(Some("k"), "application/json", "{").await;
        assert!(
            malformed["message"]
                .as_str()
                .unwrap()
                .ends_with(&format!("[{body}]")),
            "{malformed}"
        );
    }
}

/// An OAuth2 requirement: the handler receives the bearer token with the scopes the
/// operation's requirement lists (`inventory:read` here, `inventory:write` for the writes).
mod oauth2_scopes_at_run_time {
    use std::sync::Mutex;

    use codegen_runtime::Scoped;
    use poem::{Endpoint, Request};
    use poem_openapi::auth::Bearer;
    use poem_openapi::payload::Json;

    use super::inventory as generated;
    use generated::*;

    #[derive(Default)]
    struct Seen(Mutex<Vec<(String, &'static [&'static str])>>);

    impl Seen {
        fn saw(&self, auth: &Scoped<Bearer>) {
            self.0
                .lock()
                .unwrap()
                .push((auth.token.clone(), auth.scopes));
        }
    }

    impl Handlers for &'static Seen {
        async fn get_category_tree(
            &self,
            auth: Scoped<Bearer>,
            _depth: Option<i64>,
        ) -> GetCategoryTreeResponse {
            self.saw(&auth);
            GetCategoryTreeResponse::Ok(Json(vec![]))
        }
        async fn get_item(
            &self,
            auth: Scoped<Bearer>,
            _sku: String,
            _w: Option<Vec<String>>,
        ) -> GetItemResponse {
            self.saw(&auth);
            GetItemResponse::NotFound(Json(Problem {
                type_: "about:blank".into(),
                title: None,
                status: Some(404),
                detail: None,
                instance: None,
            }))
        }
        async fn upsert_item(
            &self,
            auth: Scoped<Bearer>,
            _sku: String,
            _w: Vec<String>,
            body: Item,
        ) -> UpsertItemResponse {
            self.saw(&auth);
            UpsertItemResponse::Created(Json(body))
        }
        async fn adjust_stock(
            &self,
            auth: Scoped<Bearer>,
            _sku: String,
            body: std::collections::BTreeMap<String, i64>,
        ) -> AdjustStockResponse {
            self.saw(&auth);
            AdjustStockResponse::Ok(Json(body))
        }
    }

    #[tokio::test]
    async fn the_handler_gets_the_token_and_the_required_scopes() {
        let seen: &'static Seen = Box::leak(Box::default());
        let app = poem::Route::new().nest("/", generated::service(seen));
        let get = Request::builder()
            .uri_str("/categories")
            .header("Authorization", "Bearer r3ad")
            .finish();
        assert_eq!(app.get_response(get).await.status(), 200);
        let patch = Request::builder()
            .method(poem::http::Method::PATCH)
            .uri_str("/items/TLS-0001/stock")
            .header("Authorization", "Bearer wr1te")
            .content_type("application/json")
            .body(r#"{"AMS-1": 1}"#);
        assert_eq!(app.get_response(patch).await.status(), 200);
        let anonymous = Request::builder().uri_str("/categories").finish();
        assert_eq!(app.get_response(anonymous).await.status(), 401);

        let seen = seen.0.lock().unwrap();
        assert_eq!(
            *seen,
            [
                ("r3ad".to_owned(), &["inventory:read"][..]),
                ("wr1te".to_owned(), &["inventory:write"][..]),
            ]
        );
    }
}

/// ECMA-262 patterns the regex crate cannot compile (a look-ahead, a back-reference) are
/// checked at run time, with fancy_regex.
mod ecma_patterns_at_run_time {
    use poem::{Endpoint, Request};

    use super::ecma_patterns as generated;
    use generated::*;

    struct Handles;

    impl Handlers for Handles {
        async fn claim_handle(
            &self,
            _handle: String,
            _body: ClaimHandleRequest,
        ) -> ClaimHandleResponse {
            ClaimHandleResponse::NoContent
        }
    }

    async fn put(handle: &str, body: &str) -> u16 {
        let app = poem::Route::new().nest("/", generated::service(Handles));
        let request = Request::builder()
            .method(poem::http::Method::PUT)
            .uri_str(format!("/handles/{handle}"))
            .content_type("application/json")
            .body(body.to_owned());
        app.get_response(request).await.status().as_u16()
    }

    #[tokio::test]
    async fn look_ahead_and_back_reference_patterns_are_enforced() {
        assert_eq!(put("bob", r#"{"palindrome3": "ada"}"#).await, 204);
        assert_eq!(put("administrator", r#"{"palindrome3": "ada"}"#).await, 204);
        for handle in ["admin", "root", "Bob", "b"] {
            assert_eq!(
                put(handle, r#"{"palindrome3": "ada"}"#).await,
                400,
                "{handle}"
            );
        }
        assert_eq!(
            put("bob", r#"{"palindrome3": "abc"}"#).await,
            400,
            "the back-reference"
        );
    }
}

/// Segments that mix text and parameters (`{sid}.json`, `{frame}.{format}`, `{job}:cancel`,
/// `summary(period='{period}')`) are routed whole and split: each parameter reaches the
/// handler typed and checked, a segment of another shape is a 400, and `GET /v1/jobs/{job}`
/// and `POST /v1/jobs/{job}:cancel` share a route without taking each other's requests.
mod mixed_path_segments_at_run_time {
    use poem::{Endpoint, Request};

    use super::mixed_path_segments as generated;
    use generated::{
        CancelJobResponse as Cancel, GetCallResponse as Call, GetJobResponse as Job,
        GetRadarFrameResponse as Frame, GetReportResponse as Report, GetSummaryResponse as Summary,
    };

    struct Echo;

    impl generated::Handlers for Echo {
        async fn get_call(&self, sid: String) -> Call {
            Call::Ok(poem_openapi::payload::PlainText(format!("call {sid}")))
        }
        async fn get_radar_frame(
            &self,
            site: String,
            frame: i64,
            format: generated::GetRadarFrameFormat,
        ) -> Frame {
            Frame::Ok(poem_openapi::payload::PlainText(format!(
                "{site} {frame} {format:?}"
            )))
        }
        async fn get_job(&self, job: String) -> Job {
            Job::Ok(poem_openapi::payload::PlainText(format!("job {job}")))
        }
        async fn cancel_job(&self, job: String) -> Cancel {
            Cancel::Accepted(poem_openapi::payload::PlainText(format!("cancel {job}")))
        }
        async fn get_report(&self, report: String) -> Report {
            Report::Ok(poem_openapi::payload::PlainText(format!("report {report}")))
        }
        async fn get_summary(&self, period: generated::GetSummaryPeriod) -> Summary {
            Summary::Ok(poem_openapi::payload::PlainText(format!("{period:?}")))
        }
    }

    /// The answer of poem-openapi's own service; `serve_api` answers the same through
    /// `Routes::new` (which leaves these paths to poem's router) and `Routes::layered`.
    async fn call(method: &str, uri: &str) -> (u16, String) {
        let direct = codegen_runtime::serve::serve_api(generated::Api(Echo), generated::DOCUMENT);
        let layered = codegen_runtime::serve::serve_api(
            codegen_runtime::serve::Routes::layered(generated::service(Echo)),
            generated::DOCUMENT,
        );
        assert_eq!(
            answer(&direct, method, uri).await,
            answer(&layered, method, uri).await,
            "{method} {uri}"
        );
        answer(
            &poem::Route::new().nest("/", generated::service(Echo)),
            method,
            uri,
        )
        .await
    }

    async fn answer(app: &impl Endpoint, method: &str, uri: &str) -> (u16, String) {
        let request = Request::builder()
            .method(method.parse().unwrap())
            .uri_str(uri)
            .header("X-Request-Id", "mixed-segments")
            .finish();
        let response = app.get_response(request).await;
        let status = response.status().as_u16();
        (status, response.into_body().into_string().await.unwrap())
    }

    #[tokio::test]
    async fn each_parameter_is_read_from_its_segment() {
        assert_eq!(
            call("GET", "/calls/CA12ab.json").await,
            (200, "call CA12ab".into())
        );
        assert_eq!(
            call("GET", "/radar/KOKX/7.gif").await,
            (200, "KOKX 7 Gif".into())
        );
        assert_eq!(call("GET", "/v1/jobs/j1").await, (200, "job j1".into()));
        assert_eq!(
            call("POST", "/v1/jobs/j1:cancel").await,
            (202, "cancel j1".into())
        );
        assert_eq!(
            call("GET", "/reports/summary(period='week')").await,
            (200, "Week".into())
        );
        // The function-call segment is static text then a parameter to poem: `{report}`
        // beside it still gets every other segment.
        assert_eq!(call("GET", "/reports/r1").await, (200, "report r1".into()));
        assert_eq!(
            call("GET", "/reports/summary").await,
            (200, "report summary".into())
        );
    }

    #[tokio::test]
    async fn a_piece_that_breaks_its_schema_or_a_segment_of_another_shape_is_a_400() {
        for (method, uri, says) in [
            ("GET", "/calls/XX12ab.json", "pattern"),
            ("GET", "/calls/CA12ab.xml", "does not have the form"),
            ("GET", "/radar/KOKX/24.gif", "must be at most 23"),
            ("GET", "/radar/KOKX/7.bmp", "enumeration"),
            (
                "GET",
                "/radar/KO/7.gif",
                "must be at least 3 characters long",
            ),
            ("POST", "/v1/jobs/j1", "does not have the form"),
            ("GET", "/reports/summary(period='year')", "enumeration"),
        ] {
            let (status, body) = call(method, uri).await;
            assert_eq!(status, 400, "{method} {uri}: {body}");
            assert!(body.contains(says), "{method} {uri}: {body}");
        }
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
