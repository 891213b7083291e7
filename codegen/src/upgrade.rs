//! OpenAPI 3.1 input (part of the `load` stage): a 3.1 document is rewritten, on the raw
//! tree, into the OpenAPI 3.0 shape that the shape check and `openapiv3` read. The served
//! document stays the file as written; only what the generator reads is rewritten.
//!
//! Why a rewrite and not a 3.1 parser: the later stages (shape tables, `openapiv3` types,
//! `resolve`) are written against 3.0, and what 3.1 adds to them is mostly spelling
//! (`type: [string, "null"]` for `nullable: true`, numeric `exclusiveMinimum`, `const`,
//! `examples` arrays). The few JSON Schema keywords with no 3.0 equivalent are reported here,
//! by name and place. The rewrite edits nodes in place, so pointers (and the lines they map
//! to) stay those of the written document.

use serde_json::{Map, Value};

use crate::diagnostic::Diagnostics;
use crate::source::join;

/// The only `jsonSchemaDialect` whose meaning the generator knows: OpenAPI 3.1's default.
const DEFAULT_DIALECT: &str = "https://spec.openapis.org/oas/3.1/dialect/base";

/// Keywords that only annotate or identify a schema: dropped.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "$dynamicAnchor",
    "contentSchema",
];

/// Keywords that only constrain further: the value is read without that check (a warning;
/// an error in strict mode).
const UNCHECKED: &[&str] = &[
    "patternProperties",
    "propertyNames",
    "contains",
    "minContains",
    "maxContains",
    "dependentRequired",
    "unevaluatedItems",
];

/// Keywords that change what a value is, with no equivalent the generator can implement.
const REFUSED: &[(&str, &str)] = &[
    ("prefixItems", "describe the array with `items` (one schema for every element), or an object with named properties"),
    ("if", "describe the alternatives with `oneOf` (and a `discriminator`)"),
    ("then", "describe the alternatives with `oneOf` (and a `discriminator`)"),
    ("else", "describe the alternatives with `oneOf` (and a `discriminator`)"),
    ("dependentSchemas", "describe the alternatives with `oneOf`, or list the properties in one schema"),
    ("$dynamicRef", "use `$ref` to a named schema"),
];

/// Rewrites a 3.1 document into the 3.0 shape (see the module docs). Returns the rewritten
/// tree; what cannot be rewritten is reported to `diags`.
pub fn to_openapi_30(mut doc: Value, diags: &mut Diagnostics) -> Value {
    let Some(root) = doc.as_object_mut() else {
        return doc;
    };
    root.insert("openapi".into(), Value::String("3.0.3".into()));
    if let Some(dialect) = root.remove("jsonSchemaDialect") {
        if dialect.as_str() != Some(DEFAULT_DIALECT) {
            diags.error(
                "/jsonSchemaDialect",
                format!("the JSON Schema dialect {dialect} is not OpenAPI 3.1's default: the generator reads schemas in the default dialect only"),
                format!("remove `jsonSchemaDialect`, or set it to {DEFAULT_DIALECT}"),
            );
        }
    }
    // Webhooks are requests the API sends: they are served as written and need no handler.
    root.remove("webhooks");
    root.entry("paths")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
    }
    // `components/pathItems` are reached through `$ref`s in `paths`: inline those.
    let path_items = root
        .get_mut("components")
        .and_then(Value::as_object_mut)
        .and_then(|c| c.remove("pathItems"));
    if let (Some(items), Some(paths)) = (
        path_items.as_ref(),
        root.get_mut("paths").and_then(Value::as_object_mut),
    ) {
        for item in paths.values_mut() {
            let target = item
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/pathItems/"))
                .and_then(|name| items.get(name.replace("~1", "/").replace("~0", "~")));
            if let Some(target) = target {
                *item = target.clone();
            }
        }
    }
    walk(&mut doc, "", diags);
    doc
}

/// Finds the schemas of a document: `components/schemas/*` and every `schema` key outside
/// values (examples, defaults and extensions hold data, not schemas).
fn walk(value: &mut Value, at: &str, diags: &mut Diagnostics) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let child_at = join(at, key);
                if key.starts_with("x-")
                    || matches!(
                        key.as_str(),
                        "example" | "examples" | "default" | "enum" | "value"
                    )
                {
                    continue;
                }
                if key == "schema" {
                    schema(child, &child_at, diags);
                } else if key == "schemas" && at == "/components" {
                    if let Some(schemas) = child.as_object_mut() {
                        for (name, s) in schemas.iter_mut() {
                            schema(s, &join(&child_at, name), diags);
                        }
                    }
                } else {
                    walk(child, &child_at, diags);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, &format!("{at}/{i}"), diags);
            }
        }
        _ => {}
    }
}

