//! Stage 2, resolve: `openapiv3::OpenAPI` → [`ir::Api`], with every semantic check.
//!
//! Operations, parameters and responses are read from the openapiv3 document. Schemas are
//! read from the raw JSON at the same pointer instead: openapiv3's typed schemas drop keywords
//! that do not fit their guessed type (`minLength` on an object vanishes), and nothing the spec
//! declares may vanish. Every problem becomes a diagnostic and resolution carries on with the
//! rest, so one run reports everything; the returned IR is only rendered when there are none.

//!
//! Submodules: `schemas` (schemas → Rust types: objects, enums, arrays, maps, formats,
//! recursion) and `values` (`default` and `example`, checked against their schema); this
//! module holds tags, operations, parameters, bodies, responses and rejections.

mod composition;
mod content;
mod schemas;
mod security;
mod values;

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr};
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostics;
use crate::ir::{self, Doc};
use crate::load::Loaded;
use crate::naming::{is_identifier, pascal_case, snake_case};
use crate::source::join;

const SCHEMA_REF: &str = "#/components/schemas/";

/// Resolves the loaded document into the IR, reporting into `diags`.
pub fn resolve(loaded: &Loaded, options: &crate::Options, diags: &mut Diagnostics) -> ir::Api {
    let mut r = Resolver {
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
    };
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
    let rejection_bodies = std::mem::take(&mut r.rejection_bodies)
        .into_values()
        .collect();
    let objects = std::mem::take(&mut r.objects).into_values().collect();
    // In order of first use, which is the order of their numbers.
    let patterns: Vec<ir::PatternType> = std::mem::take(&mut r.patterns)
        .into_iter()
        .map(|(pattern, name)| ir::PatternType {
            name,
            fancy: regex::Regex::new(&pattern).is_err(),
            pattern,
        })
        .collect();
    let enums = std::mem::take(&mut r.enums).into_values().collect();
    let contents = std::mem::take(&mut r.contents).into_values().collect();
    let multiparts = std::mem::take(&mut r.multiparts).into_values().collect();
    let unions = std::mem::take(&mut r.unions).into_values().collect();
    let security_schemes = std::mem::take(&mut r.security_schemes)
        .into_values()
        .collect();
    let auth_enums = std::mem::take(&mut r.auth_enums);
    let auth_all = std::mem::take(&mut r.auth_all);
    let segments = std::mem::take(&mut r.segments);
    let param_rules = std::mem::take(&mut r.param_rules);
    ir::Api {
        source: loaded.source.name.clone(),
        title: loaded.doc.info.title.clone(),
        version: loaded.doc.info.version.clone(),
        description: loaded.doc.info.description.clone(),
        tags,
        objects,
        enums,
        unions,
        operations,
        contents,
        multiparts,
        security_schemes,
        auth_enums,
        auth_all,
        rejection_bodies,
        patterns,
        segments,
        param_rules,
    }
}

