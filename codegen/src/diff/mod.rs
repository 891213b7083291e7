//! `codegen diff OLD NEW`: every change between two versions of a spec, located by JSON
//! pointer, with the operations it affects, classified by who it breaks.
//!
//! The walk starts at the operations (matched by method and path template, so renaming a path
//! parameter is no change) and follows every `$ref` from there, so a change inside a shared
//! component is reported once, at the component, with every operation that reaches it, and
//! judged by the direction it is reached in: a narrower schema breaks clients where it checks
//! a request and is harmless where it describes a response; a wider one is the opposite. Keys
//! the rules do not know are compared as values: a difference there is *unclassified*, never
//! dropped. Components no operation reaches are compared last (compatible: nothing uses them).
//!
//! Oxide's `drift` crate (built on openapiv3 too) was tried first, on the golden pairs of
//! `tests/diff`: it walks operations the same way but calls every schema-level change
//! (properties, `required`, `enum`, bounds, lengths, formats) "unhandled", sees no change in a
//! response field made nullable, a removed response header or added authentication, and
//! panics on a changed request media type; so these rules are our own. Its input/output
//! framing is kept.

mod schema;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;

use serde_json::Value;

use crate::source::{join, ref_pointer, unescape, Source};

/// Who a change breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// A client written against the old spec fails against a server of the new one.
    Breaking,
    /// Undecidable by rule (two regular expressions, a changed composition): read it.
    Unclassified,
    /// Only a client written against the new spec, talking to a server of the old one, fails:
    /// it matters while old servers are still deployed (a wider request schema).
    BreakingForOldServers,
    /// Nobody fails.
    Compatible,
}

impl Class {
    fn label(self) -> &'static str {
        match self {
            Class::Breaking => "breaking",
            Class::Unclassified => "unclassified",
            Class::BreakingForOldServers => "breaking for old servers",
            Class::Compatible => "compatible",
        }
    }
}

/// Which way a schema is read: clients write requests, servers write responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Operation parameters and request bodies.
    Request,
    /// Response bodies and headers.
    Response,
    /// The document itself: operations, servers, metadata.
    Document,
}

impl Direction {
    /// The class of a change that makes the set of accepted values smaller.
    fn narrowed(self) -> Class {
        match self {
            Direction::Request => Class::Breaking,
            Direction::Response | Direction::Document => Class::Compatible,
        }
    }

    /// The class of a change that makes the set of accepted values larger.
    fn widened(self) -> Class {
        match self {
            Direction::Request => Class::BreakingForOldServers,
            Direction::Response => Class::Breaking,
            Direction::Document => Class::Compatible,
        }
    }
}

/// One change, with every operation it affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Who it breaks.
    pub class: Class,
    /// Where it is read: request, response, or the document.
    pub direction: Direction,
    /// JSON pointer into the new document, or into the old one for what was removed.
    pub pointer: String,
    /// Whether `pointer` points into the old document (the thing is gone from the new one).
    pub in_old: bool,
    /// What changed, in a sentence.
    pub message: String,
    /// The operations affected, as `METHOD /path (operationId)`; empty for document-level changes.
    pub operations: BTreeSet<String>,
}

/// The changes between two documents, in report order (most severe first).
pub struct Diff {
    /// Display name of the old document.
    pub old_name: String,
    /// Display name of the new document.
    pub new_name: String,
    /// Every change found.
    pub changes: Vec<Change>,
    old_source: Source,
    new_source: Source,
}

impl Diff {
    /// The number of changes of a class.
    pub fn count(&self, class: Class) -> usize {
        self.changes.iter().filter(|c| c.class == class).count()
    }

    /// Whether a client of the old spec may fail against the new one, or a change could not be
    /// classified (the check cannot prove it harmless).
    pub fn is_breaking(&self) -> bool {
        self.count(Class::Breaking) + self.count(Class::Unclassified) > 0
    }
}

/// Compares two parsed documents (as [`crate::load::document`] returns them).
pub fn compare(old: (&Value, Source), new: (&Value, Source)) -> Diff {
    let mut walk = Walk {
        old: old.0,
        new: new.0,
        found: BTreeMap::new(),
        operation: None,
        seen: HashSet::new(),
    };
    walk.document();
    let mut changes: Vec<Change> = walk
        .found
        .into_iter()
        .map(
            |((class, direction, in_old, pointer, message), operations)| Change {
                class,
                direction,
                pointer,
                in_old,
                message,
                operations,
            },
        )
        .collect();
    changes.sort_by(|a, b| {
        (a.class, &a.pointer, a.direction, &a.message).cmp(&(
            b.class,
            &b.pointer,
            b.direction,
            &b.message,
        ))
    });
    Diff {
        old_name: old.1.name.clone(),
        new_name: new.1.name.clone(),
        changes,
        old_source: old.1,
        new_source: new.1,
    }
}

