//! How the IR is spelt in Rust: every type, attribute, path and expression the templates
//! print, as methods on the IR types (and a few free functions), so that `ir` holds what
//! was decided and this module how it reads in the generated code.

use std::fmt::{self, Write as _};

use crate::ir::{
    Auth, Body, Content, Doc, Enum, Extractor, Field, Header, MultipartField, Object, Operation,
    Param, Payload, PayloadKind, ProblemField, ProblemMember, Reading, Response, Scalar,
    SecurityScheme, Status, Ty, Union, UnionVariant, Validator, Variant,
};

/// The crate generated code uses at run time, and through which it names `chrono`, `uuid`,
/// `regex` and `serde_json`.
pub const RUNTIME: &str = "::codegen_runtime";

/// The start of the type of a patterned string: `::codegen_runtime::Matching<Pattern1>`.
pub const MATCHING: &str = "::codegen_runtime::Matching<";

/// The media type poem-openapi's `Json<T>` answers with when none is declared.
const JSON_UTF8: &str = "application/json; charset=utf-8";

impl ProblemField {
    /// The Rust expression that fills the field (`status` and `err` are in scope).
    pub fn expr(&self) -> String {
        let value = match &self.member {
            ProblemMember::Type => "::std::string::String::from(\"about:blank\")".to_owned(),
            ProblemMember::Title => {
                "::std::string::String::from(status.canonical_reason().unwrap_or(\"Error\"))"
                    .to_owned()
            }
            ProblemMember::Detail => "::codegen_runtime::rejection_detail(err)".to_owned(),
            ProblemMember::Status(ty) => format!("{ty}::from(status.as_u16())"),
            // Already an `Option`: the problems as the field's list type, or none.
            ProblemMember::Errors => return "::codegen_runtime::rejection_errors(err)".to_owned(),
            ProblemMember::RequestId => {
                return "::codegen_runtime::current_request_id()".to_owned()
            }
            ProblemMember::Absent => return "::std::option::Option::None".to_owned(),
        };
        if self.optional {
            format!("::std::option::Option::Some({value})")
        } else {
            value
        }
    }
}

impl Union {
    /// The enum's `#[oai(...)]` attribute.
    pub fn attr(&self) -> String {
        let mut args = vec![format!("rename = {:?}", self.name)];
        if self.one_of {
            args.push("one_of".to_owned());
        }
        if let Some(d) = &self.discriminator {
            args.push(format!("discriminator_name = {d:?}"));
        }
        oai_attr(&args)
    }
}

impl UnionVariant {
    /// The variant's `#[oai(mapping = ...)]`, or nothing.
    pub fn attr(&self) -> String {
        match &self.mapping {
            Some(m) => oai_attr(&[format!("mapping = {m:?}")]),
            None => String::new(),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rust = match self {
            Scalar::Bool => "bool",
            Scalar::I8 => "i8",
            Scalar::I16 => "i16",
            Scalar::I32 => "i32",
            Scalar::I64 => "i64",
            Scalar::U8 => "u8",
            Scalar::U16 => "u16",
            Scalar::U32 => "u32",
            Scalar::U64 => "u64",
            Scalar::F32 => "f32",
            Scalar::F64 => "f64",
            Scalar::String => "::std::string::String",
            Scalar::Matching(pattern) => return write!(f, "{MATCHING}{pattern}>"),
            Scalar::StrictString => "::codegen_runtime::StrictString",
            Scalar::DateTime => {
                "::codegen_runtime::chrono::DateTime<::codegen_runtime::chrono::FixedOffset>"
            }
            Scalar::Date => "::codegen_runtime::chrono::NaiveDate",
            Scalar::Uuid => "::codegen_runtime::uuid::Uuid",
            Scalar::Email => "::poem_openapi::types::Email",
            Scalar::Password => "::poem_openapi::types::Password",
            Scalar::Any => "::codegen_runtime::serde_json::Value",
        };
        f.write_str(rust)
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Scalar(s) => write!(f, "{s}"),
            Ty::Named(b) => f.write_str(b),
            Ty::Vec(t) => write!(f, "::std::vec::Vec<{t}>"),
            Ty::Map(t) => write!(
                f,
                "::std::collections::BTreeMap<::std::string::String, {t}>"
            ),
            Ty::Boxed(t) => write!(f, "::std::boxed::Box<{t}>"),
            Ty::Nullable(t) => write!(f, "::std::option::Option<{t}>"),
        }
    }
}

