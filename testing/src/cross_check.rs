//! The normalizations behind [`crate::cross_check`]: each undoes one entry of
//! [`KNOWN_DIFFERENCES`] on the served (derived) or the written side.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

/// The document poem-openapi derives from generated code (`service.spec()`): not what is
/// served (that is the spec itself), but the cross-check that the generated types, statuses,
/// parameters and media types agree with the spec.
pub fn derived_document(spec: String) -> Value {
    // poem-openapi puts `type: object` beside every `oneOf`/`anyOf`, which a union of scalars
    // could never satisfy; the spec has none there, so it is not a difference that matters.
    fn untype_unions(v: &mut Value) {
        match v {
            Value::Object(m) => {
                let union = m.contains_key("oneOf") || m.contains_key("anyOf");
                if union && m.get("type").and_then(Value::as_str) == Some("object") {
                    m.remove("type");
                }
                m.values_mut().for_each(untype_unions);
            }
            Value::Array(a) => a.iter_mut().for_each(untype_unions),
            _ => {}
        }
    }
    let mut doc = serde_json::from_str(&spec).expect("poem-openapi derives JSON");
    untype_unions(&mut doc);
    doc
}

/// The known, deliberate differences between what poem-openapi serves and what items.yaml
/// says, each undone by [`normalize_served`] or [`normalize_written`]. Nothing else may differ.
pub const KNOWN_DIFFERENCES: &[&str] = &[
    "`openapi`: poem-openapi always serves 3.0.0; items.yaml says 3.0.3",
    "`servers`: poem-openapi serves an empty list when none are configured; the written ones are in the served document, not in the derived one",
    "`info`: the derived document has the spec's title, version and description; `license`, `contact`, `termsOfService` and `x-` are in the served document only",
    "OAuth2 and OpenID Connect schemes: the handler receives the bearer token, served by poem-openapi as `http: bearer`, without flows and without the scopes of each requirement",
    "path-item `parameters`: served on each operation of the path (before its own)",
    "`description`: served without trailing whitespace (a YAML block scalar ends with a newline)",
    "response `links`: documentation poem-openapi cannot carry; in the served document only",
    "integer and number `enum`: checked by `codegen_runtime::Among`, a validator poem-openapi does not describe; a named integer enum is served inline like other named scalars",
    "`default` of a required property: not served (a required member is never filled in)",
    "parameter `style` and `explode`: read by the generator's own extractors (`Delimited`, `QueryObject`, tested at run time), which poem-openapi cannot describe",
    "`title` on each component schema: poem-openapi adds the schema's name",
    "`deprecated: false` and `explode: true` on parameters, `deprecated: false` on response headers: always served",
    "response header names: poem-openapi serves them upper-case (`LOCATION`)",
    "request media type: a body whose payload type checks the media type itself (`Json<T>`, `PlainText`) is served with `; charset=utf-8`",
    "`allOf`: poem-openapi has no inheritance, so the generator merges the parts into one object, served as such; the written side is merged the same way",
    "a union with a `discriminator`: served through one wrapper per variant (`Pet_Cat`: the variant plus its discriminator value), replaced by the variant; the written `mapping` gets the implicit values poem-openapi writes out",
    "a nullable union property: served as `allOf: [union, {nullable: true}]`; merged back into one schema",
    "`components/responses`: poem-openapi serves them inline in each operation",
    "a document-level `security`: served on each operation that has none of its own; `security: []` is served as no key",
    "component schemas no operation reaches (an `allOf` part, once merged): not served",
    "`tags`: served in name order, and as an empty list when the spec declares none",
    "a named scalar, array or map schema (`Coordinates: {type: array}`): no Rust type of its own, so it is served inline where it is used; the written side is inlined the same way",
    "an object schema without `type` but with `properties`: served with `type: object`; `additionalProperties: true` is served as `{}`",
    "`x-` extensions: the generator gives none a meaning, so none is served",
    "`additionalProperties: false`: enforced at run time (deny_unknown_fields), not served",
    "`required: false` on parameters: served explicitly, the spec may leave it to its default",
    "an inline enum with a `default`: served as `allOf: [enum, {default}]`; merged back into one schema",
    "`components/parameters`, `components/requestBodies` and `components/headers`: poem-openapi serves them inline where they are used",
    "inline object and enum schemas: poem-openapi serves each as a named component (`BookAuthor`) and a `$ref`; served components the spec does not declare are inlined back",
    "numbers: validators are served as floats (`0.0` for `0`), so numbers compare by value",
    "formats, by the alias table `FORMAT_ALIASES`: an integer or number without `format` is served as the type the generator chose (`int64`, `double`), `date` as `naive-date`, `uri` as a plain string",
    "a requirement of several schemes together (AND): served by poem-openapi as one requirement per scheme",
    "`example`: documentation, served as written (the document served is the spec itself), not repeated in the generated code",
    "a named schema's `default` (`Mood: {enum, default}`): applied, and served, where a property or part uses the schema; the written side copies it there",
];

