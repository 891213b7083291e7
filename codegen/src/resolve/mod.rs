//! Stage 2, resolve: `openapiv3::OpenAPI` → [`ir::Api`], with every semantic check.
//!
//! Operations, parameters and responses are read from the openapiv3 document. Schemas are
//! read from the raw JSON at the same pointer instead: openapiv3's typed schemas drop keywords
//! that do not fit their guessed type (`minLength` on an object vanishes), and nothing the spec
//! declares may vanish. Every problem becomes a diagnostic and resolution carries on with the
//! rest, so one run reports everything; the returned IR is only rendered when there are none.
//!
//! One module per kind of spec object: `operations` (paths, operations, routes),
//! `parameters`, `content` (bodies, responses, media types), `rejections` (what is answered
//! when poem-openapi refuses a request), `security`, `schemas` (the entry that reads any
//! schema), `objects`, `scalars`, `composition` (`allOf`, `oneOf`, `anyOf`), `cycles`
//! (recursive types) and `values` (`default` and `example`, checked against their schema).
//! This module holds the resolver's state, tags, component lookups and name claims.

mod composition;
mod content;
mod cycles;
mod objects;
mod operations;
mod parameters;
mod rejections;
mod scalars;
mod schemas;
mod security;
mod values;

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr};
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostics;
use crate::ir::{self, Doc};
use crate::load::Loaded;
use crate::naming::{is_identifier, numbered, pascal_case};
use crate::source::join;

const SCHEMA_REF: &str = "#/components/schemas/";

/// Resolves the loaded document into the IR, reporting into `diags`.
pub fn resolve(loaded: &Loaded, options: &crate::Options, diags: &mut Diagnostics) -> ir::Api {
    let mut r = Resolver::new(loaded, options, diags);
    for reserved in ["Api", "Handlers", "Tags", "DOCUMENT"] {
        r.type_names
            .insert(reserved.to_owned(), "the generated code".to_owned());
    }
    r.declare_components();
    r.resolve_components();
    r.security_schemes();
    let tags = r.tags();
    let operations = r.operations(&tags);
    r.box_recursive_fields();
    r.check_discriminated();
    r.into_api(loaded, tags, operations)
}

impl<'a> Resolver<'a> {
    /// A resolver of `loaded` with nothing resolved yet.
    fn new(loaded: &'a Loaded, options: &'a crate::Options, diags: &'a mut Diagnostics) -> Self {
        Resolver {
            skip: &options.skip,
            convert_rejections: options.convert_rejections || options.strict,
            raw: &loaded.raw,
            doc: &loaded.doc,
            diags,
            type_names: BTreeMap::new(),
            rejection_bodies: BTreeMap::new(),
            named: BTreeMap::new(),
            aliases: BTreeMap::new(),
            resolving_aliases: Vec::new(),
            pointed: BTreeMap::new(),
            objects: BTreeMap::new(),
            enums: BTreeMap::new(),
            unions: BTreeMap::new(),
            discriminated: Vec::new(),
            expanding: Vec::new(),
            merged: Vec::new(),
            fn_names: BTreeMap::new(),
            patterns: Vec::new(),
            segments: Vec::new(),
            param_rules: Vec::new(),
            contents: BTreeMap::new(),
            multiparts: BTreeMap::new(),
            security_schemes: BTreeMap::new(),
            auth_enums: Vec::new(),
            auth_all: Vec::new(),
        }
    }