/// The name of an operation without an `operationId`: the method, then the path's literal
/// segments, each parameter as `by_<name>`: `GET /users/{id}/posts` → `get_users_by_id_posts`,
/// `GET /` → `get_root`.
fn derived_operation_id(method: &str, path: &str) -> String {
    let mut name = method.to_owned();
    let mut any = false;
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let part = match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => format!("by_{param}"),
            None => segment.to_owned(),
        };
        let part = snake_case(&part);
        if !part.is_empty() {
            name.push('_');
            name.push_str(&part);
            any = true;
        }
    }
    if !any {
        name.push_str("_root");
    }
    name
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

    /// The `codegen_runtime::Rules` type of `param`'s constraints, if it has any: one per
    /// extractor and constraints, so a parameter shared by operations has one.
    fn param_rules(&mut self, param: &ir::Param, operation: &str) -> Option<String> {
        if param.validators.is_empty() {
            return None;
        }
        let extractor_ty = param.extractor_ty();
        let used_by = format!("`{}` of `{operation}`", param.name);
        if let Some(rules) = self
            .param_rules
            .iter_mut()
            .find(|r| r.extractor_ty == extractor_ty && r.validators == param.validators)
        {
            rules.used_by.push(used_by);
            return Some(rules.name.clone());
        }
        // A name of the generated code's own: a taken one gets a number, without a warning.
        let base = format!("{}Rules", pascal_case(&param.rust_name));
        let mut name = base.clone();
        let mut n = 2;
        while self.type_names.contains_key(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.type_names
            .insert(name.clone(), "the generated code".to_owned());
        self.param_rules.push(ir::ParamRules {
            name: name.clone(),
            extractor_ty,
            validators: param.validators.clone(),
            used_by: vec![used_by],
        });
        Some(name)
    }

    /// The marker type of a routed segment for `PathPiece<_>`: `Segment1`, … in order of first
    /// use; operations whose segment is the same route parameter with the same text share one.
    fn segment_type(&mut self, route_param: String, literals: Vec<String>, at: &str) -> String {
        if let Some(existing) = self
            .segments
            .iter()
            .find(|s| s.route_param == route_param && s.literals == literals)
        {
            return existing.name.clone();
        }
        let name = self.fresh_type(&format!("Segment{}", self.segments.len() + 1), at);
        self.segments.push(ir::SegmentType {
            name: name.clone(),
            route_param,
            literals,
        });
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
            self.push_tag_checked(
                &mut tags,
                &tag.name,
                tag.description.as_deref(),
                &format!("/tags/{i}"),
            );
        }
        for (path, method, op) in self.doc.operations() {
            for (i, name) in op.tags.iter().enumerate() {
                let at = format!("{}/{method}/tags/{i}", join("/paths", path));
                self.push_tag(&mut tags, name, None, &at);
            }
        }
        tags
    }

    fn push_tag_checked(
        &mut self,
        tags: &mut Vec<ir::Tag>,
        name: &str,
        description: Option<&str>,
        at: &str,
    ) {
        if tags.iter().any(|t| t.name == name) {
            self.diags.warn(
                at,
                format!("tag `{name}` is declared twice; the first declaration is used"),
                "remove the second declaration",
            );
            return;
        }
        self.push_tag(tags, name, description, at);
    }

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
            let mut n = 2;
            while tags.iter().any(|t| t.variant == variant) {
                variant = format!("{taken}{n}");
                n += 1;
            }
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

    fn operations(&mut self, tags: &[ir::Tag]) -> Vec<ir::Operation> {
        let mut ops = Vec::new();
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        let mut methods: BTreeMap<String, String> = BTreeMap::new();
        // poem routes by shape: `/a/{x}` and `/a/{y}` are one route, and the second would
        // silently replace the first.
        let mut shapes: BTreeMap<(String, String), String> = BTreeMap::new();
        let mut skipped = Vec::new();
        for (path, item) in &self.doc.paths.paths {
            let path_at = join("/paths", path);
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            let routed = path.split('#').next().unwrap_or(path);
            let shape: String = routed
                .split('/')
                .map(|seg| match seg.split_once('{') {
                    // As `route` routes it: static text before a parameter stays text.
                    Some((before, _)) => match routable_prefix(before) {
                        Some(prefix) => format!("{prefix}{{}}"),
                        None => "{}".to_owned(),
                    },
                    None => seg.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("/");
            for (method, op) in item.iter() {
                let at = format!("{path_at}/{method}");
                if let Some(first) = shapes.get(&(method.to_owned(), shape.clone())).cloned() {
                    // poem would route both to one handler: the first keeps the route.
                    self.diags.lenient(&at, format!("{} {path} matches the same requests as {first}: it is left out, and those requests reach the first", method.to_uppercase()), "paths that differ only in parameter names are one route; merge the operations or change a literal segment");
                    continue;
                }
                shapes.insert((method.to_owned(), shape.clone()), at.clone());
                let declared = op.operation_id.is_some();
                let id = op
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| derived_operation_id(method, path));
                let id_at = if declared {
                    join(&at, "operationId")
                } else {
                    at.clone()
                };
                let mut method_name = snake_case(&id);
                if let Some(first) = ids.get(&id) {
                    // The served document keeps both as written; the Rust method of the second
                    // is named for its method and path.
                    method_name = snake_case(&derived_operation_id(method, path));
                    self.diags.lenient(
                        &id_at,
                        format!("operationId `{id}` is already used at {first}; this operation's method is `{method_name}`"),
                        "give every operation its own operationId",
                    );
                } else {
                    ids.insert(id.clone(), id_at.clone());
                }
                if !is_identifier(&method_name) {
                    method_name = snake_case(&derived_operation_id(method, path));
                }
                if let Some(first) = methods.get(&method_name).cloned() {
                    let taken = method_name.clone();
                    let mut n = 2;
                    while methods.contains_key(&method_name) {
                        method_name = format!("{taken}_{n}");
                        n += 1;
                    }
                    self.diags.lenient(&id_at, format!("operationId `{id}` becomes the method `{taken}`, as does the one at {first}; this one is `{method_name}`"), "rename one of them to choose the names yourself");
                }
                methods.insert(method_name.clone(), id_at.clone());
                if self.skip.iter().any(|s| *s == id || *s == method_name) {
                    skipped.push(method_name.clone());
                    self.diags.warn(&at, format!("`{id}` is skipped: it has no handler method and answers 501 Not Implemented"), "remove it from the generator's skip list to implement it");
                }
                let params = self.merged_parameters(&item.parameters, &path_at, op, &at);
                if let Some(mut op) =
                    self.operation(path, method, op, &params, id, method_name, tags, &at)
                {
                    op.id_declared = declared;
                    op.skipped = skipped.contains(&op.method);
                    ops.push(op);
                }
            }
        }
        for name in self.skip {
            if !ids.contains_key(name) && !methods.contains_key(name) {
                self.diags.error(
                    "/paths",
                    format!("the skip list names `{name}`, which is no operation of this spec"),
                    "use an operationId (or, for an operation without one, its method name as the trait shows it)",
                );
            }
        }
        ops
    }

    #[allow(clippy::too_many_arguments)] // one call site; the arguments are the operation's coordinates
    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &openapiv3::Operation,
        parameters: &[(&ReferenceOr<Parameter>, String)],
        id: String,
        method_name: String,
        tags: &[ir::Tag],
        at: &str,
    ) -> Option<ir::Operation> {
        let response_enum = self.fresh_type(
            &format!("{}Response", pascal_case(&id)),
            &join(at, "operationId"),
        );
        let route = self.route(path, at);
        let template_params = route.names.clone();
        let mut params = Vec::new();
        let mut arg_names = BTreeSet::new();
        let mut path_params = BTreeSet::new();
        for (p, p_at) in parameters {
            let p_at = p_at.clone();
            // Declared, even if its schema is refused: no follow-on "declares no parameter".
            if let Some(Parameter::Path { parameter_data, .. }) = self.resolved_parameter(p) {
                path_params.insert(parameter_data.name.clone());
            }
            if let Some((mut param, is_path)) = self.parameter(p, &method_name, &p_at) {
                if arg_names.contains(&param.rust_name) {
                    let taken = param.rust_name.clone();
                    let mut n = 2;
                    while arg_names.contains(&param.rust_name) {
                        param.rust_name = format!("{taken}_{n}");
                        n += 1;
                    }
                    if !param.oai.iter().any(|a| a.starts_with("name = ")) {
                        param.oai.insert(0, format!("name = {:?}", param.name));
                    }
                    self.diags.lenient(
                        &p_at,
                        format!(
                            "two parameters become the Rust argument `{taken}`; this one is `{}`",
                            param.rust_name
                        ),
                        "rename one of them to choose the names yourself",
                    );
                }
                arg_names.insert(param.rust_name.clone());
                if is_path {
                    path_params.insert(param.name.clone());
                }
                params.push(param);
            }
        }
        let undeclared: Vec<String> = template_params.difference(&path_params).cloned().collect();
        for name in undeclared {
            // A common omission in public specs: the path says what the parameter is.
            self.diags.lenient(&join(at, "parameters"), format!("the path has `{{{name}}}` but the operation declares no path parameter `{name}`; it is read as a string"), format!("add a parameter with `name: {name}`, `in: path`, `required: true`"));
            let mut rust_name = snake_case(&name);
            if !is_identifier(&rust_name) || arg_names.contains(&rust_name) {
                rust_name = format!("path_{}", arg_names.len() + 1);
            }
            arg_names.insert(rust_name.clone());
            path_params.insert(name.clone());
            params.push(ir::Param {
                oai: if rust_name == name {
                    vec![]
                } else {
                    vec![format!("name = {name:?}")]
                },
                name,
                rust_name,
                extractor: ir::Extractor::Path,
                ty: "::std::string::String".to_owned(),
                wire_ty: "::std::string::String".to_owned(),
                to_handler: "",
                doc: self.text(None, at),
                values: vec![],
                place: None,
                rules: None,
                validators: vec![],
            });
        }
        for name in path_params.difference(&template_params) {
            self.diags.error(
                &join(at, "parameters"),
                format!("path parameter `{name}` does not appear in the path `{path}`"),
                format!("add `{{{name}}}` to the path, or remove the parameter"),
            );
        }
        // poem-openapi numbers path arguments in order: they follow `path_order`.
        let slots: Vec<usize> = params
            .iter()
            .enumerate()
            .filter(|(_, p)| p.extractor == ir::Extractor::Path)
            .map(|(i, _)| i)
            .collect();
        let mut path_args: Vec<ir::Param> = slots.iter().map(|&i| params[i].clone()).collect();
        path_args.sort_by_key(|p| route.order.iter().position(|n| *n == p.name));
        for (slot, param) in slots.into_iter().zip(path_args) {
            params[slot] = param;
        }
        // A path with a segment like `{Sid}.json`: every path parameter is read from its
        // routed segment, so poem-openapi's numbering of `Path` arguments plays no part.
        for param in params.iter_mut() {
            let Some((route_param, literals, i)) = route.pieces.get(&param.name) else {
                continue;
            };
            if param.extractor == ir::Extractor::Path {
                let marker = self.segment_type(route_param.clone(), literals.clone(), at);
                param.extractor = ir::Extractor::PathPiece;
                param.wire_ty = format!("{}, {marker}, {i}", param.wire_ty);
            }
        }
        for param in params.iter_mut() {
            param.rules = self.param_rules(param, &id);
        }
        let body = op
            .request_body
            .as_ref()
            .and_then(|b| self.body(b, &pascal_case(&id), &join(at, "requestBody")));
        if body.is_some() && arg_names.contains("body") {
            self.diags.error(
                &join(at, "requestBody"),
                "a parameter is already named `body`",
                "rename the parameter",
            );
        }
        let auth = self.auth(at, &pascal_case(&id));
        if auth.is_some() && arg_names.contains("auth") {
            self.diags.error(
                &join(at, "security"),
                "a parameter is already named `auth`, the name of the credentials argument",
                "rename the parameter",
            );
        }
        let responses = self.responses(op, &pascal_case(&id), &join(at, "responses"));
        // Without a usable `responses` (misspelt, wrong type) the shape check has reported
        // the one mistake; checking the placeholder for 400/413/415 would only add noise.
        let responses_usable = self.raw_at(&join(at, "responses")).is_some();
        let input = Input {
            params: !params.is_empty(),
            body: body.is_some(),
            credentials: auth.as_ref().is_some_and(|a| a.required),
        };
        let mut rejection = if responses_usable {
            self.rejection(&method_name, input, &responses, &join(at, "responses"))
        } else {
            None
        };
        // Bodies made from a `codegen_runtime::Rejection` (FastAPI's, the user's own, a
        // problem's `errors`) get the spec location of what was rejected.
        if let Some(rej) = rejection.as_mut() {
            let from_rejection = std::iter::once(&rej.otherwise)
                .chain(rej.arms.iter().map(|(_, v)| v))
                .any(|v| {
                    self.rejection_bodies.get(&v.body).is_some_and(|b| {
                        b.fill != ir::RejectionFill::Problem
                            || b.fields
                                .iter()
                                .any(|(_, value)| value.contains("rejection_errors"))
                    })
                });
            // Path parameters also need it for the problem's `detail` to name them as the
            // spec does (poem-openapi says `param0`).
            let path_params = params.iter().any(|p| p.extractor == ir::Extractor::Path);
            if from_rejection || path_params {
                // poem-openapi reports path parameters as `param0`, `param1`, … in order.
                let mut path_index = 0;
                rej.places = params
                    .iter()
                    .filter_map(|p| {
                        let reported = if p.extractor == ir::Extractor::Path {
                            path_index += 1;
                            format!("param{}", path_index - 1)
                        } else {
                            p.name.clone()
                        };
                        let (location, schema) = p.place.clone()?;
                        Some((location.to_owned(), reported, p.name.clone(), schema))
                    })
                    .chain(body.iter().flat_map(|b| {
                        b.places.iter().map(|(name, schema)| {
                            (
                                "body".to_owned(),
                                name.clone(),
                                name.clone(),
                                schema.clone(),
                            )
                        })
                    }))
                    .collect();
            }
        }
        let tag_variants = op
            .tags
            .iter()
            .filter_map(|t| tags.iter().find(|x| &x.name == t))
            .map(|t| format!("Tags::{}", t.variant))
            .collect();
        let params_checked = (!params.is_empty()).then(|| {
            let mut name = "_params_checked".to_owned();
            while arg_names.contains(&name) {
                name.push('_');
            }
            name
        });
        Some(ir::Operation {
            id_declared: true,
            skipped: false,
            id,
            method: method_name,
            response_enum,
            http_method: method.to_owned(),
            path: path.to_owned(),
            route: route.path,
            doc: self.summary_and_description(op, at),
            tags: tag_variants,
            deprecated: op.deprecated,
            params,
            params_checked,
            auth,
            body,
            responses,
            rejection,
            origin: at.to_owned(),
        })
    }

    /// The parameters of an operation with those of its path item, each with where it is
    /// written: the path item's first, then the operation's, which replace a path-item
    /// parameter of the same name and location.
    fn merged_parameters<'d>(
        &self,
        shared: &'d [ReferenceOr<Parameter>],
        path_at: &str,
        op: &'d openapiv3::Operation,
        op_at: &str,
    ) -> Vec<(&'d ReferenceOr<Parameter>, String)> {
        let key = |p: &ReferenceOr<Parameter>| -> Option<(String, String)> {
            let p = match p {
                ReferenceOr::Item(p) => p,
                ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix("#/components/parameters/")?;
                    match self
                        .doc
                        .components
                        .as_ref()?
                        .parameters
                        .get(&crate::source::unescape(name))?
                    {
                        ReferenceOr::Item(p) => p,
                        ReferenceOr::Reference { .. } => return None,
                    }
                }
            };
            let location = match p {
                Parameter::Path { .. } => "path",
                Parameter::Query { .. } => "query",
                Parameter::Header { .. } => "header",
                Parameter::Cookie { .. } => "cookie",
            };
            Some((p.parameter_data_ref().name.clone(), location.to_owned()))
        };
        let own: Vec<(&ReferenceOr<Parameter>, String)> = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, format!("{op_at}/parameters/{i}")))
            .collect();
        let own_keys: Vec<Option<(String, String)>> = own.iter().map(|(p, _)| key(p)).collect();
        let mut merged: Vec<(&ReferenceOr<Parameter>, String)> = shared
            .iter()
            .enumerate()
            .filter(|(_, p)| key(p).is_none_or(|k| !own_keys.contains(&Some(k))))
            .map(|(i, p)| (p, format!("{path_at}/parameters/{i}")))
            .collect();
        merged.extend(own);
        merged
    }

    /// poem's route for `path` (`/items/{item_id}` → `/items/:item_id`), its parameter names,
    /// the order poem-openapi numbers them in (whole segments, in path order: `param0`,
    /// `param1`, …), and, when a segment mixes text with parameters (`{Sid}.json`), where
    /// each parameter is read from: such a segment is routed whole, and every path parameter
    /// of the path becomes a `PathPiece` of its segment.
    fn route(&mut self, path: &str, at: &str) -> Route {
        let mut route = Route::default();
        let mut segments = Vec::new();
        let mut routed_params = 0;
        let mut mixed = false;
        // A fragment never reaches the server (Box writes `/files/{id}#get_shared_link`).
        let routed = path.split('#').next().unwrap_or(path);
        if routed.len() < path.len() {
            self.diags.lenient(
                at,
                format!("the path has a fragment, `{}`, which requests never carry: it is routed as `{routed}`", &path[routed.len()..]),
                "give the operation a path of its own",
            );
        }
        for segment in routed.split('/') {
            let whole = segment
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .filter(|n| !n.contains(['{', '}']));
            let (literals, names) = match whole {
                Some(name) => (vec![String::new(), String::new()], vec![name.to_owned()]),
                None if segment.contains(['{', '}']) => match template_segment(segment) {
                    Some(parts) => {
                        mixed = true;
                        parts
                    }
                    None => {
                        self.diags.error(
                            at,
                            format!("the path segment `{segment}` has parameters that nothing separates, or unbalanced braces: a request's segment cannot be split into them"),
                            "put literal text between the parameters of a segment, e.g. `{name}.{ext}`",
                        );
                        segments.push(segment.to_owned());
                        continue;
                    }
                },
                None => {
                    if segment.contains([':', '*', '<', '>']) {
                        self.diags.error(
                            at,
                            format!("the path segment `{segment}` contains `:`, `*`, `<` or `>`, which poem's router reads as route syntax"),
                            "use only letters, digits and `-._~` in literal segments",
                        );
                    }
                    segments.push(segment.to_owned());
                    continue;
                }
            };
            // A literal prefix (`f(period='{period}')`) is routed as poem's static text before
            // a parameter, so the segment does not take requests from a `{id}` beside it; the
            // parameter gets a name of its own (poem-openapi numbers only whole segments).
            let prefix = routable_prefix(&literals[0]).map(str::to_owned);
            let (route_param, literals) = match &prefix {
                Some(prefix) => {
                    let name = format!("segment{}", segments.len());
                    segments.push(format!("{prefix}:{name}"));
                    let mut rest = literals.clone();
                    rest[0] = String::new();
                    (name, rest)
                }
                None => {
                    routed_params += 1;
                    (format!("param{}", routed_params - 1), literals)
                }
            };
            for (i, name) in names.iter().enumerate() {
                if !route.names.insert(name.clone()) {
                    self.diags.error(
                        at,
                        format!("the path uses `{{{name}}}` twice"),
                        "give each path parameter its own name",
                    );
                }
                route
                    .pieces
                    .insert(name.clone(), (route_param.clone(), literals.clone(), i));
                route.order.push(name.clone());
            }
            if prefix.is_some() {
                continue;
            }
            // poem-openapi shows the segment as `{name}` in the document it derives; a mixed
            // one is named for its text (only the written document is served).
            let shown = match whole {
                Some(name) => name.to_owned(),
                None => segment
                    .chars()
                    .filter(|c| !matches!(c, '{' | '}'))
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || "-._~".contains(c) {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect(),
            };
            segments.push(format!(":{shown}"));
        }
        if !mixed {
            route.pieces.clear();
        }
        route.path = segments.join("/");
        route
    }

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

    /// How a parameter's value is read, from its location, `style` and `explode` (OpenAPI's
    /// defaults: `form` exploded in the query and cookies, `simple` in paths and headers).
    fn parameter_style(
        &mut self,
        p: &Parameter,
        ty: &ir::Ty,
        is_object: bool,
        at: &str,
    ) -> Option<Reading> {
        let is_array = matches!(ty, ir::Ty::Vec(_));
        let explode = p.parameter_data_ref().explode;
        let style_at = join(at, "style");
        let refuse = |this: &mut Self, what: String| {
            this.diags.error(
                &style_at,
                what,
                "use the location's default style, or `deepObject` for an object in the query",
            );
            None
        };
        match p {
            Parameter::Query { style, .. } => match (style, is_array, is_object) {
                (QueryStyle::Form, false, false) => Some(Reading::Poem),
                (QueryStyle::Form, true, _) if explode.unwrap_or(true) => Some(Reading::Poem),
                (QueryStyle::Form, true, _) => Some(Reading::Delimited(',')),
                (QueryStyle::Form, _, true) if explode.unwrap_or(true) => {
                    Some(Reading::Object { deep: false })
                }
                (QueryStyle::DeepObject, _, true) => Some(Reading::Object { deep: true }),
                (QueryStyle::SpaceDelimited, true, _) if !explode.unwrap_or(false) => {
                    Some(Reading::Delimited(' '))
                }
                (QueryStyle::PipeDelimited, true, _) if !explode.unwrap_or(false) => {
                    Some(Reading::Delimited('|'))
                }
                // `name[]=a&name[0]=b`: the bracketed keys, read like an object's.
                (QueryStyle::DeepObject, true, _) => Some(Reading::Object { deep: true }),
                (QueryStyle::DeepObject | QueryStyle::SpaceDelimited | QueryStyle::PipeDelimited, false, false) => {
                    self.diags.warn(&style_at, "a style for arrays or objects on a single value: read as `form`", "remove `style`");
                    Some(Reading::Poem)
                }
                (QueryStyle::Form, _, true) => refuse(self, "an object query parameter in `style: form` with `explode: false` (`k,v,k,v`) is not supported".into()),
                (style, _, _) => refuse(self, format!("`style: {}` does not apply to this parameter's type here", query_style(style))),
            },
            Parameter::Header { .. } if is_array => Some(Reading::Delimited(',')),
            Parameter::Header { .. } => Some(Reading::Poem),
            Parameter::Path { style, .. } => match style {
                PathStyle::Simple if is_array => Some(Reading::Delimited(',')),
                PathStyle::Simple => Some(Reading::Poem),
                PathStyle::Label => refuse(self, "`style: label` path parameters (`.value`) are not supported".into()),
                PathStyle::Matrix => refuse(self, "`style: matrix` path parameters (`;name=value`) are not supported".into()),
            },
            Parameter::Cookie { .. } if is_array && !explode.unwrap_or(true) => {
                Some(Reading::Delimited(','))
            }
            Parameter::Cookie { .. } => Some(Reading::Poem),
        }
    }

    /// The parameter `p` is, through a `$ref`, without diagnostics.
    fn resolved_parameter<'p>(&'p self, p: &'p ReferenceOr<Parameter>) -> Option<&'p Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/")?;
                match self.doc.components.as_ref()?.parameters.get(name)? {
                    ReferenceOr::Item(p) => Some(p),
                    ReferenceOr::Reference { .. } => None,
                }
            }
        }
    }

    /// Where a parameter's schema is, whether its value is JSON text (`content` with a JSON
    /// media type: `filter={"a":1}`; any other media type is the text itself), and the schema.
    fn parameter_schema(
        &mut self,
        data: &openapiv3::ParameterData,
        at: &str,
    ) -> Option<(String, bool, Map<String, Value>)> {
        let (schema_at, json_content) = match &data.format {
            ParameterSchemaOrContent::Schema(_) => (join(at, "schema"), false),
            ParameterSchemaOrContent::Content(content) => {
                let [(media_type, _)] = content.iter().collect::<Vec<_>>()[..] else {
                    self.diags.error(
                        &join(at, "content"),
                        "a parameter's `content` must have exactly one media type",
                        "keep one media type",
                    );
                    return None;
                };
                let media_at = join(&join(at, "content"), media_type);
                let is_json = media_type == "application/json" || media_type.ends_with("+json");
                (join(&media_at, "schema"), is_json)
            }
        };
        let Some(schema) = self.raw_at(&schema_at).cloned() else {
            self.diags.error(
                at,
                "a parameter has no `schema`",
                "add a `schema` (or `content` with one media type and its schema)",
            );
            return None;
        };
        Some((schema_at, json_content, schema))
    }

    /// Why a parameter of this type, read this way, cannot be parsed from its text, if it
    /// cannot (it is then read as a string, with a warning).
    fn unsupported_parameter(
        &self,
        typed: &schemas::Typed,
        reading: Reading,
        is_path: bool,
    ) -> Option<&'static str> {
        match &typed.ty {
            _ if matches!(reading, Reading::Object { .. } | Reading::Json) => None,
            ir::Ty::Vec(inner) if is_path && matches!(**inner, ir::Ty::Scalar(_) | ir::Ty::Named(_)) && matches!(reading, Reading::Delimited(_)) => None,
            ir::Ty::Named(_) if typed.json == ir::JsonKind::Object => {
                Some("object parameters are only supported in the query (`deepObject`, or `form` exploded)")
            }
            ir::Ty::Named(_) if typed.json == ir::JsonKind::Union => {
                Some("`oneOf`/`anyOf` parameters are not supported")
            }
            ir::Ty::Map(_) => Some("map parameters are only supported in the query (`deepObject`, or `form` exploded)"),
            _ if typed.json == ir::JsonKind::Any => Some("a parameter of any JSON value (no `type`, or several types) has no text form to parse"),
            ir::Ty::Vec(inner) if **inner == ir::Ty::Scalar(ir::Scalar::Any) => {
                Some("an array of any JSON values has no text form to parse")
            }
            ir::Ty::Vec(_) if is_path => Some("array path parameters are not supported"),
            ir::Ty::Vec(inner) if !matches!(**inner, ir::Ty::Scalar(_) | ir::Ty::Named(_)) => {
                Some("arrays of arrays are not supported as parameters")
            }
            ir::Ty::Vec(inner) if matches!(&**inner, ir::Ty::Named(n) if self.objects.contains_key(n) || self.unions.contains_key(n)) => {
                Some("arrays of objects or unions are not supported as parameters")
            }
            _ => None,
        }
    }

    fn parameter(
        &mut self,
        p: &ReferenceOr<Parameter>,
        method: &str,
        at: &str,
    ) -> Option<(ir::Param, bool)> {
        let (p, at) =
            self.component(p, at, "parameters", "parameter", |c, n| c.parameters.get(n))?;
        let data = p.parameter_data_ref();
        let location = match p {
            Parameter::Path { .. } => "path",
            Parameter::Query { .. } => "query",
            Parameter::Header { .. } => "header",
            Parameter::Cookie { .. } => "cookie",
        };
        let extractor = match p {
            Parameter::Path { .. } => ir::Extractor::Path,
            Parameter::Query { .. } => ir::Extractor::Query,
            Parameter::Header { .. } => ir::Extractor::Header,
            Parameter::Cookie { .. } => ir::Extractor::Cookie,
        };
        let is_path = extractor == ir::Extractor::Path;
        if is_path && !data.required {
            self.diags.error(
                &at,
                format!("path parameter `{}` is not `required: true`", data.name),
                "add `required: true`; OpenAPI requires it of path parameters",
            );
        }
        let (schema_at, json_content, schema) = self.parameter_schema(data, &at)?;
        let rust_name = snake_case(&data.name);
        if !is_identifier(&rust_name) {
            self.diags.error(
                &join(&at, "name"),
                format!(
                    "the parameter name `{}` has no letters or digits",
                    data.name
                ),
                "rename it",
            );
            return None;
        }
        if schema.contains_key("nullable") {
            self.diags.warn(
                &join(&schema_at, "nullable"),
                "`nullable` on a parameter has no effect: a parameter has no `null`",
                "remove it; make the parameter optional instead",
            );
        }
        let hint = format!("{}{}", pascal_case(method), pascal_case(&data.name));
        let mut typed = self.value_type(&schema, &schema_at, &hint)?;
        if typed.json == ir::JsonKind::Union && !json_content {
            // poem-openapi parses unions from JSON only.
            self.diags.lenient(
                &schema_at,
                "a `oneOf`/`anyOf` parameter is read as text: the handler gets the string as sent, its alternatives are not checked",
                "declare the parameter as one type, or as `content: {application/json: …}`",
            );
            typed = schemas::Typed {
                ty: ir::Ty::Scalar(ir::Scalar::String),
                validators: vec![],
                json: ir::JsonKind::String,
                format: None,
            };
        }
        let is_object = matches!(typed.ty, ir::Ty::Map(_))
            || (matches!(typed.ty, ir::Ty::Named(_)) && typed.json == ir::JsonKind::Object);
        let mut reading = if json_content {
            Reading::Json
        } else {
            self.parameter_style(p, &typed.ty, is_object, &at)?
        };
        let unsupported = self.unsupported_parameter(&typed, reading, is_path);
        if let Some(why) = unsupported {
            self.diags.lenient(
                &schema_at,
                format!(
                    "{why}: the parameter is read as text, and the handler gets the string as sent"
                ),
                "use a scalar, a string enum, or an array of them (query, header, cookie)",
            );
            typed = schemas::Typed {
                ty: ir::Ty::Scalar(ir::Scalar::String),
                validators: vec![],
                json: ir::JsonKind::String,
                format: None,
            };
            reading = Reading::Poem;
        }
        // A patterned string is parsed as `Matching<P>` (see `scalar`); the handler gets the
        // plain `String`.
        let matching = matches!(&typed.ty, ir::Ty::Scalar(ir::Scalar::Matching(_)));
        let mut oai = Vec::new();
        if rust_name != data.name {
            oai.push(format!("name = {:?}", data.name));
        }
        let default = schema
            .get("default")
            .cloned()
            .or_else(|| self.inherited_default(&schema));
        // `default` becomes a function poem-openapi calls, checked against the schema here
        // so a bad one is reported at build, not at a request. (`example` is only in the
        // served document, which is the spec as written.)
        let mut values = Vec::new();
        let mut has_default = false;
        if let Some(value) = &default {
            let value_at = join(&schema_at, "default");
            if let Some(expr) = self.value_expr("default", value, &typed, &schema, &value_at) {
                let name = self.claim_fn(&format!("default_{method}_{rust_name}"), &value_at);
                oai.push(format!("default = {name:?}"));
                has_default = true;
                values.push(ir::ValueFn {
                    name,
                    ty: typed.ty.to_string(),
                    expr,
                    doc: format!("`default` of parameter `{}` of `{method}`.", data.name),
                });
            }
        }
        if data.deprecated == Some(true) {
            oai.push("deprecated".to_owned());
        }
        let always_present = data.required || has_default;
        if matches!(typed.ty, ir::Ty::Vec(_)) && data.required {
            self.diags.warn(&join(&at, "required"), "a required array parameter that is absent reaches the handler as an empty array: poem-openapi cannot tell them apart", "add `minItems: 1` if it must not be empty");
        }
        let (extractor, wire_ty, ty, to_handler) = handler_reading(
            &typed.ty,
            extractor,
            matching,
            always_present,
            reading,
            &mut values,
        );
        Some((
            ir::Param {
                name: data.name.clone(),
                rust_name,
                extractor,
                ty,
                wire_ty,
                to_handler,
                doc: self.text(data.description.as_deref(), &join(&at, "description")),
                oai,
                values,
                place: Some((location, format!("#{schema_at}"))),
                rules: None,
                validators: typed.validators.clone(),
            },
            is_path,
        ))
    }

    /// The variants a rejected request maps to; each must be declared and carry a body the
    /// generated code can build from the rejection.
    fn rejection(
        &mut self,
        method: &str,
        input: Input,
        responses: &[ir::Response],
        at: &str,
    ) -> Option<ir::Rejection> {
        let mut needed: Vec<(u16, &str, &str)> = Vec::new();
        if input.params || input.body {
            needed.push((400, "BAD_REQUEST", "takes parameters or a body"));
        }
        if input.body {
            needed.push((413, "PAYLOAD_TOO_LARGE", "has a request body"));
            needed.push((415, "UNSUPPORTED_MEDIA_TYPE", "has a request body"));
        }
        if input.credentials {
            needed.push((401, "UNAUTHORIZED", "requires credentials"));
        }
        // The generated handler answers every rejection with a declared variant, so it is
        // only generated when all of them are declared with a body it can fill; otherwise
        // the server's own problem+json answers them (a warning, an error in strict mode).
        let mut variants = Vec::new();
        let mut complete = true;
        // FastAPI's convention: an operation that declares a 422 of FastAPI's
        // `HTTPValidationError` and no 400 answers malformed, mistyped, oversized and
        // wrong-media-type requests alike with that 422 (its body has no status to contradict).
        let unprocessable = (!responses.iter().any(|r| r.status.covers(400)))
            .then(|| responses.iter().find(|r| r.status.covers(422)))
            .flatten()
            .filter(|r| match &r.body {
                Some(ir::Content::Single(ir::Payload {
                    kind: ir::PayloadKind::Json(ty),
                    ..
                })) => self.is_fastapi_validation_error(ty),
                _ => false,
            });
        for (status, name, why) in needed {
            // The most specific declaration answers: the code, its range, then `default`.
            let found = responses
                .iter()
                .filter(|r| r.status.covers(status))
                .min_by_key(|r| r.status)
                .or(unprocessable.filter(|_| status != 401));
            let Some(r) = found else {
                self.diags.lenient(at, format!("the operation {why} but declares no {status} response; the server answers {status} with RFC 9457 problem details"), format!("declare a '{status}' (or `4XX` or `default`) response with an `application/problem+json` body"));
                complete = false;
                continue;
            };
            if !r.headers.is_empty() {
                self.diags.lenient(
                    &r.origin,
                    format!(
                        "the {} response declares headers, which a rejected request cannot fill; the server answers {status} with problem details and no headers",
                        r.status
                    ),
                    "remove the headers from this response",
                );
                complete = false;
                continue;
            }
            let body = match &r.body {
                Some(ir::Content::Single(ir::Payload {
                    kind: ir::PayloadKind::Json(ty),
                    ..
                })) => ty.clone(),
                _ => {
                    self.diags.lenient(&r.origin, format!("the {} response has no single JSON body to describe a rejected request; the server answers {status} with RFC 9457 problem details", r.status), "give it one JSON media type, e.g. `application/problem+json` with a problem details schema");
                    complete = false;
                    continue;
                }
            };
            if self.rejection_body(&body, &r.origin).is_none() {
                complete = false;
                continue;
            }
            variants.push((
                name.to_owned(),
                ir::Variant {
                    name: r.variant.clone(),
                    body,
                    with_status: r.status.is_chosen(),
                },
            ));
        }
        if !complete {
            if !variants.is_empty() {
                // The rejection handler answers every rejection or none: a declared 400 is
                // not used either, which the warnings above do not say.
                let used: Vec<String> = variants
                    .iter()
                    .map(|(_, v)| format!("`{}`", v.name))
                    .collect();
                self.diags.lenient(
                    at,
                    format!("the declared {} response(s) do not answer requests the server rejects: with the responses above missing, every rejection of this operation is answered with RFC 9457 problem details", used.join(", ")),
                    "declare the missing ones too (or one `4XX` or `default` response) so that rejections are answered with the declared responses",
                );
            }
            return None;
        }
        if variants.is_empty() {
            return None;
        }
        let function = self.claim_fn(&format!("{method}_rejected"), at);
        let (_, otherwise) = variants.remove(0);
        variants.retain(|(_, v)| v.name != otherwise.name);
        Some(ir::Rejection {
            function,
            places: Vec::new(),
            arms: variants,
            otherwise,
        })
    }

    /// An error body of the user's own shape, made by their `FromRejection` implementation.
    fn converted_rejection(&mut self, ty: &str) -> Option<()> {
        self.rejection_bodies.insert(
            ty.to_owned(),
            ir::RejectionBody {
                ty: ty.to_owned(),
                fields: Vec::new(),
                fill: ir::RejectionFill::Converted,
            },
        );
        Some(())
    }

    /// Whether `ty` names a type this module generates (so the user's crate may implement a
    /// foreign trait for it), not a library type such as `String`.
    fn is_generated_type(&self, ty: &str) -> bool {
        !ty.contains("::") && !ty.contains('<')
    }

    /// Whether `ty` is a list of objects a rejection's errors fill: a `message`, and nothing
    /// always present but `in`, `pointer` and `message` (`schema` and the rest optional).
    fn is_error_list(&self, ty: &ir::Ty) -> bool {
        let ir::Ty::Vec(item) = ty else { return false };
        let ir::Ty::Named(name) = item.as_ref() else {
            return false;
        };
        let Some(object) = self.objects.get(name) else {
            return false;
        };
        // The values are parsed into the type, so `in` may be an enum of the locations.
        object.fields.iter().any(|f| f.name == "message")
            && object
                .fields
                .iter()
                .all(|f| matches!(f.name.as_str(), "in" | "pointer" | "message") || f.optional)
    }

    /// Whether `ty` is FastAPI's `HTTPValidationError`: `detail`, a list of objects with
    /// `loc`, `msg` and `type` (other members optional), as every FastAPI export declares it.
    fn is_fastapi_validation_error(&self, ty: &str) -> bool {
        let Some(object) = self.objects.get(ty) else {
            return false;
        };
        let item = object
            .fields
            .iter()
            .find(|f| f.name == "detail")
            .and_then(|f| {
                let ty = f.ty.to_string();
                let inner = ty
                    .strip_prefix("::std::vec::Vec<")?
                    .strip_suffix('>')?
                    .to_owned();
                self.objects.get(&inner)
            });
        let Some(item) = item else {
            return false;
        };
        let has = |name: &str| item.fields.iter().any(|f| f.name == name);
        object
            .fields
            .iter()
            .all(|f| f.name == "detail" || f.optional)
            && has("loc")
            && has("msg")
            && has("type")
            && item
                .fields
                .iter()
                .all(|f| matches!(f.name.as_str(), "loc" | "msg" | "type") || f.optional)
    }

    /// Checks that the schema named by Rust type `ty` has the RFC 9457 shape and records how
    /// to fill each of its fields from a rejected request.
    fn rejection_body(&mut self, ty: &str, at: &str) -> Option<()> {
        if self.rejection_bodies.contains_key(ty) {
            return Some(());
        }
        if self.is_fastapi_validation_error(ty) {
            self.rejection_bodies.insert(
                ty.to_owned(),
                ir::RejectionBody {
                    ty: ty.to_owned(),
                    fields: Vec::new(),
                    fill: ir::RejectionFill::FastApi,
                },
            );
            return Some(());
        }
        let Some(object) = self.objects.get(ty) else {
            if self.convert_rejections && self.is_generated_type(ty) {
                return self.converted_rejection(ty);
            }
            self.diags.lenient(
                at,
                format!("`{ty}` cannot carry a rejected request: it is not an object; the server answers rejections with RFC 9457 problem details instead"),
                CONVERT_HELP,
            );
            return None;
        };
        let mut fields = Vec::new();
        let mut problems = Vec::new();
        for f in &object.fields {
            let string = f.ty == ir::Ty::Scalar(ir::Scalar::String);
            let value = match (f.name.as_str(), f.ty.to_string().as_str()) {
                ("type", _) if string => "::std::string::String::from(\"about:blank\")",
                ("title", _) if string => {
                    "::std::string::String::from(status.canonical_reason().unwrap_or(\"Error\"))"
                }
                ("detail", _) if string => "::codegen_runtime::rejection_detail(err)",
                // What was rejected, where: `codegen_runtime::Rejection`'s errors.
                ("errors", _) if f.optional && self.is_error_list(&f.ty) => {
                    fields.push((
                        f.rust_name.clone(),
                        "::codegen_runtime::rejection_errors(err)".to_owned(),
                    ));
                    continue;
                }
                // RFC 9457's occurrence: the request id the server serves this request under.
                ("instance", _) if string && f.optional => {
                    fields.push((
                        f.rust_name.clone(),
                        "::codegen_runtime::current_request_id()".to_owned(),
                    ));
                    continue;
                }
                ("status", "i32") => "i32::from(status.as_u16())",
                ("status", "i64") => "i64::from(status.as_u16())",
                ("type" | "title" | "detail" | "status", _) => {
                    problems.push(format!("`{}` has the wrong type", f.name));
                    continue;
                }
                _ if !f.optional => {
                    problems.push(format!(
                        "`{}` is always present but is not an RFC 9457 member",
                        f.name
                    ));
                    continue;
                }
                _ => "::std::option::Option::None",
            };
            let value = if f.optional && !value.ends_with("None") {
                format!("::std::option::Option::Some({value})")
            } else {
                value.to_owned()
            };
            fields.push((f.rust_name.clone(), value));
        }
        if !object.fields.iter().any(|f| f.name == "status") {
            problems.push("it has no `status`".to_owned());
        }
        if !problems.is_empty() {
            if self.convert_rejections {
                return self.converted_rejection(ty);
            }
            self.diags.lenient(
                at,
                format!("`{}` cannot carry a rejected request ({}); the server answers rejections with RFC 9457 problem details instead", object.name, problems.join("; ")),
                CONVERT_HELP,
            );
            return None;
        }
        self.rejection_bodies.insert(
            ty.to_owned(),
            ir::RejectionBody {
                ty: ty.to_owned(),
                fields,
                fill: ir::RejectionFill::Problem,
            },
        );
        Some(())
    }
}

