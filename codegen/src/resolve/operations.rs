//! Paths and operations (part of `resolve`): each operation's id, handler name, summary,
//! parameters (path-level merged with operation-level), body, responses and credentials, and
//! the route its path template becomes (poem's `:name` segments, or a `PathPiece` read from a
//! segment that mixes text and parameters).

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{Parameter, ReferenceOr};

use super::{Input, Resolver};
use crate::ir;
use crate::naming::{is_identifier, numbered, pascal_case, snake_case};
use crate::source::join;

impl Resolver<'_> {
    pub(super) fn operations(&mut self, tags: &[ir::Tag]) -> Vec<ir::Operation> {
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
            let shape = route_shape(path);
            for (method, op) in item.iter() {
                let at = format!("{path_at}/{method}");
                if let Some(first) = shapes.get(&(method.to_owned(), shape.clone())).cloned() {
                    // poem would route both to one handler: the first keeps the route.
                    self.diags.lenient(&at, format!("{} {path} matches the same requests as {first}: it is left out, and those requests reach the first", method.to_uppercase()), "paths that differ only in parameter names are one route; merge the operations or change a literal segment");
                    continue;
                }
                shapes.insert((method.to_owned(), shape.clone()), at.clone());
                let declared = op.operation_id.is_some();
                let (id, id_at, method_name) =
                    self.operation_names(op, method, path, &at, &mut ids, &methods);
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

    /// An operation's id (its `operationId`, else one made of method and path), where the id
    /// is written, and its handler method's name: the id in snake_case, or named for method
    /// and path when the id is taken or has no letters, numbered when two still collide.
    fn operation_names(
        &mut self,
        op: &openapiv3::Operation,
        method: &str,
        path: &str,
        at: &str,
        ids: &mut BTreeMap<String, String>,
        methods: &BTreeMap<String, String>,
    ) -> (String, String, String) {
        let declared = op.operation_id.is_some();
        let id = op
            .operation_id
            .clone()
            .unwrap_or_else(|| derived_operation_id(method, path));
        let id_at = if declared {
            join(at, "operationId")
        } else {
            at.to_owned()
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
            method_name = numbered(&taken, "_", |n| methods.contains_key(n));
            self.diags.lenient(&id_at, format!("operationId `{id}` becomes the method `{taken}`, as does the one at {first}; this one is `{method_name}`"), "rename one of them to choose the names yourself");
        }
        (id, id_at, method_name)
    }

    #[allow(clippy::too_many_arguments)] // one call site; the arguments are the operation's coordinates
    pub(super) fn operation(
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
        let (params, arg_names) =
            self.operation_params(parameters, &route, &method_name, &id, path, at);
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
        let input = Input {
            params: !params.is_empty(),
            body: body.is_some(),
            credentials: auth.as_ref().is_some_and(|a| a.required),
        };
        let rejection =
            self.operation_rejection(&method_name, input, &responses, &params, body.as_ref(), at);
        let tag_variants = op
            .tags
            .iter()
            .filter_map(|t| tags.iter().find(|x| &x.name == t))
            .map(|t| t.variant.clone())
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
            http_method: ir::Method::from_key(method)?,
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

    /// What answers the requests poem-openapi rejects before the operation's handler runs,
    /// with where each problem is declared.
    fn operation_rejection(
        &mut self,
        method_name: &str,
        input: Input,
        responses: &[ir::Response],
        params: &[ir::Param],
        body: Option<&ir::Body>,
        at: &str,
    ) -> Option<ir::Rejection> {
        // Without a usable `responses` (misspelt, wrong type) the shape check has reported
        // the one mistake; checking the placeholder for 400/413/415 would only add noise.
        self.raw_at(&join(at, "responses"))?;
        let mut rejection =
            self.rejection(method_name, input, responses, &join(at, "responses"))?;
        self.locate_rejected(&mut rejection, params, body);
        Some(rejection)
    }

    /// An operation's parameters as handler arguments (names made unique), with a path
    /// parameter the template names but the operation does not declare read as a string, in
    /// the order poem-openapi numbers them; and the argument names taken.
    fn operation_params(
        &mut self,
        parameters: &[(&ReferenceOr<Parameter>, String)],
        route: &Route,
        method_name: &str,
        id: &str,
        path: &str,
        at: &str,
    ) -> (Vec<ir::Param>, BTreeSet<String>) {
        let template_params = &route.names;
        let mut params = Vec::new();
        let mut arg_names = BTreeSet::new();
        let mut path_params = BTreeSet::new();
        for (p, p_at) in parameters {
            let p_at = p_at.clone();
            // Declared, even if its schema is refused: no follow-on "declares no parameter".
            if let Some(Parameter::Path { parameter_data, .. }) = self.resolved_parameter(p) {
                path_params.insert(parameter_data.name.clone());
            }
            if let Some((mut param, is_path)) = self.parameter(p, method_name, &p_at) {
                if arg_names.contains(&param.rust_name) {
                    let taken = param.rust_name.clone();
                    param.rust_name = numbered(&taken, "_", |n| arg_names.contains(n));
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
            let param = self.undeclared_path_param(name, &arg_names, at);
            arg_names.insert(param.rust_name.clone());
            path_params.insert(param.name.clone());
            params.push(param);
        }
        for name in path_params.difference(template_params) {
            self.diags.error(
                &join(at, "parameters"),
                format!("path parameter `{name}` does not appear in the path `{path}`"),
                format!("add `{{{name}}}` to the path, or remove the parameter"),
            );
        }
        order_path_params(&mut params, route);
        self.read_from_segments(&mut params, route, at);
        for param in params.iter_mut() {
            param.rules = self.param_rules(param, id);
        }
        (params, arg_names)
    }

    /// A path parameter the template names (`{name}`) but the operation does not declare: a
    /// string, as the path says.
    fn undeclared_path_param(
        &mut self,
        name: String,
        arg_names: &BTreeSet<String>,
        at: &str,
    ) -> ir::Param {
        // A common omission in public specs: the path says what the parameter is.
        self.diags.lenient(&join(at, "parameters"), format!("the path has `{{{name}}}` but the operation declares no path parameter `{name}`; it is read as a string"), format!("add a parameter with `name: {name}`, `in: path`, `required: true`"));
        let mut rust_name = snake_case(&name);
        if !is_identifier(&rust_name) || arg_names.contains(&rust_name) {
            rust_name = format!("path_{}", arg_names.len() + 1);
        }
        ir::Param {
            oai: if rust_name == name {
                vec![]
            } else {
                vec![format!("name = {name:?}")]
            },
            name,
            rust_name,
            extractor: ir::Extractor::Path,
            value: ir::Ty::Scalar(ir::Scalar::String),
            present: true,
            reading: ir::Reading::Poem,
            segment: None,
            doc: self.text(None, at),
            values: vec![],
            place: None,
            rules: None,
            validators: vec![],
        }
    }

    /// A path with a segment like `{Sid}.json`: every path parameter is read from its routed
    /// segment, so poem-openapi's numbering of `Path` arguments plays no part.
    fn read_from_segments(&mut self, params: &mut [ir::Param], route: &Route, at: &str) {
        for param in params.iter_mut() {
            let Some((route_param, literals, i)) = route.pieces.get(&param.name) else {
                continue;
            };
            if param.extractor == ir::Extractor::Path {
                let marker = self.segment_type(route_param.clone(), literals.clone(), at);
                param.extractor = ir::Extractor::PathPiece;
                param.segment = Some((marker, *i));
            }
        }
    }

    /// Where each problem of a rejected request is reported from: for bodies made from a
    /// `codegen_runtime::Rejection` (FastAPI's, the user's own, a problem's `errors`), and for
    /// path parameters (poem-openapi names them `param0`, the problem's `detail` names them as
    /// the spec does), each parameter's and body member's location and schema pointer.
    fn locate_rejected(
        &self,
        rej: &mut ir::Rejection,
        params: &[ir::Param],
        body: Option<&ir::Body>,
    ) {
        let from_rejection = std::iter::once(&rej.otherwise)
            .chain(rej.arms.iter().map(|(_, v)| v))
            .any(|v| {
                self.rejection_bodies.get(&v.body).is_some_and(|b| {
                    b.fill != ir::RejectionFill::Problem
                        || b.fields
                            .iter()
                            .any(|f| f.member == ir::ProblemMember::Errors)
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

    /// The parameters of an operation with those of its path item, each with where it is
    /// written: the path item's first, then the operation's, which replace a path-item
    /// parameter of the same name and location.
    pub(super) fn merged_parameters<'d>(
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

    /// The path without a fragment, which never reaches the server (Box writes
    /// `/files/{id}#get_shared_link`); a warning if there was one.
    fn without_fragment<'p>(&mut self, path: &'p str, at: &str) -> &'p str {
        let routed = path.split('#').next().unwrap_or(path);
        if routed.len() < path.len() {
            self.diags.lenient(
                at,
                format!("the path has a fragment, `{}`, which requests never carry: it is routed as `{routed}`", &path[routed.len()..]),
                "give the operation a path of its own",
            );
        }
        routed
    }

    /// A literal segment may not contain what poem's router reads as route syntax.
    fn check_literal_segment(&mut self, segment: &str, at: &str) {
        if segment.contains([':', '*', '<', '>']) {
            self.diags.error(
                at,
                format!("the path segment `{segment}` contains `:`, `*`, `<` or `>`, which poem's router reads as route syntax"),
                "use only letters, digits and `-._~` in literal segments",
            );
        }
    }

    /// poem's route for `path` (`/items/{item_id}` → `/items/:item_id`), its parameter names,
    /// the order poem-openapi numbers them in (whole segments, in path order: `param0`,
    /// `param1`, …), and, when a segment mixes text with parameters (`{Sid}.json`), where
    /// each parameter is read from: such a segment is routed whole, and every path parameter
    /// of the path becomes a `PathPiece` of its segment.
    pub(super) fn route(&mut self, path: &str, at: &str) -> Route {
        let mut route = Route::default();
        let mut segments = Vec::new();
        let mut routed_params = 0;
        let mut mixed = false;
        let routed = self.without_fragment(path, at);
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
                    self.check_literal_segment(segment, at);
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
            segments.push(format!(":{}", shown_segment(whole, segment)));
        }
        if !mixed {
            route.pieces.clear();
        }
        route.path = segments.join("/");
        route
    }
}

/// The name of an operation without an `operationId`: the method, then the path's literal
/// segments, each parameter as `by_<name>`: `GET /users/{id}/posts` → `get_users_by_id_posts`,
/// `GET /` → `get_root`.
pub(super) fn derived_operation_id(method: &str, path: &str) -> String {
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

/// poem-openapi numbers path arguments in order: they follow the route's order.
fn order_path_params(params: &mut [ir::Param], route: &Route) {
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
}

/// How poem-openapi shows a routed segment in the document it derives: `{name}` for a whole
/// parameter, a mixed one named for its text (only the written document is served).
fn shown_segment(whole: Option<&str>, segment: &str) -> String {
    match whole {
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
    }
}

/// The requests a path template matches, as poem routes them: `/a/{x}` and `/a/{y}` are one
/// route. Static text before a parameter stays text, as `route` routes it.
fn route_shape(path: &str) -> String {
    let routed = path.split('#').next().unwrap_or(path);
    routed
        .split('/')
        .map(|seg| match seg.split_once('{') {
            Some((before, _)) => match routable_prefix(before) {
                Some(prefix) => format!("{prefix}{{}}"),
                None => "{}".to_owned(),
            },
            None => seg.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Where poem routes a path and where its parameters are read from (see `Resolver::route`).
#[derive(Default)]
pub(super) struct Route {
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
pub(super) fn routable_prefix(prefix: &str) -> Option<&str> {
    (!prefix.is_empty() && !prefix.contains([':', '*', '<', '>'])).then_some(prefix)
}

/// `{segmentId}.{ext}` → the literal text around the parameters (`["", ".", ""]`) and the
/// names (`segmentId`, `ext`); `None` when two parameters touch or a brace is unbalanced.
pub(super) fn template_segment(segment: &str) -> Option<(Vec<String>, Vec<String>)> {
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