    /// The IR of everything resolved, in a deterministic order.
    fn into_api(
        self,
        loaded: &Loaded,
        tags: Vec<ir::Tag>,
        operations: Vec<ir::Operation>,
    ) -> ir::Api {
        ir::Api {
            source: loaded.source.name.clone(),
            title: loaded.doc.info.title.clone(),
            version: loaded.doc.info.version.clone(),
            description: loaded.doc.info.description.clone(),
            tags,
            objects: self.objects.into_values().collect(),
            enums: self.enums.into_values().collect(),
            unions: self.unions.into_values().collect(),
            operations,
            contents: self.contents.into_values().collect(),
            multiparts: self.multiparts.into_values().collect(),
            security_schemes: self.security_schemes.into_values().collect(),
            auth_enums: self.auth_enums,
            auth_all: self.auth_all,
            rejection_bodies: self.rejection_bodies.into_values().collect(),
            // In order of first use, which is the order of their numbers.
            patterns: self
                .patterns
                .into_iter()
                .map(|(pattern, name)| ir::PatternType {
                    name,
                    fancy: regex::Regex::new(&pattern).is_err(),
                    pattern,
                })
                .collect(),
            segments: self.segments,
            param_rules: self.param_rules,
        }
    }
}

/// What of a request poem-openapi checks before the handler runs, and can reject.
#[derive(Debug, Clone, Copy)]
struct Input {
    params: bool,
    body: bool,
    credentials: bool,
}

struct Resolver<'a> {
    /// Operations to answer 501 instead of calling a handler (ids or method names).
    skip: &'a [String],
    /// Whether error schemas of the user's own shape are filled through `FromRejection`.
    convert_rejections: bool,
    raw: &'a Value,
    doc: &'a OpenAPI,
    diags: &'a mut Diagnostics,
    /// Every Rust type name generated so far → the pointer that asked for it.
    type_names: BTreeMap<String, String>,
    /// Schemas that must be constructible from a rejected request, by name.
    rejection_bodies: BTreeMap<String, ir::RejectionBody>,
    /// What each component schema became, by its spec name.
    named: BTreeMap<String, schemas::Named>,
    /// What each named scalar, array or map schema resolved to (`None`: refused).
    aliases: BTreeMap<String, Option<schemas::Typed>>,
    /// Named aliases being resolved, to report one that contains itself.
    resolving_aliases: Vec<String>,
    /// Schemas referenced by a pointer other than `#/components/schemas/Name` (into a path,
    /// or into a component's property), resolved once; `None` while being resolved.
    pointed: BTreeMap<String, Option<Option<schemas::Typed>>>,
    /// Objects resolved so far (named and inline), by Rust name.
    objects: BTreeMap<String, ir::Object>,
    /// Enums resolved so far (named and inline), by Rust name.
    enums: BTreeMap<String, ir::Enum>,
    /// Unions resolved so far (named and inline), by Rust name.
    unions: BTreeMap<String, ir::Union>,
    /// Discriminated variants to check once objects are resolved: (schema, property, at).
    discriminated: Vec<(String, String, String)>,
    /// Component schemas whose properties are being resolved (named objects, and the parts
    /// an `allOf` copied): an `allOf` inside them may not copy them again.
    expanding: Vec<String>,
    /// Component schemas the `allOf` being merged has copied so far.
    merged: Vec<String>,
    /// Generated free functions → the pointer that asked for each.
    fn_names: BTreeMap<String, String>,
    /// Patterns of strings parsed as `Matching<_>` with their marker type, in order of first use.
    patterns: Vec<(String, String)>,
    /// Routed path segments that path parameters are read from as `PathPiece`s.
    segments: Vec<ir::SegmentType>,
    /// Constraints of parameters as `codegen_runtime::Rules` types.
    param_rules: Vec<ir::ParamRules>,
    /// Enums of media types, by name.
    contents: BTreeMap<String, ir::ContentEnum>,
    /// Multipart bodies, by name.
    multiparts: BTreeMap<String, ir::Multipart>,
    /// Security schemes, by their name in the spec.
    security_schemes: BTreeMap<String, ir::SecurityScheme>,
    /// Enums of alternative schemes, in operation order.
    auth_enums: Vec<ir::AuthEnum>,
    /// Credentials required together.
    auth_all: Vec<ir::AuthAll>,
}

impl<'a> Resolver<'a> {
    /// Doc lines for a spec text. The text is served as written (the document is the spec
    /// itself), so it is only shaped into doc comments here, never checked.
    fn text(&mut self, text: Option<&str>, _at: &str) -> Doc {
        Doc::from_text(text)
    }