/// Reads both documents and compares them; a document that does not parse is a report.
pub fn compare_texts(
    old_name: &str,
    old_text: &str,
    new_name: &str,
    new_text: &str,
) -> Result<Diff, crate::Report> {
    let (old, old_source) = crate::load::document(old_name, old_text)?;
    let (new, new_source) = crate::load::document(new_name, new_text)?;
    Ok(compare((&old, old_source), (&new, new_source)))
}

impl fmt::Display for Diff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in &self.changes {
            let (source, name) = if c.in_old {
                (&self.old_source, &self.old_name)
            } else {
                (&self.new_source, &self.new_name)
            };
            let side = match c.direction {
                Direction::Request => "request: ",
                Direction::Response => "response: ",
                Direction::Document => "",
            };
            writeln!(f, "{}: {side}{}", c.class.label(), c.message)?;
            let pointer = if c.pointer.is_empty() {
                "/"
            } else {
                &c.pointer
            };
            match source.locate(&c.pointer) {
                Some((line, _)) => writeln!(f, "  at {pointer} ({name}:{line})")?,
                None => writeln!(f, "  at {pointer} ({name})")?,
            }
            for op in &c.operations {
                writeln!(f, "  affects {op}")?;
            }
        }
        writeln!(
            f,
            "{} breaking, {} unclassified, {} breaking for old servers, {} compatible",
            self.count(Class::Breaking),
            self.count(Class::Unclassified),
            self.count(Class::BreakingForOldServers),
            self.count(Class::Compatible)
        )
    }
}

/// What an absent mapping compares as.
static NULL: Value = Value::Null;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keys that describe and never constrain: a change to them is compatible wherever it is.
fn is_annotation(key: &str) -> bool {
    key.starts_with("x-")
        || matches!(
            key,
            "description"
                | "summary"
                | "title"
                | "example"
                | "examples"
                | "externalDocs"
                | "deprecated"
                | "xml"
                | "tags"
                | "operationId"
                | "links"
                | "contact"
                | "license"
                | "termsOfService"
                | "version"
        )
}

/// A position in both documents: the pointers of the two values compared.
#[derive(Clone, Copy)]
struct At<'a> {
    old: &'a str,
    new: &'a str,
}

/// Map key of a finding: the changes a shared component causes in several operations are one.
type Key = (Class, Direction, bool, String, String);

struct Walk<'a> {
    old: &'a Value,
    new: &'a Value,
    found: BTreeMap<Key, BTreeSet<String>>,
    /// The operation being compared, as reports name it.
    operation: Option<String>,
    /// Schema pairs already compared for the current operation (`$ref` cycles end here).
    seen: HashSet<(String, String, Direction)>,
}

impl<'a> Walk<'a> {
    fn record(&mut self, class: Class, dir: Direction, pointer: &str, message: impl Into<String>) {
        self.record_at(class, dir, pointer, false, message);
    }

    fn record_old(
        &mut self,
        class: Class,
        dir: Direction,
        pointer: &str,
        message: impl Into<String>,
    ) {
        self.record_at(class, dir, pointer, true, message);
    }

    fn record_at(
        &mut self,
        class: Class,
        dir: Direction,
        pointer: &str,
        in_old: bool,
        message: impl Into<String>,
    ) {
        let ops = self
            .found
            .entry((class, dir, in_old, pointer.to_owned(), message.into()))
            .or_default();
        if let Some(op) = &self.operation {
            ops.insert(op.clone());
        }
    }

    /// Follows `$ref`s (local ones; a chain ends at 32) from `value` at `pointer`. Returns the pointer and value reached; an external reference is
    /// returned as it is.
    fn deref(&mut self, doc: &'a Value, pointer: &str, value: &'a Value) -> (String, &'a Value) {
        let (mut pointer, mut value) = (pointer.to_owned(), value);
        for _ in 0..32 {
            let Some(target) = value
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(ref_pointer)
            else {
                break;
            };
            let Some(next) = doc.pointer(&target) else {
                break;
            };
            pointer = target;
            value = next;
        }
        (pointer, value)
    }