impl SecurityScheme {
    /// The struct's `#[oai(...)]` attribute.
    pub fn attr(&self) -> String {
        let mut args = vec![format!("rename = {:?}", self.name)];
        args.extend(self.oai.iter().cloned());
        oai_attr(&args)
    }
}

impl Auth {
    /// The type the handler method declares.
    pub fn handler_type(&self) -> String {
        match self.scopes {
            Some(_) => format!("::codegen_runtime::Scoped<{}>", self.handler_ty),
            None => self.handler_ty.clone(),
        }
    }

    /// The adapter's expression for the handler's argument.
    pub fn handler_arg(&self) -> String {
        let value = format!("{}{}", self.rust_name, self.to_handler);
        match &self.scopes {
            Some(scopes) => {
                let list: Vec<String> = scopes.iter().map(|s| format!("{s:?}")).collect();
                format!(
                    "::codegen_runtime::Scoped {{ credentials: {value}, scopes: &[{}] }}",
                    list.join(", ")
                )
            }
            None => value,
        }
    }
}

impl Extractor {
    /// The Rust path of the extractor type.
    pub fn rust_path(self) -> &'static str {
        match self {
            Extractor::Path => "::codegen_runtime::PathParam",
            Extractor::Query => "::poem_openapi::param::Query",
            Extractor::Header => "::poem_openapi::param::Header",
            Extractor::Cookie => "::poem_openapi::param::Cookie",
            Extractor::PathPiece => "::codegen_runtime::PathPiece",
            Extractor::QueryObject => "::codegen_runtime::QueryObject",
        }
    }
}

impl Body {
    /// The type the handler receives: the value of a single payload, else the enum.
    pub fn handler_type(&self) -> String {
        let ty = match &self.content {
            Content::Single(p) => p.value_type(),
            Content::Several(e) => e.name.clone(),
        };
        if self.required {
            ty
        } else {
            format!("::std::option::Option<{ty}>")
        }
    }

    /// The adapter argument's type: the payload (or enum), wrapped in `OptionalBody` when
    /// the body is optional.
    pub fn extractor_type(&self) -> String {
        if self.required {
            self.content.rust_type()
        } else {
            format!("{RUNTIME}::OptionalBody<{}>", self.content.rust_type())
        }
    }

    /// What turns the extracted body into the handler's (`.0` unwraps a single payload;
    /// a multipart struct is its own payload).
    pub fn to_handler(&self) -> &'static str {
        let single = matches!(&self.content, Content::Single(p) if !matches!(p.kind, PayloadKind::Multipart(_)));
        match (self.required, single) {
            (true, true) => ".0",
            (true, false) => "",
            (false, true) => ".0.map(|b| b.0)",
            (false, false) => ".0",
        }
    }
}

impl fmt::Display for Status {
    /// As the spec writes it: `200`, `4XX`, `default`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Code(c) => write!(f, "{c}"),
            Status::Range(class) => write!(f, "{class}XX"),
            Status::Default => f.write_str("default"),
        }
    }
}

impl Content {
    /// The Rust type that carries the body in the adapter and the response enum.
    pub fn rust_type(&self) -> String {
        match self {
            Content::Single(p) => p.rust_type(),
            Content::Several(e) => e.name.clone(),
        }
    }

    /// The response variant's `content_type` override (single media types only).
    pub fn content_type(&self) -> Option<&str> {
        match self {
            Content::Single(p) => p.content_type.as_deref(),
            Content::Several(_) => None,
        }
    }
}

impl MultipartField {
    /// The field's `#[oai(...)]` attribute, or nothing.
    pub fn attr(&self) -> String {
        oai_attr(&self.oai)
    }
}

