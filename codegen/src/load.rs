//! Stage 1, load: file → YAML value → shape check → `openapiv3::OpenAPI`.
//!
//! openapiv3 alone is too lenient to build on: it drops unknown keys (a misspelt `respones:`
//! vanishes), keeps keys the generator cannot express in fields nobody reads, stops at the
//! first missing key and points at the enclosing object. So the document is first read as a
//! plain `serde_json::Value` and walked against the shape tables (`shape.rs`), which know every
//! OpenAPI 3.0 key: unknown keys, unsupported keys, missing required keys and wrong types all
//! become located diagnostics, in one pass. The walk also returns a *sanitized* copy with the
//! offending keys removed and missing ones filled with placeholders, so openapiv3 can still
//! parse it and `resolve` can still report the semantic problems of the rest of the document.

use std::path::Path;

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Diagnostics, Report};
use crate::shape;
use crate::source::{escape, Source};

/// How deep the document may nest, counting every mapping and sequence (the top-level
/// mapping is level 1). The specs in this repository nest at most 13 levels. The later stages
/// recurse once per level or more, and in a debug build on a 2 MiB thread (the default for a
/// spawned thread and for `cargo test`) a chain of inline `items` or `additionalProperties`
/// overflows the stack past about 44 levels (deserializing into openapiv3, formatting a
/// `Vec<Vec<…>>`). 32 leaves real specs room to grow and those stages room to spare.
pub const MAX_DEPTH: usize = 32;

// serde_yaml refuses more than 128 levels itself ("recursion limit exceeded"); that error is
// reported as this one, which is only true while the cap is below it.
const _: () = assert!(MAX_DEPTH < 128);

/// A spec that parsed: its source (for positions), the raw value and the openapiv3 document.
pub struct Loaded {
    /// Text and positions, for locating diagnostics.
    pub source: Source,
    /// The document as plain JSON, for checks openapiv3 cannot express (`$ref` siblings).
    pub raw: Value,
    /// The typed document, parsed from the sanitized value.
    pub doc: openapiv3::OpenAPI,
}

/// Reads the spec at `path`, shown in diagnostics as `name`.
pub fn read(path: &Path, name: &str) -> Result<String, Report> {
    std::fs::read_to_string(path).map_err(|e| {
        Report::single(
            name,
            Diagnostic {
                severity: crate::diagnostic::Severity::Error,
                pointer: String::new(),
                position: None,
                message: format!("cannot read the spec: {e}"),
                help: "check the path; the spec is read relative to the package root".into(),
            },
        )
    })
}

/// Reads and parses the spec at `path`, shown in diagnostics as `name`.
pub fn load_file(path: &Path, name: &str) -> Result<(Loaded, Diagnostics), Report> {
    load_str(name, &read(path, name)?)
}

/// Parses spec text. Returns the loaded document plus the diagnostics found so far (the
/// caller keeps collecting), or a finished report if nothing could be parsed.
pub fn load_str(name: &str, text: &str) -> Result<(Loaded, Diagnostics), Report> {
    load_str_with(name, text, false)
}

/// Whether `text` is a JSON document rather than YAML. JSON is read with serde_json: YAML is
/// a superset of JSON only nearly (a `\ud83d\udc4d` surrogate pair is valid JSON, not YAML).
pub fn is_json(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('{')
}

/// [`load_str`], collecting into a [`Diagnostics`] that is `strict` or not.
pub fn load_str_with(
    name: &str,
    text: &str,
    strict: bool,
) -> Result<(Loaded, Diagnostics), Report> {
    let (raw, source, mut diags) = parse_document(name, text, strict)?;
    let (raw, sanitized) = if check_version(&raw, &mut diags) == Version::V31 {
        let raw = crate::upgrade::to_openapi_30(raw, &mut diags);
        let sanitized = shape::check_document(&crate::upgrade::without_defs(&raw), &mut diags);
        (raw, sanitized)
    } else {
        let sanitized = shape::check_document(&raw, &mut diags);
        (raw, sanitized)
    };
    match serde_json::from_value::<openapiv3::OpenAPI>(sanitized) {
        Ok(doc) => Ok((Loaded { source, raw, doc }, diags)),
        Err(e) => {
            if diags.is_empty() {
                // The shape tables should catch everything openapiv3 rejects; if they did not,
                // still say what openapiv3 said rather than nothing.
                diags.error(
                    "",
                    format!("not a valid OpenAPI 3.0 document: {e}"),
                    "compare the document with the OpenAPI 3.0.3 specification",
                );
            }
            Err(diags.finish(Some(&source)))
        }
    }
}