    fn document(&mut self) {
        let (old, new) = (self.old, self.new);
        let root = At { old: "", new: "" };
        for key in union_keys(old, new) {
            let (o, n) = (old.get(&key), new.get(&key));
            let at = join("", &key);
            match key.as_str() {
                "paths" | "components" => {}
                "openapi" => {
                    if o != n {
                        self.record(
                            Class::Compatible,
                            Direction::Document,
                            &at,
                            format!("OpenAPI version {} → {}", show_opt(o), show_opt(n)),
                        );
                    }
                }
                "info" => self.annotations(root, old, new, &["info"]),
                "servers" => self.servers(o, n),
                "security" => {}
                _ => self.compare_values(Direction::Document, &at, &at, o, n),
            }
        }
        self.paths();
        self.operation = None;
        self.security_schemes();
        self.unreached_components();
    }

    /// Changes to the annotation keys of the objects at `path` under `at`.
    fn annotations(&mut self, at: At, old: &Value, new: &Value, path: &[&str]) {
        let mut po = at.old.to_owned();
        let mut pn = at.new.to_owned();
        let (mut o, mut n) = (Some(old), Some(new));
        for token in path {
            po = join(&po, token);
            pn = join(&pn, token);
            o = o.and_then(|v| v.get(*token));
            n = n.and_then(|v| v.get(*token));
        }
        for key in union_keys_opt(o, n) {
            let (vo, vn) = (o.and_then(|v| v.get(&key)), n.and_then(|v| v.get(&key)));
            self.compare_values(
                Direction::Document,
                &join(&po, &key),
                &join(&pn, &key),
                vo,
                vn,
            );
        }
    }