impl Payload {
    /// The payload type (`::poem_openapi::payload::Json<Item>`).
    pub fn rust_type(&self) -> String {
        match &self.kind {
            PayloadKind::Json(t) if self.request => format!("{RUNTIME}::JsonBody<{t}>"),
            PayloadKind::Multipart(t) => t.clone(),
            PayloadKind::Form(t) => format!("{RUNTIME}::FormBody<{t}>"),
            _ => format!(
                "::poem_openapi::payload::{}",
                self.wrapper_with(&self.value_type())
            ),
        }
    }

    fn wrapper_with(&self, value: &str) -> String {
        match &self.kind {
            PayloadKind::Json(_) => format!("Json<{value}>"),
            PayloadKind::Text => format!("PlainText<{value}>"),
            PayloadKind::Binary => format!("Binary<{value}>"),
            PayloadKind::Form(_) => format!("{RUNTIME}::FormBody<{value}>"),
            PayloadKind::Multipart(_) => value.to_owned(),
        }
    }

    /// The value inside the payload, as handlers see it (`Item`, `String`, `Vec<u8>`).
    pub fn value_type(&self) -> String {
        match &self.kind {
            PayloadKind::Json(t) | PayloadKind::Form(t) | PayloadKind::Multipart(t) => t.clone(),
            PayloadKind::Text => "::std::string::String".to_owned(),
            PayloadKind::Binary => "::std::vec::Vec<u8>".to_owned(),
        }
    }

    /// The variant's `#[oai(content_type = ...)]`, or nothing.
    pub fn attr(&self) -> String {
        match &self.content_type {
            Some(c) => oai_attr(&[format!("content_type = {c:?}")]),
            None => String::new(),
        }
    }
}

impl Variant {
    /// The expression answering the rejection `err` with this variant.
    pub fn answer(&self, response_enum: &str) -> String {
        let status = if self.with_status {
            "err.status(), "
        } else {
            ""
        };
        format!(
            "{response_enum}::{}({status}::poem_openapi::payload::Json({}::from(&err)))",
            self.name, self.body
        )
    }
}

impl fmt::Display for Doc {
    /// Renders as `///` lines; a leading space keeps Markdown in the text intact.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.0 {
            if line.is_empty() {
                f.write_str("///\n")?;
            } else {
                writeln!(f, "/// {line}")?;
            }
        }
        Ok(())
    }
}

impl Object {
    /// The struct's `#[oai(...)]` attribute: the spec name, and the flags it needs.
    pub fn attr(&self) -> String {
        let mut args = vec![format!("rename = {:?}", self.name)];
        if self.deny_unknown_fields {
            args.push("deny_unknown_fields".to_owned());
        }
        if self.deprecated {
            args.push("deprecated".to_owned());
        }
        oai_attr(&args)
    }
}

impl Field {
    /// The field's `#[oai(...)]` attribute, or nothing.
    pub fn attr(&self) -> String {
        oai_attr(&self.oai)
    }

    /// The field's Rust type, `Option<…>` included.
    pub fn rust_type(&self) -> String {
        if self.optional {
            format!("::std::option::Option<{}>", self.ty)
        } else {
            self.ty.to_string()
        }
    }

    /// The statement of `WriteJson` that writes this field as poem-openapi's `Object`
    /// derive serializes it: left out if `write_only`, or if `None` and
    /// `skip_serializing_if_is_none`; else a member named as on the wire.
    pub fn write_member(&self) -> Option<String> {
        // Read from the attribute the derive reads, so the two cannot disagree.
        let has = |flag: &str| self.oai.iter().any(|a| a == flag);
        if has("write_only") {
            return None;
        }
        // The member's key as JSON text, escaped as serde_json escapes it.
        let key = serde_json::to_string(&self.name).expect("a string serializes");
        let member = format!(
            "object.member({}, &self.{});",
            literal(&key),
            self.rust_name
        );
        Some(if has("skip_serializing_if_is_none") {
            format!(
                "if !::poem_openapi::types::Type::is_none(&self.{}) {{ {member} }}",
                self.rust_name
            )
        } else {
            member
        })
    }
}

