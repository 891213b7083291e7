//! The generator never panics, whatever it is fed: property tests over mutated valid specs,
//! arbitrary YAML and deeply nested documents. Each input goes through the whole pipeline
//! (`load`, `resolve`, `render`, `format`); a spec error is a fine answer, a panic or an
//! [`codegen::Error::Bug`] (generated code that does not parse) fails the property.
//!
//! Each test prints how many inputs it ran, how many loaded (and so reached `resolve`) and how
//! many generated code (`cargo test -p codegen --test no_panic -- --nocapture`), and the
//! mutated-spec test insists that a fair share reach `resolve`, so it cannot quietly decay
//! into a test of the YAML parser.
//!
//! The seed is fixed, so every run tries the same inputs; `PROPTEST_RNG_SEED=<u64>` tries
//! others and `PROPTEST_CASES=<n>` sets the number of cases of every test. No failure files
//! are written: a failure prints the shrunk input, which belongs in a unit test. A stack
//! overflow is not a failure proptest can catch: it aborts the test binary with no input to
//! show, so `NO_PANIC_LAST_INPUT=<file>` writes every input to `<file>` before it runs (run
//! one test with `--exact`, and the file holds the input that crashed).

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use codegen::load::MAX_DEPTH;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use serde_json::{Map, Number, Value};

// ---------------------------------------------------------------------------------------------
// Running one input and counting how far it got.

/// How far inputs got, counted across one test's cases.
#[derive(Default)]
struct Tally {
    total: AtomicUsize,
    loaded: AtomicUsize,
    generated: AtomicUsize,
}

impl Tally {
    fn share(&self, n: &AtomicUsize) -> f64 {
        let total = self.total.load(Ordering::Relaxed).max(1);
        n.load(Ordering::Relaxed) as f64 / total as f64
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} inputs, {} loaded and reached resolve ({:.0}%), {} generated code ({:.0}%)",
            self.total.load(Ordering::Relaxed),
            self.loaded.load(Ordering::Relaxed),
            100.0 * self.share(&self.loaded),
            self.generated.load(Ordering::Relaxed),
            100.0 * self.share(&self.generated),
        )
    }
}

/// Runs the whole pipeline on `text`. A spec error is an answer; a generator bug is not.
fn pipeline(text: &str, tally: &Tally) -> Result<(), TestCaseError> {
    tally.total.fetch_add(1, Ordering::Relaxed);
    if let Some(file) = std::env::var_os("NO_PANIC_LAST_INPUT") {
        std::fs::write(&file, text).unwrap_or_else(|e| panic!("{file:?}: {e}"));
    }
    // `generate_str` loads again; loading first tells whether the input reached `resolve`
    // (a load error ends the pipeline before it, so `generate_str` has nothing to add).
    if codegen::load::load_str("fuzz.yaml", text).is_err() {
        return Ok(());
    }
    tally.loaded.fetch_add(1, Ordering::Relaxed);
    match codegen::generate_str("fuzz.yaml", text) {
        Ok(_) => {
            tally.generated.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Err(codegen::Error::Spec(_)) => Ok(()),
        Err(codegen::Error::Bug { message, raw }) => Err(TestCaseError::fail(format!(
            "codegen bug: {message}\n--- spec ---\n{text}\n--- rendered, around the error ---\n{}",
            around(&message, &raw)
        ))),
    }
}

/// The lines of `raw` around the `line N, column M` that `message` names, or all of it.
fn around(message: &str, raw: &str) -> String {
    let line = message
        .strip_prefix("line ")
        .and_then(|m| m.split(',').next())
        .and_then(|n| n.parse::<usize>().ok());
    match line {
        Some(line) => raw
            .lines()
            .enumerate()
            .skip(line.saturating_sub(6))
            .take(10)
            .map(|(i, l)| format!("{:>5} {l}\n", i + 1))
            .collect(),
        None => raw.to_owned(),
    }
}

/// Runs `cases` cases of `strategy` through `test` with a fixed seed and no failure files,
/// then prints the tally. Panics with the shrunk input if the property fails.
fn check<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value, &Tally) -> Result<(), TestCaseError>,
) -> Tally {
    let config = Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(cases),
        rng_seed: std::env::var("PROPTEST_RNG_SEED")
            .ok()
            .and_then(|n| n.parse().ok())
            .map_or(RngSeed::Fixed(0x0a11_ce5e_ed00_0001), RngSeed::Fixed),
        failure_persistence: None,
        // Shrinking replays the pipeline; bound it so a failure reports in reasonable time.
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let tally = Tally::default();
    let started = Instant::now();
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |input| test(input, &tally));
    eprintln!("{name}: {tally} in {:.1?}", started.elapsed());
    match result {
        Ok(()) => tally,
        Err(TestError::Fail(reason, input)) => {
            panic!("{name} failed: {reason}\nshrunk input: {input:#?}")
        }
        Err(TestError::Abort(reason)) => panic!("{name} aborted: {reason}"),
    }
}

// ---------------------------------------------------------------------------------------------
// The valid specs the mutations start from.