/// Parses the text into a value, with its source for positions: a mapping no deeper than
/// [`MAX_DEPTH`], or a finished report.
fn parse_document(
    name: &str,
    text: &str,
    strict: bool,
) -> Result<(Value, Source, Diagnostics), Report> {
    let parsed = if is_json(text) {
        parse_json(text)
    } else {
        parse_yaml(text)
    };
    let raw = match parsed {
        Ok(v) => v,
        Err(diagnostic) => return Err(Report::single(name, diagnostic)),
    };
    // Everything from here on recurses over the document: one deeper than `MAX_DEPTH` goes
    // no further than locating the error.
    let too_deep = first_too_deep(&raw);
    // Positions come from yaml-rust2, which recurses once per level without a limit: it only
    // sees a document serde_yaml accepted (at most 128 levels).
    let source = Source::new(name, text);
    let mut diags = Diagnostics::new(strict);
    if let Some(pointer) = too_deep {
        diags.error(&pointer, too_deep_message(), TOO_DEEP_HELP);
        return Err(diags.finish(Some(&source)));
    }
    if !raw.is_object() {
        diags.error(
            "",
            "the document is not a mapping",
            "an OpenAPI document starts with `openapi: 3.0.3`, `info:` and `paths:`",
        );
        return Err(diags.finish(Some(&source)));
    }
    Ok((raw, source, diags))
}

/// Parses a spec for comparison (`codegen diff`): the document in the 3.0 shape (a 3.1
/// document goes through the same conversion the generator uses), keeping what the
/// conversion sets aside for the generator (`openapi`, `info`, `webhooks`) as written, and its
/// source for line numbers. What the generator would refuse is not checked: two documents
/// can be compared as long as they parse.
pub fn document(name: &str, text: &str) -> Result<(Value, Source), Report> {
    let (raw, source, mut diags) = parse_document(name, text, false)?;
    match check_version(&raw, &mut diags) {
        Version::V30 => Ok((raw, source)),
        Version::V31 => {
            let mut doc = crate::upgrade::to_openapi_30(raw.clone(), &mut diags);
            for key in ["openapi", "info", "webhooks"] {
                if let (Some(written), Some(map)) = (raw.get(key), doc.as_object_mut()) {
                    map.insert(key.into(), written.clone());
                }
            }
            Ok((doc, source))
        }
        Version::Other => {
            if diags.is_empty() {
                diags.error(
                    "/openapi",
                    "the document does not say its OpenAPI version",
                    "start it with `openapi: 3.0.3` or `openapi: 3.1.1`",
                );
            }
            Err(diags.finish(Some(&source)))
        }
    }
}

/// serde_yaml parses with libyaml, which keeps its own stack of open collections instead of
/// recursing, and stops building the value at 128 levels: it cannot overflow the stack.
fn parse_yaml(text: &str) -> Result<Value, Diagnostic> {
    if text.contains("<<") {
        return parse_yaml_with_merge_keys(text);
    }
    serde_yaml::from_str(text).map_err(yaml_error)
}

/// YAML merge keys (`<<: *base`, `<<: [*a, *b]`) are applied as YAML 1.1 defines them (keys
/// written beside them win), as the tools that wrote such specs read them; serde_yaml only
/// applies them on its own `Value`.
fn parse_yaml_with_merge_keys(text: &str) -> Result<Value, Diagnostic> {
    let mut value: serde_yaml::Value = serde_yaml::from_str(text).map_err(yaml_error)?;
    value.apply_merge().map_err(yaml_error)?;
    Ok(yaml_to_json(value))
}

/// A YAML value as JSON: keys that are numbers or booleans become their text, as when
/// serde_yaml reads into JSON directly; tags are dropped.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    use serde_yaml::Value as Y;
    match value {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Value::Null, Value::Number)
            }
        }
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let key = match k {
                        Y::String(s) => s,
                        Y::Number(n) => n.to_string(),
                        Y::Bool(b) => b.to_string(),
                        Y::Null => "null".to_owned(),
                        other => serde_yaml::to_string(&other)
                            .unwrap_or_default()
                            .trim()
                            .to_owned(),
                    };
                    (key, yaml_to_json(v))
                })
                .collect(),
        ),
        Y::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}

