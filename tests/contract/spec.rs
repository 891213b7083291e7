//! items.yaml, read at test time, as the oracle: which operation a request hits, which
//! statuses it may answer, what each body must look like, and how the served document must
//! compare with the written one.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// openapi/items.yaml as JSON.
pub fn written() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load("openapi/items.yaml"))
}

/// openapi/catalog.yaml (the example) as JSON.
pub fn catalog() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| load("openapi/catalog.yaml"))
}

fn load(file: &str) -> Value {
    let path = format!("{}/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// An operation of the spec that a request matched.
pub struct Operation<'a> {
    /// Its `operationId`.
    pub id: &'a str,
    /// The operation object.
    pub object: &'a Value,
}

/// The operation `method path` hits, matching `{param}` segments against any segment.
pub fn find_operation<'a>(spec: &'a Value, method: &str, path: &str) -> Option<Operation<'a>> {
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.split('/').collect();
    spec["paths"]
        .as_object()?
        .iter()
        .find_map(|(template, item)| {
            let parts: Vec<&str> = template.split('/').collect();
            let matches = parts.len() == segments.len()
                && parts.iter().zip(&segments).all(|(t, s)| {
                    (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s
                });
            let object = item.get(method.to_lowercase())?;
            matches.then(|| Operation {
                id: object["operationId"].as_str().unwrap_or_default(),
                object,
            })
        })
}

/// Every (operationId, status) pair the spec declares.
pub fn declared_pairs(spec: &Value) -> BTreeSet<(String, u16)> {
    let mut pairs = BTreeSet::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|m| m.values()) {
            let id = op["operationId"].as_str().unwrap_or_default();
            for status in op["responses"]
                .as_object()
                .into_iter()
                .flat_map(|r| r.keys())
            {
                if let Ok(status) = status.parse() {
                    pairs.insert((id.to_owned(), status));
                }
            }
        }
    }
    pairs
}

/// A response as the checker sees it.
pub struct Observed<'a> {
    /// HTTP method of the request.
    pub method: &'a str,
    /// Path (and query) of the request.
    pub path: &'a str,
    /// Response status.
    pub status: u16,
    /// Response headers, names lower-case.
    pub headers: &'a [(String, String)],
    /// Response body.
    pub body: &'a [u8],
}

/// Checks one response against `spec`: the status is declared for the operation hit, the
/// declared headers are present, the content type is the declared one and the body is valid
/// under the declared schema. A request that hits no operation must get a 404 or 405
/// problem. Returns the operationId (if any) for the coverage record.
pub fn check_response(spec: &Value, r: &Observed) -> Result<Option<String>, String> {
    let at = format!("{} {} -> {}", r.method, r.path, r.status);
    let Some(op) = find_operation(spec, r.method, r.path) else {
        if r.status != 404 && r.status != 405 {
            return Err(format!(
                "{at}: no operation matches, so only 404 or 405 may answer"
            ));
        }
        let problem = json!({"$ref": "#/components/schemas/Problem"});
        check_body(spec, &at, "application/problem+json", &problem, r)?;
        return Ok(None);
    };
    let Some(response) = op.object["responses"].get(r.status.to_string()) else {
        return Err(format!(
            "{at}: status {} is not declared for {}",
            r.status, op.id
        ));
    };
    for (name, header) in response["headers"].as_object().into_iter().flatten() {
        let value = r
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        match value {
            None if header["required"] == json!(true) => {
                return Err(format!("{at}: required header {name} is missing"));
            }
            Some(v)
                if header["schema"]["type"] == json!("integer") && v.parse::<i64>().is_err() =>
            {
                return Err(format!("{at}: header {name}: `{v}` is not an integer"));
            }
            _ => {}
        }
    }
    match response["content"]
        .as_object()
        .and_then(|c| c.iter().next())
    {
        Some((media_type, media)) => check_body(spec, &at, media_type, &media["schema"], r)?,
        None if !r.body.is_empty() => {
            return Err(format!(
                "{at}: the response declares no content but has a body"
            ));
        }
        None => {}
    }
    Ok(Some(op.id.to_owned()))
}

fn check_body(
    spec: &Value,
    at: &str,
    media_type: &str,
    schema: &Value,
    r: &Observed,
) -> Result<(), String> {
    let content_type = r
        .headers
        .iter()
        .find(|(n, _)| n == "content-type")
        .map(|(_, v)| v.split(';').next().unwrap_or_default().trim())
        .unwrap_or_default();
    if content_type != media_type {
        return Err(format!(
            "{at}: content type is `{content_type}`, the spec declares `{media_type}`"
        ));
    }
    let body: Value = serde_json::from_slice(r.body).map_err(|e| {
        format!(
            "{at}: body is not JSON ({e}): {}",
            String::from_utf8_lossy(r.body)
        )
    })?;
    let validator = jsonschema::draft7::new(&json_schema(spec, schema))
        .map_err(|e| format!("{at}: the spec's schema does not compile: {e}"))?;
    let errors: Vec<String> = validator
        .iter_errors(&body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{at}: body {body} does not match the spec: {}",
            errors.join("; ")
        ))
    }
}