/// Whether a schema admits only `null` (`{type: "null"}`, `{const: null}`, `{enum: [null]}`).
fn is_null_schema(value: &Value) -> bool {
    let Some(map) = value.as_object() else {
        return false;
    };
    match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().all(|t| t == "null"),
        _ => {
            map.get("const") == Some(&Value::Null)
                || map.get("enum") == Some(&Value::Array(vec![Value::Null]))
        }
    }
}

/// Rewrites one schema and, recursively, the schemas inside it.
fn schema(value: &mut Value, at: &str, diags: &mut Diagnostics) {
    if let Value::Bool(accepts) = value {
        // `true` accepts anything, `false` nothing (`not: {}`, which is then refused by name).
        *value = if *accepts {
            Value::Object(Map::new())
        } else {
            serde_json::json!({ "not": {} })
        };
        return;
    }
    let Some(map) = value.as_object_mut() else {
        return;
    };
    for key in ANNOTATIONS {
        map.remove(*key);
    }
    // First, so that a branch merged into this schema is rewritten with it.
    for key in ["anyOf", "oneOf"] {
        null_branches(map, key);
    }
    if map.contains_key("$ref") {
        reference(map);
    }
    dropped_keywords(map, at, diags);
    renamed_keywords(map);
    types(map, at, diags);
    unknown_keywords(map, at, diags);
    subschemas(map, at, diags);
}

/// Removes the JSON Schema keywords 3.0 has no equivalent of: reported as not checked, or
/// refused where the server could not behave as the spec says.
fn dropped_keywords(map: &mut Map<String, Value>, at: &str, diags: &mut Diagnostics) {
    for key in UNCHECKED {
        if map.remove(*key).is_some() {
            diags.lenient(
                &join(at, key),
                format!(
                    "`{key}` (JSON Schema) is not checked: the generated types have no equivalent"
                ),
                format!("remove `{key}`, or check it in the handler"),
            );
        }
    }
    for (key, help) in REFUSED {
        if map.remove(*key).is_some() {
            diags.error(
                &join(at, key),
                format!("`{key}` (JSON Schema in OpenAPI 3.1) cannot be implemented: poem-openapi's types have no equivalent"),
                *help,
            );
        }
    }
    match map.remove("unevaluatedProperties") {
        Some(Value::Bool(false)) => {
            map.entry("additionalProperties").or_insert(Value::Bool(false));
        }
        Some(Value::Bool(true)) | None => {}
        Some(_) => diags.lenient(
            &join(at, "unevaluatedProperties"),
            "`unevaluatedProperties` with a schema is not checked: the generated types have no equivalent",
            "use `additionalProperties` with the schema",
        ),
    }
}

/// Spells 3.1 keywords the way 3.0 does: `const` as a one-value `enum`, the first of
/// `examples` as `example`, numeric exclusive bounds as a bound and a flag, content
/// encodings as formats.
fn renamed_keywords(map: &mut Map<String, Value>) {
    if let Some(value) = map.remove("const") {
        map.entry("enum").or_insert(Value::Array(vec![value]));
    }
    if let Some(examples) = map.remove("examples") {
        if let Some(first) = examples.as_array().and_then(|e| e.first()) {
            map.entry("example").or_insert(first.clone());
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(n) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.into(), n);
            map.insert(exclusive.into(), Value::Bool(true));
        }
    }
    if let Some(encoding) = map.remove("contentEncoding") {
        if encoding == "base64" || encoding == "base64url" {
            map.entry("format").or_insert("byte".into());
        }
    }
    if map.remove("contentMediaType").is_some() && map.get("type") == Some(&"string".into()) {
        map.entry("format").or_insert("binary".into());
    }
}

/// Removes keywords no version of JSON Schema knows, as JSON Schema ignores them, with a
/// warning (a misspelling is the usual cause).
fn unknown_keywords(map: &mut Map<String, Value>, at: &str, diags: &mut Diagnostics) {
    for key in map.keys().cloned().collect::<Vec<_>>() {
        let known = crate::shape::is_schema_key(&key)
            || key.starts_with("x-")
            || matches!(key.as_str(), "$ref" | "$defs" | "definitions");
        if !known {
            map.remove(&key);
            diags.lenient(
                &join(at, &key),
                format!("unknown keyword `{key}` in a schema is ignored, as JSON Schema ignores keywords it does not know"),
                "remove it, or spell it as an `x-` extension",
            );
        }
    }
}

