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

mod schemas;
mod values;

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, StatusCode};
use serde_json::{Map, Value};

use crate::diagnostic::Diagnostics;
use crate::ir::{self, Doc};
use crate::load::Loaded;
use crate::naming::{is_identifier, pascal_case, snake_case, status_variant};
use crate::source::join;

const SCHEMA_REF: &str = "#/components/schemas/";
const PARAMETER_REF: &str = "#/components/parameters/";
const REQUEST_BODY_REF: &str = "#/components/requestBodies/";

/// Resolves the loaded document into the IR, reporting into `diags`.
pub fn resolve(loaded: &Loaded, diags: &mut Diagnostics) -> ir::Api {
    let mut r = Resolver {
        raw: &loaded.raw,
        doc: &loaded.doc,
        diags,
        type_names: BTreeMap::new(),
        rejection_bodies: BTreeMap::new(),
        named: BTreeMap::new(),
        objects: BTreeMap::new(),
        enums: BTreeMap::new(),
        fn_names: BTreeMap::new(),
        patterns: BTreeMap::new(),
    };
    for reserved in ["Api", "Handlers", "Tags", "Matching", "Pattern"] {
        r.type_names
            .insert(reserved.to_owned(), "the generated code".to_owned());
    }
    r.declare_components();
    r.resolve_components();
    let tags = r.tags();
    let operations = r.operations(&tags);
    r.box_recursive_fields();
    let rejection_bodies = std::mem::take(&mut r.rejection_bodies)
        .into_values()
        .collect();
    let objects = std::mem::take(&mut r.objects).into_values().collect();
    let mut patterns: Vec<ir::PatternType> = std::mem::take(&mut r.patterns)
        .into_iter()
        .map(|(pattern, name)| ir::PatternType { name, pattern })
        .collect();
    // By number: Pattern2 before Pattern10.
    patterns.sort_by_key(|p| {
        p.name
            .trim_start_matches("Pattern")
            .parse::<usize>()
            .unwrap_or(0)
    });
    let enums = std::mem::take(&mut r.enums).into_values().collect();
    ir::Api {
        source: loaded.source.name.clone(),
        title: loaded.doc.info.title.clone(),
        version: loaded.doc.info.version.clone(),
        description: loaded.doc.info.description.clone(),
        tags,
        objects,
        enums,
        operations,
        rejection_bodies,
        patterns,
    }
}

struct Resolver<'a> {
    raw: &'a Value,
    doc: &'a OpenAPI,
    diags: &'a mut Diagnostics,
    /// Every Rust type name generated so far → the pointer that asked for it.
    type_names: BTreeMap<String, String>,
    /// Schemas that must be constructible from a rejected request, by name.
    rejection_bodies: BTreeMap<String, ir::RejectionBody>,
    /// What each component schema became, by its spec name.
    named: BTreeMap<String, schemas::Named>,
    /// Objects resolved so far (named and inline), by Rust name.
    objects: BTreeMap<String, ir::Object>,
    /// Enums resolved so far (named and inline), by Rust name.
    enums: BTreeMap<String, ir::Enum>,
    /// Generated free functions → the pointer that asked for each.
    fn_names: BTreeMap<String, String>,
    /// Patterns of parameters parsed as `Matching<_>` → their marker type.
    patterns: BTreeMap<String, String>,
}