    /// An operation's summary and description as one doc comment: the summary, a blank line,
    /// the description.
    fn summary_and_description(&mut self, op: &openapiv3::Operation, at: &str) -> Doc {
        let summary = self.text(op.summary.as_deref(), &join(at, "summary"));
        let description = self.text(op.description.as_deref(), &join(at, "description"));
        let mut lines = summary.0;
        if !lines.is_empty() && !description.0.is_empty() {
            lines.push(String::new());
        }
        lines.extend(description.0);
        Doc(lines)
    }

    /// The marker type of `pattern` for `Matching<_>`: `Pattern1`, `Pattern2`, … in order of
    /// first use (a pattern is named for what it matches, not for where it is used).
    fn pattern_type(&mut self, pattern: &str, at: &str) -> String {
        if let Some((_, existing)) = self.patterns.iter().find(|(p, _)| p == pattern) {
            return existing.clone();
        }
        let name = self.fresh_type(&format!("Pattern{}", self.patterns.len() + 1), at);
        self.patterns.push((pattern.to_owned(), name.clone()));
        name
    }

    /// Claims the name of a generated function for `at`; one already taken (two places that
    /// snake-case alike) takes a number. Claiming again for the same place gives the same name.
    fn claim_fn(&mut self, name: &str, at: &str) -> String {
        let mut candidate = name.to_owned();
        let mut n = 2;
        loop {
            match self.fn_names.get(&candidate) {
                None => {
                    self.fn_names.insert(candidate.clone(), at.to_owned());
                    return candidate;
                }
                Some(place) if place == at => return candidate,
                Some(_) => {
                    candidate = format!("{name}_{n}");
                    n += 1;
                }
            }
        }
    }

    fn raw_at(&self, pointer: &str) -> Option<&Map<String, Value>> {
        self.raw.pointer(pointer).and_then(Value::as_object)
    }

    /// Claims the Rust type name `rust` for what is at `pointer`: if another schema (or a
    /// response enum, a security scheme, the generated code) already has it, the name takes
    /// a number (`AccountSettings2`), with a warning (an error in strict mode). Claiming again
    /// for the same place gives the same name.
    fn fresh_type(&mut self, rust: &str, pointer: &str) -> String {
        match self.type_names.get(rust) {
            None => {
                self.type_names.insert(rust.to_owned(), pointer.to_owned());
                rust.to_owned()
            }
            Some(first) if first == pointer => rust.to_owned(),
            Some(first) => {
                let first = first.clone();
                let mut n = 2;
                let name = loop {
                    let candidate = format!("{rust}{n}");
                    match self.type_names.get(&candidate) {
                        None => break candidate,
                        Some(p) if p == pointer => break candidate,
                        Some(_) => n += 1,
                    }
                };
                self.type_names.insert(name.clone(), pointer.to_owned());
                self.diags.lenient(
                    pointer,
                    format!("the Rust type name `{rust}` is already taken by {first}; this one is `{name}`"),
                    "rename one of them to choose the names yourself",
                );
                name
            }
        }
    }

    // ---- tags ----------------------------------------------------------------------------

    fn tags(&mut self) -> Vec<ir::Tag> {
        let mut tags: Vec<ir::Tag> = Vec::new();
        for (i, tag) in self.doc.tags.iter().enumerate() {
            let at = format!("/tags/{i}");
            if tags.iter().any(|t| t.name == tag.name) {
                self.diags.warn(
                    &at,
                    format!(
                        "tag `{}` is declared twice; the first declaration is used",
                        tag.name
                    ),
                    "remove the second declaration",
                );
                continue;
            }
            self.push_tag(&mut tags, &tag.name, tag.description.as_deref(), &at);
        }
        for (path, method, op) in self.doc.operations() {
            for (i, name) in op.tags.iter().enumerate() {
                let at = format!("{}/{method}/tags/{i}", join("/paths", path));
                self.push_tag(&mut tags, name, None, &at);
            }
        }
        tags
    }