const CONVERT_HELP: &str = "to answer with this schema instead, turn on the generator's `convert_rejections(true)` (or strict mode) and implement `codegen_runtime::FromRejection` for the type; or make it RFC 9457 problem details: `type`, `title`, `detail` (strings), `status` (integer), other members optional";

/// How a parameter's value reaches the handler: the extractor (a form or `deepObject` object
/// is a `QueryObject`), the extractor's type argument, the handler's type and the conversion
/// between them (`.into_inner()` of a `Matching`, `.0` of a `Delimited`). Defaults and
/// examples in `values` are wrapped in the extractor's type.
fn handler_reading(
    ty: &ir::Ty,
    extractor: ir::Extractor,
    matching: bool,
    always_present: bool,
    reading: Reading,
    values: &mut [ir::ValueFn],
) -> (ir::Extractor, String, String, &'static str) {
    let option = |t: String| {
        if always_present {
            t
        } else {
            format!("::std::option::Option<{t}>")
        }
    };
    let mut extractor = extractor;
    let mut wire_ty = option(ty.to_string());
    let (handler_ty, to_handler) = match (matching, always_present, reading) {
        (true, true, _) => (option("::std::string::String".to_owned()), ".into_inner()"),
        (true, false, _) => (
            option("::std::string::String".to_owned()),
            ".map(::codegen_runtime::Matching::into_inner)",
        ),
        (false, _, Reading::Poem) => (wire_ty.clone(), ""),
        (false, present, Reading::Delimited(sep)) => {
            for v in values.iter_mut() {
                v.ty = format!("::codegen_runtime::Delimited<{}, {sep:?}>", v.ty);
                v.expr = format!("::codegen_runtime::Delimited({})", v.expr);
            }
            let handler_ty = wire_ty.clone();
            wire_ty = option(format!("::codegen_runtime::Delimited<{}, {sep:?}>", ty));
            (handler_ty, if present { ".0" } else { ".map(|d| d.0)" })
        }
        (false, present, Reading::Json) => {
            for v in values.iter_mut() {
                v.ty = format!("::codegen_runtime::JsonParam<{}>", v.ty);
                v.expr = format!("::codegen_runtime::JsonParam({})", v.expr);
            }
            let handler_ty = wire_ty.clone();
            wire_ty = option(format!("::codegen_runtime::JsonParam<{}>", ty));
            (handler_ty, if present { ".0" } else { ".map(|j| j.0)" })
        }
        (false, _, Reading::Object { deep }) => {
            extractor = ir::Extractor::QueryObject;
            let handler_ty = wire_ty.clone();
            wire_ty = format!("{wire_ty}, {deep}");
            (handler_ty, "")
        }
    };
    (extractor, wire_ty, handler_ty, to_handler)
}

