//! Request bodies, responses and their media types (part of `resolve`).
//!
//! Each media type becomes a poem-openapi payload: JSON (`application/json`, `*+json`) a
//! `Json<T>`, `text/*` with a string schema `PlainText<String>`, any media type with a
//! `type: string, format: binary` schema `Binary<Vec<u8>>`, and form-encoded request bodies
//! `Form<T>`. A body with several media types becomes an enum the sender picks a variant of.
//! Responses may be status codes, ranges (`4XX`) or `default`, inline or `$ref`s into
//! `components/responses`.

use openapiv3::{ReferenceOr, StatusCode};
use serde_json::{Map, Value};

use super::schemas::Keywords;
use super::Resolver;
use crate::ir::{self, Content, Payload, PayloadKind};
use crate::naming::{is_identifier, numbered, pascal_case, snake_case, status_variant};
use crate::source::{join, ref_pointer};

const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// poem-openapi's type of a file part.
const UPLOAD: &str = "::poem_openapi::types::multipart::Upload";

/// A file part: `type: string, format: binary`.
fn is_file(schema: &Map<String, Value>) -> bool {
    schema.text("type") == Some("string") && schema.text("format") == Some("binary")
}

/// How a multipart part is read: its Rust type, validators and default, and whether it is
/// a repeated part (an array), which an absent part reads as empty.
struct PartReading {
    ty: String,
    validators: Vec<ir::Validator>,
    default: Option<ir::ValueFn>,
    repeated: bool,
}

impl PartReading {
    fn of(ty: String, validators: Vec<ir::Validator>, repeated: bool) -> Self {
        PartReading {
            ty,
            validators,
            default: None,
            repeated,
        }
    }
}

