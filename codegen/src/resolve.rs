//! Stage 2, resolve: `openapiv3::OpenAPI` → [`ir::Api`], with every semantic check.
//!
//! Operations, parameters and responses are read from the openapiv3 document. Schemas are
//! read from the raw JSON at the same pointer instead: openapiv3's typed schemas drop keywords
//! that do not fit their guessed type (`minLength` on an object vanishes), and nothing the spec
//! declares may vanish. Every problem becomes a diagnostic and resolution carries on with the
//! rest, so one run reports everything; the returned IR is only rendered when there are none.

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

/// Resolves the loaded document into the IR, reporting into `diags`.
pub fn resolve(loaded: &Loaded, diags: &mut Diagnostics) -> ir::Api {
    let mut r = Resolver {
        raw: &loaded.raw,
        doc: &loaded.doc,
        diags,
        type_names: BTreeMap::new(),
        rejection_bodies: BTreeMap::new(),
    };
    let objects = r.objects();
    let tags = r.tags();
    let operations = r.operations(&tags);
    let rejection_bodies = std::mem::take(&mut r.rejection_bodies)
        .into_values()
        .collect();
    ir::Api {
        source: loaded.source.name.clone(),
        title: loaded.doc.info.title.clone(),
        version: loaded.doc.info.version.clone(),
        description: loaded.doc.info.description.clone(),
        tags,
        objects,
        operations,
        rejection_bodies,
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
}

/// A scalar or array type a property, parameter or header can have.
struct Scalar {
    rust: String,
    validators: Vec<String>,
}

impl Resolver<'_> {
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

    // ---- schemas -------------------------------------------------------------------------

    fn objects(&mut self) -> Vec<ir::Object> {
        let Some(components) = &self.doc.components else {
            return vec![];
        };
        let mut names: Vec<&String> = components.schemas.keys().collect();
        names.sort();
        let mut objects = Vec::new();
        for name in names {
            let at = join("/components/schemas", name);
            if let Some(object) = self.object(name, &at) {
                objects.push(object);
            }
        }
        objects
    }

    fn object(&mut self, name: &str, at: &str) -> Option<ir::Object> {
        let schema = self.raw_at(at)?.clone();
        let rust_name = pascal_case(name);
        if !is_identifier(&rust_name) {
            self.diags.error(
                at,
                format!("the schema name `{name}` has no letters or digits"),
                "rename the schema",
            );
            return None;
        }
        self.claim_type(&rust_name, at);
        if schema.contains_key("$ref") {
            self.diags.error(
                at,
                "a named schema that is only a `$ref` is not supported",
                "refer to the target schema directly",
            );
            return None;
        }
        if ["oneOf", "anyOf", "allOf", "not", "enum"]
            .iter()
            .any(|k| schema.contains_key(*k))
        {
            // Already reported as unsupported by the shape check; its type is moot.
            return None;
        }
        if schema.get("type").and_then(Value::as_str) != Some("object") {
            self.diags.error(
                at,
                format!("named schema `{name}` is not `type: object`; only objects become named Rust types yet"),
                "write scalar schemas inline where they are used, or make this an object",
            );
            return None;
        }
        self.check_keywords(&schema, "object", at);
        for key in [
            "minProperties",
            "maxProperties",
            "default",
            "nullable",
            "example",
        ] {
            if schema.contains_key(key) {
                self.diags.error(
                    &join(at, key),
                    format!("`{key}` on an object schema is not supported yet"),
                    "remove it",
                );
            }
        }
        let deny_unknown_fields = match schema.get("additionalProperties") {
            None => false,
            Some(Value::Bool(false)) => true,
            Some(_) => {
                self.diags.error(
                    &join(at, "additionalProperties"),
                    "only `additionalProperties: false` is supported yet",
                    "use `false` to reject unknown fields, or remove the key",
                );
                false
            }
        };
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (i, r) in required.iter().enumerate() {
            if !properties.contains_key(*r) {
                self.diags.error(
                    &format!("{at}/required/{i}"),
                    format!("required property `{r}` is not in `properties`"),
                    format!("add `{r}` under `properties`, or remove it from `required`"),
                );
            }
        }
        let mut fields = Vec::new();
        let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
        for (prop, _) in properties {
            let here = join(&join(at, "properties"), prop);
            let field_name = snake_case(prop);
            if !is_identifier(&field_name) {
                self.diags.error(
                    &here,
                    format!("the property name `{prop}` has no letters or digits"),
                    "rename the property",
                );
                continue;
            }
            if let Some(other) = rust_names.insert(field_name.clone(), prop.clone()) {
                self.diags.error(
                    &here,
                    format!("properties `{other}` and `{prop}` both become the Rust field `{field_name}`"),
                    "rename one of them",
                );
                continue;
            }
            if let Some(field) =
                self.field(prop, field_name, required.contains(&prop.as_str()), &here)
            {
                fields.push(field);
            }
        }
        Some(ir::Object {
            name: name.to_owned(),
            rust_name,
            doc: Doc::from_text(schema.get("description").and_then(Value::as_str)),
            fields,
            deny_unknown_fields,
            deprecated: schema.get("deprecated") == Some(&Value::Bool(true)),
            origin: at.to_owned(),
        })
    }

    fn field(
        &mut self,
        name: &str,
        rust_name: String,
        required: bool,
        at: &str,
    ) -> Option<ir::Field> {
        let schema = self.raw_at(at)?.clone();
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        if schema.contains_key("example") {
            self.diags.error(
                &join(at, "example"),
                "`example` on a property is not supported yet (poem-openapi serves examples of parameters only)",
                "remove it, or put the example on a parameter's schema",
            );
        }
        if nullable && required {
            self.diags.error(
                &join(at, "nullable"),
                format!("property `{name}` is both required and nullable, which poem-openapi cannot express"),
                "make it optional (remove it from `required`) or not nullable",
            );
        }
        if schema.contains_key("default") {
            self.diags.error(
                &join(at, "default"),
                "`default` on a property is not supported yet",
                "remove it, or give the parameter a default instead",
            );
        }
        let ty = self.value_type(&schema, at)?;
        let mut oai = Vec::new();
        if rust_name != name {
            oai.push(format!("rename = {name:?}"));
        }
        if nullable {
            oai.push("nullable".to_owned());
        } else if !required {
            // A non-nullable optional property must be absent, not null, when unset.
            oai.push("skip_serializing_if_is_none".to_owned());
        }
        if schema.get("deprecated") == Some(&Value::Bool(true)) {
            oai.push("deprecated".to_owned());
        }
        if !ty.validators.is_empty() {
            oai.push(format!("validator({})", ty.validators.join(", ")));
        }
        Some(ir::Field {
            name: name.to_owned(),
            rust_name,
            ty: if required {
                ty.rust
            } else {
                format!("::std::option::Option<{}>", ty.rust)
            },
            doc: Doc::from_text(schema.get("description").and_then(Value::as_str)),
            oai,
        })
    }

    /// The Rust type and validators of a property schema: a scalar, an array, or a `$ref`.
    fn value_type(&mut self, schema: &Map<String, Value>, at: &str) -> Option<Scalar> {
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let rust = self.object_ref(target, &join(at, "$ref"))?;
            return Some(Scalar {
                rust,
                validators: vec![],
            });
        }
        match schema.get("type").and_then(Value::as_str) {
            Some("array") => {
                self.check_keywords(schema, "array", at);
                let items_at = join(at, "items");
                let Some(items) = schema.get("items").and_then(Value::as_object) else {
                    self.diags.error(
                        at,
                        "an array schema has no `items`",
                        "add `items:` with the element schema",
                    );
                    return None;
                };
                let is_ref = items.contains_key("$ref");
                if !is_ref
                    && items
                        .keys()
                        .any(|k| !matches!(k.as_str(), "type" | "format" | "description"))
                {
                    self.diags.error(
                        &items_at,
                        "constraints on array items are not supported yet",
                        "keep only `type` and `format` on `items`, or refer to a named object schema",
                    );
                }
                let element = if is_ref {
                    self.object_ref(
                        items["$ref"].as_str().unwrap_or_default(),
                        &join(&items_at, "$ref"),
                    )?
                } else {
                    self.scalar(items, &items_at)?.rust
                };
                let mut validators = Vec::new();
                if let Some(n) = self.usize_keyword(schema, "minItems", at) {
                    validators.push(format!("min_items = {n}"));
                }
                if let Some(n) = self.usize_keyword(schema, "maxItems", at) {
                    validators.push(format!("max_items = {n}"));
                }
                if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                    validators.push("unique_items".to_owned());
                }
                Some(Scalar {
                    rust: format!("::std::vec::Vec<{element}>"),
                    validators,
                })
            }
            Some("object") => {
                self.diags.error(
                    at,
                    "inline object schemas are not supported yet",
                    "move the object to `components/schemas` and refer to it with `$ref`",
                );
                None
            }
            _ => self.scalar(schema, at),
        }
    }

    /// A `$ref` to a named object schema → its Rust type name.
    fn object_ref(&mut self, target: &str, at: &str) -> Option<String> {
        let Some(name) = target.strip_prefix(SCHEMA_REF) else {
            self.diags.error(at, format!("`$ref: {target}` does not point into `#/components/schemas/`"), "refer to a schema as `#/components/schemas/Name`; external references are not supported");
            return None;
        };
        let name = crate::source::unescape(name);
        let exists = self
            .doc
            .components
            .as_ref()
            .is_some_and(|c| c.schemas.contains_key(&name));
        if !exists {
            self.diags.error(
                at,
                format!("`$ref: {target}` points at no schema"),
                "define the schema under `components/schemas`, or fix the name",
            );
            return None;
        }
        Some(pascal_case(&name))
    }

    /// A string, integer, number or boolean schema.
    fn scalar(&mut self, schema: &Map<String, Value>, at: &str) -> Option<Scalar> {
        let ty = schema.get("type").and_then(Value::as_str);
        let format = schema.get("format").and_then(Value::as_str);
        let rust = match (ty, format) {
            (Some("string"), None) => "::std::string::String",
            (Some("integer"), Some("int32")) => "i32",
            (Some("integer"), Some("int64")) => "i64",
            (Some("integer"), None) => {
                self.diags.error(
                    at,
                    "an integer schema needs a `format`",
                    "add `format: int32` or `format: int64`; poem-openapi always serves one",
                );
                return None;
            }
            (Some("number"), Some("float")) => "f32",
            (Some("number"), Some("double")) => "f64",
            (Some("number"), None) => {
                self.diags.error(
                    at,
                    "a number schema needs a `format`",
                    "add `format: double` or `format: float`; poem-openapi always serves one",
                );
                return None;
            }
            (Some("boolean"), None) => "bool",
            (Some(t @ ("string" | "integer" | "number" | "boolean")), Some(f)) => {
                self.diags.error(&join(at, "format"), format!("`format: {f}` on a {t} is not supported yet"), "remove the format, or use one the generator supports (int32, int64, float, double)");
                return None;
            }
            (Some(t), _) => {
                self.diags.error(
                    &join(at, "type"),
                    format!("unknown type `{t}`"),
                    "use one of string, integer, number, boolean, array, object",
                );
                return None;
            }
            (None, _) => {
                self.diags.error(
                    at,
                    "a schema without `type` is not supported",
                    "add `type:`",
                );
                return None;
            }
        };
        let ty = ty.unwrap_or_default();
        self.check_keywords(schema, ty, at);
        let validators = self.scalar_validators(schema, ty, at);
        Some(Scalar {
            rust: rust.to_owned(),
            validators,
        })
    }

    /// Reports keywords that do not apply to `ty` (openapiv3 would drop them silently).
    fn check_keywords(&mut self, schema: &Map<String, Value>, ty: &str, at: &str) {
        const COMMON: &[&str] = &[
            "type",
            "format",
            "description",
            "nullable",
            "default",
            "example",
            "deprecated",
        ];
        let allowed: &[&str] = match ty {
            "string" => &["minLength", "maxLength", "pattern"],
            "integer" | "number" => &[
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "multipleOf",
            ],
            "array" => &["items", "minItems", "maxItems", "uniqueItems"],
            "object" => &[
                "properties",
                "required",
                "additionalProperties",
                "minProperties",
                "maxProperties",
            ],
            _ => &[],
        };
        for key in schema.keys() {
            if !COMMON.contains(&key.as_str())
                && !allowed.contains(&key.as_str())
                && !key.starts_with("x-")
            {
                self.diags.error(
                    &join(at, key),
                    format!("`{key}` does not apply to a schema of type `{ty}`"),
                    "remove it, or change the schema's `type`",
                );
            }
        }
    }

    fn scalar_validators(
        &mut self,
        schema: &Map<String, Value>,
        ty: &str,
        at: &str,
    ) -> Vec<String> {
        let mut v = Vec::new();
        match ty {
            "string" => {
                if let Some(n) = self.usize_keyword(schema, "minLength", at) {
                    v.push(format!("min_length = {n}"));
                }
                if let Some(n) = self.usize_keyword(schema, "maxLength", at) {
                    v.push(format!("max_length = {n}"));
                }
                if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
                    match regex::Regex::new(p) {
                        Ok(_) => v.push(format!("pattern = {p:?}")),
                        Err(e) => self.diags.error(
                            &join(at, "pattern"),
                            format!("`pattern` is not a valid regular expression: {}", e.to_string().lines().last().unwrap_or_default()),
                            "fix the pattern (Rust regex syntax, which matches ECMA-262 for common patterns)",
                        ),
                    }
                }
            }
            "integer" | "number" => {
                for (key, exclusive, name) in [
                    ("minimum", "exclusiveMinimum", "minimum"),
                    ("maximum", "exclusiveMaximum", "maximum"),
                ] {
                    if let Some(n) = schema.get(key).and_then(Value::as_f64) {
                        let excl = schema.get(exclusive) == Some(&Value::Bool(true));
                        v.push(format!(
                            "{name}(value = {:?}{})",
                            n.to_string(),
                            if excl { ", exclusive" } else { "" }
                        ));
                    } else if schema.contains_key(exclusive) {
                        self.diags.error(
                            &join(at, exclusive),
                            format!("`{exclusive}` without `{key}`"),
                            format!("add `{key}:` or remove `{exclusive}`"),
                        );
                    }
                }
                if let Some(n) = schema.get("multipleOf").and_then(Value::as_f64) {
                    if n > 0.0 {
                        v.push(format!("multiple_of = {n:?}"));
                    } else {
                        self.diags.error(
                            &join(at, "multipleOf"),
                            "`multipleOf` must be greater than 0",
                            "use a positive number",
                        );
                    }
                }
            }
            _ => {}
        }
        v
    }

    fn usize_keyword(&mut self, schema: &Map<String, Value>, key: &str, at: &str) -> Option<usize> {
        let value = schema.get(key)?;
        match value.as_u64() {
            Some(n) => Some(n as usize),
            None => {
                self.diags.error(
                    &join(at, key),
                    format!("`{key}` must be a non-negative integer"),
                    "write a whole number, e.g. 1",
                );
                None
            }
        }
    }

    // ---- tags ----------------------------------------------------------------------------

    fn tags(&mut self) -> Vec<ir::Tag> {
        let mut tags: Vec<ir::Tag> = Vec::new();
        for (i, tag) in self.doc.tags.iter().enumerate() {
            self.push_tag(
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
            doc: Doc::from_text(description),
        });
    }

    // ---- operations ----------------------------------------------------------------------

    fn operations(&mut self, tags: &[ir::Tag]) -> Vec<ir::Operation> {
        let mut ops = Vec::new();
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        let mut methods: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in &self.doc.paths.paths {
            let path_at = join("/paths", path);
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            for (method, op) in item.iter() {
                let at = format!("{path_at}/{method}");
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
            .and_then(|b| self.body(b, &join(at, "requestBody")));
        if body.is_some() && arg_names.contains("body") {
            self.diags.error(
                &join(at, "requestBody"),
                "a parameter is already named `body`",
                "rename the parameter",
            );
        }
        let responses = self.responses(op, &join(at, "responses"));
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
            doc: Doc::summary_and_description(op.summary.as_deref(), op.description.as_deref()),
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
            Parameter::Header { .. } | Parameter::Cookie { .. } => {
                self.diags.error(
                    &join(&at, "in"),
                    "header and cookie parameters are not supported yet",
                    "use a path or query parameter",
                );
                return None;
            }
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
        if schema.contains_key("$ref") {
            self.diags.error(
                &join(&schema_at, "$ref"),
                "a parameter schema given by `$ref` is not supported yet",
                "write the parameter's schema inline",
            );
            return None;
        }
        if matches!(
            schema.get("type").and_then(Value::as_str),
            Some("array" | "object")
        ) {
            self.diags.error(
                &join(&schema_at, "type"),
                "array and object parameters are not supported yet",
                "use a string, integer, number or boolean parameter",
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
        let scalar = self.scalar(&schema, &schema_at)?;
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
        let mut oai = Vec::new();
        if rust_name != data.name {
            oai.push(format!("name = {:?}", data.name));
        }
        let ty_name = schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        // `default` and `example` become functions poem-openapi calls; both are checked
        // against the schema here, so a bad one fails the build, not a request.
        let mut values = Vec::new();
        for keyword in ["default", "example"] {
            let Some(value) = schema.get(keyword) else {
                continue;
            };
            let at = join(&schema_at, keyword);
            let Some(expr) = self.value_expr(keyword, value, ty_name, &scalar.rust, &schema, &at)
            else {
                continue;
            };
            let name = format!("{keyword}_{method}_{rust_name}");
            oai.push(format!("{keyword} = {name:?}"));
            values.push(ir::ValueFn {
                name,
                ty: scalar.rust.clone(),
                expr,
                doc: format!("`{keyword}` of parameter `{}` of `{method}`.", data.name),
            });
        }
        let has_default = schema.contains_key("default");
        if data.deprecated == Some(true) {
            oai.push("deprecated".to_owned());
        }
        if !scalar.validators.is_empty() {
            oai.push(format!("validator({})", scalar.validators.join(", ")));
        }
        let ty = if data.required || has_default {
            scalar.rust
        } else {
            format!("::std::option::Option<{}>", scalar.rust)
        };
        Some((
            ir::Param {
                name: data.name.clone(),
                rust_name,
                extractor,
                ty,
                doc: Doc::from_text(data.description.as_deref()),
                oai,
                values,
            },
            is_path,
        ))
    }

    /// A Rust expression for a `default` or `example`, checked against the schema's type and
    /// constraints.
    #[allow(clippy::too_many_arguments)] // the value, its keyword, and the schema it must satisfy
    fn value_expr(
        &mut self,
        keyword: &str,
        value: &Value,
        ty: &str,
        rust: &str,
        schema: &Map<String, Value>,
        at: &str,
    ) -> Option<String> {
        let fail = |this: &mut Self, why: String| {
            this.diags.error(
                at,
                format!("`{keyword}: {value}` {why}"),
                format!("change the {keyword} so it satisfies the schema"),
            );
            None
        };
        match (ty, value) {
            ("string", Value::String(s)) => {
                let len = s.chars().count() as u64;
                if schema
                    .get("minLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| len < m)
                {
                    return fail(self, "is shorter than `minLength`".into());
                }
                if schema
                    .get("maxLength")
                    .and_then(Value::as_u64)
                    .is_some_and(|m| len > m)
                {
                    return fail(self, "is longer than `maxLength`".into());
                }
                if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
                    if regex::Regex::new(p).is_ok_and(|re| !re.is_match(s)) {
                        return fail(self, "does not match `pattern`".into());
                    }
                }
                Some(format!("::std::string::String::from({s:?})"))
            }
            ("integer" | "number", Value::Number(n)) => {
                let x = n.as_f64().unwrap_or_default();
                if ty == "integer" && !(n.is_i64() || n.is_u64()) {
                    return fail(self, "is not an integer".into());
                }
                if ty == "integer"
                    && rust == "i32"
                    && i32::try_from(n.as_i64().unwrap_or(i64::MAX)).is_err()
                {
                    return fail(self, "does not fit in int32".into());
                }
                let excl = |k: &str| schema.get(k) == Some(&Value::Bool(true));
                if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
                    if x < min || (excl("exclusiveMinimum") && x == min) {
                        return fail(self, format!("is below the minimum {min}"));
                    }
                }
                if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
                    if x > max || (excl("exclusiveMaximum") && x == max) {
                        return fail(self, format!("is above the maximum {max}"));
                    }
                }
                if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64) {
                    if m > 0.0 && (x / m).fract() != 0.0 {
                        return fail(self, format!("is not a multiple of {m}"));
                    }
                }
                Some(if ty == "integer" {
                    format!("{n}")
                } else {
                    format!("{x:?}")
                })
            }
            ("boolean", Value::Bool(b)) => Some(b.to_string()),
            _ => fail(self, format!("is not a {ty}")),
        }
    }

    fn body(&mut self, body: &ReferenceOr<openapiv3::RequestBody>, at: &str) -> Option<ir::Body> {
        let ReferenceOr::Item(body) = body else {
            self.diags.error(
                &join(at, "$ref"),
                "a request body given by `$ref` is not supported yet",
                "write the request body inline",
            );
            return None;
        };
        if !body.required {
            self.diags.error(
                at,
                "optional request bodies are not supported yet",
                "add `required: true`",
            );
        }
        let content_at = join(at, "content");
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
        let schema = self.raw_at(&join(&media_at, "schema")).cloned();
        let Some(target) = schema
            .as_ref()
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
        else {
            self.diags.error(
                &media_at,
                "the request body schema must be a `$ref` to a named object schema",
                "move the schema to `components/schemas` and refer to it",
            );
            return None;
        };
        let ty = self.object_ref(target, &join(&join(&media_at, "schema"), "$ref"))?;
        Some(ir::Body {
            rust_name: "body".to_owned(),
            ty,
            doc: Doc::from_text(body.description.as_deref()),
        })
    }

    fn responses(&mut self, op: &openapiv3::Operation, at: &str) -> Vec<ir::Response> {
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
                (Some(media_type), None) => {
                    self.response_body(media_type, &join(&join(&r_at, "content"), media_type))
                }
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
                    .find(|k| !matches!(k.as_str(), "type" | "format" | "description"))
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
                        scalar.rust
                    } else {
                        format!("::std::option::Option<{}>", scalar.rust)
                    },
                    doc: Doc::from_text(header.description.as_deref()),
                });
            }
            out.push(ir::Response {
                status: *status,
                variant: status_variant(*status),
                doc: Doc::from_text(Some(&response.description)),
                body,
                headers,
                origin: r_at,
            });
        }
        out.sort_by_key(|r| r.status);
        out
    }

    fn response_body(&mut self, media_type: &str, at: &str) -> Option<ir::ResponseBody> {
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
        let schema = self.raw_at(&join(at, "schema")).cloned();
        let Some(target) = schema
            .as_ref()
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
        else {
            self.diags.error(
                at,
                "the response schema must be a `$ref` to a named object schema",
                "move the schema to `components/schemas` and refer to it",
            );
            return None;
        };
        let ty = self.object_ref(target, &join(&join(at, "schema"), "$ref"))?;
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
        Some(ir::Rejection {
            function: format!("{method}_rejected"),
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
        let components = self.doc.components.as_ref()?;
        let name = components
            .schemas
            .keys()
            .find(|n| pascal_case(n) == ty)?
            .clone();
        let schema_at = join("/components/schemas", &name);
        let schema = self.raw_at(&schema_at)?.clone();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let mut fields = Vec::new();
        let mut problems = Vec::new();
        for (prop, p) in properties {
            let req = required.contains(&prop.as_str());
            let ty = (
                p.get("type").and_then(Value::as_str),
                p.get("format").and_then(Value::as_str),
            );
            let value = match (prop.as_str(), ty) {
                ("type", (Some("string"), None)) => "::std::string::String::from(\"about:blank\")",
                ("title", (Some("string"), None)) => {
                    "::std::string::String::from(status.canonical_reason().unwrap_or(\"Error\"))"
                }
                ("detail", (Some("string"), None)) => "err.to_string()",
                ("status", (Some("integer"), Some("int32"))) => "i32::from(status.as_u16())",
                ("status", (Some("integer"), Some("int64"))) => "i64::from(status.as_u16())",
                ("type" | "title" | "detail" | "status", _) => {
                    problems.push(format!("`{prop}` has the wrong type"));
                    continue;
                }
                (_, _) if req => {
                    problems.push(format!("required `{prop}` is not an RFC 9457 member"));
                    continue;
                }
                _ => "::std::option::Option::None",
            };
            let value = if req || value.ends_with("None") {
                value.to_owned()
            } else {
                format!("::std::option::Option::Some({value})")
            };
            fields.push((snake_case(prop), value));
        }
        if !properties.contains_key("status") {
            problems.push("it has no `status`".to_owned());
        }
        if !problems.is_empty() {
            self.diags.error(
                at,
                format!("`{name}` cannot carry a rejected request: {}", problems.join("; ")),
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