/// Rewrites the schemas inside this one.
fn subschemas(map: &mut Map<String, Value>, at: &str, diags: &mut Diagnostics) {
    for key in ["items", "not", "additionalProperties"] {
        if let Some(child) = map.get_mut(key) {
            if !(key == "additionalProperties" && child.is_boolean()) {
                schema(child, &join(at, key), diags);
            }
        }
    }
    for key in ["properties", "$defs", "definitions"] {
        if let Some(children) = map.get_mut(key).and_then(Value::as_object_mut) {
            for (name, child) in children.iter_mut() {
                schema(child, &join(&join(at, key), name), diags);
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(children) = map.get_mut(key).and_then(Value::as_array_mut) {
            for (i, child) in children.iter_mut().enumerate() {
                schema(child, &format!("{}/{i}", join(at, key)), diags);
            }
        }
    }
}

/// `type: [string, "null"]` → `type: string, nullable: true`. Several non-null types have
/// no 3.0 spelling: the value is then any JSON value (inferred from the other keywords).
fn types(map: &mut Map<String, Value>, at: &str, diags: &mut Diagnostics) {
    let Some(Value::Array(list)) = map.get("type") else {
        if map.get("type") == Some(&"null".into()) {
            map.remove("type");
            map.insert("nullable".into(), Value::Bool(true));
        }
        return;
    };
    let nullable = list.iter().any(|t| t == "null");
    let rest: Vec<Value> = list.iter().filter(|t| *t != "null").cloned().collect();
    match rest.as_slice() {
        [one] => {
            map.insert("type".into(), one.clone());
        }
        [] => {
            map.remove("type");
        }
        several => {
            let names: Vec<String> = several.iter().map(|t| t.to_string()).collect();
            diags.lenient(
                &join(at, "type"),
                format!(
                    "a schema of several types ({}) is read as any JSON value",
                    names.join(", ")
                ),
                "use `oneOf` with one schema per type",
            );
            map.remove("type");
        }
    }
    if nullable {
        map.insert("nullable".into(), Value::Bool(true));
    }
}

/// `anyOf: [X, {type: "null"}]` → X with `nullable: true` (FastAPI writes every optional
/// field this way); with several other branches the union stays, nullable.
fn null_branches(map: &mut Map<String, Value>, key: &str) {
    let Some(Value::Array(branches)) = map.get_mut(key) else {
        return;
    };
    let before = branches.len();
    branches.retain(|b| !is_null_schema(b));
    if branches.len() == before {
        return;
    }
    map.insert("nullable".into(), Value::Bool(true));
    let Some(Value::Array(branches)) = map.get(key) else {
        return;
    };
    match branches.as_slice() {
        [] => {
            map.remove(key);
        }
        [only] => {
            let only = only.clone();
            map.remove(key);
            match only {
                // A named schema stays named: `allOf` of one `$ref` is how 3.0 makes it nullable.
                Value::Object(o) if o.contains_key("$ref") && !map.contains_key("allOf") => {
                    map.insert("allOf".into(), Value::Array(vec![Value::Object(o)]));
                }
                Value::Object(o) => {
                    for (k, v) in o {
                        map.entry(k).or_insert(v);
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// A `$ref` with siblings (3.1 allows them): annotations are dropped; anything else makes
/// it an `allOf` of the reference, as 3.0 writes a reference with more to say.
fn reference(map: &mut Map<String, Value>) {
    for key in [
        "description",
        "summary",
        "title",
        "examples",
        "example",
        "deprecated",
        "readOnly",
        "writeOnly",
    ] {
        if map.len() > 1 {
            map.remove(key);
        }
    }
    if map.len() > 1 && !map.contains_key("allOf") {
        let target = map.remove("$ref").unwrap_or(Value::Null);
        let mut only = Map::new();
        only.insert("$ref".into(), target);
        map.insert("allOf".into(), Value::Array(vec![Value::Object(only)]));
    }
}

/// The tree without `$defs` (and draft-07 `definitions`) members, for the shape check, which knows 3.0 keys only: the
/// rewritten tree keeps them (a `$ref` may point into them) and the checked copy does not.
pub fn without_defs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| *k != "$defs" && *k != "definitions")
                .map(|(k, v)| (k.clone(), without_defs(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_defs).collect()),
        other => other.clone(),
    }
}