fn yaml_error(e: serde_yaml::Error) -> Diagnostic {
    let position = e.location().map(|l| (l.line(), l.column()));
    let message = strip_location(&e.to_string());
    let (message, help) = if message == "recursion limit exceeded" {
        (too_deep_message(), TOO_DEEP_HELP.into())
    } else {
        (
            format!("YAML syntax error: {message}"),
            "fix the YAML at this position (indentation, quoting, a missing `:`)".into(),
        )
    };
    Diagnostic {
        severity: crate::diagnostic::Severity::Error,
        pointer: String::new(),
        position,
        message,
        help,
    }
}

/// serde_json stops at 128 levels too ("recursion limit exceeded").
fn parse_json(text: &str) -> Result<Value, Diagnostic> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        let message = strip_location(&e.to_string());
        let (message, help) = if message == "recursion limit exceeded" {
            (too_deep_message(), TOO_DEEP_HELP.into())
        } else {
            (
                format!("JSON syntax error: {message}"),
                "fix the JSON at this position (a missing comma, quote or bracket)".into(),
            )
        };
        Diagnostic {
            severity: crate::diagnostic::Severity::Error,
            pointer: String::new(),
            position: Some((e.line(), e.column())),
            message,
            help,
        }
    })
}

/// The OpenAPI versions the generator reads.
#[derive(PartialEq)]
enum Version {
    V30,
    /// Rewritten into the 3.0 shape by [`crate::upgrade`].
    V31,
    /// Not readable, or not said (the shape check reports a missing `openapi`).
    Other,
}

fn check_version(raw: &Value, diags: &mut Diagnostics) -> Version {
    match raw.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => Version::V30,
        Some(v) if v.starts_with("3.1.") => Version::V31,
        Some(v) if v.starts_with('3') => {
            diags.error(
                "/openapi",
                format!(
                    "OpenAPI {v} is not supported: this generator reads OpenAPI 3.0.x and 3.1.x"
                ),
                "write the document as OpenAPI 3.1 (or 3.0): `openapi: 3.1.1`",
            );
            Version::Other
        }
        Some(v) => {
            diags.error(
                "/openapi",
                format!("unsupported OpenAPI version `{v}`"),
                "set `openapi: 3.1.1` or `3.0.3`; Swagger 2.0 documents must be converted to OpenAPI 3 first",
            );
            Version::Other
        }
        // A missing or non-string `openapi` is reported by the shape check.
        None => Version::Other,
    }
}

const TOO_DEEP_HELP: &str = "flatten it: move nested inline schemas into `components/schemas` and refer to them with `$ref`";

fn too_deep_message() -> String {
    format!("the document nests deeper than {MAX_DEPTH} levels")
}

/// The pointer to the first mapping or sequence, in document order, that lies deeper than
/// [`MAX_DEPTH`], if any. Walks with an explicit stack of at most `MAX_DEPTH` entries (the
/// path to the current node), so any depth serde_yaml produced is safe to measure.
fn first_too_deep(root: &Value) -> Option<String> {
    enum Children<'a> {
        Seq(std::iter::Enumerate<std::slice::Iter<'a, Value>>),
        Map(serde_json::map::Iter<'a>),
    }
    fn children(value: &Value) -> Option<Children<'_>> {
        match value {
            Value::Array(items) => Some(Children::Seq(items.iter().enumerate())),
            Value::Object(map) => Some(Children::Map(map.iter())),
            _ => None,
        }
    }

    // One entry per open collection: the token that leads to it and its unvisited children.
    let mut path: Vec<(String, Children)> = vec![(String::new(), children(root)?)];
    while let Some((_, rest)) = path.last_mut() {
        let next = match rest {
            Children::Seq(items) => items.next().map(|(i, v)| (i.to_string(), v)),
            Children::Map(entries) => entries.next().map(|(k, v)| (escape(k), v)),
        };
        let Some((token, child)) = next else {
            path.pop();
            continue;
        };
        let Some(grandchildren) = children(child) else {
            continue;
        };
        if path.len() == MAX_DEPTH {
            let mut pointer: String = path[1..].iter().map(|(t, _)| format!("/{t}")).collect();
            pointer.push('/');
            pointer.push_str(&token);
            return Some(pointer);
        }
        path.push((token, grandchildren));
    }
    None
}

