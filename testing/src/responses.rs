//! The response checker: every response a test receives, checked against the spec as the
//! oracle (status declared for the operation hit, required headers, media type, body valid
//! under the declared schema with OpenAPI 3.0's `nullable`, exclusive bounds, `$ref` and
//! `discriminator` translated to JSON Schema).

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

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

impl Observed<'_> {
    /// The media type of `Content-Type`, without parameters (`charset`); empty if none.
    fn media_type(&self) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == "content-type")
            .map(|(_, v)| v.split(';').next().unwrap_or_default().trim())
            .unwrap_or_default()
    }
}

/// Checks one response against `spec`: the status is declared for the operation hit, the
/// declared headers are present, the content type is the declared one and the body is valid
/// under the declared schema. A request that hits no operation must get a 404 or 405
/// problem. Returns the operationId (if any) for the coverage record.
pub fn check_response(spec: &Value, r: &Observed) -> Result<Option<String>, String> {
    let at = format!("{} {} -> {}", r.method, r.path, r.status);
    let header = |name: &str| r.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    // OPTIONS on a path of the spec (none declares it) answers 204 with what is allowed.
    if r.method == "OPTIONS" && r.status == 204 {
        return match header("allow") {
            Some(_) if r.body.is_empty() => Ok(None),
            _ => Err(format!(
                "{at}: an OPTIONS answer carries `Allow` and no body"
            )),
        };
    }
    // HEAD is answered as GET is, without the body (RFC 9110 §9.3.2).
    if r.method == "HEAD" {
        let get = Observed {
            method: "GET",
            body: b"",
            ..*r
        };
        return match find_operation(spec, "GET", r.path) {
            Some(op)
                if declared_response(spec, op.object, r.status).is_some() && r.body.is_empty() =>
            {
                Ok(Some(op.id.to_owned()))
            }
            Some(_) => Err(format!(
                "{at}: not an answer GET declares, or it has a body"
            )),
            None => check_response(spec, &get).map(|_| None),
        };
    }
    // Limits of the server itself, before any operation: problem details, never declared.
    if matches!(r.status, 414 | 431) {
        check_body(spec, &at, "application/problem+json", &problem_details(), r)?;
        return Ok(None);
    }
    let Some(op) = find_operation(spec, r.method, r.path) else {
        if r.status == 405 && header("allow").is_none() {
            return Err(format!("{at}: a 405 must say what is allowed (`Allow`)"));
        }
        if r.status != 404 && r.status != 405 {
            return Err(format!(
                "{at}: no operation matches, so only 404 or 405 may answer"
            ));
        }
        // The server's own answer (app::serve_api): RFC 9457 problem details.
        check_body(spec, &at, "application/problem+json", &problem_details(), r)?;
        return Ok(None);
    };
    let Some(response) = declared_response(spec, op.object, r.status) else {
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
    let content_type = r.media_type();
    let content = response["content"].as_object();
    // With several media types, the one the response says it is must be declared.
    let media = content.and_then(|c| c.get(content_type).map(|m| (content_type, m)));
    match (content, media) {
        (Some(_), Some((media_type, media))) => {
            check_body(spec, &at, media_type, &media["schema"], r)?
        }
        (Some(c), None) => {
            let declared: Vec<&String> = c.keys().collect();
            return Err(format!(
                "{at}: content type is `{content_type}`, the spec declares {declared:?}"
            ));
        }
        (None, _) if !r.body.is_empty() => {
            return Err(format!(
                "{at}: the response declares no content but has a body"
            ));
        }
        (None, _) => {}
    }
    Ok(Some(op.id.to_owned()))
}

/// [`check_response`] for a server generated in the default (not strict) mode: a 400, 401,
/// 413 or 415 the operation does not declare is the server's own answer to a request it
/// rejected before the handler, and must be RFC 9457 problem details.
pub fn check_response_default_mode(spec: &Value, r: &Observed) -> Result<Option<String>, String> {
    let declared = find_operation(spec, r.method, r.path).map(|op| {
        (
            op.id,
            declared_response(spec, op.object, r.status).is_some(),
        )
    });
    match declared {
        Some((id, false)) if matches!(r.status, 400 | 401 | 413 | 415) => {
            let at = format!(
                "{} {} -> {} (undeclared rejection)",
                r.method, r.path, r.status
            );
            check_body(spec, &at, "application/problem+json", &problem_details(), r)?;
            Ok(Some(id.to_owned()))
        }
        _ => check_response(spec, r),
    }
}

/// The schema of the answers the server gives itself (`app::serve_api`).
fn problem_details() -> Value {
    json!({"type": "object", "required": ["type", "title", "status"],
        "properties": {"type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"}}})
}

