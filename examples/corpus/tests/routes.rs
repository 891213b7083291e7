//! `Routes::new` (what `serve_api` serves) against poem-openapi's own service, on the five
//! corpus APIs: requests generated from each spec (every path with valid and invalid path
//! values, every method, with and without the declared query parameters, with no, bearer and
//! API-key credentials, with no, empty, malformed and example bodies) go to a fresh app of
//! each kind in the same order, and each answer must match: status, headers, body.

use codegen_testing::{Answer, Sent};
use poem::http::Method;
use poem::{Endpoint, Response};
use serde_json::Value;

const CORPUS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../codegen/tests/fixtures/corpus"
);

const NAMES: [&str; 5] = [
    "todo_list",
    "geo_places",
    "job_queue",
    "inventory",
    "event_stream",
];

/// Headers of a request.
type Headers = Vec<(String, String)>;

fn header(name: &str, value: &str) -> Headers {
    vec![(name.to_owned(), value.to_owned())]
}

/// `value` with a `$ref` to a component followed, once.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(pointer) => spec
            .pointer(pointer.trim_start_matches('#'))
            .unwrap_or(value),
        None => value,
    }
}

/// A value a parameter declares (its example, default or first enum value), else one of its
/// format, else "1".
fn sample(spec: &Value, param: &Value) -> String {
    let schema = resolve(spec, &param["schema"]);
    let declared = [
        &param["example"],
        &schema["example"],
        &schema["default"],
        &schema["enum"][0],
    ]
    .into_iter()
    .find(|v| !v.is_null());
    match (declared, schema["format"].as_str()) {
        (Some(Value::String(s)), _) => s.clone(),
        (Some(other), _) => other.to_string(),
        (None, Some("uuid")) => "3f2504e0-4f89-11d3-9a0c-0305e82c3301".to_owned(),
        (None, Some("date-time")) => "2026-01-01T00:00:00Z".to_owned(),
        (None, _) if schema["type"] == "boolean" => "true".to_owned(),
        (None, _) => "1".to_owned(),
    }
}

/// Ways to present credentials: none, and each of the spec's security schemes (headers to
/// add, a query pair to append).
fn credentials(spec: &Value) -> Vec<(Headers, Option<String>)> {
    let mut out = vec![(vec![], None)];
    let schemes = spec
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    for scheme in schemes.into_iter().flat_map(|s| s.values()) {
        let name = scheme["name"].as_str().unwrap_or_default();
        out.push(match (scheme["type"].as_str(), scheme["in"].as_str()) {
            (Some("apiKey"), Some("query")) => (vec![], Some(format!("{name}=key-1"))),
            (Some("apiKey"), Some("cookie")) => (header("cookie", &format!("{name}=key-1")), None),
            (Some("apiKey"), _) => (header(name, "key-1"), None),
            (Some("http"), _) if scheme["scheme"] == "basic" => {
                (header("authorization", "Basic dXNlcjpwYXNz"), None)
            }
            _ => (header("authorization", "Bearer token-1"), None),
        });
    }
    out
}