    fn servers(&mut self, old: Option<&Value>, new: Option<&Value>) {
        let urls = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.get("url").and_then(Value::as_str))
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let (o, n) = (urls(old), urls(new));
        for (i, url) in o.iter().enumerate() {
            if !n.contains(url) {
                self.record_old(
                    Class::Breaking,
                    Direction::Document,
                    &format!("/servers/{i}"),
                    format!("server `{url}` removed: clients configured with it lose the API"),
                );
            }
        }
        for (i, url) in n.iter().enumerate() {
            if !o.contains(url) {
                self.record(
                    Class::Compatible,
                    Direction::Document,
                    &format!("/servers/{i}"),
                    format!("server `{url}` added"),
                );
            } else if let Some(j) = o.iter().position(|u| u == url) {
                let (so, sn) = (&old.unwrap()[j], &new.unwrap()[i]);
                if so != sn {
                    self.compare_values(
                        Direction::Document,
                        &format!("/servers/{j}"),
                        &format!("/servers/{i}"),
                        Some(so),
                        Some(sn),
                    );
                }
            }
        }
    }

    /// The operations of both documents, matched by method and path template.
    fn paths(&mut self) {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        for (key, o) in &old_ops {
            match new_ops.get(key) {
                None => {
                    self.operation = Some(o.label.clone());
                    self.record_old(
                        Class::Breaking,
                        Direction::Document,
                        &o.pointer,
                        "operation removed",
                    );
                }
                Some(n) => {
                    self.operation = Some(n.label.clone());
                    self.seen.clear();
                    self.operation_pair(o, n);
                }
            }
        }
        for (key, n) in &new_ops {
            if !old_ops.contains_key(key) {
                self.operation = Some(n.label.clone());
                self.record(
                    Class::Compatible,
                    Direction::Document,
                    &n.pointer,
                    "operation added",
                );
            }
        }
    }

    fn operation_pair(&mut self, o: &Operation<'a>, n: &Operation<'a>) {
        let at = At {
            old: &o.pointer,
            new: &n.pointer,
        };
        for key in union_keys(o.value, n.value) {
            let (vo, vn) = (o.value.get(&key), n.value.get(&key));
            let (po, pn) = (join(at.old, &key), join(at.new, &key));
            match key.as_str() {
                "parameters" | "security" => {}
                "requestBody" => self.request_body(&po, &pn, vo, vn),
                "responses" => {
                    if let (Some(ro), Some(rn)) = (vo, vn) {
                        self.responses(At { old: &po, new: &pn }, ro, rn);
                    }
                }
                _ => self.compare_values(Direction::Document, &po, &pn, vo, vn),
            }
        }
        self.parameters(o, n);
        self.security(o, n);
    }

    fn parameters(&mut self, o: &Operation<'a>, n: &Operation<'a>) {
        let old = self.parameter_list(self.old, o);
        let new = self.parameter_list(self.new, n);
        for (key, (po, vo)) in &old {
            let name = &key.1;
            let place = key.0.as_str();
            match new.get(key) {
                None => self.record_old(
                    Class::Breaking,
                    Direction::Request,
                    po,
                    format!("{place} parameter `{name}` removed: clients that send it are no longer understood"),
                ),
                Some((pn, vn)) => self.parameter(po, vo, pn, vn),
            }
        }
        for (key, (pn, vn)) in &new {
            if old.contains_key(key) {
                continue;
            }
            let (place, name) = (key.0.as_str(), &key.1);
            if vn.get("required").and_then(Value::as_bool) == Some(true) {
                self.record(
                    Class::Breaking,
                    Direction::Request,
                    pn,
                    format!("required {place} parameter `{name}` added: requests without it are rejected"),
                );
            } else {
                self.record(
                    Class::Compatible,
                    Direction::Request,
                    pn,
                    format!("optional {place} parameter `{name}` added"),
                );
            }
        }
    }

    /// The parameters of an operation (its path item's too), resolved, keyed by location and
    /// name; path parameters by position, since their names are not on the wire.
    fn parameter_list(
        &mut self,
        doc: &'a Value,
        op: &Operation<'a>,
    ) -> BTreeMap<(String, String), (String, &'a Value)> {
        let mut out = BTreeMap::new();
        let lists = [
            (
                join(&op.path_pointer, "parameters"),
                op.path_item.get("parameters"),
            ),
            (join(&op.pointer, "parameters"), op.value.get("parameters")),
        ];
        for (at, list) in lists {
            let Some(list) = list.and_then(Value::as_array) else {
                continue;
            };
            for (i, p) in list.iter().enumerate() {
                let (pointer, p) = self.deref(doc, &format!("{at}/{i}"), p);
                let place = p.get("in").and_then(Value::as_str).unwrap_or("").to_owned();
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let key = match place.as_str() {
                    "path" => match op.path_params.iter().position(|n| *n == name) {
                        Some(i) => format!("#{} of the path", i + 1),
                        None => name,
                    },
                    "header" => name.to_ascii_lowercase(),
                    _ => name,
                };
                out.insert((place, key), (pointer, p));
            }
        }
        out
    }

    fn parameter(&mut self, po: &str, o: &'a Value, pn: &str, n: &'a Value) {
        let name = n.get("name").and_then(Value::as_str).unwrap_or("");
        let dir = Direction::Request;
        for key in union_keys(o, n) {
            let (vo, vn) = (o.get(&key), n.get(&key));
            let (ko, kn) = (join(po, &key), join(pn, &key));
            match key.as_str() {
                "name" | "in" => {
                    if vo != vn {
                        self.record(
                            Class::Compatible,
                            dir,
                            &kn,
                            format!("path parameter renamed {} → {}", show_opt(vo), show_opt(vn)),
                        );
                    }
                }
                "required" => {
                    let (ro, rn) = (flag(vo), flag(vn));
                    if !ro && rn {
                        self.record(
                            dir.narrowed(),
                            dir,
                            &kn,
                            format!("parameter `{name}` is now required"),
                        );
                    } else if ro && !rn {
                        self.record(
                            dir.widened(),
                            dir,
                            &kn,
                            format!("parameter `{name}` is no longer required"),
                        );
                    }
                }
                "schema" => match (vo, vn) {
                    (Some(so), Some(sn)) => self.schema(dir, At { old: &ko, new: &kn }, so, sn),
                    _ => self.compare_values(dir, &ko, &kn, vo, vn),
                },
                "content" => self.content(dir, &ko, &kn, vo, vn),
                "style" | "explode" | "allowReserved" | "allowEmptyValue" => {
                    if vo != vn {
                        self.record(
                            Class::Breaking,
                            dir,
                            &kn,
                            format!(
                                "parameter `{name}`'s {key} changed from {} to {}: the same values are written differently",
                                show_opt(vo),
                                show_opt(vn)
                            ),
                        );
                    }
                }
                _ => self.compare_values(dir, &ko, &kn, vo, vn),
            }
        }
    }

    fn request_body(&mut self, po: &str, pn: &str, o: Option<&'a Value>, n: Option<&'a Value>) {
        let dir = Direction::Request;
        let (old, new) = (self.old, self.new);
        match (o, n) {
            (None, None) => {}
            (Some(_), None) => {
                self.record_old(
                    Class::Breaking,
                    dir,
                    po,
                    "request body removed: clients that send one are no longer understood",
                );
            }
            (None, Some(n)) => {
                let (_, n) = self.deref(new, pn, n);
                if flag(n.get("required")) {
                    self.record(
                        Class::Breaking,
                        dir,
                        pn,
                        "required request body added: requests without one are rejected",
                    );
                } else {
                    self.record(Class::Compatible, dir, pn, "optional request body added");
                }
            }
            (Some(o), Some(n)) => {
                let (po, o) = self.deref(old, po, o);
                let (pn, n) = self.deref(new, pn, n);
                for key in union_keys(o, n) {
                    let (vo, vn) = (o.get(&key), n.get(&key));
                    let (ko, kn) = (join(&po, &key), join(&pn, &key));
                    match key.as_str() {
                        "required" => {
                            let (ro, rn) = (flag(vo), flag(vn));
                            if !ro && rn {
                                self.record(
                                    Class::Breaking,
                                    dir,
                                    &kn,
                                    "request body is now required",
                                );
                            } else if ro && !rn {
                                self.record(
                                    Class::BreakingForOldServers,
                                    dir,
                                    &kn,
                                    "request body is no longer required",
                                );
                            }
                        }
                        "content" => self.content(dir, &ko, &kn, vo, vn),
                        _ => self.compare_values(dir, &ko, &kn, vo, vn),
                    }
                }
            }
        }
    }

    /// A `content` map: media types matched by name (case-insensitive), their schemas compared.
    fn content(
        &mut self,
        dir: Direction,
        po: &str,
        pn: &str,
        o: Option<&'a Value>,
        n: Option<&'a Value>,
    ) {
        let empty = &NULL;
        let (o, n) = (o.unwrap_or(empty), n.unwrap_or(empty));
        let lower = |v: &'a Value| -> BTreeMap<String, (String, &'a Value)> {
            v.as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), (k.clone(), v)))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (mo, mn) = (lower(o), lower(n));
        for (media, (written, vo)) in &mo {
            let ko = join(po, written);
            match mn.get(media) {
                None => {
                    let message = match dir {
                        Direction::Request => format!(
                            "media type `{written}` removed: clients that send it are rejected"
                        ),
                        _ => format!(
                            "media type `{written}` removed: clients that ask for it get another"
                        ),
                    };
                    self.record_old(Class::Breaking, dir, &ko, message);
                }
                Some((written_new, vn)) => {
                    let kn = join(pn, written_new);
                    for key in union_keys(vo, vn) {
                        let (so, sn) = (vo.get(&key), vn.get(&key));
                        let (ao, an) = (join(&ko, &key), join(&kn, &key));
                        match (key.as_str(), so, sn) {
                            ("schema", Some(so), Some(sn)) => {
                                self.schema(dir, At { old: &ao, new: &an }, so, sn)
                            }
                            _ => self.compare_values(dir, &ao, &an, so, sn),
                        }
                    }
                }
            }
        }
        for (media, (written, _)) in &mn {
            if !mo.contains_key(media) {
                let class = match dir {
                    // A client of the new spec may send it to an old server.
                    Direction::Request => Class::BreakingForOldServers,
                    _ => Class::Compatible,
                };
                self.record(
                    class,
                    dir,
                    &join(pn, written),
                    format!("media type `{written}` added"),
                );
            }
        }
    }

    fn responses(&mut self, at: At, o: &'a Value, n: &'a Value) {
        let dir = Direction::Response;
        let (old, new) = (self.old, self.new);
        for key in union_keys(o, n) {
            let (ko, kn) = (join(at.old, &key), join(at.new, &key));
            let (vo, vn) = (o.get(&key), n.get(&key));
            if key.starts_with("x-") {
                self.compare_values(Direction::Document, &ko, &kn, vo, vn);
                continue;
            }
            match (vo, vn) {
                (None, None) => {}
                (Some(_), None) => self.record_old(
                    Class::Breaking,
                    dir,
                    &ko,
                    format!("response {key} removed: clients that handle it never see it again"),
                ),
                (None, Some(_)) => {
                    self.record(Class::Compatible, dir, &kn, format!("response {key} added"))
                }
                (Some(vo), Some(vn)) => {
                    let (ko, vo) = self.deref(old, &ko, vo);
                    let (kn, vn) = self.deref(new, &kn, vn);
                    for field in union_keys(vo, vn) {
                        let (fo, fn_) = (vo.get(&field), vn.get(&field));
                        let (po, pn) = (join(&ko, &field), join(&kn, &field));
                        match field.as_str() {
                            "content" => self.content(dir, &po, &pn, fo, fn_),
                            "headers" => self.headers(At { old: &po, new: &pn }, fo, fn_),
                            _ => self.compare_values(dir, &po, &pn, fo, fn_),
                        }
                    }
                }
            }
        }
    }

    fn headers(&mut self, at: At, o: Option<&'a Value>, n: Option<&'a Value>) {
        let dir = Direction::Response;
        let (old, new) = (self.old, self.new);
        let empty = &NULL;
        let (o, n) = (o.unwrap_or(empty), n.unwrap_or(empty));
        for name in union_keys(o, n) {
            let (ko, kn) = (join(at.old, &name), join(at.new, &name));
            match (o.get(&name), n.get(&name)) {
                (None, None) => {}
                (Some(_), None) => self.record_old(
                    Class::Breaking,
                    dir,
                    &ko,
                    format!("header `{name}` removed: clients that read it no longer get it"),
                ),
                (None, Some(_)) => self.record(
                    Class::Compatible,
                    dir,
                    &kn,
                    format!("header `{name}` added"),
                ),
                (Some(vo), Some(vn)) => {
                    let (ko, vo) = self.deref(old, &ko, vo);
                    let (kn, vn) = self.deref(new, &kn, vn);
                    for key in union_keys(vo, vn) {
                        let (fo, fn_) = (vo.get(&key), vn.get(&key));
                        let (po, pn) = (join(&ko, &key), join(&kn, &key));
                        match (key.as_str(), fo, fn_) {
                            ("required", _, _) => {
                                let (ro, rn) = (flag(fo), flag(fn_));
                                if ro && !rn {
                                    self.record(
                                        Class::Breaking,
                                        dir,
                                        &pn,
                                        format!("header `{name}` may now be absent"),
                                    );
                                } else if !ro && rn {
                                    self.record(
                                        Class::Compatible,
                                        dir,
                                        &pn,
                                        format!("header `{name}` is now always sent"),
                                    );
                                }
                            }
                            ("schema", Some(so), Some(sn)) => {
                                self.schema(dir, At { old: &po, new: &pn }, so, sn)
                            }
                            _ => self.compare_values(dir, &po, &pn, fo, fn_),
                        }
                    }
                }
            }
        }
    }

    /// The security an operation requires: its own `security`, or the document's.
    fn security(&mut self, o: &Operation<'a>, n: &Operation<'a>) {
        let effective = |doc: &'a Value, op: &Operation<'a>| -> (String, BTreeSet<String>) {
            let (pointer, list) = match op.value.get("security") {
                Some(list) => (join(&op.pointer, "security"), Some(list)),
                None => ("/security".to_owned(), doc.get("security")),
            };
            // No requirement at all, `[]` and `[{}]` all let anonymous clients in.
            let set: BTreeSet<String> = list
                .and_then(Value::as_array)
                .map(|alts| alts.iter().map(requirement).collect())
                .filter(|set: &BTreeSet<String>| !set.is_empty())
                .unwrap_or_else(|| BTreeSet::from([ANONYMOUS.to_owned()]));
            (pointer, set)
        };
        let (_, so) = effective(self.old, o);
        let (pn, sn) = effective(self.new, n);
        if so == sn {
            return;
        }
        let anonymous = ANONYMOUS.to_owned();
        let dir = Direction::Request;
        if sn.contains(&anonymous) {
            // Credentials a client still sends are not checked.
            self.record(
                Class::Compatible,
                dir,
                &pn,
                "authentication is no longer required",
            );
        } else if sn.is_superset(&so) {
            let message = format!(
                "security alternatives added: {}",
                show_set(sn.difference(&so))
            );
            self.record(Class::Compatible, dir, &pn, message);
        } else {
            let message = if so.contains(&anonymous) && !sn.contains(&anonymous) {
                format!("authentication is now required: {}", show_set(sn.iter()))
            } else {
                format!(
                    "security requirements changed from {} to {}: clients with only a removed one are refused",
                    show_set(so.iter()),
                    show_set(sn.iter())
                )
            };
            self.record(Class::Breaking, dir, &pn, message);
        }
    }

    /// Security schemes are reached by name from `security`: a changed scheme changes how
    /// every client of the operations that use it authenticates.
    fn security_schemes(&mut self) {
        let at = "/components/securitySchemes";
        let (o, n) = (self.old.pointer(at), self.new.pointer(at));
        for name in union_keys_opt(o, n) {
            let p = join(at, &name);
            let (vo, vn) = (o.and_then(|m| m.get(&name)), n.and_then(|m| m.get(&name)));
            match (vo, vn) {
                (Some(vo), Some(vn)) if vo != vn => {
                    for key in union_keys(vo, vn) {
                        let (ko, kn) = (vo.get(&key), vn.get(&key));
                        if ko != kn {
                            let kp = join(&p, &key);
                            if is_annotation(&key) {
                                self.record(
                                    Class::Compatible,
                                    Direction::Document,
                                    &kp,
                                    format!("security scheme `{name}`: {key} changed"),
                                );
                            } else {
                                self.record(Class::Breaking, Direction::Document, &kp, format!("security scheme `{name}`: {key} changed from {} to {}: clients authenticate differently", show_opt(ko), show_opt(kn)));
                            }
                        }
                    }
                }
                (Some(_), None) => self.record_old(
                    Class::Compatible,
                    Direction::Document,
                    &p,
                    format!("security scheme `{name}` removed"),
                ),
                (None, Some(_)) => self.record(
                    Class::Compatible,
                    Direction::Document,
                    &p,
                    format!("security scheme `{name}` added"),
                ),
                _ => {}
            }
        }
    }

    /// Components no operation reaches, in either document: a change there affects nobody.
    fn unreached_components(&mut self) {
        let mut reached = BTreeSet::new();
        for doc in [self.old, self.new] {
            for root in ["paths", "webhooks"] {
                if let Some(value) = doc.get(root) {
                    references(doc, value, &mut reached);
                }
            }
        }
        let (o, n) = (self.old.get("components"), self.new.get("components"));
        for kind in union_keys_opt(o, n) {
            if kind == "securitySchemes" {
                continue;
            }
            let at = join("/components", &kind);
            let (ko, kn) = (o.and_then(|c| c.get(&kind)), n.and_then(|c| c.get(&kind)));
            if kind.starts_with("x-") || !ko.or(kn).is_some_and(Value::is_object) {
                self.compare_values(Direction::Document, &at, &at, ko, kn);
                continue;
            }
            for name in union_keys_opt(ko, kn) {
                let p = join(&at, &name);
                if reached
                    .iter()
                    .any(|r| r == &p || r.starts_with(&format!("{p}/")))
                {
                    continue;
                }
                let (vo, vn) = (ko.and_then(|m| m.get(&name)), kn.and_then(|m| m.get(&name)));
                match (vo, vn) {
                    (Some(vo), Some(vn)) if vo != vn => self.record(
                        Class::Compatible,
                        Direction::Document,
                        &p,
                        format!("{kind} `{name}` changed; no operation uses it"),
                    ),
                    (Some(_), None) => self.record_old(
                        Class::Compatible,
                        Direction::Document,
                        &p,
                        format!("{kind} `{name}` removed; no operation used it"),
                    ),
                    (None, Some(_)) => self.record(
                        Class::Compatible,
                        Direction::Document,
                        &p,
                        format!("{kind} `{name}` added; no operation uses it"),
                    ),
                    _ => {}
                }
            }
        }
    }

    /// Two values no rule knows the meaning of: annotations are compatible, anything else is
    /// unclassified. A value present on one side only is reported as added or removed.
    fn compare_values(
        &mut self,
        dir: Direction,
        po: &str,
        pn: &str,
        o: Option<&Value>,
        n: Option<&Value>,
    ) {
        if o == n {
            return;
        }
        let key = pn.rsplit('/').next().map(unescape).unwrap_or_default();
        let key = if key.is_empty() {
            po.rsplit('/').next().unwrap_or("").to_owned()
        } else {
            key
        };
        let class = if is_annotation(&key) || dir == Direction::Document && po.starts_with("/info")
        {
            Class::Compatible
        } else {
            Class::Unclassified
        };
        match (o, n) {
            (Some(_), None) => self.record_old(class, dir, po, format!("`{key}` removed")),
            (None, Some(_)) => self.record(class, dir, pn, format!("`{key}` added")),
            (Some(o), Some(n)) if is_scalar(o) && is_scalar(n) => self.record(
                class,
                dir,
                pn,
                format!("`{key}` changed from {} to {}", show(o), show(n)),
            ),
            _ => self.record(class, dir, pn, format!("`{key}` changed")),
        }
    }
}