    /// Adds the tag `name` unless it is there (operations name tags the document declares).
    fn push_tag(
        &mut self,
        tags: &mut Vec<ir::Tag>,
        name: &str,
        description: Option<&str>,
        at: &str,
    ) {
        if tags.iter().any(|t| t.name == name) {
            return;
        }
        let mut variant = pascal_case(name);
        if !is_identifier(&variant) {
            // Named by position, like an enum value without letters or digits.
            variant = format!("Tag{}", tags.len() + 1);
        }
        if let Some(other) = tags.iter().find(|t| t.variant == variant) {
            let other = other.name.clone();
            let taken = variant.clone();
            variant = numbered(&taken, "", |n| tags.iter().any(|t| t.variant == n));
            self.diags.lenient(
                at,
                format!("tags `{other}` and `{name}` both become the Rust variant `{taken}`; this one is `{variant}`"),
                "rename one of them to choose the names yourself",
            );
        }
        tags.push(ir::Tag {
            name: name.to_owned(),
            variant,
            doc: self.text(description, &join(at, "description")),
        });
    }

    // ---- operations ----------------------------------------------------------------------

    /// The object `item` is, following a `$ref` into `components/<kind>` (`what` names one
    /// in messages), and where it is written. A reference to a reference, or to nothing, is a
    /// diagnostic.
    fn component<'d, T>(
        &mut self,
        item: &'d ReferenceOr<T>,
        at: &str,
        kind: &str,
        what: &str,
        lookup: impl Fn(&'d openapiv3::Components, &str) -> Option<&'d ReferenceOr<T>>,
    ) -> Option<(&'d T, String)>
    where
        'a: 'd,
        T: serde::de::DeserializeOwned + 'static,
    {
        let reference = match item {
            ReferenceOr::Item(item) => return Some((item, at.to_owned())),
            ReferenceOr::Reference { reference } => reference,
        };
        // A `$ref` to anywhere else in the document (a header of another response, a
        // parameter of another operation), or to another `$ref`: read the object there.
        // It is leaked: it lives as long as the parsed document, for one generation.
        let pointed = |this: &mut Self| -> Option<(&'d T, String)> {
            let mut pointer = crate::source::ref_pointer(reference)?;
            for _ in 0..8 {
                let value = this.raw.pointer(&pointer)?;
                if let Some(next) = value.get("$ref").and_then(serde_json::Value::as_str) {
                    pointer = crate::source::ref_pointer(next)?;
                    continue;
                }
                let item: T = serde_json::from_value(value.clone()).ok()?;
                return Some((Box::leak(Box::new(item)), pointer));
            }
            None
        };
        let is_component = reference
            .strip_prefix(&format!("#/components/{kind}/"))
            .is_some_and(|n| !n.contains('/'));
        if !is_component {
            if let Some(found) = pointed(self) {
                return Some(found);
            }
        }
        let doc: &'d OpenAPI = self.doc;
        let prefix = format!("#/components/{kind}/");
        let name = reference.strip_prefix(&prefix).map(crate::source::unescape);
        let found = name
            .as_ref()
            .and_then(|n| Some((n, lookup(doc.components.as_ref()?, n)?)));
        match found {
            Some((name, ReferenceOr::Item(item))) => {
                Some((item, join(&format!("/components/{kind}"), name)))
            }
            Some((name, ReferenceOr::Reference { .. })) => {
                // A chain of `$ref`s: follow it to the object at its end.
                if let Some(found) = pointed(self) {
                    return Some(found);
                }
                self.diags.error(
                    &join(&format!("/components/{kind}"), name),
                    format!("a {what} that is only a `$ref` is not supported"),
                    format!("define the {what} here directly"),
                );
                None
            }
            None => {
                self.diags.error(
                    &join(at, "$ref"),
                    format!("`$ref: {reference}` points at no {what}"),
                    format!(
                        "define it under `components/{kind}` as `{prefix}Name`, or fix the name"
                    ),
                );
                None
            }
        }
    }
}