/// An OpenAPI 3.0 schema as a JSON Schema (draft 7) document: `nullable: true` becomes a
/// `"null"` type, boolean `exclusiveMinimum`/`exclusiveMaximum` become numeric bounds, and
/// `#/components/schemas/X` references point into `definitions`.
pub fn json_schema(spec: &Value, schema: &Value) -> Value {
    let definitions: Map<String, Value> = spec["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, s)| (name.clone(), translate(s)))
        .collect();
    json!({ "definitions": definitions, "allOf": [translate(schema)] })
}

fn translate(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                match key.as_str() {
                    "nullable" => {}
                    "$ref" => {
                        let target = value
                            .as_str()
                            .unwrap_or_default()
                            .replace("#/components/schemas/", "#/definitions/");
                        out.insert(key.clone(), Value::String(target));
                    }
                    "properties" => {
                        let props = value
                            .as_object()
                            .into_iter()
                            .flatten()
                            .map(|(k, v)| (k.clone(), translate(v)))
                            .collect();
                        out.insert(key.clone(), Value::Object(props));
                    }
                    "items" | "additionalProperties" => {
                        out.insert(key.clone(), translate(value));
                    }
                    _ => {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
            // OpenAPI 3.0 writes exclusive bounds as draft-4 booleans beside the bound;
            // draft 7 wants the bound itself in `exclusiveMinimum`/`exclusiveMaximum`.
            for (flag, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                match out.remove(flag) {
                    Some(Value::Bool(true)) => {
                        if let Some(b) = out.remove(bound) {
                            out.insert(flag.to_owned(), b);
                        }
                    }
                    Some(Value::Bool(false)) | None => {}
                    Some(other) => {
                        out.insert(flag.to_owned(), other);
                    }
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(ty)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([ty, "null"]));
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// The known, deliberate differences between what poem-openapi serves and what items.yaml
/// says, each undone by [`normalize_served`] or [`normalize_written`]. Nothing else may differ.
pub const KNOWN_DIFFERENCES: &[&str] = &[
    "`openapi`: poem-openapi always serves 3.0.0; items.yaml says 3.0.3",
    "`servers`: poem-openapi serves an empty list when none are configured",
    "`title` on each component schema: poem-openapi adds the schema's name",
    "`deprecated: false` and `explode: true` on parameters, `deprecated: false` on response headers: always served",
    "response header names: poem-openapi serves them upper-case (`LOCATION`)",
    "request media type: a `Json<T>` body is served as `application/json; charset=utf-8`",
    "`additionalProperties: false`: enforced at run time (deny_unknown_fields), not served",
    "`required: false` on parameters: served explicitly, the spec may leave it to its default",
    "an inline enum with a `default`: served as `allOf: [enum, {default}]`; merged back into one schema",
    "`components/parameters` and `components/requestBodies`: poem-openapi serves them inline in each operation",
    "inline object and enum schemas: poem-openapi serves each as a named component (`BookAuthor`) and a `$ref`; served components the spec does not declare are inlined back",
    "numbers: validators are served as floats (`0.0` for `0`), so numbers compare by value",
];

/// Undoes the served side of [`KNOWN_DIFFERENCES`]; `written` says which components the spec
/// itself declares.
pub fn normalize_served(doc: &Value, written: &Value) -> Value {
    let mut doc = inline_undeclared_components(doc, written);
    let root = doc
        .as_object_mut()
        .expect("an OpenAPI document is an object");
    root.remove("openapi");
    if root.get("servers") == Some(&json!([])) {
        root.remove("servers");
    }
    for (name, schema) in root
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
    {
        if schema.get("title") == Some(&Value::String(name.clone())) {
            schema.as_object_mut().map(|s| s.remove("title"));
        }
    }
    for op in operations_mut(&mut doc) {
        for p in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            remove_if(p, "deprecated", &json!(false));
            remove_if(p, "explode", &json!(true));
            remove_if(p, "required", &json!(false));
            if let Some(schema) = p.get_mut("schema") {
                merge_annotation_all_of(schema);
            }
        }
        if let Some(content) = op
            .pointer_mut("/requestBody/content")
            .and_then(Value::as_object_mut)
        {
            *content = content
                .iter()
                .map(|(k, v)| (k.replace("; charset=utf-8", ""), v.clone()))
                .collect();
        }
        for response in op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|r| r.values_mut())
        {
            if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
                *headers = headers
                    .iter()
                    .map(|(k, v)| {
                        let mut v = v.clone();
                        remove_if(&mut v, "deprecated", &json!(false));
                        (k.to_lowercase(), v)
                    })
                    .collect();
            }
        }
    }
    doc
}

/// Undoes the written side of [`KNOWN_DIFFERENCES`].
pub fn normalize_written(doc: &Value) -> Value {
    let mut doc = doc.clone();
    let parameters = doc
        .pointer("/components/parameters")
        .cloned()
        .unwrap_or(json!({}));
    let bodies = doc
        .pointer("/components/requestBodies")
        .cloned()
        .unwrap_or(json!({}));
    let root = doc
        .as_object_mut()
        .expect("an OpenAPI document is an object");
    root.remove("openapi");
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("parameters");
        components.remove("requestBodies");
    }
    remove_everywhere(&mut doc, "additionalProperties", &json!(false));
    for op in operations_mut(&mut doc) {
        for p in op
            .get_mut("parameters")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let target = p
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/parameters/"))
                .map(str::to_owned);
            if let Some(name) = target {
                *p = parameters[&name].clone();
            }
            remove_if(p, "required", &json!(false));
        }
        let body_ref = op
            .pointer("/requestBody/$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/requestBodies/"))
            .map(str::to_owned);
        if let Some(name) = body_ref {
            op["requestBody"] = bodies[&name].clone();
        }
        for response in op
            .get_mut("responses")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|r| r.values_mut())
        {
            if let Some(headers) = response.get_mut("headers").and_then(Value::as_object_mut) {
                *headers = headers
                    .iter()
                    .map(|(k, v)| (k.to_lowercase(), v.clone()))
                    .collect();
            }
        }
    }
    doc
}