/// How poem-openapi serves the formats the generator maps: (type, served, written); `None`
/// is no `format` at all. `uri` is a plain string: `http::Uri` rejects URNs and `about:`.
const FORMAT_ALIASES: &[(&str, Option<&str>, Option<&str>)] = &[
    ("integer", Some("int64"), None),
    ("number", Some("double"), None),
    ("string", Some("naive-date"), Some("date")),
    ("string", None, Some("uri")),
    ("string", None, Some("uri-reference")),
];

/// Undoes the served side of [`KNOWN_DIFFERENCES`]; `written` says which components the spec
/// itself declares.
pub fn normalize_served(doc: &Value, written: &Value) -> Value {
    let mut doc = unwrap_discriminated_variants(doc);
    sort_split_requirements(&mut doc, written);
    sort_tags(&mut doc);

    let mut doc = inline_undeclared_components(&doc, written);
    walk_schemas(&mut doc, &mut merge_annotation_all_of);
    trim_descriptions(&mut doc);
    let root = doc
        .as_object_mut()
        .expect("an OpenAPI document is an object");
    root.remove("openapi");
    for empty_list in ["servers", "tags"] {
        if root.get(empty_list) == Some(&json!([])) {
            root.remove(empty_list);
        }
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
        for p in parameters_mut(op) {
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
        for response in responses_mut(op) {
            if let Some(headers) = members_mut(response, "headers") {
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
    let mut doc = merge_written_all_of(&inline_named_aliases(doc));
    merge_path_parameters(&mut doc);
    split_joint_requirements(&mut doc);
    remove_extensions(&mut doc);
    complete_discriminator_mappings(&mut doc);
    inline_responses_and_security(&mut doc);
    sort_tags(&mut doc);
    let parameters = doc
        .pointer("/components/parameters")
        .cloned()
        .unwrap_or(json!({}));
    let bodies = doc
        .pointer("/components/requestBodies")
        .cloned()
        .unwrap_or(json!({}));
    let named_headers = doc
        .pointer("/components/headers")
        .cloned()
        .unwrap_or(json!({}));
    let root = doc
        .as_object_mut()
        .expect("an OpenAPI document is an object");
    root.remove("openapi");
    // OAuth2 and OpenID Connect: the generator reads the bearer token, as poem-openapi's
    // `http: bearer` scheme, and serves no flows or scopes.
    let bearer: Vec<String> = root
        .get_mut("components")
        .and_then(|c| c.get_mut("securitySchemes"))
        .and_then(Value::as_object_mut)
        .into_iter()
        .flatten()
        .filter(|(_, scheme)| matches!(scheme["type"].as_str(), Some("oauth2" | "openIdConnect")))
        .map(|(name, scheme)| {
            let description = scheme.get("description").cloned();
            *scheme = json!({"type": "http", "scheme": "bearer"});
            if let Some(d) = description {
                scheme["description"] = d;
            }
            name.clone()
        })
        .collect();
    // The service is built with the spec's title, version and description only.
    root.remove("servers");
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.retain(|k, _| matches!(k.as_str(), "title" | "version" | "description"));
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        components.remove("parameters");
        components.remove("requestBodies");
        components.remove("headers");
    }
    remove_everywhere(&mut doc, "additionalProperties", &json!(false));
    for op in operations_mut(&mut doc) {
        for p in parameters_mut(op) {
            let target = p
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/parameters/"))
                .map(str::to_owned);
            if let Some(name) = target {
                *p = parameters[&name].clone();
            }
            remove_if(p, "required", &json!(false));
            // Read by the generator's own extractors (`Delimited`, `QueryObject`), which
            // poem-openapi cannot describe.
            if let Some(p) = p.as_object_mut() {
                p.remove("style");
                p.remove("explode");
            }
        }
        let body_ref = op
            .pointer("/requestBody/$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/requestBodies/"))
            .map(str::to_owned);
        if let Some(name) = body_ref {
            op["requestBody"] = bodies[&name].clone();
        }
        for response in responses_mut(op) {
            if let Some(headers) = members_mut(response, "headers") {
                *headers = headers
                    .iter()
                    .map(|(k, v)| {
                        let target = v
                            .get("$ref")
                            .and_then(Value::as_str)
                            .and_then(|r| r.strip_prefix("#/components/headers/"));
                        let v = target.map_or(v, |name| &named_headers[name]);
                        (k.to_lowercase(), v.clone())
                    })
                    .collect();
            }
            if let Some(response) = response.as_object_mut() {
                response.remove("links");
            }
        }
    }
    for op in operations_mut(&mut doc) {
        for requirement in op
            .get_mut("security")
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object_mut)
        {
            for (name, scopes) in requirement.iter_mut() {
                if bearer.contains(name) {
                    *scopes = json!([]);
                }
            }
        }
    }
    trim_descriptions(&mut doc);
    // After `$ref`s to parameters and bodies are inlined: they may be what reaches a schema.
    drop_unreachable_schemas(&mut doc);
    apply_named_defaults(&mut doc);
    walk_schemas(&mut doc, &mut |schema| {
        // Examples are annotations: only the written document carries them.
        if let Some(s) = schema.as_object_mut() {
            s.remove("example");
            // An object inferred from its `properties` is served with its type.
            if s.contains_key("properties") && !s.contains_key("type") {
                s.insert("type".into(), json!("object"));
            }
            // Any member value: `true` is served as the empty schema.
            if s.get("additionalProperties") == Some(&json!(true)) {
                s.insert("additionalProperties".into(), json!({}));
            }
        }
        if let Some(s) = schema.as_object_mut() {
            // Checked by `codegen_runtime::Among`, a validator poem-openapi does not describe.
            if matches!(
                s.get("type").and_then(Value::as_str),
                Some("integer" | "number")
            ) {
                s.remove("enum");
            }
            // A required member is never filled in, so its default is not served.
            let required: Vec<String> = s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str().map(str::to_owned))
                .collect();
            if let Some(props) = s.get_mut("properties").and_then(Value::as_object_mut) {
                for name in &required {
                    if let Some(p) = props.get_mut(name).and_then(Value::as_object_mut) {
                        p.remove("default");
                    }
                }
            }
        }
        for (ty, served, written) in FORMAT_ALIASES {
            if schema.get("type") == Some(&json!(ty))
                && schema.get("format").and_then(Value::as_str) == *written
            {
                match served {
                    Some(served) => schema["format"] = json!(served),
                    None => {
                        schema.as_object_mut().map(|s| s.remove("format"));
                    }
                }
                break;
            }
        }
    });
    doc
}