/// The response `operation` declares for `status`: the code itself, else its range (`4XX`),
/// else `default`; a `$ref` into `components/responses` is followed.
pub fn declared_response<'a>(
    spec: &'a Value,
    operation: &'a Value,
    status: u16,
) -> Option<&'a Value> {
    let responses = &operation["responses"];
    let response = [
        status.to_string(),
        format!("{}XX", status / 100),
        "default".to_owned(),
    ]
    .iter()
    .find_map(|key| responses.get(key))?;
    match response.get("$ref").and_then(Value::as_str) {
        Some(target) => {
            let name = target.strip_prefix("#/components/responses/")?;
            spec["components"]["responses"].get(name)
        }
        None => Some(response),
    }
}

fn check_body(
    spec: &Value,
    at: &str,
    media_type: &str,
    schema: &Value,
    r: &Observed,
) -> Result<(), String> {
    let content_type = r.media_type();
    if content_type != media_type {
        return Err(format!(
            "{at}: content type is `{content_type}`, the spec declares `{media_type}`"
        ));
    }
    let is_json = media_type == "application/json" || media_type.ends_with("+json");
    if !is_json {
        // Bytes (`format: binary`) may be anything; text must be UTF-8.
        if schema["format"] != json!("binary") && std::str::from_utf8(r.body).is_err() {
            return Err(format!("{at}: the {media_type} body is not UTF-8 text"));
        }
        return Ok(());
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
                    "allOf" | "oneOf" | "anyOf" => {
                        let parts = value
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(translate)
                            .collect();
                        out.insert(key.clone(), Value::Array(parts));
                    }
                    // OpenAPI's discriminator picks the variant by a property; JSON Schema
                    // has no such keyword, so each variant gets the value as a `const`.
                    "discriminator" => {}
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
            if let Some(d) = map.get("discriminator") {
                discriminate(&mut out, d);
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                if let Some(Value::String(ty)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([ty, "null"]));
                } else if !out.contains_key("type") {
                    return json!({"anyOf": [Value::Object(out), {"type": "null"}]});
                }
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Rewrites each `$ref` variant of a translated `oneOf`/`anyOf` to also require the
/// discriminator value that selects it (from `mapping`, else the schema's name).
fn discriminate(out: &mut Map<String, Value>, discriminator: &Value) {
    let property = discriminator["propertyName"].as_str().unwrap_or_default();
    let mapping = discriminator["mapping"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    for key in ["oneOf", "anyOf"] {
        let Some(variants) = out.get_mut(key).and_then(Value::as_array_mut) else {
            continue;
        };
        for variant in variants {
            let Some(target) = variant["$ref"].as_str().map(str::to_owned) else {
                continue;
            };
            let name = target.rsplit('/').next().unwrap_or_default().to_owned();
            let original = format!("#/components/schemas/{name}");
            let value = mapping
                .iter()
                .find(|(_, t)| t.as_str() == Some(original.as_str()))
                .map(|(v, _)| v.clone())
                .unwrap_or(name);
            *variant = json!({"allOf": [
                {"$ref": target},
                {"required": [property], "properties": {property: {"const": value}}},
            ]});
        }
    }
}