/// Adds every component `value` reaches through `$ref`s, transitively, to `reached`.
fn references(doc: &Value, value: &Value, reached: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    let Some(target) = child.as_str().and_then(ref_pointer) else {
                        continue;
                    };
                    if target.starts_with("/components/") && reached.insert(target.clone()) {
                        if let Some(next) = doc.pointer(&target) {
                            references(doc, next, reached);
                        }
                    }
                } else if !matches!(key.as_str(), "example" | "examples" | "default" | "enum") {
                    references(doc, child, reached);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(doc, v, reached)),
        _ => {}
    }
}

/// An operation of a document, as the walk matches it.
struct Operation<'a> {
    /// `GET /items/{item_id} (get_item)`.
    label: String,
    pointer: String,
    value: &'a Value,
    path_pointer: String,
    path_item: &'a Value,
    /// The path's parameter names, in order.
    path_params: Vec<String>,
}

/// The operations of a document keyed by method and path template with its parameter names
/// blanked (`/items/{}`).
fn operations(doc: &Value) -> BTreeMap<(String, String), Operation<'_>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let path_pointer = join("/paths", path);
        let item = match item
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(ref_pointer)
        {
            Some(target) => doc.pointer(&target).unwrap_or(item),
            None => item,
        };
        let (template, params) = blank_params(path);
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = op.get("operationId").and_then(Value::as_str);
            let label = match id {
                Some(id) => format!("{} {path} ({id})", method.to_ascii_uppercase()),
                None => format!("{} {path}", method.to_ascii_uppercase()),
            };
            out.insert(
                (template.clone(), method.to_owned()),
                Operation {
                    label,
                    pointer: format!("{path_pointer}/{method}"),
                    value: op,
                    path_pointer: path_pointer.clone(),
                    path_item: item,
                    path_params: params.clone(),
                },
            );
        }
    }
    out
}