/// poem-openapi serves a requirement of several schemes (`{A: [], B: []}`, all of them
/// together) as one requirement per scheme; the runtime checks both
/// (`pets::credentials_required_together_are_both_checked`).
fn split_joint_requirements(doc: &mut Value) {
    for op in operations_mut(doc) {
        if let Some(list) = op.get_mut("security").and_then(Value::as_array_mut) {
            if !list
                .iter()
                .any(|r| r.as_object().is_some_and(|m| m.len() > 1))
            {
                continue;
            }
            // The order of the split schemes is the generated struct's: compare by name.
            sort_requirements(list);
            *list = list
                .iter()
                .flat_map(|r| match r.as_object() {
                    Some(m) if m.len() > 1 => m
                        .iter()
                        .map(|(k, v)| json!({ k.clone(): v.clone() }))
                        .collect::<Vec<_>>(),
                    _ => vec![r.clone()],
                })
                .collect();
            sort_requirements(list);
        }
    }
}

fn sort_requirements(list: &mut [Value]) {
    list.sort_by_key(|r| r.as_object().and_then(|m| m.keys().next().cloned()));
}

/// The served side of [`split_joint_requirements`]: requirements sorted by scheme name
/// where the written operation has a joint requirement.
fn sort_split_requirements(served: &mut Value, written: &Value) {
    let Some(paths) = served.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for (method, op) in item.as_object_mut().into_iter().flatten() {
            let joint = written["paths"][path][method]["security"]
                .as_array()
                .is_some_and(|l| l.iter().any(|r| r.as_object().is_some_and(|m| m.len() > 1)));
            if let (true, Some(list)) =
                (joint, op.get_mut("security").and_then(Value::as_array_mut))
            {
                sort_requirements(list);
            }
        }
    }
}