/// How the server reads a parameter: as poem-openapi does, split on a delimiter, or as an
/// object of query keys.
#[derive(Debug, Clone, Copy)]
enum Reading {
    Poem,
    Delimited(char),
    Object {
        deep: bool,
    },
    /// `content: {application/json: …}`: the value is JSON text.
    Json,
}

fn query_style(style: &QueryStyle) -> &'static str {
    match style {
        QueryStyle::Form => "form",
        QueryStyle::SpaceDelimited => "spaceDelimited",
        QueryStyle::PipeDelimited => "pipeDelimited",
        QueryStyle::DeepObject => "deepObject",
    }
}

/// Where poem routes a path and where its parameters are read from (see `Resolver::route`).
#[derive(Default)]
struct Route {
    /// poem's route (`/items/:item_id`).
    path: String,
    /// The template's parameter names.
    names: BTreeSet<String>,
    /// The parameters in path order (for whole segments, poem-openapi's `param0`, `param1`, …).
    order: Vec<String>,
    /// Only for a path with a mixed segment: each parameter's routed segment (poem-openapi's
    /// name for it and its literal text) and its place among the segment's parameters.
    pieces: BTreeMap<String, (String, Vec<String>, usize)>,
}

/// The literal text before a segment's first parameter, if poem can route it as static text
/// (it reads `:`, `*`, `<` as route syntax).
fn routable_prefix(prefix: &str) -> Option<&str> {
    (!prefix.is_empty() && !prefix.contains([':', '*', '<', '>'])).then_some(prefix)
}

/// `{segmentId}.{ext}` → the literal text around the parameters (`["", ".", ""]`) and the
/// names (`segmentId`, `ext`); `None` when two parameters touch or a brace is unbalanced.
fn template_segment(segment: &str) -> Option<(Vec<String>, Vec<String>)> {
    let mut literals = Vec::new();
    let mut names = Vec::new();
    let mut rest = segment;
    loop {
        let Some(open) = rest.find('{') else {
            if rest.contains('}') {
                return None;
            }
            literals.push(rest.to_owned());
            break;
        };
        let literal = &rest[..open];
        if literal.contains('}') || (!names.is_empty() && literal.is_empty()) {
            return None;
        }
        literals.push(literal.to_owned());
        let close = rest[open..].find('}')? + open;
        let name = &rest[open + 1..close];
        if name.is_empty() || name.contains('{') {
            return None;
        }
        names.push(name.to_owned());
        rest = &rest[close + 1..];
    }
    (!names.is_empty()).then_some((literals, names))
}