/// `/items/{item_id}` → (`/items/{}`, [`item_id`]).
fn blank_params(path: &str) -> (String, Vec<String>) {
    let mut template = String::new();
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        template.push_str(&rest[..open]);
        template.push_str("{}");
        names.push(rest[open + 1..open + close].to_owned());
        rest = &rest[open + close + 1..];
    }
    template.push_str(rest);
    (template, names)
}

fn union_keys(o: &Value, n: &Value) -> Vec<String> {
    union_keys_opt(Some(o), Some(n))
}

/// The keys of two mappings: the old one's in order, then those only the new one has.
fn union_keys_opt(o: Option<&Value>, n: Option<&Value>) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for m in [o, n].into_iter().flatten().filter_map(Value::as_object) {
        for k in m.keys() {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    keys
}

fn flag(v: Option<&Value>) -> bool {
    v.and_then(Value::as_bool).unwrap_or(false)
}

fn is_scalar(v: &Value) -> bool {
    !v.is_object() && !v.is_array()
}

/// A value in a message; a long text is cut (the pointer leads to all of it).
fn show(v: &Value) -> String {
    let text = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let cut: String = text.chars().take(48).collect();
    let cut = if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    };
    match v {
        Value::String(_) => format!("`{cut}`"),
        _ => cut,
    }
}

fn show_opt(v: Option<&Value>) -> String {
    v.map(show).unwrap_or_else(|| "none".into())
}

/// How a security alternative that needs nothing is shown.
const ANONYMOUS: &str = "anonymous";

/// One security alternative as text: `bearer`, `oauth (read, write) and apiKey`.
fn requirement(alternative: &Value) -> String {
    let Some(schemes) = alternative.as_object().filter(|m| !m.is_empty()) else {
        return ANONYMOUS.to_owned();
    };
    let parts: Vec<String> = schemes
        .iter()
        .map(
            |(name, scopes)| match scopes.as_array().filter(|s| !s.is_empty()) {
                Some(scopes) => {
                    let scopes: Vec<String> = scopes
                        .iter()
                        .map(|s| s.as_str().unwrap_or("?").to_owned())
                        .collect();
                    format!("{name} ({})", scopes.join(", "))
                }
                None => name.clone(),
            },
        )
        .collect();
    parts.join(" and ")
}

fn show_set<'s>(items: impl Iterator<Item = &'s String>) -> String {
    let all: Vec<&str> = items.map(String::as_str).collect();
    all.join(" or ")
}