/// Copies the `default` of each named schema onto the properties and parameters that refer
/// to it without a default of their own, and removes it from the named schema.
fn apply_named_defaults(doc: &mut Value) {
    let defaults: Map<String, Value> = doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, s)| {
            Some((
                format!("#/components/schemas/{name}"),
                s.get("default")?.clone(),
            ))
        })
        .collect();
    walk_schemas(doc, &mut |schema| {
        let target = schema
            .get("$ref")
            .or_else(|| schema.pointer("/allOf/0/$ref"));
        if let Some(default) = target.and_then(Value::as_str).and_then(|r| defaults.get(r)) {
            if schema.get("default").is_none() {
                schema["default"] = default.clone();
            }
        }
    });
    for schema in doc["components"]["schemas"]
        .as_object_mut()
        .into_iter()
        .flat_map(|m| m.values_mut())
    {
        if let Some(s) = schema.as_object_mut() {
            s.remove("default");
        }
    }
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
    inline_refs(
        served,
        &served_components,
        &undeclared,
        &|copy, referrer| {
            if let Some(m) = copy.as_object_mut() {
                m.remove("title");
            }
            // Keep keywords served beside the reference (a parameter's `default`).
            for (k, val) in referrer.as_object().into_iter().flatten() {
                if k != "$ref" {
                    copy[k] = val.clone();
                }
            }
        },
    )
}

/// Path-item `parameters` apply to each operation of the path (an operation's own parameter
/// of the same name and location wins); poem-openapi serves them on each operation.
fn merge_path_parameters(doc: &mut Value) {
    for item in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        let Some(Value::Array(shared)) = item.remove("parameters") else {
            continue;
        };
        for (method, op) in item.iter_mut() {
            if !matches!(
                method.as_str(),
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
            ) {
                continue;
            }
            let own = op["parameters"].as_array().cloned().unwrap_or_default();
            let key = |p: &Value| {
                (
                    p.get("name").cloned(),
                    p.get("in").cloned(),
                    p.get("$ref").cloned(),
                )
            };
            let mut merged: Vec<Value> = shared
                .iter()
                .filter(|s| !own.iter().any(|o| key(o) == key(s)))
                .cloned()
                .collect();
            merged.extend(own);
            op["parameters"] = Value::Array(merged);
        }
    }
}