fn requests(spec: &Value) -> Vec<Sent> {
    let methods = [
        Method::GET,
        Method::HEAD,
        Method::PUT,
        Method::POST,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
    ];
    let credentials = credentials(spec);
    let mut out = Vec::new();
    let paths = spec["paths"].as_object().expect("paths");
    for (template, item) in paths {
        let item = item.as_object().expect("a path item");
        let params: Vec<&Value> = item
            .iter()
            .flat_map(|(key, op)| match key.as_str() {
                "parameters" => op.as_array().into_iter().flatten().collect::<Vec<_>>(),
                _ => op["parameters"].as_array().into_iter().flatten().collect(),
            })
            .map(|p| resolve(spec, p))
            .collect();
        let fill = |invalid: bool| {
            let mut path = template.clone();
            for p in params.iter().filter(|p| p["in"] == "path") {
                let name = p["name"].as_str().unwrap_or_default();
                let value = if invalid {
                    "x%20y".to_owned()
                } else {
                    sample(spec, p)
                };
                path = path.replace(&format!("{{{name}}}"), &value);
            }
            path
        };
        let query = |value: Option<&str>| {
            let pairs: Vec<String> = params
                .iter()
                .filter(|p| p["in"] == "query")
                .map(|p| {
                    let name = p["name"].as_str().unwrap_or_default();
                    format!(
                        "{name}={}",
                        value.map_or_else(|| sample(spec, p), str::to_owned)
                    )
                })
                .collect();
            if pairs.is_empty() {
                String::new()
            } else {
                format!("?{}", pairs.join("&"))
            }
        };
        let example_body = item
            .values()
            .filter_map(|op| op.pointer("/requestBody/content/application~1json/example"))
            .map(Value::to_string)
            .next();
        let bodies: Vec<Option<String>> = [
            None,
            Some("{}".to_owned()),
            Some("not json".to_owned()),
            example_body,
        ]
        .into_iter()
        .collect();
        for path in [fill(false), fill(true)] {
            for q in [String::new(), query(None), query(Some("x"))] {
                for method in &methods {
                    let carries_body =
                        matches!(*method, Method::PUT | Method::POST | Method::PATCH);
                    let variants: &[Option<String>] = if carries_body { &bodies } else { &[None] };
                    for body in variants {
                        for (creds, pair) in &credentials {
                            let mut headers = creds.clone();
                            if body.is_some() {
                                headers.extend(header("content-type", "application/json"));
                            }
                            let target = match (pair, q.is_empty()) {
                                (Some(pair), true) => format!("{path}?{pair}"),
                                (Some(pair), false) => format!("{path}{q}&{pair}"),
                                (None, _) => format!("{path}{q}"),
                            };
                            out.push(Sent {
                                method: method.clone(),
                                target,
                                headers,
                                body: body.clone(),
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

/// `value` with every RFC 3339 timestamp replaced by `<timestamp>`.
fn without_timestamps(value: Value) -> Value {
    match value {
        Value::String(s) if codegen_runtime::chrono::DateTime::parse_from_rfc3339(&s).is_ok() => {
            Value::String("<timestamp>".to_owned())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(without_timestamps).collect()),
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, without_timestamps(v)))
                .collect(),
        ),
        other => other,
    }
}

async fn send(app: &impl Endpoint<Output = Response>, sent: &Sent, n: usize) -> Answer {
    let request = sent.request(&format!("differential-{n}"));
    let mut answer = Answer::of(app.get_response(request).await, &["date"]).await;
    // Timestamps differ between the two apps' clocks.
    if let Ok(json) = serde_json::from_str::<Value>(&answer.body) {
        answer.body = without_timestamps(json).to_string();
    }
    answer
}

#[tokio::test]
async fn every_corpus_api_answers_through_routes_as_through_poem_openapi() {
    let mut total = 0;
    for name in NAMES {
        let text = std::fs::read_to_string(format!("{CORPUS}/{name}.yaml")).unwrap();
        let spec: Value = serde_yaml::from_str(&text).unwrap();
        let direct = corpus_servers::routes(name).expect("a corpus server");
        let layered = corpus_servers::layered(name).expect("a corpus server");
        let requests = requests(&spec);
        let mut statuses = std::collections::BTreeSet::new();
        for (n, sent) in requests.iter().enumerate() {
            let a = send(&direct, sent, n).await;
            let b = send(&layered, sent, n).await;
            assert_eq!(a, b, "{name}, request {n}: {sent:?}");
            statuses.insert(a.status);
        }
        // Each API's requests reach success (not only OPTIONS's 204) and rejection both.
        assert!(statuses.contains(&200), "{name}: {statuses:?}");
        assert!(
            statuses.iter().any(|s| (400..500).contains(s)),
            "{name}: {statuses:?}"
        );
        total += requests.len();
    }
    assert!(total > 2000, "{total} requests");
}