impl Resolver<'_> {
    pub(super) fn body(
        &mut self,
        body: &ReferenceOr<openapiv3::RequestBody>,
        op_type: &str,
        at: &str,
    ) -> Option<ir::Body> {
        let (body, at) = self.component(body, at, "requestBodies", "request body", |c, n| {
            c.request_bodies.get(n)
        })?;
        let doc = self.text(body.description.as_deref(), &join(&at, "description"));
        let media: Vec<String> = body.content.keys().cloned().collect();
        let content = self.content(
            &media,
            &join(&at, "content"),
            &format!("{op_type}Request"),
            &format!("{op_type}Body"),
            doc.clone(),
            true,
        )?;
        let places = self.body_places(&media, &join(&at, "content"));
        Some(ir::Body {
            rust_name: "body".to_owned(),
            content,
            doc,
            required: body.required,
            places,
        })
    }

    /// Where the body's schema is (its first JSON media type's, through one `$ref`) and
    /// where each of its top-level properties is: (member pointer, schema fragment).
    fn body_places(&self, media: &[String], content_at: &str) -> Vec<(String, String)> {
        let is_json = |m: &str| {
            let m = m.split(';').next().unwrap_or_default().trim();
            m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
        };
        let Some(json) = media.iter().find(|m| is_json(m)) else {
            return Vec::new();
        };
        let mut at = join(&join(content_at, json), "schema");
        let mut schema = self.raw.pointer(&at);
        if let Some(target) = schema
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
            .and_then(ref_pointer)
        {
            schema = self.raw.pointer(&target);
            at = target;
        }
        let mut places = vec![(String::new(), format!("#{at}"))];
        if let Some(properties) = schema
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
        {
            for name in properties.keys() {
                places.push((
                    join("", name),
                    format!("#{}", join(&join(&at, "properties"), name)),
                ));
            }
        }
        places
    }

    /// The payloads of the media types under `content_at`: one payload, or an enum named
    /// `enum_name` of several. Inline schemas are named from `hint`.
    fn content(
        &mut self,
        media: &[String],
        content_at: &str,
        hint: &str,
        enum_name: &str,
        doc: ir::Doc,
        request: bool,
    ) -> Option<Content> {
        if media.is_empty() {
            self.diags.error(
                content_at,
                "`content` lists no media type",
                "declare at least one media type, or remove `content`",
            );
            return None;
        }
        let several = media.len() > 1;
        for media_type in media {
            if !is_identifier(&media_variant(media_type)) {
                self.diags.error(
                    &join(content_at, media_type),
                    format!("`{media_type}` is not one media type (ranges like `*/*` are not supported)"),
                    "write a media type such as `application/json` or `image/png`",
                );
                return None;
            }
        }
        let mut payloads: Vec<Payload> = Vec::new();
        let mut failed = false;
        for media_type in media {
            let hint = if several {
                format!("{hint}{}", media_variant(media_type))
            } else {
                hint.to_owned()
            };
            let Some(p) = self.payload(media_type, &join(content_at, media_type), &hint, request)
            else {
                failed = true;
                continue;
            };
            let mut p = p;
            if let Some(other) = payloads.iter().find(|o| o.variant == p.variant) {
                let other = other.media_type.clone();
                let taken = p.variant.clone();
                p.variant = numbered(&taken, "", |n| payloads.iter().any(|o| o.variant == n));
                self.diags.warn(
                    &join(content_at, media_type),
                    format!("media types `{other}` and `{media_type}` both become the Rust variant `{taken}`; this one is `{}`", p.variant),
                    "declare only one of them to choose the name",
                );
            }
            payloads.push(p);
        }
        if failed {
            return None;
        }
        // A request payload that needs an exact media type (poem-openapi's own check would
        // accept others: `Binary` accepts anything) goes through the enum, which checks it.
        let exact = request && payloads.iter().any(|p| p.content_type.is_some());
        if payloads.len() == 1 && !exact {
            return payloads.pop().map(Content::Single);
        }
        // poem-openapi tries the variants in order, and a payload without an exact media
        // type accepts more than its own (`Json` takes any `+json`): exact ones go first.
        payloads.sort_by_key(|p| p.content_type.is_none());
        let enum_name = &self.fresh_type(enum_name, content_at);
        let e = ir::ContentEnum {
            name: enum_name.to_owned(),
            request,
            doc,
            payloads,
        };
        self.contents.insert(enum_name.to_owned(), e.clone());
        Some(Content::Several(e))
    }

    /// One media type's payload.
    fn payload(
        &mut self,
        media_type: &str,
        media_at: &str,
        hint: &str,
        request: bool,
    ) -> Option<Payload> {
        let schema_at = join(media_at, "schema");
        let (main, sub) = media_type.split_once('/').unwrap_or((media_type, ""));
        let is_json =
            media_type == "application/json" || (main == "application" && sub.ends_with("+json"));
        // A media type without a schema carries anything: any JSON value, or any bytes.
        let schema = match self.raw_at(&schema_at).cloned() {
            Some(schema) => schema,
            None if is_json || main == "text" || media_type == FORM || media_type == MULTIPART => {
                Map::new()
            }
            None => binary_schema(),
        };
        // The media type poem-openapi's payload serves and accepts by itself; any other must
        // be set exactly.
        let (kind, own) = if is_json {
            let ty = self.payload_type(&schema, &schema_at, hint)?;
            (PayloadKind::Json(ty), "application/json")
        } else if media_type == FORM && !self.is_parts_object(&schema) {
            self.diags.warn(
                &schema_at,
                "a form-encoded body whose schema is not an object is bytes to the server: the handler gets the body as sent",
                "describe the form's fields as the properties of an object schema",
            );
            (PayloadKind::Binary, "")
        } else if media_type == FORM {
            if !request {
                self.diags.error(media_at, "a form-encoded response is not supported: poem-openapi reads forms, it does not write them", "answer with `application/json`");
                return None;
            }
            let ty = self.payload_type(&schema, &schema_at, hint)?;
            self.form_object(&ty, &schema_at)?;
            (PayloadKind::Form(ty), FORM)
        } else if main == "text" {
            self.unchecked_schema(&schema, media_type, &schema_at, true);
            (PayloadKind::Text, "text/plain")
        } else if media_type == MULTIPART && !self.is_parts_object(&schema) {
            self.diags.warn(
                &schema_at,
                "a `multipart/form-data` body whose schema is not an object of parts is bytes to the server: the handler gets the body as sent",
                "describe the parts as the properties of an object schema",
            );
            (PayloadKind::Binary, "")
        } else if media_type == MULTIPART && !request {
            self.diags.warn(media_at, "a multipart response is bytes: the handler writes the body, boundary and parts itself", "answer with one media type per part, or with JSON");
            (PayloadKind::Binary, "")
        } else if media_type == MULTIPART {
            (
                PayloadKind::Multipart(self.multipart(&schema, &schema_at, hint)?),
                MULTIPART,
            )
        } else {
            self.unchecked_schema(&schema, media_type, &schema_at, false);
            (PayloadKind::Binary, "")
        };
        // Responses always name their media type exactly (poem-openapi would add
        // `; charset=utf-8`); requests only when the payload's own check is not it.
        // A range (`*/*`, `image/*`) is no Content-Type: the payload's own is sent.
        let content_type = ((!request || media_type != own) && !media_type.contains('*'))
            .then(|| media_type.to_owned());
        Some(Payload {
            media_type: media_type.to_owned(),
            kind,
            variant: media_variant(media_type),
            content_type,
            request,
        })
    }

    /// A text (or else bytes) body's schema, which the server does not check: a warning
    /// unless it is a string schema (text may also have none), and no keywords beyond `type`
    /// and `format`.
    fn unchecked_schema(
        &mut self,
        schema: &Map<String, Value>,
        media_type: &str,
        at: &str,
        text: bool,
    ) {
        let string = schema.text("type") == Some("string") || (text && schema.is_empty());
        match (string, text) {
            (true, true) => {
                self.only_keys(schema, &["type", "format"], at, "text");
            }
            (true, false) => {
                self.only_keys(schema, &["type", "format"], at, "binary data");
            }
            (false, true) => self.diags.warn(
                at,
                format!("the `{media_type}` body is text; its schema is not checked"),
                "describe text with `type: string`",
            ),
            (false, false) => self.diags.warn(
                at,
                format!("a `{media_type}` body is bytes to the server; its schema is not checked"),
                "describe it as `type: string, format: binary`",
            ),
        }
    }

    /// Checks that a form-encoded body is an object or a map: its fields are the form's
    /// keys. `codegen_runtime::FormBody` reads it with poem-openapi's own parser.
    fn form_object(&mut self, ty: &str, at: &str) -> Option<()> {
        let fits = self.objects.contains_key(ty) || ty.starts_with("::std::collections::BTreeMap<");
        if !fits {
            self.diags.error(
                at,
                "a form-encoded body must be an object",
                "describe the form's fields as an object schema",
            );
            return None;
        }
        Some(())
    }

    /// A `multipart/form-data` body: an inline object whose properties are the parts. A file
    /// part (`type: string, format: binary`) is an `Upload`; other parts are scalars (or
    /// arrays of them) with their validators, which poem-openapi checks per part.
    fn multipart(&mut self, schema: &Map<String, Value>, at: &str, hint: &str) -> Option<String> {
        let (schema, at) = self.multipart_schema(schema, at)?;
        let (schema, at) = (&schema, at.as_str());
        let deny_unknown_fields = self.multipart_keywords(schema, at);
        let mut ok = deny_unknown_fields.is_some();
        let deny_unknown_fields = deny_unknown_fields.unwrap_or(false);
        let required = schema.strings("required");
        let empty = Map::new();
        let properties = schema.member("properties").unwrap_or(&empty);
        for (i, r) in required.iter().enumerate() {
            if !properties.contains_key(*r) {
                self.diags.error(
                    &format!("{at}/required/{i}"),
                    format!("required part `{r}` is not in `properties`"),
                    format!("add `{r}` under `properties`, or remove it from `required`"),
                );
                ok = false;
            }
        }
        let mut fields: Vec<ir::MultipartField> = Vec::new();
        let mut values: Vec<ir::ValueFn> = Vec::new();
        for (name, part) in properties {
            let here = join(&join(at, "properties"), name);
            let Some(part) = part.as_object() else {
                continue;
            };
            let rust_name = crate::naming::snake_case(name);
            if !is_identifier(&rust_name) || fields.iter().any(|f| f.rust_name == rust_name) {
                self.diags.error(
                    &here,
                    format!("the part name `{name}` does not make a distinct Rust field"),
                    "rename the part",
                );
                ok = false;
                continue;
            }
            let Some(read) = self.multipart_part(name, part, &here, hint, &rust_name, &required)
            else {
                ok = false;
                continue;
            };
            let mut oai = Vec::new();
            if rust_name != *name {
                oai.push(format!("rename = {name:?}"));
            }
            if !read.validators.is_empty() {
                oai.push(crate::render::spelling::validator_arg(&read.validators));
            }
            if let Some(f) = &read.default {
                oai.push(format!("default = {:?}", f.name));
            }
            let optional = !required.contains(&name.as_str()) && read.default.is_none();
            let ty = read.ty;
            values.extend(read.default);
            fields.push(ir::MultipartField {
                rust_name,
                ty: if optional {
                    format!("::std::option::Option<{ty}>")
                } else {
                    ty
                },
                doc: self.text(part.text("description"), &join(&here, "description")),
                oai,
            });
        }
        if !ok {
            return None;
        }
        // Keyed apart from the schema at `at`: a `$ref`'d object is also a component struct.
        let hint = &self.fresh_type(hint, &format!("{at} (multipart parts)"));
        self.multiparts.insert(
            hint.to_owned(),
            ir::Multipart {
                name: hint.to_owned(),
                fields,
                deny_unknown_fields,
                values,
            },
        );
        Some(hint.to_owned())
    }

    /// The schema of a multipart body, read through a `$ref` (whose object is read as if
    /// written here) with where it is; `None` (reported) unless it is an object schema.
    fn multipart_schema(
        &mut self,
        schema: &Map<String, Value>,
        at: &str,
    ) -> Option<(Map<String, Value>, String)> {
        let (schema, at) = {
            match schema.text("$ref") {
                Some(target) => {
                    let (_, found, target_at) = self.component_schema(target, &join(at, "$ref"))?;
                    (found, target_at)
                }
                None => (schema.clone(), at.to_owned()),
            }
        };
        let is_object = match schema.text("type") {
            Some(t) => t == "object",
            None => schema.contains_key("properties"),
        };
        if !is_object {
            self.diags.error(
                &at,
                "a multipart body must be an object schema: its properties are the parts",
                "add `type: object` and list the parts under `properties`",
            );
            return None;
        }
        Some((schema, at))
    }

    /// Checks the keywords of a multipart body's object schema: whether unknown parts are
    /// refused (`additionalProperties: false`), or `None` after an error.
    fn multipart_keywords(&mut self, schema: &Map<String, Value>, at: &str) -> Option<bool> {
        let mut ok = true;
        for key in schema.keys() {
            let allowed = matches!(
                key.as_str(),
                "type" | "properties" | "required" | "additionalProperties"
            ) || key.starts_with("x-")
                || super::schemas::ANNOTATIONS.contains(&key.as_str());
            if !allowed {
                self.diags.error(
                    &join(at, key),
                    format!("`{key}` on a multipart body is not supported"),
                    "remove it; describe the request body instead",
                );
                ok = false;
            }
        }
        let deny_unknown_fields = match schema.get("additionalProperties") {
            None => false,
            Some(Value::Bool(false)) => true,
            Some(_) => {
                self.diags.error(
                    &join(at, "additionalProperties"),
                    "only `additionalProperties: false` is supported on a multipart body",
                    "use `false` to reject unknown parts, or remove it",
                );
                ok = false;
                false
            }
        };
        ok.then_some(deny_unknown_fields)
    }

    /// How one part (`name`, written at `here`) is read: an `Upload` for a file, a `Vec` of
    /// them for an array of files, else the part's value type (JSON in a `JsonField` when
    /// structured), with its validators and its `default` as a function.
    fn multipart_part(
        &mut self,
        name: &str,
        part: &Map<String, Value>,
        here: &str,
        hint: &str,
        rust_name: &str,
        required: &[&str],
    ) -> Option<PartReading> {
        // A part cannot be null: an absent part is what `nullable` can mean here.
        if part.flag("nullable") {
            self.diags.warn(
                &join(here, "nullable"),
                format!("a multipart part cannot be null: `{name}` is read as absent instead"),
                "remove `nullable`; leave the part out of `required` to make it optional",
            );
        }
        let read = if is_file(part) {
            PartReading::of(UPLOAD.to_owned(), Vec::new(), false)
        } else if part.text("type") == Some("array") && part.member("items").is_some_and(is_file) {
            let mut validators = Vec::new();
            if let Some(n) = self.usize_keyword(part, "minItems", here) {
                validators.push(ir::Validator::MinItems(n));
            }
            if let Some(n) = self.usize_keyword(part, "maxItems", here) {
                validators.push(ir::Validator::MaxItems(n));
            }
            PartReading::of(format!("::std::vec::Vec<{UPLOAD}>"), validators, true)
        } else {
            let part_hint = format!("{hint}{}", pascal_case(name).trim_start_matches('_'));
            let typed = self.value_type(part, here, &part_hint)?;
            // Scalars, enums and arrays of them are parts of their own (an array is a
            // repeated part); anything structured is a part holding JSON, which is
            // OpenAPI's default `contentType` for objects and arrays of objects.
            let own = self.is_part_value(&typed.ty)
                || matches!(&typed.ty, ir::Ty::Vec(inner) if self.is_part_value(inner));
            let mut read = if own {
                let repeated = matches!(typed.ty, ir::Ty::Vec(_));
                PartReading::of(typed.ty.to_string(), typed.validators.clone(), repeated)
            } else {
                let ty = format!("::poem_openapi::types::multipart::JsonField<{}>", typed.ty);
                PartReading::of(ty, typed.validators.clone(), false)
            };
            if !required.contains(&name) {
                let owner = (name, rust_name, hint);
                read.default = self.part_default(part, &typed, &read.ty, own, owner, here);
            }
            read
        };
        if required.contains(&name) && read.repeated {
            self.diags.warn(here, format!("a required array part (`{name}`) that is absent reaches the handler as empty: poem-openapi cannot tell them apart"), "add `minItems: 1` if it must not be empty");
        }
        Some(read)
    }

    /// A part's `default` (or its `$ref`'d schema's) as a function of the part's type `ty`
    /// (wrapped in a `JsonField` unless the part is read as its `own` value).
    /// `names`: the part's name, its Rust field and the body's type name.
    fn part_default(
        &mut self,
        part: &Map<String, Value>,
        typed: &super::schemas::Typed,
        ty: &str,
        own: bool,
        (name, rust_name, hint): (&str, &str, &str),
        here: &str,
    ) -> Option<ir::ValueFn> {
        let default_at = join(here, "default");
        let expr = self.default_expr(part, typed, &default_at)?;
        let fn_name = self.claim_fn(
            &format!("default_{}_{}", snake_case(hint), rust_name),
            &default_at,
        );
        let expr = if own {
            expr
        } else {
            format!("::poem_openapi::types::multipart::JsonField({expr})")
        };
        Some(ir::ValueFn {
            name: fn_name,
            ty: ty.to_owned(),
            expr,
            doc: format!("`default` of part `{name}` of `{hint}`."),
        })
    }

    /// True if a multipart schema (maybe a `$ref`) is an object whose properties are parts.
    fn is_parts_object(&self, schema: &Map<String, Value>) -> bool {
        let target = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|t| t.strip_prefix("#/components/schemas/"))
            .and_then(|name| self.raw_at(&join("/components/schemas", name)));
        let schema = target.unwrap_or(schema);
        if ["oneOf", "anyOf", "allOf"]
            .iter()
            .any(|k| schema.contains_key(*k))
        {
            return false;
        }
        match schema.text("type") {
            Some(t) => t == "object",
            None => schema.contains_key("properties"),
        }
    }

    /// Reports keys of a text or binary schema other than `allowed`: poem-openapi serves
    /// these payloads with a fixed schema.
    fn only_keys(
        &mut self,
        schema: &Map<String, Value>,
        allowed: &[&str],
        at: &str,
        what: &str,
    ) -> Option<()> {
        let extra: Vec<&String> = schema
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()) && !k.starts_with("x-"))
            .collect();
        if extra.is_empty() {
            return Some(());
        }
        for key in extra {
            if super::schemas::ANNOTATIONS.contains(&key.as_str()) {
                continue;
            }
            self.diags.warn(
                &join(at, key),
                format!("`{key}` on a {what} body is not checked"),
                "remove it",
            );
        }
        None
    }

    /// The Rust type of a JSON payload's schema (inline schemas are named `hint`).
    fn payload_type(
        &mut self,
        schema: &Map<String, Value>,
        schema_at: &str,
        hint: &str,
    ) -> Option<String> {
        if schema.flag("nullable") {
            self.diags.warn(
                &join(schema_at, "nullable"),
                "a `null` body is rejected: poem-openapi parses the body as the schema's type",
                "wrap the value in an object with a nullable property if `null` must be sent",
            );
        }
        let typed = self.value_type(schema, schema_at, hint)?;
        if !typed.validators.is_empty() {
            self.diags.warn(schema_at, "constraints on a whole payload are not checked: poem-openapi validates fields, not bodies", "wrap the value in an object and constrain its property");
        }
        Some(typed.ty.to_string())
    }

    pub(super) fn responses(
        &mut self,
        op: &openapiv3::Operation,
        op_type: &str,
        at: &str,
    ) -> Vec<ir::Response> {
        let mut out = Vec::new();
        let declared = op
            .responses
            .responses
            .iter()
            .map(|(status, r)| {
                let status = match status {
                    StatusCode::Code(c) => ir::Status::Code(*c),
                    StatusCode::Range(class) => ir::Status::Range(*class),
                };
                (status, r)
            })
            .chain(
                op.responses
                    .default
                    .iter()
                    .map(|r| (ir::Status::Default, r)),
            );
        for (status, response) in declared {
            let r_at = join(at, &status.to_string());
            let Some((response, def_at)) =
                self.component(response, &r_at, "responses", "response", |c, n| {
                    c.responses.get(n)
                })
            else {
                continue;
            };
            let variant = match status {
                ir::Status::Code(c) => status_variant(c),
                ir::Status::Range(_) => format!("Status{status}"),
                ir::Status::Default => "Default".to_owned(),
            };
            let media: Vec<String> = response.content.keys().cloned().collect();
            let body = if media.is_empty() {
                None
            } else {
                let name = format!("{op_type}Response{status}");
                let hint = match status {
                    ir::Status::Code(c) => format!("{op_type}Response{c}"),
                    _ => format!("{op_type}Response{}", pascal_case(&variant)),
                };
                let doc = ir::Doc(vec![format!(
                    "The media types of the `{status}` response of `{}`.",
                    crate::render::spelling::one_line(
                        op.operation_id.as_deref().unwrap_or_default()
                    )
                )]);
                let content = self.content(
                    &media,
                    &join(&def_at, "content"),
                    &hint,
                    &format!("{name}Content"),
                    doc,
                    false,
                );
                if content.is_none() {
                    continue;
                }
                content
            };
            let headers = self.response_headers(response, &def_at);
            out.push(ir::Response {
                status,
                variant,
                doc: self.text(Some(&response.description), &join(&def_at, "description")),
                body,
                headers,
                origin: def_at,
            });
        }
        out.sort_by_key(|r| r.status);
        out
    }

    fn response_headers(&mut self, response: &openapiv3::Response, at: &str) -> Vec<ir::Header> {
        let mut headers = Vec::new();
        for (name, header) in &response.headers {
            let h_at = join(&join(at, "headers"), name);
            let Some((header, h_at)) =
                self.component(header, &h_at, "headers", "header", |c, n| c.headers.get(n))
            else {
                continue;
            };
            // Constraints on a response header describe what the handler sends; responses
            // are not validated, so only the type matters here.
            let schema = self
                .raw_at(&join(&h_at, "schema"))
                .cloned()
                .unwrap_or_default();
            let schema_at = join(&h_at, "schema");
            let is_scalar = matches!(
                schema.text("type"),
                Some("string" | "integer" | "number" | "boolean")
            );
            let scalar = if is_scalar {
                self.scalar(&schema, &schema_at)
            } else {
                None
            };
            // poem-openapi writes headers from these types only; the handler formats others.
            let ty = match scalar.map(|s| s.ty.to_string()) {
                Some(t)
                    if matches!(
                        t.as_str(),
                        "::std::string::String"
                            | "bool"
                            | "i8"
                            | "i16"
                            | "i32"
                            | "i64"
                            | "u8"
                            | "u16"
                            | "u32"
                            | "u64"
                            | "f32"
                            | "f64"
                            | "::codegen_runtime::uuid::Uuid"
                    ) =>
                {
                    t
                }
                _ => {
                    self.diags.warn(
                        &schema_at,
                        format!("response header `{name}` is sent as the text the handler gives: poem-openapi writes headers from strings, numbers, booleans and UUIDs only"),
                        "format the value in the handler",
                    );
                    "::std::string::String".to_owned()
                }
            };
            headers.push(ir::Header {
                name: name.clone(),
                ty: if header.required {
                    ty
                } else {
                    format!("::std::option::Option<{ty}>")
                },
                doc: self.text(header.description.as_deref(), &join(&h_at, "description")),
            });
        }
        headers
    }
}