/// poem-openapi trims the descriptions it serves; trailing whitespace is not a difference.
fn trim_descriptions(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, c) in m.iter_mut() {
                match c {
                    Value::String(text) if k == "description" => {
                        let trimmed = text.trim_end().len();
                        text.truncate(trimmed);
                    }
                    _ => trim_descriptions(c),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(trim_descriptions),
        _ => {}
    }
}

/// A named scalar, array or map schema (`Coordinates: {type: array, …}`) becomes no Rust type
/// of its own: the generator uses it in place, and poem-openapi serves it inline where it is
/// used. The written side is inlined the same way.
fn inline_named_aliases(doc: &Value) -> Value {
    let schemas = doc["components"]["schemas"].clone();
    let is_alias = |schema: &Value| {
        let composed = ["allOf", "oneOf", "anyOf", "properties"]
            .iter()
            .any(|k| schema.get(k).is_some());
        let string_enum = schema.get("enum").is_some()
            && !matches!(
                schema.get("type").and_then(Value::as_str),
                Some("integer" | "number")
            );
        match schema.get("type").and_then(Value::as_str) {
            _ if composed || string_enum => false,
            Some("array" | "string" | "integer" | "number" | "boolean") => true,
            Some("object") => schema
                .get("additionalProperties")
                .is_some_and(Value::is_object),
            _ => false,
        }
    };
    let aliases: BTreeSet<String> = schemas
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, schema)| is_alias(schema))
        .map(|(name, _)| name.clone())
        .collect();
    // poem-openapi serves the type in place, not the named schema's annotations.
    inline_refs(doc, &schemas, &|name| aliases.contains(name), &|copy, _| {
        if let Some(m) = copy.as_object_mut() {
            for annotation in ["description", "title", "example"] {
                m.remove(annotation);
            }
        }
    })
}

/// `doc` with every `$ref` to a component schema of `schemas` that `inline` picks replaced by
/// a copy of it (recursively, 32 levels at most), `reshape`d given the object that referred
/// to it; those components are dropped.
fn inline_refs(
    doc: &Value,
    schemas: &Value,
    inline: &dyn Fn(&str) -> bool,
    reshape: &dyn Fn(&mut Value, &Value),
) -> Value {
    fn walk(
        v: &mut Value,
        schemas: &Value,
        inline: &dyn Fn(&str) -> bool,
        reshape: &dyn Fn(&mut Value, &Value),
        depth: usize,
    ) {
        let target = v
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
            .filter(|name| inline(name))
            .map(str::to_owned);
        if let Some(name) = target.filter(|_| depth < 32) {
            let mut copy = schemas[&name].clone();
            reshape(&mut copy, v);
            *v = copy;
            walk(v, schemas, inline, reshape, depth + 1);
            return;
        }
        for c in children_mut(v) {
            walk(c, schemas, inline, reshape, depth);
        }
    }
    let mut doc = doc.clone();
    walk(&mut doc, schemas, inline, reshape, 0);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| !inline(name));
    }
    doc
}

/// Calls `f` on every object in `v`, children first.
fn walk_schemas(v: &mut Value, f: &mut dyn FnMut(&mut Value)) {
    match v {
        Value::Object(m) => m.values_mut().for_each(|c| walk_schemas(c, f)),
        Value::Array(a) => a.iter_mut().for_each(|c| walk_schemas(c, f)),
        _ => return,
    }
    if v.is_object() {
        f(v);
    }
}