/// `fixtures/ok/*.yaml` and `openapi/*.yaml`, parsed once.
fn seeds() -> &'static [(String, Value)] {
    static SEEDS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut seeds = Vec::new();
        for dir in [root.join("tests/fixtures/ok"), root.join("../openapi")] {
            let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir:?}: {e}"));
            let mut paths: Vec<_> = entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
                .collect();
            paths.sort();
            for path in paths {
                let text = std::fs::read_to_string(&path).unwrap();
                let value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                seeds.push((name, value));
            }
        }
        assert!(seeds.len() >= 4, "too few seed specs: {}", seeds.len());
        seeds
    })
}

// ---------------------------------------------------------------------------------------------
// Mutations of a JSON document at random places.

/// One step of the path from the root to a node.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item(usize),
}

/// The paths of every node of `doc` (the root included), in document order.
fn paths(doc: &Value) -> Vec<Vec<Step>> {
    let mut out = Vec::new();
    let mut todo = vec![(Vec::new(), doc)];
    while let Some((path, node)) = todo.pop() {
        match node {
            Value::Object(map) => {
                for (k, v) in map.iter().rev() {
                    let mut p = path.clone();
                    p.push(Step::Key(k.clone()));
                    todo.push((p, v));
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate().rev() {
                    let mut p = path.clone();
                    p.push(Step::Item(i));
                    todo.push((p, v));
                }
            }
            _ => {}
        }
        out.push(path);
    }
    out
}

fn get<'a>(doc: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |node, step| match step {
        Step::Key(k) => node.get(k),
        Step::Item(i) => node.get(i),
    })
}

fn get_mut<'a>(doc: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(doc, |node, step| match step {
        Step::Key(k) => node.get_mut(k),
        Step::Item(i) => node.get_mut(i),
    })
}

/// Picks one of the nodes of `doc` that satisfy `keep`, or of all nodes if none does.
fn pick(doc: &Value, at: &Index, keep: impl Fn(&Value) -> bool) -> Vec<Step> {
    let all = paths(doc);
    let kept: Vec<_> = all
        .iter()
        .filter(|p| get(doc, p).is_some_and(&keep))
        .cloned()
        .collect();
    let from = if kept.is_empty() { all } else { kept };
    from[at.index(from.len())].clone()
}