/// serde_yaml appends " at line L column C" to its messages; the position is printed
/// separately, so drop it from the text.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn merge_keys_are_applied_and_change_nothing_else() {
        let merged =
            parse_yaml("base: &b {x: 1, y: 2}\nmine:\n  <<: *b\n  y: 3\n200: ok\n").unwrap();
        assert_eq!(merged["mine"], serde_json::json!({"x": 1, "y": 3}));
        assert_eq!(merged["200"], "ok");
        // Every spec here reads the same through either path.
        for dir in [
            "tests/fixtures/ok",
            "tests/fixtures/corpus",
            "tests/fixtures/corpus31",
            "../openapi",
        ] {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "yaml") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let direct: Value = serde_yaml::from_str(&text).unwrap();
                    assert_eq!(
                        parse_yaml_with_merge_keys(&text).unwrap(),
                        direct,
                        "{}",
                        path.display()
                    );
                }
            }
        }
    }

    use super::*;

    fn report(text: &str) -> String {
        match load_str("t.yaml", text) {
            Ok((loaded, diags)) => diags.finish(Some(&loaded.source)).to_string(),
            Err(report) => report.to_string(),
        }
    }

    #[test]
    fn yaml_syntax_error_is_located() {
        let text = report("openapi: 3.0.3\ninfo: {title: a\n");

        assert!(text.starts_with("t.yaml:"), "{text}");
        assert!(text.contains("YAML syntax error"), "{text}");
    }

    #[test]
    fn openapi_32_is_refused_plainly_and_31_is_read() {
        let newer = report("openapi: 3.2.0\ninfo: {title: a, version: '1'}\npaths: {}\n");
        let v31 = report("openapi: 3.1.1\ninfo: {title: a, version: '1'}\n");

        assert!(
            newer.contains("t.yaml:1:1: /openapi: OpenAPI 3.2.0 is not supported"),
            "{newer}"
        );
        assert_eq!(
            v31, "0 errors in t.yaml\n",
            "a 3.1 document needs no `paths`"
        );
    }

    /// `levels` block mappings, one inside the other: `a:` / `  a:` / … / `1`.
    fn block_mappings(levels: usize) -> String {
        let mut text: String = (0..levels)
            .map(|i| format!("{}a:\n", " ".repeat(i)))
            .collect();
        text.push_str(&" ".repeat(levels));
        text.push_str("1\n");
        text
    }

    #[test]
    fn a_deep_flow_sequence_is_an_error_not_a_crash() {
        let n = 10_000;

        let text = report(&format!("a: {}{}\n", "[".repeat(n), "]".repeat(n)));

        assert!(
            text.starts_with("t.yaml:1:") && text.contains(&format!(": {}\n", too_deep_message())),
            "{text}"
        );
    }

    #[test]
    fn a_deep_block_mapping_is_an_error_not_a_crash() {
        // Past 128 levels serde_yaml's own limit answers, located at the 129th.
        let text = report(&block_mappings(1_000));

        assert!(
            text.starts_with("t.yaml:129:")
                && text.contains(&format!(": {}\n", too_deep_message())),
            "{text}"
        );
    }

    #[test]
    fn nesting_past_the_cap_is_located_at_the_first_node_too_deep() {
        let text = report(&format!(
            "openapi: 3.0.3\ninfo: {{title: a, version: '1'}}\npaths: {{}}\nx-deep:\n  - ok\n  - {}\n",
            "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH)
        ));

        // The root is level 1 and `x-deep` level 2; its second item is the outermost bracket,
        // at level 3, so bracket `MAX_DEPTH - 1` is the first one too deep.
        let pointer = format!("/x-deep/1{}", "/0".repeat(MAX_DEPTH - 2));
        assert!(
            text.contains(&format!(
                "t.yaml:6:{}: {pointer}: the document nests deeper than {MAX_DEPTH} levels\n  help: {TOO_DEEP_HELP}\n",
                5 + MAX_DEPTH - 2
            )),
            "{text}"
        );
    }

    #[test]
    fn nesting_up_to_the_cap_is_accepted() {
        assert_eq!(
            first_too_deep(&serde_yaml::from_str(&block_mappings(MAX_DEPTH)).unwrap()),
            None
        );
        assert_eq!(
            first_too_deep(&serde_yaml::from_str(&block_mappings(MAX_DEPTH + 1)).unwrap()),
            Some("/a".repeat(MAX_DEPTH)),
        );
        assert_eq!(first_too_deep(&Value::Null), None);
    }

    #[test]
    fn unquoted_status_codes_still_load() {
        let (loaded, diags) = load_str(
            "t.yaml",
            "openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        200: {description: ok}\n",
        )
        .unwrap_or_else(|r| panic!("{r}"));

        assert!(diags.is_empty());
        assert_eq!(loaded.doc.paths.paths.len(), 1);
    }
}