/// `type: string, format: binary`: what a media type without a schema carries.
fn binary_schema() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), "string".into());
    m.insert("format".into(), "binary".into());
    m
}

impl Resolver<'_> {
    /// A value poem-openapi reads from a multipart part's text: a scalar of any format, a
    /// patterned string or an enum.
    fn is_part_value(&self, ty: &ir::Ty) -> bool {
        match ty {
            ir::Ty::Scalar(s) => *s != ir::Scalar::Any,
            ir::Ty::Named(n) => self.enums.contains_key(n),
            _ => false,
        }
    }
}

/// The variant of a media type in a content enum: `Json`, `Text`, `Form`, else the media
/// type in Pascal case (`ProblemJson`, `OctetStream`, `ImagePng`).
fn media_variant(media_type: &str) -> String {
    match media_type {
        "application/json" => "Json".to_owned(),
        "text/plain" => "Text".to_owned(),
        FORM => "Form".to_owned(),
        MULTIPART => "Multipart".to_owned(),
        "*/*" | "*" => "Any".to_owned(),
        _ if media_type.ends_with("/*") => {
            format!("Any{}", pascal_case(media_type.trim_end_matches("/*")))
        }
        _ => match media_type.strip_prefix("application/") {
            Some(sub) => pascal_case(sub),
            None => pascal_case(media_type),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::media_variant;

    #[test]
    fn media_types_name_their_variants() {
        assert_eq!(media_variant("application/json"), "Json");
        assert_eq!(media_variant("text/plain"), "Text");
        assert_eq!(media_variant("application/x-www-form-urlencoded"), "Form");
        assert_eq!(media_variant("application/problem+json"), "ProblemJson");
        assert_eq!(media_variant("image/png"), "ImagePng");
        assert_eq!(media_variant("*/*"), "Any");
        assert_eq!(media_variant("image/*"), "AnyImage");
    }
}