/// Replaces every `$ref` to a served component schema that `written` does not declare with
/// that schema (recursively), and drops those components.
fn inline_undeclared_components(served: &Value, written: &Value) -> Value {
    let declared: BTreeSet<String> = written["components"]["schemas"]
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let served_components = served["components"]["schemas"].clone();
    let undeclared = |name: &str| !declared.contains(name) && served_components.get(name).is_some();
    fn walk(v: &mut Value, components: &Value, undeclared: &dyn Fn(&str) -> bool, depth: usize) {
        if let Some(name) = v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .map(str::to_owned)
        {
            if undeclared(&name) && depth < 32 {
                let mut inlined = components[&name].clone();
                if let Some(m) = inlined.as_object_mut() {
                    m.remove("title");
                }
                // Keep keywords served beside the reference (a parameter's `default`).
                for (k, val) in v.as_object().cloned().unwrap_or_default() {
                    if k != "$ref" {
                        inlined[&k] = val;
                    }
                }
                *v = inlined;
                walk(v, components, undeclared, depth + 1);
                return;
            }
        }
        match v {
            Value::Object(m) => m
                .values_mut()
                .for_each(|c| walk(c, components, undeclared, depth)),
            Value::Array(a) => a
                .iter_mut()
                .for_each(|c| walk(c, components, undeclared, depth)),
            _ => {}
        }
    }
    let mut doc = served.clone();
    walk(&mut doc, &served_components, &undeclared, 0);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| declared.contains(name));
    }
    doc
}

fn operations_mut(doc: &mut Value) -> impl Iterator<Item = &mut Value> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|p| p.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
}

/// `allOf: [X, {default: …}]` (poem-openapi's form of a reference with a default) → X with
/// the default.
fn merge_annotation_all_of(schema: &mut Value) {
    let Some([first, second]) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    else {
        return;
    };
    let annotations_only = second.as_object().is_some_and(|m| {
        m.keys()
            .all(|k| matches!(k.as_str(), "default" | "example" | "description"))
    });
    if !annotations_only {
        return;
    }
    let mut merged = first.clone();
    for (k, v) in second.as_object().into_iter().flatten() {
        merged[k] = v.clone();
    }
    *schema = merged;
}

fn remove_everywhere(v: &mut Value, key: &str, value: &Value) {
    remove_if(v, key, value);
    match v {
        Value::Object(m) => m
            .values_mut()
            .for_each(|c| remove_everywhere(c, key, value)),
        Value::Array(a) => a.iter_mut().for_each(|c| remove_everywhere(c, key, value)),
        _ => {}
    }
}

fn remove_if(v: &mut Value, key: &str, value: &Value) {
    if let Some(map) = v.as_object_mut() {
        if map.get(key) == Some(value) {
            map.remove(key);
        }
    }
}

/// JSON pointers where `served` and `written` differ (numbers compare by value).
pub fn differences(served: &Value, written: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(served, written, String::new(), &mut out);
    out
}

fn diff(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let here = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                match (x.get(k), y.get(k)) {
                    (Some(u), Some(v)) => diff(u, v, here, out),
                    (Some(u), None) => out.push(format!("{here}: only served ({u})")),
                    (None, Some(v)) => out.push(format!("{here}: only written ({v})")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                diff(u, v, format!("{at}/{i}"), out);
            }
        }
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => {}
        _ if a == b => {}
        _ => out.push(format!("{at}: served {a}, written {b}")),
    }
}