impl Enum {
    /// Each variant and the JSON text of its value (`"\"on\""`), as the `Enum` derive
    /// writes it.
    pub fn json_values(&self) -> Vec<(String, String)> {
        self.variants
            .iter()
            .map(|(value, variant)| {
                let json = serde_json::to_string(value).expect("a string serializes");
                (variant.clone(), literal(&json))
            })
            .collect()
    }

    /// The enum's `#[oai(...)]` attribute: the served name, and `deprecated`.
    pub fn attr(&self) -> String {
        let mut args = vec![format!("rename = {:?}", self.name)];
        if self.deprecated {
            args.push("deprecated".to_owned());
        }
        oai_attr(&args)
    }
}

impl Param {
    /// The parameter's `#[oai(...)]` attribute, or nothing: its arguments, then its
    /// constraints (for the document poem-openapi derives; the check is its `Rules` type).
    pub fn attr(&self) -> String {
        if self.validators.is_empty() {
            return oai_attr(&self.oai);
        }
        let mut args = self.oai.clone();
        args.push(validator_arg(&self.validators));
        oai_attr(&args)
    }

    /// The poem-openapi extractor of the parameter (`::poem_openapi::param::Query<i32>`).
    pub fn extractor_ty(&self) -> String {
        format!("{}<{}>", self.extractor.rust_path(), self.wire_ty())
    }

    /// `ty`, or `Option<ty>` when the value may be absent.
    fn optional(&self, ty: String) -> String {
        if self.present {
            ty
        } else {
            format!("::std::option::Option<{ty}>")
        }
    }

    /// The extractor's type arguments: the value's type in the wrapper that reads it
    /// (`Delimited<Vec<i32>, ','>`), `Option` when it may be absent; for a segment's piece,
    /// its marker type and place.
    pub fn wire_ty(&self) -> String {
        let value = &self.value;
        let wire = match self.reading {
            Reading::Poem => self.optional(value.to_string()),
            Reading::Delimited(sep) => {
                self.optional(format!("::codegen_runtime::Delimited<{value}, {sep:?}>"))
            }
            Reading::Json => self.optional(format!("::codegen_runtime::JsonParam<{value}>")),
            Reading::Object { deep } => format!("{}, {deep}", self.optional(value.to_string())),
        };
        match &self.segment {
            Some((marker, i)) => format!("{wire}, {marker}, {i}"),
            None => wire,
        }
    }

    /// The type the handler receives (`String` for a patterned string, `Option<i32>`).
    pub fn handler_ty(&self) -> String {
        match &self.value {
            Ty::Scalar(Scalar::Matching(_)) => self.optional("::std::string::String".to_owned()),
            value => self.optional(value.to_string()),
        }
    }

    /// What turns the extracted value into the handler's (`.into_inner()` of a `Matching`,
    /// `.0` of a `Delimited`), usually nothing.
    pub fn to_handler(&self) -> &'static str {
        let matching = matches!(self.value, Ty::Scalar(Scalar::Matching(_)));
        match (matching, self.present, self.reading) {
            (true, true, _) => ".into_inner()",
            (true, false, _) => ".map(::codegen_runtime::Matching::into_inner)",
            (false, _, Reading::Poem | Reading::Object { .. }) => "",
            (false, true, Reading::Delimited(_) | Reading::Json) => ".0",
            (false, false, Reading::Delimited(_)) => ".map(|d| d.0)",
            (false, false, Reading::Json) => ".map(|j| j.0)",
        }
    }

    /// The adapter's argument type: the extractor in `codegen_runtime::Checked`, which notes
    /// a failure for `ParamsChecked` instead of rejecting at once. poem-openapi's derive knows
    /// a path parameter by a type path segment named `Path`, hence `param::Path` for those.
    pub fn checked_ty(&self) -> String {
        let rules = self
            .rules
            .as_deref()
            .unwrap_or("::codegen_runtime::NoRules");
        if self.extractor == Extractor::Path {
            format!(
                "::codegen_runtime::param::Path<{}, {rules}>",
                self.wire_ty()
            )
        } else {
            format!(
                "::codegen_runtime::Checked<{}, {rules}>",
                self.extractor_ty()
            )
        }
    }
}