/// `#/components/schemas/<name>` for every schema the document defines.
fn schema_refs(doc: &Value) -> Vec<String> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| {
            m.keys()
                .map(|k| {
                    format!(
                        "#/components/schemas/{}",
                        k.replace('~', "~0").replace('/', "~1")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Stands, in generated values, for a `$ref` to one of the document's schemas.
const SOME_SCHEMA: &str = "@some-schema";

/// Replaces every [`SOME_SCHEMA`] string in `value` by a reference to a defined schema.
fn fill_refs(value: &mut Value, refs: &[String], which: &Index) {
    let target = if refs.is_empty() {
        "#/components/schemas/Missing".to_owned()
    } else {
        refs[which.index(refs.len())].clone()
    };
    let mut todo = vec![value];
    while let Some(v) = todo.pop() {
        match v {
            Value::String(s) if s == SOME_SCHEMA => *s = target.clone(),
            Value::Array(items) => todo.extend(items.iter_mut()),
            Value::Object(map) => todo.extend(map.values_mut()),
            _ => {}
        }
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Removes the node from its parent.
    Delete(Index),
    /// Puts `value` in place of the node.
    Replace(Index, Value),
    /// Copies one subtree over another, or under a new key of an object.
    Duplicate { from: Index, to: Index, key: String },
    /// Renames the key that leads to the node.
    Rename(Index, String),
    /// Points a `$ref` somewhere else: another schema, or `target` if given.
    Retarget {
        at: Index,
        which: Index,
        target: Option<String>,
    },
    /// Adds `key: value` to an object (`allOf`, `discriminator`, …).
    Insert {
        at: Index,
        key: String,
        value: Value,
        which: Index,
    },
    /// Sets the `type` of a schema.
    Retype(Index, &'static str),
    /// Sets a number to an extreme value.
    Extreme(Index, Value),
    /// Sets a string to an awkward one (empty, unicode, a Rust keyword).
    Text(Index, String),
    /// Renames a property or a component schema, keeping `required` and `$ref`s in step, so
    /// the document stays valid and the awkward name reaches the generated code.
    Name(Index, String),
    /// Sets a description, summary, title, operationId, enum value, tag or example string:
    /// text that ends up in doc comments, identifiers and literals.
    Prose(Index, String),
}

fn is_schema_like(v: &Value) -> bool {
    v.get("type").is_some() || v.get("properties").is_some() || v.get("$ref").is_some()
}

fn apply(doc: &mut Value, mutation: &Mutation) {
    match mutation {
        Mutation::Delete(at) => {
            let path = pick(doc, at, |_| true);
            let Some((last, parent)) = path.split_last() else {
                *doc = Value::Null;
                return;
            };
            match (get_mut(doc, parent), last) {
                (Some(Value::Object(map)), Step::Key(k)) => {
                    map.shift_remove(k);
                }
                (Some(Value::Array(items)), Step::Item(i)) => {
                    items.remove(*i);
                }
                _ => {}
            }
        }
        Mutation::Replace(at, value) => {
            let path = pick(doc, at, |_| true);
            let mut value = value.clone();
            fill_refs(&mut value, &schema_refs(doc), at);
            if let Some(node) = get_mut(doc, &path) {
                *node = value;
            }
        }
        Mutation::Duplicate { from, to, key } => {
            let Some(copy) = get(doc, &pick(doc, from, |_| true)).cloned() else {
                return;
            };
            let path = pick(doc, to, |_| true);
            match get_mut(doc, &path) {
                Some(Value::Object(map)) if !key.is_empty() => {
                    map.insert(key.clone(), copy);
                }
                Some(node) => *node = copy,
                None => {}
            }
        }
        Mutation::Rename(at, new) => {
            let path = pick(doc, at, |_| true);
            let Some((Step::Key(old), parent)) = path.split_last() else {
                return;
            };
            if let Some(Value::Object(map)) = get_mut(doc, parent) {
                // Keep the entry where it was, so positions stay meaningful.
                let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
                for (k, v) in entries {
                    let k = if k == *old { new.clone() } else { k };
                    map.insert(k, v);
                }
            }
        }
        Mutation::Retarget { at, which, target } => {
            let refs = schema_refs(doc);
            let path = pick(doc, at, |v| v.get("$ref").is_some_and(Value::is_string));
            let new = match target {
                Some(t) => t.clone(),
                None if !refs.is_empty() => refs[which.index(refs.len())].clone(),
                None => "#/components/schemas/Missing".to_owned(),
            };
            if let Some(Value::Object(map)) = get_mut(doc, &path) {
                map.insert("$ref".to_owned(), Value::String(new));
            }
        }
        Mutation::Insert {
            at,
            key,
            value,
            which,
        } => {
            let refs = schema_refs(doc);
            let path = pick(doc, at, is_schema_like);
            let mut value = value.clone();
            fill_refs(&mut value, &refs, which);
            if let Some(Value::Object(map)) = get_mut(doc, &path) {
                map.insert(key.clone(), value);
            }
        }
        Mutation::Retype(at, ty) => {
            let path = pick(doc, at, |v| v.get("type").is_some());
            if let Some(Value::Object(map)) = get_mut(doc, &path) {
                map.insert("type".to_owned(), Value::String((*ty).to_owned()));
            }
        }
        Mutation::Extreme(at, n) => {
            let path = pick(doc, at, Value::is_number);
            if let Some(node) = get_mut(doc, &path) {
                *node = n.clone();
            }
        }
        Mutation::Text(at, s) => {
            let path = pick(doc, at, Value::is_string);
            if let Some(node) = get_mut(doc, &path) {
                *node = Value::String(s.clone());
            }
        }
        Mutation::Name(at, new) => rename_name(doc, at, new),
        Mutation::Prose(at, s) => {
            let prose = paths(doc)
                .into_iter()
                .filter(|p| is_prose(doc, p))
                .collect::<Vec<_>>();
            if prose.is_empty() {
                return;
            }
            let path = &prose[at.index(prose.len())];
            if let Some(node) = get_mut(doc, path) {
                *node = Value::String(s.clone());
            }
        }
    }
}

/// The step `back` places from the end of `path` (1: the one that leads to the node, 2: the
/// one that leads to its parent), if it is a key.
fn parent_key(path: &[Step], back: usize) -> Option<&str> {
    match path.len().checked_sub(back).map(|i| &path[i]) {
        Some(Step::Key(k)) => Some(k),
        _ => None,
    }
}

fn is_prose(doc: &Value, path: &[Step]) -> bool {
    get(doc, path).is_some_and(Value::is_string)
        && (matches!(
            parent_key(path, 1),
            Some("description" | "summary" | "title" | "operationId" | "example" | "default")
        ) || matches!(parent_key(path, 2), Some("enum" | "tags")))
}

fn rename_name(doc: &mut Value, at: &Index, new: &str) {
    let names: Vec<Vec<Step>> = paths(doc)
        .into_iter()
        .filter(|p| {
            parent_key(p, 2) == Some("properties")
                || (parent_key(p, 2) == Some("schemas") && p.len() == 3)
        })
        .collect();
    if names.is_empty() {
        return;
    }
    let path = &names[at.index(names.len())];
    let (Some((Step::Key(old), parent)), Some(kind)) = (path.split_last(), parent_key(path, 2))
    else {
        return;
    };
    let (old, kind) = (old.clone(), kind.to_owned());
    if let Some(Value::Object(map)) = get_mut(doc, parent) {
        if map.contains_key(new) {
            return;
        }
        let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
        for (k, v) in entries {
            map.insert(if k == old { new.to_owned() } else { k }, v);
        }
    }
    if kind == "properties" {
        // `required` sits beside `properties`, in the schema.
        let schema = &parent[..parent.len() - 1];
        if let Some(Value::Array(required)) =
            get_mut(doc, schema).and_then(|s| s.get_mut("required"))
        {
            for r in required.iter_mut() {
                if r.as_str() == Some(old.as_str()) {
                    *r = Value::from(new);
                }
            }
        }
    } else {
        let escape = |n: &str| n.replace('~', "~0").replace('/', "~1");
        let (from, to) = (
            format!("#/components/schemas/{}", escape(&old)),
            format!("#/components/schemas/{}", escape(new)),
        );
        let mut todo = vec![&mut *doc];
        while let Some(v) = todo.pop() {
            match v {
                Value::String(s) if *s == from => *s = to.clone(),
                Value::Array(items) => todo.extend(items.iter_mut()),
                Value::Object(map) => todo.extend(map.values_mut()),
                _ => {}
            }
        }
    }
}

/// Keys the mutations use: OpenAPI keywords (so a rename can land on a meaningful key),
/// names that are awkward in Rust, and odd strings.
#[rustfmt::skip]
const KEYS: &[&str] = &[
    "type", "format", "properties", "items", "required", "enum", "nullable", "default", "example",
    "allOf", "oneOf", "anyOf", "not", "discriminator", "additionalProperties", "$ref",
    "description", "title", "pattern", "minimum", "maximum", "exclusiveMinimum", "minLength",
    "maxLength", "minItems", "maxItems", "uniqueItems", "readOnly", "writeOnly", "deprecated",
    "responses", "parameters", "requestBody", "content", "schema", "in", "name", "operationId",
    "summary", "tags", "paths", "components", "schemas", "headers", "default", "200", "201", "204",
    "400", "4XX", "x-ext", "application/json", "/items/{id}", "{id}", "self", "Self", "crate",
    "super", "r#type", "fn", "async", "_", "__", "0", "1a", "a-b", "a b", "ü", "日本", "", "~", "/",
    "a~1b",
];

/// Strings the mutations use: awkward names, formats, patterns, unicode.
#[rustfmt::skip]
const TEXTS: &[&str] = &[
    "", " ", "\t", "a\nb", "ü", "日本語", "𝄞", "\u{202e}", "\u{feff}", "é", "Self", "self", "type",
    "r#type", "fn", "_", "0", "-1", "1e400", "{id}", "{", "}", "{}", "/", "//", "~", "#", "'",
    "\"", "\\", "\\u0000", "int32", "int64", "date-time", "uuid", "email", "byte", "binary",
    "password", "date", "float", "double", "^[a-z]+$", "(", "[", "*", "path", "query", "header",
    "cookie", "body", "application/json", "text/plain", "*/*", "3.0.3", "3.1.0",
    "#/components/schemas/", "#/components/schemas/Missing", "#/paths/~1items", "other.yaml#/X",
    "#", "https://example.invalid/x#/y",
];

/// Names that are awkward in Rust: keywords, prelude types, names that collide once
/// converted to `snake_case` or `CamelCase`, and ones with nothing a Rust name can hold.
#[rustfmt::skip]
const NAMES: &[&str] = &[
    "type", "Type", "self", "Self", "crate", "super", "fn", "async", "await", "dyn", "r#type", "_",
    "__", "_a", "a_", "0", "1a", "a-b", "a b", "a.b", "a__b", "A_B", "aB", "Ab", "AB", "ab",
    "None", "Some", "Ok", "Err", "Result", "Option", "String", "Vec", "Box", "HashMap", "Json",
    "Object", "Error", "Response", "Request", "ü", "日本", "𝄞", "", " ", "\u{202e}x", "x*/", "\"",
    "'", "\\", "{", "#", "~", "/", "$ref", "x-a", "a\nb",
];

/// Prose that ends up in doc comments and string literals.
#[rustfmt::skip]
const PROSE: &[&str] = &[
    "", "*/", "/*", "//", "/// x", "//! x", "\\", "\"", "'", "\"#", "#![deny(warnings)]",
    "```rust\nfn main() {}\n```", "```\nnot rust\n", "a\r\nb", "\r", "\t", "\u{0}", "\u{202e}",
    "\u{feff}", "ü 日本 𝄞", "{", "}", "{}", "{0}", "{{", "$", "r#\"x\"#", "\\u{41}", "type", "Self",
    "_", "0", "-", "é",
];

/// Values for `type`: the six of OpenAPI 3.0 and some that are not.
#[rustfmt::skip]
const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "array", "object", "null", "file", "Integer", "",
];

fn number(n: f64) -> Value {
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}

/// Numbers at the edges: of i64, u64, f64, and of what a schema can state.
fn extreme() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(vec![
            Value::from(i64::MIN),
            Value::from(i64::MAX),
            Value::from(u64::MAX),
            Value::from(0),
            Value::from(-1),
            Value::from(i32::MAX),
            Value::from(i32::MIN),
            Value::from(1u64 << 53),
            number(f64::MAX),
            number(f64::MIN),
            number(f64::MIN_POSITIVE),
            number(5e-324),
            number(-0.0),
            number(0.5),
            number(1e21),
        ]),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(number),
    ]
}

/// Any JSON value, leaning towards OpenAPI-looking ones.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        extreme(),
        select(TEXTS).prop_map(Value::from),
        select(TYPES).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        Just(Value::from(SOME_SCHEMA)),
        Just(serde_json::json!({"$ref": SOME_SCHEMA})),
        Just(serde_json::json!({"type": "string"})),
        Just(serde_json::json!({"type": "integer", "format": "int64"})),
        Just(serde_json::json!({"type": "object", "properties": {"a": {"type": "string"}}})),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((select(KEYS), inner), 0..4).prop_map(|entries| {
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// A schema keyword and a value that fits it (mostly): compositions, discriminators, …
fn keyword() -> impl Strategy<Value = (String, Value)> {
    let refs = || {
        prop::collection::vec(
            prop_oneof![
                3 => Just(serde_json::json!({"$ref": SOME_SCHEMA})),
                1 => value(),
            ],
            0..4,
        )
        .prop_map(Value::Array)
    };
    prop_oneof![
        (select(vec!["allOf", "oneOf", "anyOf"]), refs()).prop_map(|(k, v)| (k.to_owned(), v)),
        prop_oneof![Just(serde_json::json!({"$ref": SOME_SCHEMA})), value()]
            .prop_map(|v| ("not".to_owned(), v)),
        (select(KEYS), select(KEYS)).prop_map(|(p, k)| (
            "discriminator".to_owned(),
            serde_json::json!({"propertyName": p, "mapping": {k: SOME_SCHEMA}})
        )),
        prop_oneof![Just(Value::Bool(true)), Just(Value::Bool(false)), value()]
            .prop_map(|v| ("additionalProperties".to_owned(), v)),
        (select(KEYS), value()).prop_map(|(k, v)| (k.to_owned(), v)),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let key = || select(KEYS).prop_map(str::to_owned);
    prop_oneof![
        3 => any::<Index>().prop_map(Mutation::Delete),
        3 => (any::<Index>(), value()).prop_map(|(at, v)| Mutation::Replace(at, v)),
        2 => (any::<Index>(), any::<Index>(), prop_oneof![Just(String::new()), key()])
            .prop_map(|(from, to, key)| Mutation::Duplicate { from, to, key }),
        3 => (any::<Index>(), prop_oneof![key(), "\\PC{0,8}"]).prop_map(|(at, k)| Mutation::Rename(at, k)),
        2 => (
            any::<Index>(),
            any::<Index>(),
            prop::option::weighted(0.3, select(TEXTS).prop_map(str::to_owned))
        )
            .prop_map(|(at, which, target)| Mutation::Retarget { at, which, target }),
        4 => (any::<Index>(), keyword(), any::<Index>()).prop_map(|(at, (key, value), which)| {
            Mutation::Insert { at, key, value, which }
        }),
        2 => (any::<Index>(), select(TYPES)).prop_map(|(at, t)| Mutation::Retype(at, t)),
        2 => (any::<Index>(), extreme()).prop_map(|(at, n)| Mutation::Extreme(at, n)),
        2 => (any::<Index>(), prop_oneof![select(TEXTS).prop_map(str::to_owned), "\\PC{0,8}"])
            .prop_map(|(at, s)| Mutation::Text(at, s)),
        6 => (any::<Index>(), prop_oneof![3 => select(NAMES).prop_map(str::to_owned), 1 => "\\PC{0,8}"])
            .prop_map(|(at, s)| Mutation::Name(at, s)),
        6 => (any::<Index>(), prop_oneof![3 => select(PROSE).prop_map(str::to_owned), 1 => "\\PC{0,16}"])
            .prop_map(|(at, s)| Mutation::Prose(at, s)),
    ]
}

/// A mutated spec: which seed, what mutations, how it is written out, and optionally one
/// edit of the text itself.
#[derive(Debug, Clone)]
struct Mutant {
    seed: Index,
    mutations: Vec<Mutation>,
    as_json: bool,
    text_edit: Option<(Index, &'static str)>,
}

/// What the text edits insert: YAML syntax that is easy to get wrong.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "\n", " ", "  ", "\t", ":", ": ", "- ", "-", "? ", ",", "[", "]", "{", "}", "'", "\"", "#",
    "&a ", "*a", "!!str ", "!!binary ", "!tag ", "|", ">-", "---\n", "...\n", "%YAML 1.2\n",
    "<<: *a", "~", "null", "true", "no", "0x1F", "0o17", ".inf", "-.inf", ".nan", "1e999", "1_000",
    "2001-12-14", "\\", "\u{0085}", "\u{2028}", "\r", "\r\n", "\u{feff}", "ü", "𝄞",
    "openapi: 3.0.3\n", "info: {title: a, version: '1'}\n", "paths: {}\n", "paths:\n",
    "components:\n", "schemas:\n", "type", "object", "string", "integer", "array", "properties",
    "items", "$ref", "'#/components/schemas/A'", "required", "responses", "'200'", "description",
    "content", "application/json", "schema", "get", "post", "/x", "/{id}", "parameters", "in",
    "path", "name", "allOf", "oneOf", "format", "int64", "enum", "A", "a", "x-a", "0", "-1", "3.5",
];

fn mutant() -> impl Strategy<Value = Mutant> {
    (
        any::<Index>(),
        // Mostly one mutation: each one is likely to make the spec wrong, and a wrong spec
        // stops at `resolve` without reaching `render` and `format`.
        prop_oneof![
            2 => prop::collection::vec(mutation(), 1..=1),
            1 => prop::collection::vec(mutation(), 2..=4),
        ],
        prop::bool::weighted(0.2),
        prop::option::weighted(0.15, (any::<Index>(), select(TOKENS))),
    )
        .prop_map(|(seed, mutations, as_json, text_edit)| Mutant {
            seed,
            mutations,
            as_json,
            text_edit,
        })
}

fn render(mutant: &Mutant) -> String {
    let seeds = seeds();
    let mut doc = seeds[mutant.seed.index(seeds.len())].1.clone();
    for m in &mutant.mutations {
        apply(&mut doc, m);
    }
    let mut text = if mutant.as_json {
        serde_json::to_string_pretty(&doc).unwrap()
    } else {
        serde_yaml::to_string(&doc).unwrap()
    };
    if let Some((at, token)) = &mutant.text_edit {
        let cut = text
            .char_indices()
            .map(|(i, _)| i)
            .nth(at.index(text.chars().count().max(1)))
            .unwrap_or(text.len());
        text.insert_str(cut, token);
    }
    text
}

#[test]
fn mutated_valid_specs_never_panic_nor_generate_broken_code() {
    let tally = check("mutated specs", 2_500, mutant(), |m, tally| {
        pipeline(&render(&m), tally)
    });

    let loaded = tally.share(&tally.loaded);
    assert!(
        loaded >= 0.3,
        "only {:.0}% of the mutated specs reached resolve: the mutations are too destructive \
         for this test to exercise more than the parser ({tally})",
        100.0 * loaded
    );
}

#[test]
fn the_spec_diff_never_panics_on_mutated_specs() {
    // `codegen diff` between a seed and its mutant, both ways: every change is classified
    // (or listed as unclassified), and a document equals itself.
    check("spec diff", 500, mutant(), |m, tally| {
        let seeds = seeds();
        let (name, seed) = &seeds[m.seed.index(seeds.len())];
        let old = serde_yaml::to_string(seed).unwrap();
        let new = render(&m);
        tally.total.fetch_add(1, Ordering::Relaxed);
        if let Ok(diff) = codegen::diff::compare_texts(name, &old, "mutant.yaml", &new) {
            tally.loaded.fetch_add(1, Ordering::Relaxed);
            let _ = diff.to_string();
            let back = codegen::diff::compare_texts("mutant.yaml", &new, name, &old).unwrap();
            prop_assert_eq!(
                back.changes.is_empty(),
                diff.changes.is_empty(),
                "a change one way and none the other:\n{}\n{}",
                diff,
                back
            );
            let same =
                codegen::diff::compare_texts("mutant.yaml", &new, "again.yaml", &new).unwrap();
            prop_assert!(
                same.changes.is_empty(),
                "a document differs from itself:\n{}",
                same
            );
        }
        Ok(())
    });
}

#[test]
fn unmutated_seeds_generate() {
    // The baseline the mutations start from: every seed must generate, or the mutated-spec
    // test mostly explores error paths.
    for (name, doc) in seeds() {
        let text = serde_yaml::to_string(doc).unwrap();
        if let Err(e) = codegen::generate_str(name, &text) {
            panic!("{name} round-tripped through serde_yaml does not generate:\n{e}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Arbitrary YAML.

/// A spec header followed by `body` under a schema, so the noise lands deep in the document.
fn under_a_schema(body: &str) -> String {
    let indented: String = body.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "openapi: 3.0.3\ninfo: {{title: a, version: '1'}}\npaths: {{}}\ncomponents:\n  schemas:\n    A:\n{indented}"
    )
}

/// Lines that look like YAML mappings and sequences: an indentation, a key or a dash, and a
/// value, so that more of the noise parses and goes on to the later stages.
fn yaml_lines() -> impl Strategy<Value = String> {
    let line = (
        0..5usize,
        prop_oneof![
            3 => select(KEYS).prop_map(|k| format!("{k}: ")),
            1 => select(KEYS).prop_map(|k| format!("- {k}: ")),
            1 => Just("- ".to_owned()),
        ],
        prop_oneof![
            Just(String::new()),
            select(TEXTS).prop_map(str::to_owned),
            select(TYPES).prop_map(str::to_owned),
            select(TOKENS).prop_map(str::to_owned),
            Just(format!("{{$ref: '{}'}}", "#/components/schemas/A")),
        ],
    );
    prop::collection::vec(line, 0..30).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(indent, key, value)| format!("{}{key}{value}\n", "  ".repeat(indent)))
            .collect()
    })
}

fn arbitrary_yaml() -> impl Strategy<Value = String> {
    let soup = || prop::collection::vec(select(TOKENS), 0..60).prop_map(|t| t.concat());
    prop_oneof![
        2 => soup(),
        1 => soup().prop_map(|s| under_a_schema(&s)),
        2 => yaml_lines(),
        3 => yaml_lines().prop_map(|s| under_a_schema(&format!("type: object\n{s}"))),
        2 => any::<String>(),
        1 => prop::collection::vec(any::<u8>(), 0..200)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

#[test]
fn arbitrary_yaml_never_panics() {
    check("arbitrary YAML", 4_000, arbitrary_yaml(), |text, tally| {
        pipeline(&text, tally)
    });
}

// ---------------------------------------------------------------------------------------------
// Deep documents: an error past the cap, and no stack overflow (which would abort the whole
// test binary, not fail one test) right up to it.

/// One level of nesting, written in one of the ways YAML allows.
#[derive(Debug, Clone, Copy)]
enum Level {
    FlowSequence,
    FlowMapping,
    BlockMapping,
    BlockSequence,
    /// A schema level: `{type: array, items: …}`.
    Items,
    /// A schema level: `{type: object, additionalProperties: …}`.
    Map,
    /// Two levels: `{type: object, properties: {p: …}}`.
    Property,
}

/// Writes `levels`, outermost first, around `{type: string}`, starting at column `indent`.
/// Inside a flow collection block styles are not allowed, so they turn into flow ones.
/// Iterative: a recursive writer would overflow on the deepest inputs itself.
fn nest(levels: &[Level], indent: usize) -> String {
    // Where each level starts and whether it sits inside a flow collection.
    let mut at = Vec::with_capacity(levels.len());
    let (mut indent, mut in_flow) = (indent, false);
    for level in levels {
        let level = match level {
            Level::BlockMapping if in_flow => Level::FlowMapping,
            Level::BlockSequence if in_flow => Level::FlowSequence,
            other => *other,
        };
        at.push((level, indent));
        match level {
            Level::BlockMapping => indent += 2,
            Level::BlockSequence => indent += 4,
            _ => in_flow = true,
        }
    }
    let mut text = "{type: string}".to_owned();
    for (level, indent) in at.into_iter().rev() {
        let pad = " ".repeat(indent + 2);
        text = match level {
            Level::FlowSequence => format!("[{text}]"),
            Level::FlowMapping => format!("{{k: {text}}}"),
            Level::BlockMapping => format!("\n{pad}k: {text}"),
            Level::BlockSequence => format!("\n{pad}- {text}"),
            Level::Items => format!("{{type: array, items: {text}}}"),
            Level::Map => format!("{{type: object, additionalProperties: {text}}}"),
            Level::Property => format!("{{type: object, properties: {{p: {text}}}}}"),
        };
    }
    text
}

fn levels() -> impl Strategy<Value = Vec<Level>> {
    let level = select(vec![
        Level::FlowSequence,
        Level::FlowMapping,
        Level::BlockMapping,
        Level::BlockSequence,
        Level::Items,
        Level::Map,
        Level::Property,
    ]);
    // Schema chains stay schema chains (they are what costs the later stages stack); plain
    // values mix every style.
    let schema = select(vec![Level::Items, Level::Map, Level::Property]);
    prop_oneof![
        prop::collection::vec(level, 0..=3 * MAX_DEPTH),
        prop::collection::vec(schema, 0..=2 * MAX_DEPTH),
        // Far past the cap, where serde_yaml's own limit answers (in flow style: block style
        // this deep is megabytes of indentation).
        (
            select(vec![100usize, 129, 500, 2_000]),
            select(vec![Level::FlowSequence, Level::FlowMapping, Level::Items]),
        )
            .prop_map(|(n, l)| vec![l; n]),
    ]
}

/// `levels` nested under a property of a schema, or under an extension (`x-`), which no
/// stage interprets.
fn deep_spec(levels: &[Level], in_schema: bool) -> String {
    // The property value sits at level 6 (root, components, schemas, A, properties, p).
    let (key, indent) = if in_schema {
        (
            "components:\n  schemas:\n    A:\n      type: object\n      properties:\n        p: ",
            8,
        )
    } else {
        ("x-deep: ", 0)
    };
    format!(
        "openapi: 3.0.3\ninfo: {{title: a, version: '1'}}\npaths: {{}}\n{key}{}\n",
        nest(levels, indent)
    )
}

/// How deep `text` nests, as serde_yaml reads it.
fn depth_of(text: &str) -> Option<usize> {
    let value: Value = serde_yaml::from_str(text).ok()?;
    let mut deepest = 0;
    let mut todo = vec![(&value, 1)];
    while let Some((v, d)) = todo.pop() {
        match v {
            Value::Array(items) => {
                deepest = deepest.max(d);
                todo.extend(items.iter().map(|i| (i, d + 1)));
            }
            Value::Object(map) => {
                deepest = deepest.max(d);
                todo.extend(map.values().map(|i| (i, d + 1)));
            }
            _ => {}
        }
    }
    Some(deepest)
}

#[test]
fn deep_documents_are_an_error_not_a_stack_overflow() {
    check(
        "deep documents",
        500,
        (levels(), any::<bool>()),
        |(levels, in_schema), tally| {
            let text = deep_spec(&levels, in_schema);
            pipeline(&text, tally)?;
            // The text is valid YAML, so serde_yaml refuses it only past its own limit.
            let too_deep = depth_of(&text).is_none_or(|depth| depth > MAX_DEPTH);
            if too_deep {
                let message = match codegen::load::load_str("fuzz.yaml", &text) {
                    Ok(_) => "loaded".to_owned(),
                    Err(report) => report.to_string(),
                };
                prop_assert!(
                    message.contains(&format!("nests deeper than {MAX_DEPTH} levels")),
                    "a document nesting past the cap must be refused for it:\n{message}"
                );
            }
            Ok(())
        },
    );
}

#[test]
fn the_deepest_schema_chains_the_cap_allows_generate() {
    // The costliest nesting for the later stages is a chain of inline schemas, one level each:
    // openapiv3 deserializes them recursively and the generated type nests as deep
    // (`Vec<Vec<…>>`, `HashMap<String, HashMap<…>>`). At the cap they must still fit the
    // stack of a test thread, in a debug build.
    for level in [Level::Items, Level::Map] {
        let mut chain = vec![level; MAX_DEPTH];
        while depth_of(&deep_spec(&chain, true)).unwrap() > MAX_DEPTH {
            chain.pop();
        }
        let text = deep_spec(&chain, true);

        match codegen::generate_str("deep.yaml", &text) {
            Ok(_) => {}
            Err(e) => panic!("{level:?} x{}:\n{e}\n{text}", chain.len()),
        }
        chain.push(level);
        let refused = codegen::load::load_str("deep.yaml", &deep_spec(&chain, true));
        assert!(refused.is_err(), "{level:?} x{} loaded", chain.len());
    }
}

// ---------------------------------------------------------------------------------------------
// Generator bugs the tests above found, as minimal reproducers. Each is ignored until the
// generator is fixed; then drop the `ignore`. The first five are one bug: a user string with a
// line break (LF, CR or CRLF) is written into a `///` comment unescaped, which ends the
// comment, so the generated code does not parse.

/// The smallest spec around `paths` and `components`.
fn spec(paths: &str, components: &str) -> String {
    format!("openapi: 3.0.3\ninfo: {{title: a, version: '1'}}\npaths:{paths}\ncomponents:{components}\n")
}

/// A 400 response a query parameter needs.
const BAD_REQUEST: &str = "\n        '400': {description: bad, content: {application/problem+json: {schema: {type: object, properties: {title: {type: string}, status: {type: integer, format: int32}, detail: {type: string}}}}}}";

/// Generates `text` with each line break in place of `{BREAK}`; only a bug fails.
fn no_bug_with_line_breaks(text: &str) {
    for line_break in ["\\n", "\\r", "\\r\\n"] {
        let text = text.replace("{BREAK}", line_break);
        if let Err(e @ codegen::Error::Bug { .. }) = codegen::generate_str("bug.yaml", &text) {
            panic!("{e}\n--- spec ---\n{text}");
        }
    }
}

#[test]

fn line_break_in_an_operation_id() {
    no_bug_with_line_breaks(&spec(
        // Two media types: the `///` comment of their enum names the operation too.
        "\n  /a:\n    get:\n      operationId: \"a{BREAK}b\"\n      responses:\n        '200': {description: ok, content: {application/json: {schema: {type: string}}, text/plain: {schema: {type: string}}}}",
        " {}",
    ));
}

#[test]

fn line_break_in_a_path() {
    no_bug_with_line_breaks(&spec(
        "\n  \"/a{BREAK}b\":\n    get:\n      operationId: x\n      responses:\n        '204': {description: ok}",
        " {}",
    ));
}

#[test]

fn line_break_in_a_property_name_with_a_default() {
    no_bug_with_line_breaks(&spec(
        " {}",
        "\n  schemas:\n    A:\n      type: object\n      properties:\n        \"a{BREAK}b\": {type: boolean, default: true}",
    ));
}

#[test]

fn line_break_in_a_parameter_name_with_a_default() {
    no_bug_with_line_breaks(&spec(
        &format!("\n  /a:\n    get:\n      operationId: x\n      parameters:\n        - {{name: \"a{{BREAK}}b\", in: query, schema: {{type: integer, format: int32, default: 1}}}}\n      responses:\n        '204': {{description: ok}}{BAD_REQUEST}"),
        " {}",
    ));
}

#[test]

fn line_break_in_a_pattern() {
    no_bug_with_line_breaks(&spec(
        " {}",
        "\n  schemas:\n    A:\n      type: object\n      properties:\n        p: {type: string, pattern: \"a{BREAK}b\"}",
    ));
}

#[test]

fn inline_all_of_referring_to_its_own_schema() {
    // `resolve` merges the `allOf` of the inline schema of `p`, which brings in `A`'s
    // properties, `p` among them, whose `allOf` it merges again, without end. The same with
    // the `allOf` under `items` or `additionalProperties`, or behind another schema's `allOf`.
    let text = spec(
        " {}",
        "\n  schemas:\n    A:\n      type: object\n      properties:\n        p:\n          allOf:\n          - $ref: '#/components/schemas/A'",
    );

    if let Err(e @ codegen::Error::Bug { .. }) = codegen::generate_str("bug.yaml", &text) {
        panic!("{e}");
    }
}