/// poem-openapi serves each variant of a discriminated union through a wrapper component
/// (`Pet_Cat`: `allOf: [{discriminator value}, {$ref: Cat}]`); refers to the variant instead.
fn unwrap_discriminated_variants(served: &Value) -> Value {
    let mut doc = served.clone();
    let wrappers: Map<String, Value> = served["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| {
            let parts = schema["allOf"].as_array()?;
            let [tag, variant] = parts.as_slice() else {
                return None;
            };
            let tagged = tag["properties"].as_object().is_some_and(|p| p.len() == 1)
                && tag["required"].as_array().is_some_and(|r| r.len() == 1);
            let target = variant["$ref"].as_str()?;
            (name.contains('_') && tagged).then(|| (name.clone(), json!(target)))
        })
        .collect();
    fn rewrite(v: &mut Value, wrappers: &Map<String, Value>) {
        match v {
            Value::String(s) => {
                if let Some(name) = s.strip_prefix("#/components/schemas/") {
                    if let Some(target) = wrappers.get(name) {
                        *v = target.clone();
                    }
                }
            }
            Value::Object(m) => m.values_mut().for_each(|c| rewrite(c, wrappers)),
            Value::Array(a) => a.iter_mut().for_each(|c| rewrite(c, wrappers)),
            _ => {}
        }
    }
    rewrite(&mut doc, &wrappers);
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| !wrappers.contains_key(name));
    }
    doc
}

/// Merges every written `allOf` of objects into one object, as the generator does: parts
/// in order (a `$ref` part brings its schema without its description), then the schema's
/// own `properties` and `required`.
fn merge_written_all_of(doc: &Value) -> Value {
    let schemas = doc["components"]["schemas"].clone();
    fn merged(schema: &Value, schemas: &Value, depth: usize) -> Value {
        let Some(parts) = schema["allOf"].as_array().filter(|_| depth < 16) else {
            return schema.clone();
        };
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let own = json!({"properties": schema["properties"], "required": schema["required"]});
        for part in parts.iter().chain(std::iter::once(&own)) {
            let part = match part["$ref"].as_str() {
                Some(r) => merged(
                    &schemas[r.trim_start_matches("#/components/schemas/")],
                    schemas,
                    depth + 1,
                ),
                None => merged(part, schemas, depth + 1),
            };
            for (k, v) in part["properties"].as_object().into_iter().flatten() {
                properties.entry(k.clone()).or_insert_with(|| v.clone());
            }
            for r in part["required"].as_array().into_iter().flatten() {
                if !required.contains(r) {
                    required.push(r.clone());
                }
            }
        }
        let mut out = schema.as_object().cloned().unwrap_or_default();
        out.remove("allOf");
        out.insert("type".into(), json!("object"));
        out.insert("properties".into(), Value::Object(properties));
        if required.is_empty() {
            out.remove("required");
        } else {
            out.insert("required".into(), Value::Array(required));
        }
        Value::Object(out)
    }
    let mut doc = doc.clone();
    walk_schemas(&mut doc, &mut |schema| {
        if schema.get("allOf").is_some() {
            *schema = merged(schema, &schemas, 0);
        }
    });
    doc
}

/// Removes `x-` keys, except where keys are names (properties, paths, media types).
fn remove_extensions(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.starts_with("x-"));
            for (k, c) in m.iter_mut() {
                if matches!(k.as_str(), "properties" | "schemas" | "paths") {
                    c.as_object_mut()
                        .into_iter()
                        .flat_map(|names| names.values_mut())
                        .for_each(remove_extensions);
                } else {
                    remove_extensions(c);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(remove_extensions),
        _ => {}
    }
}

fn sort_tags(doc: &mut Value) {
    if let Some(tags) = doc.get_mut("tags").and_then(Value::as_array_mut) {
        tags.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    }
}

/// Drops component schemas that no `$ref` outside themselves reaches from the operations.
fn drop_unreachable_schemas(doc: &mut Value) {
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        out.push(name.to_owned());
                    }
                }
                m.values().for_each(|c| refs(c, out));
            }
            Value::Array(a) => a.iter().for_each(|c| refs(c, out)),
            _ => {}
        }
    }
    let schemas = doc["components"]["schemas"].clone();
    let mut reached = BTreeSet::new();
    let mut todo = Vec::new();
    refs(&doc["paths"], &mut todo);
    while let Some(name) = todo.pop() {
        if reached.insert(name.clone()) {
            refs(&schemas[&name], &mut todo);
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        schemas.retain(|name, _| reached.contains(name));
    }
}