impl Validator {
    /// The argument of poem-openapi's `#[oai(validator(...))]` (`max_length = 5`).
    pub fn attr(&self) -> String {
        match self {
            Validator::MinLength(n) => format!("min_length = {n}"),
            Validator::MaxLength(n) => format!("max_length = {n}"),
            Validator::Pattern(p) => format!("pattern = {p:?}"),
            Validator::Minimum { value, exclusive } => bound("minimum", *value, *exclusive),
            Validator::Maximum { value, exclusive } => bound("maximum", *value, *exclusive),
            Validator::MultipleOf(n) => format!("multiple_of = {n:?}"),
            Validator::MinItems(n) => format!("min_items = {n}"),
            Validator::MaxItems(n) => format!("max_items = {n}"),
            Validator::UniqueItems => "unique_items".to_owned(),
            Validator::MinProperties(n) => format!("min_properties = {n}"),
            Validator::MaxProperties(n) => format!("max_properties = {n}"),
            Validator::Among(_) => format!("custom = {:?}", self.expr()),
        }
    }

    /// The validator as the expression poem-openapi's derive builds from [`Self::attr`].
    pub fn expr(&self) -> String {
        const V: &str = "::poem_openapi::validation";
        match self {
            Validator::MinLength(n) => format!("{V}::MinLength::new({n})"),
            Validator::MaxLength(n) => format!("{V}::MaxLength::new({n})"),
            Validator::Pattern(p) => format!("{V}::Pattern::new({p:?})"),
            Validator::Minimum { value, exclusive } => {
                format!("{V}::Minimum::new({value:?}, {exclusive})")
            }
            Validator::Maximum { value, exclusive } => {
                format!("{V}::Maximum::new({value:?}, {exclusive})")
            }
            Validator::MultipleOf(n) => format!("{V}::MultipleOf::new({n:?})"),
            Validator::MinItems(n) => format!("{V}::MinItems::new({n})"),
            Validator::MaxItems(n) => format!("{V}::MaxItems::new({n})"),
            Validator::UniqueItems => format!("{V}::UniqueItems::new()"),
            Validator::MinProperties(n) => format!("{V}::MinProperties::new({n})"),
            Validator::MaxProperties(n) => format!("{V}::MaxProperties::new({n})"),
            Validator::Among(values) => {
                format!("::codegen_runtime::Among(&[{}])", values.join(", "))
            }
        }
    }
}

/// `minimum(value = "1")`, `maximum(value = "9.5", exclusive)`.
fn bound(key: &str, value: f64, exclusive: bool) -> String {
    let exclusive = if exclusive { ", exclusive" } else { "" };
    format!("{key}(value = {:?}{exclusive})", value.to_string())
}

/// `validator(min_length = 1, max_length = 64)`: the `#[oai(...)]` argument of `validators`.
pub fn validator_arg(validators: &[Validator]) -> String {
    let args: Vec<String> = validators.iter().map(Validator::attr).collect();
    format!("validator({})", args.join(", "))
}

impl Operation {
    /// The adapter method's `#[oai(...)]` attribute.
    pub fn attr(&self) -> String {
        let mut args = vec![
            format!("path = {:?}", self.route),
            format!("method = {:?}", self.http_method.as_str()),
        ];
        if self.id_declared {
            args.push(format!("operation_id = {:?}", self.id));
        }
        args.extend(self.tags.iter().map(|t| format!("tag = \"Tags::{t}\"")));
        if self.deprecated {
            args.push("deprecated".to_owned());
        }
        oai_attr(&args)
    }

    /// `PUT /items/{item_id}`, for doc comments.
    pub fn route_doc(&self) -> String {
        format!("{} {}", self.http_method.as_str().to_uppercase(), self.path)
    }
}

