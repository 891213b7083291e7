//! The shape of an OpenAPI 3.0 document, as tables, and the walk that checks a raw document
//! against them (part of the `load` stage).
//!
//! Every object kind lists every key OpenAPI 3.0.3 allows, with its shape, whether it is
//! required, and whether the generator expresses it. A key that is not in the table (and not
//! an `x-` extension) is an *unknown key*, reported with the closest known key as a
//! suggestion; a key the spec allows but the generator cannot express yet is *unsupported*,
//! reported instead of dropped. The walk returns a sanitized copy of the document (offending
//! keys removed, missing required keys filled with placeholders) so later stages still run.

use serde_json::{Map, Value};

use crate::diagnostic::{suggest, Diagnostics};
use crate::source::join;

/// What a node must look like.
#[derive(Clone, Copy)]
enum Shape {
    Str,
    Bool,
    Num,
    /// A whole number ≥ 0 (`maxLength`, `minItems`).
    Count,
    /// One of a fixed set of strings (`in: query`).
    OneOf(&'static [&'static str]),
    /// Any JSON value (`default`, `example`): checked against its schema in `resolve`.
    Any,
    StrList,
    Obj(&'static Kind),
    /// A `$ref` mapping or the object itself.
    RefOr(&'static Kind),
    MapOf(&'static Shape),
    ListOf(&'static Shape),
    /// `paths`: keys start with `/`; `x-` extensions allowed.
    Paths,
    /// `responses`: keys are status codes or `default`; `x-` extensions allowed.
    Responses,
    /// `additionalProperties`: a boolean or a schema.
    BoolOrSchema,
}

/// Whether the generator turns a key into code.
#[derive(Clone, Copy)]
enum Support {
    Yes,
    /// Valid OpenAPI the generator does not express; the text says what to do instead.
    No(&'static str),
    /// Valid OpenAPI the generator reads without this check (a warning; an error in strict
    /// mode): the key is dropped.
    Unchecked(&'static str),
}

struct Key {
    name: &'static str,
    shape: Shape,
    required: bool,
    support: Support,
}

/// One kind of OpenAPI object.
struct Kind {
    /// How messages name it: "an operation", "a schema".
    what: &'static str,
    keys: &'static [Key],
}

const fn k(name: &'static str, shape: Shape) -> Key {
    Key {
        name,
        shape,
        required: false,
        support: Support::Yes,
    }
}
const fn req(name: &'static str, shape: Shape) -> Key {
    Key {
        name,
        shape,
        required: true,
        support: Support::Yes,
    }
}
const fn no(name: &'static str, shape: Shape, help: &'static str) -> Key {
    Key {
        name,
        shape,
        required: false,
        support: Support::No(help),
    }
}

static DOCUMENT: Kind = Kind {
    what: "the document",
    keys: &[
        req("openapi", Shape::Str),
        req("info", Shape::Obj(&INFO)),
        k("servers", Shape::Any),
        req("paths", Shape::Paths),
        k("components", Shape::Obj(&COMPONENTS)),
        k("security", SECURITY),
        k("tags", Shape::ListOf(&Shape::Obj(&TAG))),
        k("externalDocs", Shape::Any),
    ],
};

static INFO: Kind = Kind {
    what: "`info`",
    keys: &[
        req("title", Shape::Str),
        k("description", Shape::Str),
        k("termsOfService", Shape::Str),
        k("contact", Shape::Any),
        k("license", Shape::Any),
        req("version", Shape::Str),
    ],
};

static TAG: Kind = Kind {
    what: "a tag",
    keys: &[
        req("name", Shape::Str),
        k("description", Shape::Str),
        k("externalDocs", Shape::Any),
    ],
};

static COMPONENTS: Kind = Kind {
    what: "`components`",
    keys: &[
        k("schemas", Shape::MapOf(&Shape::RefOr(&SCHEMA))),
        k("responses", Shape::MapOf(&Shape::RefOr(&RESPONSE))),
        k("parameters", Shape::MapOf(&Shape::RefOr(&PARAMETER))),
        k("examples", Shape::Any),
        k("requestBodies", Shape::MapOf(&Shape::RefOr(&REQUEST_BODY))),
        k("headers", Shape::MapOf(&Shape::RefOr(&HEADER))),
        k(
            "securitySchemes",
            Shape::MapOf(&Shape::RefOr(&SECURITY_SCHEME)),
        ),
        k("links", Shape::Any),
        k("callbacks", Shape::Any),
    ],
};

static PATH_ITEM: Kind = Kind {
    what: "a path item",
    keys: &[
        no("$ref", Shape::Str, "write the path item inline"),
        k("summary", Shape::Str),
        k("description", Shape::Str),
        k("get", Shape::Obj(&OPERATION)),
        k("put", Shape::Obj(&OPERATION)),
        k("post", Shape::Obj(&OPERATION)),
        k("delete", Shape::Obj(&OPERATION)),
        k("options", Shape::Obj(&OPERATION)),
        k("head", Shape::Obj(&OPERATION)),
        k("patch", Shape::Obj(&OPERATION)),
        k("trace", Shape::Obj(&OPERATION)),
        k("servers", Shape::Any),
        k("parameters", Shape::ListOf(&Shape::RefOr(&PARAMETER))),
    ],
};

static OPERATION: Kind = Kind {
    what: "an operation",
    keys: &[
        k("tags", Shape::StrList),
        k("summary", Shape::Str),
        k("description", Shape::Str),
        k("externalDocs", Shape::Any),
        k("operationId", Shape::Str),
        k("parameters", Shape::ListOf(&Shape::RefOr(&PARAMETER))),
        k("requestBody", Shape::RefOr(&REQUEST_BODY)),
        req("responses", Shape::Responses),
        k("callbacks", Shape::Any),
        k("deprecated", Shape::Bool),
        k("security", SECURITY),
        k("servers", Shape::Any),
    ],
};

static PARAMETER: Kind = Kind {
    what: "a parameter",
    keys: &[
        req("name", Shape::Str),
        req("in", Shape::OneOf(&["path", "query", "header", "cookie"])),
        k("description", Shape::Str),
        k("required", Shape::Bool),
        k("deprecated", Shape::Bool),
        k("allowEmptyValue", Shape::Bool),
        k("style", Shape::Str),
        k("explode", Shape::Bool),
        k("allowReserved", Shape::Bool),
        // One of `schema` and `content` (checked where the parameter is resolved).
        k("schema", Shape::RefOr(&SCHEMA)),
        k("example", Shape::Any),
        k("examples", Shape::Any),
        k("content", Shape::MapOf(&Shape::Obj(&MEDIA_TYPE))),
    ],
};

static REQUEST_BODY: Kind = Kind {
    what: "a request body",
    keys: &[
        k("description", Shape::Str),
        req("content", Shape::MapOf(&Shape::Obj(&MEDIA_TYPE))),
        k("required", Shape::Bool),
    ],
};

static MEDIA_TYPE: Kind = Kind {
    what: "a media type",
    keys: &[
        k("schema", Shape::RefOr(&SCHEMA)),
        k("example", Shape::Any),
        k("examples", Shape::Any),
        k("encoding", Shape::Any),
    ],
};

static RESPONSE: Kind = Kind {
    what: "a response",
    keys: &[
        req("description", Shape::Str),
        k("headers", Shape::MapOf(&Shape::RefOr(&HEADER))),
        k("content", Shape::MapOf(&Shape::Obj(&MEDIA_TYPE))),
        k("links", Shape::Any),
    ],
};

static HEADER: Kind = Kind {
    what: "a header",
    keys: &[
        k("description", Shape::Str),
        k("required", Shape::Bool),
        k("deprecated", Shape::Bool),
        k("allowEmptyValue", Shape::Bool),
        k("style", Shape::Str),
        k("explode", Shape::Bool),
        k("allowReserved", Shape::Bool),
        req("schema", Shape::RefOr(&SCHEMA)),
        k("example", Shape::Any),
        k("examples", Shape::Any),
        no("content", Shape::Any, "describe the header with `schema`"),
    ],
};

static SCHEMA: Kind = Kind {
    what: "a schema",
    keys: &[
        k("title", Shape::Str),
        k("multipleOf", Shape::Num),
        k("maximum", Shape::Num),
        k("exclusiveMaximum", Shape::Bool),
        k("minimum", Shape::Num),
        k("exclusiveMinimum", Shape::Bool),
        k("maxLength", Shape::Count),
        k("minLength", Shape::Count),
        k("pattern", Shape::Str),
        k("maxItems", Shape::Count),
        k("minItems", Shape::Count),
        k("uniqueItems", Shape::Bool),
        k("maxProperties", Shape::Count),
        k("minProperties", Shape::Count),
        k("required", Shape::StrList),
        k("enum", Shape::Any),
        k("type", Shape::Str),
        k("allOf", Shape::ListOf(&SCHEMA_OR_REF)),
        k("oneOf", Shape::ListOf(&SCHEMA_OR_REF)),
        k("anyOf", Shape::ListOf(&SCHEMA_OR_REF)),
        Key {
            name: "not",
            shape: Shape::Any,
            required: false,
            support: Support::Unchecked(
                "poem-openapi cannot check `not`, so values it excludes are accepted; describe what is allowed instead",
            ),
        },
        k("items", Shape::RefOr(&SCHEMA)),
        k("properties", Shape::MapOf(&Shape::RefOr(&SCHEMA))),
        k("additionalProperties", Shape::BoolOrSchema),
        k("description", Shape::Str),
        k("format", Shape::Str),
        k("default", Shape::Any),
        k("nullable", Shape::Bool),
        k("discriminator", Shape::Obj(&DISCRIMINATOR)),
        k("readOnly", Shape::Bool),
        k("writeOnly", Shape::Bool),
        k("xml", Shape::Any),
        k("externalDocs", Shape::Any),
        k("example", Shape::Any),
        k("deprecated", Shape::Bool),
    ],
};

/// A list of security requirements: scheme name → scopes.
const SECURITY: Shape = Shape::ListOf(&Shape::MapOf(&Shape::StrList));

static SECURITY_SCHEME: Kind = Kind {
    what: "a security scheme",
    keys: &[
        req(
            "type",
            Shape::OneOf(&["apiKey", "http", "oauth2", "openIdConnect"]),
        ),
        k("description", Shape::Str),
        k("name", Shape::Str),
        k("in", Shape::OneOf(&["query", "header", "cookie"])),
        k("scheme", Shape::Str),
        k("bearerFormat", Shape::Str),
        k("flows", Shape::Any),
        k("openIdConnectUrl", Shape::Str),
    ],
};

static DISCRIMINATOR: Kind = Kind {
    what: "a discriminator",
    keys: &[
        req("propertyName", Shape::Str),
        k("mapping", Shape::MapOf(&Shape::Str)),
    ],
};

static SCHEMA_OR_REF: Shape = Shape::RefOr(&SCHEMA);

/// Whether OpenAPI 3.0 knows `key` in a schema (for the 3.1 rewrite, which drops the others).
pub fn is_schema_key(key: &str) -> bool {
    SCHEMA.keys.iter().any(|k| k.name == key)
}

/// Checks the whole document; returns the sanitized copy.
pub fn check_document(raw: &Value, diags: &mut Diagnostics) -> Value {
    check(raw, Shape::Obj(&DOCUMENT), "", diags)
}

fn check(value: &Value, shape: Shape, at: &str, diags: &mut Diagnostics) -> Value {
    if value.is_null()
        && matches!(shape, Shape::RefOr(kind) | Shape::Obj(kind) if std::ptr::eq(kind, &SCHEMA))
    {
        // Seen in generated public specs: `schema: null` where nothing was known.
        diags.lenient(
            at,
            "the schema is `null`: it is read as any JSON value",
            "write `{}` for any value, or the schema",
        );
        return Value::Object(Map::new());
    }
    match shape {
        Shape::Any => value.clone(),
        Shape::Str => expect(value, Value::is_string, "a string", at, diags),
        Shape::Bool => expect(value, Value::is_boolean, "`true` or `false`", at, diags),
        Shape::Num => expect(value, Value::is_number, "a number", at, diags),
        Shape::Count => expect(value, Value::is_u64, "a whole number, 0 or more", at, diags),
        Shape::OneOf(allowed) => match value.as_str() {
            Some(v) if allowed.contains(&v) => value.clone(),
            _ => {
                diags.error(
                    at,
                    format!(
                        "expected one of {}, found {value}",
                        list(allowed.iter().copied())
                    ),
                    format!("write one of {}", list(allowed.iter().copied())),
                );
                // No placeholder: guessing a location would only produce follow-on errors.
                Value::Null
            }
        },
        Shape::StrList => check_list(value, Shape::Str, "a list of strings", at, diags),
        Shape::ListOf(item) => check_list(value, *item, "a list", at, diags),
        Shape::MapOf(item) => match value.as_object() {
            Some(map) => Value::Object(
                map.iter()
                    .map(|(key, v)| (key.clone(), check(v, *item, &join(at, key), diags)))
                    .collect(),
            ),
            None => mismatch(value, "a mapping", at, diags),
        },
        Shape::Paths => check_keyed(value, at, diags, "a path", |key| {
            key.starts_with('/')
                .then_some(Shape::Obj(&PATH_ITEM))
                .ok_or("paths start with `/`, e.g. `/items/{item_id}`")
        }),
        Shape::Responses => check_keyed(value, at, diags, "a response", response_key),
        Shape::BoolOrSchema => match value {
            Value::Bool(_) => value.clone(),
            _ => check(value, SCHEMA_OR_REF, at, diags),
        },
        Shape::RefOr(kind) => match value.as_object() {
            Some(map) if map.contains_key("$ref") => check_ref(map, kind, at, diags),
            _ => check(value, Shape::Obj(kind), at, diags),
        },
        Shape::Obj(kind) => match value.as_object() {
            Some(map) => check_object(map, kind, at, diags),
            None => mismatch(value, &format!("a mapping ({})", kind.what), at, diags),
        },
    }
}

/// A list whose items are each checked as `item`; `what` names the list in a mismatch.
fn check_list(value: &Value, item: Shape, what: &str, at: &str, diags: &mut Diagnostics) -> Value {
    match value.as_array() {
        Some(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| check(v, item, &format!("{at}/{i}"), diags))
                .collect(),
        ),
        None => mismatch(value, what, at, diags),
    }
}

/// The shape under a key of `responses`: a status code, a range or `default`.
fn response_key(key: &str) -> Result<Shape, &'static str> {
    let is_status =
        key.len() == 3 && key.chars().all(|c| c.is_ascii_digit()) && ("100"..="599").contains(&key);
    let is_range = matches!(key, "1XX" | "2XX" | "3XX" | "4XX" | "5XX");
    if is_status || is_range || key == "default" {
        Ok(Shape::RefOr(&RESPONSE))
    } else {
        Err("response keys are HTTP status codes from 100 to 599 (e.g. '200'), ranges from '1XX' to '5XX', or `default`")
    }
}

fn check_object(map: &Map<String, Value>, kind: &Kind, at: &str, diags: &mut Diagnostics) -> Value {
    let mut out = Map::new();
    // Required keys that an unknown key looks like a misspelling of: the misspelling is the
    // one mistake to report, not also the missing key.
    let mut misspelt = Vec::new();
    for (key, value) in map {
        let here = join(at, key);
        if key.starts_with("x-") {
            continue;
        }
        let Some(spec) = kind.keys.iter().find(|s| s.name == key) else {
            let near = suggest(key, kind.keys.iter().map(|s| s.name));
            misspelt.extend(near.filter(|n| !map.contains_key(*n)));
            let help = match near {
                Some(near) => format!("did you mean `{near}`? Only OpenAPI 3.0 keys and `x-` extensions are allowed here"),
                None => format!(
                    "{} allows only {} and `x-` extensions",
                    kind.what,
                    list(kind.keys.iter().map(|s| s.name))
                ),
            };
            diags.error(&here, format!("unknown key `{key}` in {}", kind.what), help);
            continue;
        };
        if let Support::No(help) = spec.support {
            diags.error(
                &here,
                format!("`{key}` in {} is not supported by the generator", kind.what),
                help,
            );
            continue;
        }
        if let Support::Unchecked(help) = spec.support {
            diags.lenient(
                &here,
                format!("`{key}` in {} is not checked", kind.what),
                help,
            );
            continue;
        }
        out.insert(key.clone(), check(value, spec.shape, &here, diags));
    }
    for spec in kind.keys.iter().filter(|s| s.required) {
        if !map.contains_key(spec.name) {
            if !misspelt.contains(&spec.name) {
                diags.error(
                    at,
                    format!("{} has no `{}`", kind.what, spec.name),
                    format!("add `{}:`; OpenAPI 3.0 requires it here", spec.name),
                );
            }
            out.insert(spec.name.to_owned(), placeholder(spec.shape));
        }
    }
    Value::Object(out)
}

fn check_ref(map: &Map<String, Value>, kind: &Kind, at: &str, diags: &mut Diagnostics) -> Value {
    for key in map.keys().filter(|k| *k != "$ref" && !k.starts_with("x-")) {
        diags.warn(
            &join(at, key),
            format!("`{key}` beside `$ref` is ignored by OpenAPI 3.0"),
            format!(
                "move `{key}` into the referenced {}, or remove it",
                kind.what.trim_start_matches("a ")
            ),
        );
    }
    let target = check(&map["$ref"], Shape::Str, &join(at, "$ref"), diags);
    Value::Object(Map::from_iter([("$ref".to_owned(), target)]))
}

fn check_keyed(
    value: &Value,
    at: &str,
    diags: &mut Diagnostics,
    what: &str,
    shape_of: impl Fn(&str) -> Result<Shape, &'static str>,
) -> Value {
    let Some(map) = value.as_object() else {
        return mismatch(value, "a mapping", at, diags);
    };
    if what == "a response" && map.keys().all(|k| k.starts_with("x-")) {
        diags.error(
            at,
            "the operation declares no responses",
            "declare every status code it answers, e.g. '200'",
        );
    }
    let mut out = Map::new();
    for (key, v) in map {
        if key.starts_with("x-") {
            continue;
        }
        let here = join(at, key);
        match shape_of(key) {
            Ok(shape) => {
                out.insert(key.clone(), check(v, shape, &here, diags));
            }
            Err(help) => diags.error(&here, format!("`{key}` is not {what}"), help),
        }
    }
    Value::Object(out)
}

fn expect(
    value: &Value,
    ok: fn(&Value) -> bool,
    what: &str,
    at: &str,
    diags: &mut Diagnostics,
) -> Value {
    if ok(value) {
        value.clone()
    } else {
        mismatch(value, what, at, diags)
    }
}

fn mismatch(value: &Value, expected: &str, at: &str, diags: &mut Diagnostics) -> Value {
    let found = match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    };
    diags.error(
        at,
        format!("expected {expected}, found {found}"),
        format!("write {expected} here"),
    );
    Value::Null
}

/// A value of the right shape for a missing required key, so parsing can go on.
fn placeholder(shape: Shape) -> Value {
    match shape {
        Shape::Str => Value::String(String::new()),
        Shape::OneOf(allowed) => Value::String(allowed[0].to_owned()),
        Shape::Bool => Value::Bool(false),
        Shape::Num | Shape::Count => Value::from(0),
        Shape::StrList | Shape::ListOf(_) => Value::Array(vec![]),
        Shape::Obj(kind) | Shape::RefOr(kind) => Value::Object(
            kind.keys
                .iter()
                .filter(|s| s.required)
                .map(|s| (s.name.to_owned(), placeholder(s.shape)))
                .collect(),
        ),
        Shape::Any | Shape::MapOf(_) | Shape::Paths | Shape::Responses | Shape::BoolOrSchema => {
            Value::Object(Map::new())
        }
    }
}

fn list<'a>(names: impl Iterator<Item = &'a str>) -> String {
    names
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(yaml: &str) -> Vec<String> {
        let raw: Value = serde_yaml::from_str(yaml).unwrap();
        let mut diags = Diagnostics::default();
        check_document(&raw, &mut diags);
        diags
            .finish(None)
            .items
            .into_iter()
            .map(|d| format!("{}: {}", d.pointer, d.message))
            .collect()
    }

    const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

    #[test]
    fn misspelt_key_is_reported_with_its_pointer() {
        let m = messages(&format!(
            "{HEAD}paths:\n  /a:\n    get:\n      respones: {{}}\n      responses: {{'200': {{description: ok}}}}\n"
        ));

        assert_eq!(
            m,
            ["/paths/~1a/get/respones: unknown key `respones` in an operation"]
        );
    }

    #[test]
    fn every_problem_is_reported_in_one_pass() {
        let m = messages(&format!(
            "{HEAD}paths:\n  /a:\n    get:\n      responses: {{'200': {{}}}}\n    post:\n      summry: x\n      responses: {{'201': {{description: ok}}}}\n"
        ));

        assert_eq!(
            m,
            [
                "/paths/~1a/get/responses/200: a response has no `description`",
                "/paths/~1a/post/summry: unknown key `summry` in an operation",
            ]
        );
    }

    #[test]
    fn extensions_are_allowed_anywhere_an_object_is() {
        let m = messages(&format!(
            "{HEAD}x-owner: me\npaths:\n  x-note: 1\n  /a:\n    get:\n      x-rate: 5\n      responses: {{'200': {{description: ok}}}}\n"
        ));

        assert!(m.is_empty(), "{m:?}");
    }

    #[test]
    fn wrong_types_and_ref_siblings_are_reported() {
        let m = messages(&format!(
            "{HEAD}paths:\n  /a:\n    get:\n      tags: items\n      responses:\n        '200': {{$ref: '#/x', description: d}}\n"
        ));

        assert_eq!(
            m,
            [
                "/paths/~1a/get/responses/200/description: `description` beside `$ref` is ignored by OpenAPI 3.0",
                "/paths/~1a/get/tags: expected a list of strings, found a string",
            ]
        );
    }
}