/// Adds to each discriminator's `mapping` the values poem-openapi writes out for variants
/// the spec leaves implicit (the schema's name).
fn complete_discriminator_mappings(doc: &mut Value) {
    walk_schemas(doc, &mut |schema| {
        let Some(variants) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
            .cloned()
        else {
            return;
        };
        let Some(discriminator) = schema
            .get_mut("discriminator")
            .and_then(Value::as_object_mut)
        else {
            return;
        };
        let mapping = discriminator.entry("mapping").or_insert_with(|| json!({}));
        for target in variants.iter().filter_map(|v| v["$ref"].as_str()) {
            let mapped = mapping
                .as_object()
                .is_some_and(|m| m.values().any(|t| t == target));
            if !mapped {
                let name = target.trim_start_matches("#/components/schemas/");
                mapping[name] = json!(target);
            }
        }
    });
}

/// Inlines `$ref`s to `components/responses` and pushes a document-level `security` down to
/// the operations without their own, as poem-openapi serves them.
fn inline_responses_and_security(doc: &mut Value) {
    let responses = doc
        .pointer("/components/responses")
        .cloned()
        .unwrap_or(json!({}));
    let security = doc.get("security").cloned();
    if let Some(root) = doc.as_object_mut() {
        root.remove("security");
        if let Some(c) = root.get_mut("components").and_then(Value::as_object_mut) {
            c.remove("responses");
        }
    }
    for op in operations_mut(doc) {
        for response in responses_mut(op) {
            let target = response["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/responses/"))
                .map(str::to_owned);
            if let Some(name) = target {
                *response = responses[&name].clone();
            }
        }
        let Some(op) = op.as_object_mut() else {
            continue;
        };
        match (op.get("security"), &security) {
            (Some(s), _) if s == &json!([]) => {
                op.remove("security");
            }
            (None, Some(doc_level)) if doc_level != &json!([]) => {
                op.insert("security".into(), doc_level.clone());
            }
            _ => {}
        }
    }
}

/// The members of an object or the elements of an array: what a recursive walk visits.
fn children_mut(value: &mut Value) -> Box<dyn Iterator<Item = &mut Value> + '_> {
    match value {
        Value::Object(m) => Box::new(m.values_mut()),
        Value::Array(a) => Box::new(a.iter_mut()),
        _ => Box::new(std::iter::empty()),
    }
}

/// The parameters of an operation.
fn parameters_mut(op: &mut Value) -> impl Iterator<Item = &mut Value> {
    op.get_mut("parameters")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
}

/// The responses of an operation.
fn responses_mut(op: &mut Value) -> impl Iterator<Item = &mut Value> {
    members_mut(op, "responses")
        .into_iter()
        .flat_map(|r| r.values_mut())
}

/// The object `key` of `value`, if it is one.
fn members_mut<'v>(value: &'v mut Value, key: &str) -> Option<&'v mut Map<String, Value>> {
    value.get_mut(key).and_then(Value::as_object_mut)
}

/// Every operation of the document (the values of every path item, `parameters` too).
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
        m.keys().all(|k| {
            matches!(
                k.as_str(),
                "default" | "example" | "description" | "nullable"
            )
        })
    });
    if !annotations_only {
        return;
    }
    let mut merged = first.clone();
    for (k, v) in second.as_object().into_iter().flatten() {
        merged[k] = v.clone();
    }
    // Keys served beside the `allOf` (a property's `description`, `nullable`) stay.
    for (k, v) in schema.as_object().into_iter().flatten() {
        if k != "allOf" {
            merged[k] = v.clone();
        }
    }
    *schema = merged;
}

fn remove_everywhere(v: &mut Value, key: &str, value: &Value) {
    remove_if(v, key, value);
    for c in children_mut(v) {
        remove_everywhere(c, key, value);
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