impl Response {
    /// The variant's `#[oai(...)]` attribute: status (or range; none for `default`), and the
    /// media type if it has a single one.
    pub fn attr(&self) -> String {
        let mut args = match self.status {
            Status::Code(c) => vec![format!("status = {c}")],
            Status::Range(_) => vec![format!("status_range = \"{}\"", self.status)],
            Status::Default => vec![],
        };
        if let Some(c) = self.body.as_ref().and_then(Content::content_type) {
            args.push(format!("content_type = {c:?}"));
        }
        oai_attr(&args)
    }

    /// A `default` response without content: poem-openapi needs a payload type to carry
    /// its status, so it carries `codegen_runtime::NoContent`.
    pub fn is_bodiless_default(&self) -> bool {
        self.body.is_none() && self.status == Status::Default
    }

    /// True if the variant carries a status, a body or headers (and so is a tuple variant).
    pub fn has_fields(&self) -> bool {
        self.status.is_chosen() || self.body.is_some() || !self.headers.is_empty()
    }
}

/// One argument of an operation's endpoint, extracted as poem-openapi's `#[OpenApi]`
/// derive extracts the adapter method's argument.
pub struct Argument {
    /// The extracted type (the adapter method's argument type).
    pub ty: String,
    /// The name the derive passes in `ExtractParamOptions`: `param0`, `param1`, … for path
    /// parameters, else the `#[oai(name)]` or the argument's name.
    pub name: String,
    /// The `default_value` it passes: `Some(f)` for `#[oai(default = "f")]`.
    pub default: String,
}

impl Operation {
    /// The `::poem::http::Method` constant of its method (`GET`).
    pub fn method_const(&self) -> String {
        self.http_method.as_str().to_ascii_uppercase()
    }

    /// The operation id the derive marks responses with (`Some("getItem")`), when declared.
    pub fn operation_id(&self) -> String {
        match self.id_declared {
            true => format!("::std::option::Option::Some({})", literal(&self.id)),
            false => "::std::option::Option::None".to_owned(),
        }
    }

    /// The adapter method's arguments in order, with what the derive extracts them with.
    pub fn arguments(&self) -> Vec<Argument> {
        let unraw = |name: &str| name.trim_start_matches("r#").to_owned();
        let none = || "::std::option::Option::None".to_owned();
        let mut arguments = Vec::new();
        if let Some(a) = &self.auth {
            arguments.push((a.ty.clone(), unraw(&a.rust_name), none()));
        }
        for p in &self.params {
            // The `#[oai(default = "f")]` the derive reads, read from the same attribute.
            let default = p
                .oai
                .iter()
                .find_map(|a| a.strip_prefix("default = "))
                .map(|f| format!("::std::option::Option::Some({})", f.trim_matches('"')))
                .unwrap_or_else(none);
            arguments.push((p.checked_ty(), p.name.clone(), default));
        }
        if let Some(checked) = &self.params_checked {
            arguments.push((
                "::codegen_runtime::ParamsChecked".to_owned(),
                unraw(checked),
                none(),
            ));
        }
        if let Some(b) = &self.body {
            arguments.push((b.extractor_type(), unraw(&b.rust_name), none()));
        }
        // The derive names a path parameter by its place: any argument whose type's path
        // has a segment `Path` (its test, kept as it is).
        let mut path_params = 0;
        arguments
            .into_iter()
            .map(|(ty, name, default)| {
                let outer = ty.split('<').next().unwrap_or(&ty);
                let name = match outer.split("::").any(|segment| segment.trim() == "Path") {
                    true => {
                        path_params += 1;
                        format!("param{}", path_params - 1)
                    }
                    false => name,
                };
                Argument { ty, name, default }
            })
            .collect()
    }
}