impl Resolver<'_> {
    /// Doc lines for a spec text, checked to be served back unchanged: poem-openapi trims
    /// every line of a doc comment and drops trailing newlines, so such text would differ.
    fn text(&mut self, text: Option<&str>, at: &str) -> Doc {
        let Some(text) = text else {
            return Doc::default();
        };
        let problem = if text.chars().any(|c| c.is_control() && c != '\n') {
            Some("contains a control character (tab, carriage return, …)")
        } else if text.ends_with('\n') {
            Some("ends with a newline (a `|` block scalar); use `|-` or `>-`")
        } else if text.lines().any(|l| l != l.trim()) {
            Some("has lines with leading or trailing spaces, which poem-openapi trims")
        } else {
            None
        };
        if let Some(problem) = problem {
            self.diags.error(
                at,
                format!("the text {problem}"),
                "write it so every line is trimmed: the served document must match the spec",
            );
        }
        Doc::from_text(Some(text))
    }

    /// An operation's summary and description as one doc comment, which poem-openapi splits
    /// at the first blank line: the summary must be one line, and a description needs one.
    fn summary_and_description(&mut self, op: &openapiv3::Operation, at: &str) -> Doc {
        let summary = self.text(op.summary.as_deref(), &join(at, "summary"));
        let description = self.text(op.description.as_deref(), &join(at, "description"));
        if summary.0.len() > 1 {
            self.diags.error(
                &join(at, "summary"),
                "a summary must be one line",
                "move the rest into `description`",
            );
        }
        if summary.0.is_empty() && !description.0.is_empty() {
            self.diags.error(&join(at, "description"), "an operation with a `description` needs a `summary`: poem-openapi would serve the description as the summary", "add a one-line `summary`");
        }
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
        if let Some(existing) = self.patterns.get(pattern) {
            return existing.clone();
        }
        let name = format!("Pattern{}", self.patterns.len() + 1);
        self.claim_type(&name, at);
        self.patterns.insert(pattern.to_owned(), name.clone());
        name
    }

    /// Claims a generated function name (parameter defaults, rejection handlers).
    fn claim_fn(&mut self, name: &str, at: &str) {
        if let Some(first) = self.fn_names.insert(name.to_owned(), at.to_owned()) {
            self.diags.error(
                at,
                format!("the generated function `{name}` is also generated for {first}"),
                "rename one of the operations or parameters",
            );
        }
    }

    fn raw_at(&self, pointer: &str) -> Option<&Map<String, Value>> {
        self.raw.pointer(pointer).and_then(Value::as_object)
    }

    /// Claims a Rust type name for `pointer`; a second claim is a collision naming both places.
    fn claim_type(&mut self, rust: &str, pointer: &str) {
        if let Some(first) = self.type_names.get(rust) {
            let first = first.clone();
            self.diags.error(
                pointer,
                format!("the Rust type name `{rust}` is already taken by {first}"),
                "rename one of them (schema names, and operationIds + `Response`, must stay distinct after conversion to Rust names)",
            );
        } else {
            self.type_names.insert(rust.to_owned(), pointer.to_owned());
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
            self.diags.error(
                at,
                format!("tag `{name}` is declared twice"),
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
        let variant = pascal_case(name);
        if !is_identifier(&variant) {
            self.diags.error(
                at,
                format!("the tag `{name}` has no letters or digits"),
                "rename the tag",
            );
            return;
        }
        if let Some(other) = tags.iter().find(|t| t.variant == variant) {
            self.diags.error(
                at,
                format!(
                    "tags `{}` and `{name}` both become the Rust variant `{variant}`",
                    other.name
                ),
                "rename one of them",
            );
            return;
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
        for (path, item) in &self.doc.paths.paths {
            let path_at = join("/paths", path);
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            let shape: String = path
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') && seg.ends_with('}') {
                        "{}"
                    } else {
                        seg
                    }
                })
                .collect::<Vec<_>>()
                .join("/");
            for (method, op) in item.iter() {
                let at = format!("{path_at}/{method}");
                if let Some(first) = shapes.insert((method.to_owned(), shape.clone()), at.clone()) {
                    self.diags.error(&at, format!("{} {path} matches the same requests as {first}", method.to_uppercase()), "paths that differ only in parameter names are one route; merge the operations or change a literal segment");
                    continue;
                }
                let Some(id) = op.operation_id.clone() else {
                    self.diags.error(&at, "the operation has no `operationId`", "add `operationId:` (e.g. `putItem`); it names the handler method and the response enum");
                    continue;
                };
                let id_at = join(&at, "operationId");
                if let Some(first) = ids.insert(id.clone(), id_at.clone()) {
                    self.diags.error(
                        &id_at,
                        format!("operationId `{id}` is already used at {first}"),
                        "give every operation its own operationId",
                    );
                    continue;
                }
                let method_name = snake_case(&id);
                if !is_identifier(&method_name) {
                    self.diags.error(
                        &id_at,
                        format!("operationId `{id}` has no letters or digits"),
                        "rename it",
                    );
                    continue;
                }
                if let Some(first) = methods.insert(method_name.clone(), id_at.clone()) {
                    self.diags.error(&id_at, format!("operationId `{id}` becomes the method `{method_name}`, as does the one at {first}"), "rename one of them");
                    continue;
                }
                if let Some(op) = self.operation(path, method, op, id, method_name, tags, &at) {
                    ops.push(op);
                }
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
        id: String,
        method_name: String,
        tags: &[ir::Tag],
        at: &str,
    ) -> Option<ir::Operation> {
        let response_enum = format!("{}Response", pascal_case(&id));
        self.claim_type(&response_enum, &join(at, "operationId"));
        let (route, template_params) = self.route(path, at);
        let mut params = Vec::new();
        let mut arg_names = BTreeSet::new();
        let mut path_params = BTreeSet::new();
        for (i, p) in op.parameters.iter().enumerate() {
            let p_at = format!("{at}/parameters/{i}");
            if let Some((param, is_path)) = self.parameter(p, &method_name, &p_at) {
                if !arg_names.insert(param.rust_name.clone()) {
                    self.diags.error(
                        &p_at,
                        format!(
                            "two parameters become the Rust argument `{}`",
                            param.rust_name
                        ),
                        "rename one of them",
                    );
                    continue;
                }
                if is_path {
                    path_params.insert(param.name.clone());
                }
                params.push(param);
            }
        }
        for name in template_params.difference(&path_params) {
            self.diags.error(&join(at, "parameters"), format!("the path has `{{{name}}}` but the operation declares no path parameter `{name}`"), format!("add a parameter with `name: {name}`, `in: path`, `required: true`"));
        }
        for name in path_params.difference(&template_params) {
            self.diags.error(
                &join(at, "parameters"),
                format!("path parameter `{name}` does not appear in the path `{path}`"),
                format!("add `{{{name}}}` to the path, or remove the parameter"),
            );
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
        let responses = self.responses(op, &pascal_case(&id), &join(at, "responses"));
        // Without a usable `responses` (misspelt, wrong type) the shape check has reported
        // the one mistake; checking the placeholder for 400/413/415 would only add noise.
        let responses_usable = self.raw_at(&join(at, "responses")).is_some();
        let rejection = if responses_usable {
            self.rejection(
                &method_name,
                !params.is_empty(),
                body.is_some(),
                &responses,
                &join(at, "responses"),
            )
        } else {
            None
        };
        let tag_variants = op
            .tags
            .iter()
            .filter_map(|t| tags.iter().find(|x| &x.name == t))
            .map(|t| format!("Tags::{}", t.variant))
            .collect();
        Some(ir::Operation {
            id,
            method: method_name,
            response_enum,
            http_method: method.to_owned(),
            path: path.to_owned(),
            route,
            doc: self.summary_and_description(op, at),
            tags: tag_variants,
            deprecated: op.deprecated,
            params,
            body,
            responses,
            rejection,
            origin: at.to_owned(),
        })
    }

    /// `/items/{item_id}` → `/items/:item_id` and the set of template names.
    fn route(&mut self, path: &str, at: &str) -> (String, BTreeSet<String>) {
        let mut names = BTreeSet::new();
        let mut segments = Vec::new();
        for segment in path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                if !names.insert(name.to_owned()) {
                    self.diags.error(
                        at,
                        format!("the path uses `{{{name}}}` twice"),
                        "give each path parameter its own name",
                    );
                }
                segments.push(format!(":{name}"));
            } else if segment.contains(['{', '}']) {
                self.diags.error(
                    at,
                    format!("the path segment `{segment}` mixes a parameter with text"),
                    "make each parameter a whole segment, e.g. `/items/{item_id}`",
                );
                segments.push(segment.to_owned());
            } else if segment.contains([':', '*', '<', '>']) {
                self.diags.error(
                    at,
                    format!("the path segment `{segment}` contains `:`, `*`, `<` or `>`, which poem's router reads as route syntax"),
                    "use only letters, digits and `-._~` in literal segments",
                );
                segments.push(segment.to_owned());
            } else {
                segments.push(segment.to_owned());
            }
        }
        (segments.join("/"), names)
    }

    fn parameter(
        &mut self,
        p: &ReferenceOr<Parameter>,
        method: &str,
        at: &str,
    ) -> Option<(ir::Param, bool)> {
        let (p, at) = match p {
            ReferenceOr::Item(p) => (p, at.to_owned()),
            ReferenceOr::Reference { reference } => {
                let target = reference
                    .strip_prefix(PARAMETER_REF)
                    .map(crate::source::unescape);
                let found = target.as_ref().and_then(|name| {
                    self.doc
                        .components
                        .as_ref()?
                        .parameters
                        .get(name)
                        .map(|p| (name.clone(), p))
                });
                match found {
                    Some((name, ReferenceOr::Item(p))) => {
                        (p, join("/components/parameters", &name))
                    }
                    Some((name, ReferenceOr::Reference { .. })) => {
                        self.diags.error(
                            &join("/components/parameters", &name),
                            "a parameter that is only a `$ref` is not supported",
                            "define the parameter here directly",
                        );
                        return None;
                    }
                    None => {
                        self.diags.error(&join(at, "$ref"), format!("`$ref: {reference}` points at no parameter"), "define it under `components/parameters` as `#/components/parameters/Name`, or fix the name");
                        return None;
                    }
                }
            }
        };
        let data = p.parameter_data_ref();
        let (extractor, is_path) = match p {
            Parameter::Path { .. } => ("Path", true),
            Parameter::Query { .. } => ("Query", false),
            Parameter::Header { .. } => ("Header", false),
            Parameter::Cookie { .. } => ("Cookie", false),
        };
        if is_path && !data.required {
            self.diags.error(
                &at,
                format!("path parameter `{}` is not `required: true`", data.name),
                "add `required: true`; OpenAPI requires it of path parameters",
            );
        }
        let schema_at = join(&at, "schema");
        let ParameterSchemaOrContent::Schema(_) = &data.format else {
            return None;
        };
        let schema = self.raw_at(&schema_at)?.clone();
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
            self.diags.error(
                &join(&schema_at, "nullable"),
                "`nullable` on a parameter is not supported",
                "remove it; make the parameter optional instead",
            );
        }
        let hint = format!("{}{}", pascal_case(method), pascal_case(&data.name));
        let typed = self.value_type(&schema, &schema_at, &hint)?;
        let unsupported = match &typed.ty {
            ir::Ty::Named(_) if typed.json == "object" => {
                Some("object parameters are not supported")
            }
            ir::Ty::Map(_) => Some("map parameters are not supported"),
            ir::Ty::Vec(_) if is_path => Some("array path parameters are not supported"),
            ir::Ty::Vec(inner) if !matches!(**inner, ir::Ty::Builtin(_) | ir::Ty::Named(_)) => {
                Some("arrays of arrays are not supported as parameters")
            }
            _ => None,
        };
        if let Some(why) = unsupported {
            self.diags.error(
                &schema_at,
                why,
                "use a scalar, a string enum, or an array of them (query, header, cookie)",
            );
            return None;
        }
        // A patterned string is parsed as `Matching<P>` (see `scalar`); the handler gets the
        // plain `String`.
        let matching = matches!(&typed.ty, ir::Ty::Builtin(b) if b.starts_with("Matching<"));
        let mut oai = Vec::new();
        if rust_name != data.name {
            oai.push(format!("name = {:?}", data.name));
        }
        for key in ["description", "deprecated"] {
            if schema.contains_key(key) {
                self.diags.error(
                    &join(&schema_at, key),
                    format!("`{key}` inside a parameter's schema is not served by poem-openapi"),
                    format!("put `{key}` on the parameter itself"),
                );
            }
        }
        let has_default = schema.contains_key("default");
        // `default` and `example` become functions poem-openapi calls; both are checked
        // against the schema here, so a bad one fails the build, not a request.
        let mut values = Vec::new();
        for keyword in ["default", "example"] {
            let Some(value) = schema.get(keyword) else {
                continue;
            };
            let value_at = join(&schema_at, keyword);
            let Some(expr) = self.value_expr(keyword, value, &typed, &schema, &value_at) else {
                continue;
            };
            let value_ty = typed.ty.to_string();
            let name = format!("{keyword}_{method}_{rust_name}");
            self.claim_fn(&name, &value_at);
            oai.push(format!("{keyword} = {name:?}"));
            // The function returns the parameter's own type: an example of an optional
            // parameter is `Some(value)`.
            let optional = !data.required && !has_default;
            values.push(ir::ValueFn {
                name,
                ty: if optional {
                    format!("::std::option::Option<{value_ty}>")
                } else {
                    value_ty
                },
                expr: if optional {
                    format!("::std::option::Option::Some({expr})")
                } else {
                    expr
                },
                doc: format!("`{keyword}` of parameter `{}` of `{method}`.", data.name),
            });
        }
        if data.deprecated == Some(true) {
            oai.push("deprecated".to_owned());
        }
        if !typed.validators.is_empty() {
            oai.push(format!("validator({})", typed.validators.join(", ")));
        }
        let always_present = data.required || has_default;
        if matches!(typed.ty, ir::Ty::Vec(_)) && data.required {
            self.diags.error(&join(&at, "required"), "a required array parameter is not supported: poem-openapi accepts an absent array as empty", "make the parameter optional, and add `minItems: 1` if it must not be empty");
        }
        let option = |t: String| {
            if always_present {
                t
            } else {
                format!("::std::option::Option<{t}>")
            }
        };
        let wire_ty = option(typed.ty.to_string());
        let (ty, to_handler) = match (matching, always_present) {
            (true, true) => (option("::std::string::String".to_owned()), ".into_inner()"),
            (true, false) => (
                option("::std::string::String".to_owned()),
                ".map(Matching::into_inner)",
            ),
            (false, _) => (wire_ty.clone(), ""),
        };
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
            },
            is_path,
        ))
    }

    fn body(
        &mut self,
        body: &ReferenceOr<openapiv3::RequestBody>,
        op_type: &str,
        at: &str,
    ) -> Option<ir::Body> {
        let (body, at) = match body {
            ReferenceOr::Item(body) => (body, at.to_owned()),
            ReferenceOr::Reference { reference } => {
                let name = reference
                    .strip_prefix(REQUEST_BODY_REF)
                    .map(crate::source::unescape);
                let found = name.as_ref().and_then(|n| {
                    self.doc
                        .components
                        .as_ref()?
                        .request_bodies
                        .get(n)
                        .map(|b| (n.clone(), b))
                });
                match found {
                    Some((name, ReferenceOr::Item(body))) => {
                        (body, join("/components/requestBodies", &name))
                    }
                    Some((name, ReferenceOr::Reference { .. })) => {
                        self.diags.error(
                            &join("/components/requestBodies", &name),
                            "a request body that is only a `$ref` is not supported",
                            "define the request body here directly",
                        );
                        return None;
                    }
                    None => {
                        self.diags.error(
                            &join(at, "$ref"),
                            format!("`$ref: {reference}` points at no request body"),
                            "define it under `components/requestBodies`, or fix the name",
                        );
                        return None;
                    }
                }
            }
        };
        if !body.required {
            self.diags.error(
                &at,
                "optional request bodies are not supported yet",
                "add `required: true`",
            );
        }
        let content_at = join(&at, "content");
        let mut media = body.content.keys();
        let (Some(media_type), None) = (media.next(), media.next()) else {
            self.diags.error(
                &content_at,
                "a request body needs exactly one media type",
                "declare only `application/json`",
            );
            return None;
        };
        let media_at = join(&content_at, media_type);
        if media_type != "application/json" {
            self.diags.error(
                &media_at,
                format!("request media type `{media_type}` is not supported yet"),
                "use `application/json`",
            );
            return None;
        }
        let ty = self.payload_type(&media_at, &format!("{op_type}Request"))?;
        Some(ir::Body {
            rust_name: "body".to_owned(),
            ty,
            doc: self.text(body.description.as_deref(), &join(&at, "description")),
        })
    }

    /// The Rust type of a JSON payload's `schema` (inline schemas are named `hint`).
    fn payload_type(&mut self, media_at: &str, hint: &str) -> Option<String> {
        let schema_at = join(media_at, "schema");
        let Some(schema) = self.raw_at(&schema_at).cloned() else {
            self.diags.error(
                media_at,
                "a JSON payload without `schema` is not supported",
                "add `schema:`",
            );
            return None;
        };
        let typed = self.value_type(&schema, &schema_at, hint)?;
        if !typed.validators.is_empty() {
            self.diags.error(&schema_at, "constraints on a whole payload are not supported: poem-openapi validates fields, not bodies", "wrap the value in an object and constrain its property");
            return None;
        }
        Some(typed.ty.to_string())
    }

    fn responses(
        &mut self,
        op: &openapiv3::Operation,
        op_type: &str,
        at: &str,
    ) -> Vec<ir::Response> {
        let mut out = Vec::new();
        for (status, response) in &op.responses.responses {
            let StatusCode::Code(status) = status else {
                continue;
            };
            let r_at = join(at, &status.to_string());
            let ReferenceOr::Item(response) = response else {
                self.diags.error(
                    &join(&r_at, "$ref"),
                    "a response given by `$ref` is not supported yet",
                    "write the response inline",
                );
                continue;
            };
            let mut media = response.content.keys();
            let body = match (media.next(), media.next()) {
                (None, _) => None,
                (Some(media_type), None) => self.response_body(
                    media_type,
                    &join(&join(&r_at, "content"), media_type),
                    &format!("{op_type}Response{status}"),
                ),
                (Some(_), Some(_)) => {
                    self.diags.error(
                        &join(&r_at, "content"),
                        "several media types for one response are not supported yet",
                        "declare one media type",
                    );
                    None
                }
            };
            let mut headers = Vec::new();
            for (name, header) in &response.headers {
                let h_at = join(&join(&r_at, "headers"), name);
                let ReferenceOr::Item(header) = header else {
                    self.diags.error(
                        &join(&h_at, "$ref"),
                        "a header given by `$ref` is not supported yet",
                        "write the header inline",
                    );
                    continue;
                };
                let schema = self
                    .raw_at(&join(&h_at, "schema"))
                    .cloned()
                    .unwrap_or_default();
                if let Some(key) = schema
                    .keys()
                    .find(|k| !matches!(k.as_str(), "type" | "format"))
                {
                    self.diags.error(
                        &join(&join(&h_at, "schema"), key),
                        format!("`{key}` on a response header schema is not supported"),
                        "keep `type` and `format` only",
                    );
                }
                let Some(scalar) = self.scalar(&schema, &join(&h_at, "schema")) else {
                    continue;
                };
                headers.push(ir::Header {
                    name: name.clone(),
                    ty: if header.required {
                        scalar.ty.to_string()
                    } else {
                        format!("::std::option::Option<{}>", scalar.ty)
                    },
                    doc: self.text(header.description.as_deref(), &join(&h_at, "description")),
                });
            }
            out.push(ir::Response {
                status: *status,
                variant: status_variant(*status),
                doc: self.text(Some(&response.description), &join(&r_at, "description")),
                body,
                headers,
                origin: r_at,
            });
        }
        out.sort_by_key(|r| r.status);
        out
    }

    fn response_body(
        &mut self,
        media_type: &str,
        at: &str,
        hint: &str,
    ) -> Option<ir::ResponseBody> {
        let is_json = media_type == "application/json"
            || (media_type.starts_with("application/") && media_type.ends_with("+json"));
        if !is_json {
            self.diags.error(
                at,
                format!("response media type `{media_type}` is not supported yet"),
                "use `application/json` or an `application/*+json` type",
            );
            return None;
        }
        let ty = self.payload_type(at, hint)?;
        Some(ir::ResponseBody {
            ty,
            media_type: media_type.to_owned(),
        })
    }

    /// The variants a rejected request maps to; each must be declared and carry a body the
    /// generated code can build from the rejection.
    fn rejection(
        &mut self,
        method: &str,
        has_params: bool,
        has_body: bool,
        responses: &[ir::Response],
        at: &str,
    ) -> Option<ir::Rejection> {
        if !has_params && !has_body {
            return None;
        }
        let variant = |this: &mut Self, status: u16, why: &str| -> Option<ir::Variant> {
            let Some(r) = responses.iter().find(|r| r.status == status) else {
                this.diags.error(at, format!("the operation {why} but declares no {status} response"), format!("add a '{status}' response with an RFC 9457 problem body (`application/problem+json`): poem-openapi answers {status} before your handler runs"));
                return None;
            };
            if !r.headers.is_empty() {
                this.diags.error(&r.origin, format!("the {status} response declares headers, which a rejected request cannot fill"), "remove the headers from this response");
                return None;
            }
            let Some(body) = &r.body else {
                this.diags.error(&r.origin, format!("the {status} response has no body"), "give it an RFC 9457 problem details body, e.g. `$ref: '#/components/schemas/Problem'`");
                return None;
            };
            this.rejection_body(&body.ty, &r.origin)?;
            Some(ir::Variant {
                name: r.variant.clone(),
                body: body.ty.clone(),
            })
        };
        let bad_request = variant(self, 400, "takes parameters or a body");
        let (too_large, unsupported) = if has_body {
            (
                variant(self, 413, "has a request body"),
                variant(self, 415, "has a request body"),
            )
        } else {
            (None, None)
        };
        let function = format!("{method}_rejected");
        self.claim_fn(&function, at);
        Some(ir::Rejection {
            function,
            bad_request: bad_request?,
            too_large: if has_body { Some(too_large?) } else { None },
            unsupported_media_type: if has_body { Some(unsupported?) } else { None },
        })
    }

    /// Checks that the schema named by Rust type `ty` has the RFC 9457 shape and records how
    /// to fill each of its fields from a rejected request.
    fn rejection_body(&mut self, ty: &str, at: &str) -> Option<()> {
        if self.rejection_bodies.contains_key(ty) {
            return Some(());
        }
        let Some(object) = self.objects.get(ty) else {
            self.diags.error(
                at,
                format!("`{ty}` cannot carry a rejected request: it is not an object"),
                "request-error bodies must be RFC 9457 problem details objects",
            );
            return None;
        };
        let mut fields = Vec::new();
        let mut problems = Vec::new();
        for f in &object.fields {
            let string = f.ty == ir::Ty::Builtin("::std::string::String".into());
            let value = match (f.name.as_str(), f.ty.to_string().as_str()) {
                ("type", _) if string => "::std::string::String::from(\"about:blank\")",
                ("title", _) if string => {
                    "::std::string::String::from(status.canonical_reason().unwrap_or(\"Error\"))"
                }
                ("detail", _) if string => "err.to_string()",
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
            self.diags.error(
                at,
                format!("`{}` cannot carry a rejected request: {}", object.name, problems.join("; ")),
                "request-error bodies must be RFC 9457 problem details: `type`, `title`, `detail` (strings), `status` (integer, int32 or int64); other members optional",
            );
            return None;
        }
        self.rejection_bodies.insert(
            ty.to_owned(),
            ir::RejectionBody {
                ty: ty.to_owned(),
                fields,
            },
        );
        Some(())
    }
}