impl Response {
    /// The arm of the generated `Respond` impl for this variant: the response poem-openapi's
    /// `ApiResponse` derive makes of it, step for step (the body's own response, the status,
    /// each header that converts, the declared media type), but for a JSON body, which is
    /// written by `WriteJson` instead of through a `serde_json::Value`.
    pub fn respond_arm(&self, response_enum: &str) -> String {
        let media = self.body.is_some() || self.is_bodiless_default();
        let mut fields = Vec::new();
        if self.status.is_chosen() {
            fields.push("status".to_owned());
        }
        if media {
            fields.push("media".to_owned());
        }
        fields.extend((0..self.headers.len()).map(|i| format!("__p{i}")));
        let pattern = match fields.is_empty() {
            true => format!("{response_enum}::{}", self.variant),
            false => format!("{response_enum}::{}({})", self.variant, fields.join(", ")),
        };
        let status = match self.status {
            Status::Code(c) => {
                format!("::poem::http::StatusCode::from_u16({c}).expect(\"a declared status\")")
            }
            _ => "status".to_owned(),
        };
        let mut body = String::new();
        let json = matches!(
            &self.body,
            Some(Content::Single(Payload {
                kind: PayloadKind::Json(_),
                request: false,
                ..
            }))
        );
        let declared = self.body.as_ref().and_then(Content::content_type);
        if media {
            match json {
                // The declared media type at once, where the derive replaces poem's later.
                true => writeln!(
                    body,
                    "let mut resp = {RUNTIME}::json_response(&media.0, {});",
                    literal(declared.unwrap_or(JSON_UTF8))
                ),
                false => writeln!(
                    body,
                    "let mut resp = ::poem::IntoResponse::into_response(media);"
                ),
            }
            .expect("writing to a String");
            writeln!(body, "resp.set_status({status});").expect("writing to a String");
        } else {
            writeln!(
                body,
                "#[allow(unused_mut)]\nlet mut resp = ::poem::IntoResponse::into_response({status});"
            )
            .expect("writing to a String");
        }
        for (i, h) in self.headers.iter().enumerate() {
            writeln!(
                body,
                "if let ::std::option::Option::Some(header) = ::poem_openapi::types::ToHeader::to_header(&__p{i}) {{\n\
                 resp.headers_mut().insert(::poem::http::header::HeaderName::from_static({}), header);\n}}",
                literal(&h.name.to_ascii_lowercase())
            )
            .expect("writing to a String");
        }
        if let Some(c) = declared.filter(|_| !json) {
            writeln!(
                body,
                "resp.headers_mut().insert(::poem::http::header::CONTENT_TYPE, ::poem::http::HeaderValue::from_static({}));",
                literal(c)
            )
            .expect("writing to a String");
        }
        format!("{pattern} => {{\n{body}resp\n}}")
    }
}

impl Header {
    /// The header field's `#[oai(header = ...)]` attribute.
    pub fn attr(&self) -> String {
        oai_attr(&[format!("header = {:?}", self.name)])
    }
}

/// `s` with control characters escaped (`\n`), for a single `///` line.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A Rust string literal for `s`.
pub fn literal(s: &str) -> String {
    format!("{s:?}")
}

/// A string literal for long text (an embedded document): raw, with as many `#` as it needs,
/// so the text stays readable in the generated file. Text with a carriage return is escaped
/// instead: rustc turns a CRLF inside a literal into LF.
pub fn raw_literal(s: &str) -> String {
    if s.contains('\r') {
        return literal(s);
    }
    let mut hashes = String::new();
    while s.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{s}\"{hashes}")
}

/// Formats `#[oai(a, b)]`, or nothing when there are no arguments.
pub fn oai_attr(args: &[String]) -> String {
    if args.is_empty() {
        return String::new();
    }
    let mut s = String::from("#[oai(");
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = write!(s, "{a}");
    }
    s.push_str(")]");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_keeps_summary_then_blank_then_description() {
        let doc = Doc::summary_and_description(Some("List items"), Some("In id order.\nPaged."));

        assert_eq!(
            doc.to_string(),
            "/// List items\n///\n/// In id order.\n/// Paged.\n"
        );
    }

    #[test]
    fn oai_attr_is_empty_without_arguments() {
        assert_eq!(oai_attr(&[]), "");
        assert_eq!(
            oai_attr(&["nullable".into(), "rename = \"a\"".into()]),
            "#[oai(nullable, rename = \"a\")]"
        );
    }
}
