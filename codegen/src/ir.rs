//! The intermediate model: the contract between `resolve` and `render`.
//!
//! Everything here is a finished decision: Rust names, doc lines, status codes, validator
//! attributes, and the JSON pointer each item came from. No `openapiv3` types leak in, and
//! templates only print what they find here (they branch on plain booleans and options, never
//! on spec details). Order is deterministic: operations in spec order, responses by ascending
//! status, schemas by name.

use std::fmt;

/// A whole API, ready to render.
#[derive(Debug, Clone)]
pub struct Api {
    /// The spec's name as diagnostics and headers print it (`openapi/items.yaml`).
    pub source: String,
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`, if any.
    pub description: Option<String>,
    /// Tags, in the order of the document's `tags` list, then first use.
    pub tags: Vec<Tag>,
    /// Object schemas, named and inline, by Rust name.
    pub objects: Vec<Object>,
    /// String enums, named and inline, by Rust name.
    pub enums: Vec<Enum>,
    /// `oneOf`/`anyOf` unions, named and inline, by Rust name.
    pub unions: Vec<Union>,
    /// Operations, in spec order.
    pub operations: Vec<Operation>,
    /// Enums of media types, for bodies with several.
    pub contents: Vec<ContentEnum>,
    /// `multipart/form-data` bodies, by Rust name.
    pub multiparts: Vec<Multipart>,
    /// Security schemes from `components/securitySchemes`, by Rust name.
    pub security_schemes: Vec<SecurityScheme>,
    /// Enums of alternative security schemes, for operations that accept several.
    pub auth_enums: Vec<AuthEnum>,
    /// Credentials required together (a requirement of several schemes), by type name.
    pub auth_all: Vec<AuthAll>,
    /// Schemas used as bodies of request-error responses (400, 413, 415), by name: each gets a
    /// `From<&poem::Error>` implementation.
    pub rejection_bodies: Vec<RejectionBody>,
    /// Patterns of strings, each a marker type for `Matching<_>`, by number.
    pub patterns: Vec<PatternType>,
    /// Path segments mixing text and parameters, each a marker type for `PathPiece<_>`.
    pub segments: Vec<SegmentType>,
    /// The constraints of parameters, each a `codegen_runtime::Rules` type shared by the
    /// parameters with the same extractor and constraints, in order of first use.
    pub param_rules: Vec<ParamRules>,
}

/// A type implementing `codegen_runtime::Rules` for one parameter extractor: the spec's
/// constraints, checked with every other parameter's before the request is rejected.
#[derive(Debug, Clone)]
pub struct ParamRules {
    /// Type name (`ItemIdRules`).
    pub name: String,
    /// The extractor it checks (`::poem_openapi::param::Query<i32>`).
    pub extractor_ty: String,
    /// The constraints.
    pub validators: Vec<Validator>,
    /// The parameters it checks, as `name` of `operationId`, for its doc comment.
    pub used_by: Vec<String>,
}

/// A routed path segment that path parameters are read from (`{Sid}.json` routed as one
/// poem parameter; in such a path every path parameter is read this way).
#[derive(Debug, Clone)]
pub struct SegmentType {
    /// Marker type name.
    pub name: String,
    /// poem-openapi's name for the routed segment (`param2`).
    pub route_param: String,
    /// The literal text before, between and after the segment's parameters.
    pub literals: Vec<String>,
}

/// A pattern compiled once, for strings parsed as `Matching<Name>`.
#[derive(Debug, Clone)]
pub struct PatternType {
    /// Marker type name.
    pub name: String,
    /// The pattern as the spec writes it.
    pub pattern: String,
    /// Compiled with `fancy_regex` (look-around, back-references) rather than `regex`.
    pub fancy: bool,
}

/// An RFC 9457 problem schema that a rejected request is turned into.
#[derive(Debug, Clone)]
pub struct RejectionBody {
    /// Rust type name.
    pub ty: String,
    /// Each field and what fills it; empty unless `fill` is [`RejectionFill::Problem`].
    pub fields: Vec<ProblemField>,
    /// How the body is made from the rejection.
    pub fill: RejectionFill,
}

/// A field of a problem-details body made from a rejected request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemField {
    /// Rust field name.
    pub rust_name: String,
    /// What fills it.
    pub member: ProblemMember,
    /// Whether the field is an `Option`.
    pub optional: bool,
}

/// What fills a member of RFC 9457 problem details from a rejected request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemMember {
    /// `type`: `about:blank`.
    Type,
    /// `title`: the status's reason phrase.
    Title,
    /// `detail`: every problem of the request, in words.
    Detail,
    /// `status`, of the integer type given.
    Status(Scalar),
    /// `errors`: each problem with its location, pointer and place in the spec.
    Errors,
    /// `instance`: the id the server serves the request under.
    RequestId,
    /// Any other optional member: absent.
    Absent,
}

/// How a rejection becomes the declared error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RejectionFill {
    /// RFC 9457 problem details, field by field.
    Problem,
    /// FastAPI's `HTTPValidationError`, from `codegen_runtime::Rejection::fastapi_detail`.
    FastApi,
    /// Any other error schema: the user's `codegen_runtime::FromRejection` implementation.
    Converted,
}

/// A tag: a variant of the generated `Tags` enum.
#[derive(Debug, Clone)]
pub struct Tag {
    /// The tag's name in the spec.
    pub name: String,
    /// The enum variant.
    pub variant: String,
    /// Its description, as doc lines.
    pub doc: Doc,
}

/// A named object schema; becomes a `#[derive(Object)]` struct.
#[derive(Debug, Clone)]
pub struct Object {
    /// Name in the spec (`components/schemas/<name>`).
    pub name: String,
    /// Rust type name.
    pub rust_name: String,
    /// Description lines.
    pub doc: Doc,
    /// Properties in spec order.
    pub fields: Vec<Field>,
    /// `additionalProperties: false`: unknown fields are rejected.
    pub deny_unknown_fields: bool,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Functions returning property defaults.
    pub values: Vec<ValueFn>,
    /// Where it was declared.
    pub origin: String,
}

/// A string enum; becomes a `#[derive(Enum)]`.
#[derive(Debug, Clone)]
pub struct Enum {
    /// Name served in the document.
    pub name: String,
    /// Rust type name.
    pub rust_name: String,
    /// Description lines.
    pub doc: Doc,
    /// (value on the wire, Rust variant), in spec order.
    pub variants: Vec<(String, String)>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

/// A `oneOf` or `anyOf`; becomes a `#[derive(Union)]` enum.
#[derive(Debug, Clone)]
pub struct Union {
    /// Name served in the document.
    pub name: String,
    /// Rust type name.
    pub rust_name: String,
    /// Description lines.
    pub doc: Doc,
    /// `oneOf` (exactly one variant matches) rather than `anyOf` (the first that matches).
    pub one_of: bool,
    /// The discriminator's property name, if any.
    pub discriminator: Option<String>,
    /// The variants, in spec order.
    pub variants: Vec<UnionVariant>,
    /// Where it was declared.
    pub origin: String,
}

/// One variant of a union.
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// Rust variant name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// The discriminator value that selects it.
    pub mapping: Option<String>,
}

/// One property of an object.
#[derive(Debug, Clone)]
pub struct Field {
    /// Name on the wire.
    pub name: String,
    /// Rust field name (snake case, keywords avoided).
    pub rust_name: String,
    /// Rust type of a present value.
    pub ty: Ty,
    /// True if the field is an `Option` (not required and without a default).
    pub optional: bool,
    /// Description lines.
    pub doc: Doc,
    /// The `#[oai(...)]` arguments, already formatted (`rename = "type"`, `nullable`, …).
    pub oai: Vec<String>,
    /// Where it was declared.
    pub origin: String,
}

/// What kind of JSON value a schema describes: its `type`, or what the generator made of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    /// `string`.
    String,
    /// `integer`.
    Integer,
    /// `number`.
    Number,
    /// `boolean`.
    Boolean,
    /// An object: a generated `Object` struct or a map.
    Object,
    /// `array`.
    Array,
    /// A string `enum`: a generated `Enum`.
    Enum,
    /// `oneOf`/`anyOf` (or several types): a generated `Union`.
    Union,
    /// Any JSON value.
    Any,
}

impl JsonKind {
    /// The word the spec and the diagnostics use (`integer`, `union`).
    pub fn as_str(self) -> &'static str {
        match self {
            JsonKind::String => "string",
            JsonKind::Integer => "integer",
            JsonKind::Number => "number",
            JsonKind::Boolean => "boolean",
            JsonKind::Object => "object",
            JsonKind::Array => "array",
            JsonKind::Enum => "enum",
            JsonKind::Union => "union",
            JsonKind::Any => "any",
        }
    }
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A scalar schema's Rust type: one per `type` and known `format`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// `boolean`.
    Bool,
    /// `integer` with `format: int8`.
    I8,
    /// `int16`.
    I16,
    /// `int32`.
    I32,
    /// `integer`, `int64` or any other format.
    I64,
    /// `uint8`.
    U8,
    /// `uint16`.
    U16,
    /// `uint32`.
    U32,
    /// `uint64`.
    U64,
    /// `number` with `format: float`.
    F32,
    /// `number`, `double` or any other format.
    F64,
    /// `string` (any format without a type of its own).
    String,
    /// A string checked against a `pattern`: `Matching<P>` with the marker type `P`.
    Matching(String),
    /// The string variant of a union that also holds numbers or booleans (JSON strings only).
    StrictString,
    /// `format: date-time`.
    DateTime,
    /// `format: date`.
    Date,
    /// `format: uuid`.
    Uuid,
    /// `format: email`.
    Email,
    /// `format: password`.
    Password,
    /// Any JSON value: no `type`, or one the generator does not know.
    Any,
}

impl Scalar {
    /// The JSON type of its values ([`JsonKind::Any`] for [`Scalar::Any`]).
    pub fn json(&self) -> JsonKind {
        match self {
            Scalar::Bool => JsonKind::Boolean,
            Scalar::I8
            | Scalar::I16
            | Scalar::I32
            | Scalar::I64
            | Scalar::U8
            | Scalar::U16
            | Scalar::U32
            | Scalar::U64 => JsonKind::Integer,
            Scalar::F32 | Scalar::F64 => JsonKind::Number,
            Scalar::Any => JsonKind::Any,
            _ => JsonKind::String,
        }
    }

    /// The Rust name a union variant holding it gets (`Int32`, `String`, `Uuid`).
    pub fn variant_name(&self) -> String {
        match self {
            Scalar::String | Scalar::Matching(_) => "String".into(),
            Scalar::Bool => "Boolean".into(),
            Scalar::I32 => "Int32".into(),
            Scalar::I64 => "Int64".into(),
            Scalar::F32 => "Float".into(),
            Scalar::F64 => "Double".into(),
            // The last segment of the path, without type arguments (`DateTime`, `NaiveDate`).
            other => {
                let rust = other.to_string();
                let path = rust.split('<').next().unwrap_or(&rust);
                path.rsplit("::").next().unwrap_or(path).to_owned()
            }
        }
    }
}

/// A Rust type, spelled with full paths when printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// A scalar: a type from std or a dependency (`i32`, `::codegen_runtime::uuid::Uuid`).
    Scalar(Scalar),
    /// A generated object or enum.
    Named(String),
    /// An array.
    Vec(Box<Ty>),
    /// A map with string keys.
    Map(Box<Ty>),
    /// A boxed value, for recursive types.
    Boxed(Box<Ty>),
    /// A value that may be `null`: the elements of an array with `nullable` items.
    Nullable(Box<Ty>),
}

impl Ty {
    /// True if the type implements `Default` (poem-openapi fills read-only fields with it).
    pub fn has_default(&self) -> bool {
        match self {
            Ty::Scalar(s) => !matches!(
                s,
                Scalar::DateTime
                    | Scalar::Date
                    | Scalar::Email
                    | Scalar::Password
                    | Scalar::Matching(_)
            ),
            Ty::Vec(_) | Ty::Map(_) => true,
            Ty::Nullable(_) => true,
            Ty::Named(_) | Ty::Boxed(_) => false,
        }
    }
}

/// One operation; becomes a trait method, a response enum and an adapter method.
#[derive(Debug, Clone)]
pub struct Operation {
    /// `operationId` as written, or derived from method and path when there is none.
    pub id: String,
    /// False when `id` was derived (the served document then has no operationId).
    pub id_declared: bool,
    /// On the generator's skip list: no handler method; the route answers 501.
    pub skipped: bool,
    /// Trait and adapter method name (snake case).
    pub method: String,
    /// Response enum name (`PutItemResponse`).
    pub response_enum: String,
    /// Lower-case HTTP method for `#[oai(method = ...)]`.
    pub http_method: Method,
    /// The path as the spec writes it (`/items/{item_id}`).
    pub path: String,
    /// The path in poem's syntax (`/items/:item_id`).
    pub route: String,
    /// Doc lines: summary, blank line, description (poem-openapi splits on the first blank).
    pub doc: Doc,
    /// Its tags, as variants of the generated `Tags` enum (`Items`).
    pub tags: Vec<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Parameters in spec order.
    pub params: Vec<Param>,
    /// The credentials the operation requires, if any.
    pub auth: Option<Auth>,
    /// The name of the `codegen_runtime::ParamsChecked` argument that rejects the request
    /// with every parameter's problem, when it has parameters.
    pub params_checked: Option<String>,
    /// The request body, if any.
    pub body: Option<Body>,
    /// Responses by ascending status.
    pub responses: Vec<Response>,
    /// The function that turns a rejected request into a response, when the operation takes
    /// input (it then declares 400, and 413 and 415 if it has a body).
    pub rejection: Option<Rejection>,
    /// Where it was declared.
    pub origin: String,
}

/// A security scheme; becomes a `#[derive(SecurityScheme)]` struct around its credential.
#[derive(Debug, Clone)]
pub struct SecurityScheme {
    /// Name in `components/securitySchemes`.
    pub name: String,
    /// Rust type name.
    pub rust_name: String,
    /// Description lines.
    pub doc: Doc,
    /// The `#[oai(...)]` arguments after `rename` (`ty = "bearer"`, …).
    pub oai: Vec<String>,
    /// The credential it extracts (`::poem_openapi::auth::Bearer`).
    pub credential: String,
    /// OAuth2 or OpenID Connect: a bearer token whose scopes the handler checks.
    pub scoped: bool,
}

/// Security schemes an operation accepts as alternatives; becomes a `SecurityScheme` enum.
#[derive(Debug, Clone)]
pub struct AuthEnum {
    /// Rust type name.
    pub name: String,
    /// (variant, scheme type), in the order of the spec's requirements.
    pub variants: Vec<(String, String)>,
    /// True if the spec also allows no credentials (`{}`): the `Anonymous` fallback.
    pub anonymous: bool,
}

/// The credentials of a requirement that names several schemes at once (AND): a struct
/// with one field per scheme, extracted together.
#[derive(Debug, Clone)]
pub struct AuthAll {
    /// Rust type name.
    pub name: String,
    /// (field, scheme type), in the order of the requirement.
    pub fields: Vec<(String, String)>,
}

/// The credentials argument of an operation.
#[derive(Debug, Clone)]
pub struct Auth {
    /// Rust argument name.
    pub rust_name: String,
    /// The type poem-openapi extracts: a scheme struct or an [`AuthEnum`].
    pub ty: String,
    /// The type the handler receives: the credential, or the enum.
    pub handler_ty: String,
    /// What turns the extracted value into the handler's (`.0` unwraps one scheme).
    pub to_handler: &'static str,
    /// False if anonymous requests are allowed too (so poem-openapi never answers 401).
    pub required: bool,
    /// The scopes an OAuth2 or OpenID Connect requirement lists: the handler receives them
    /// with the token, in a `codegen_runtime::Scoped`.
    pub scopes: Option<Vec<String>>,
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Name on the wire.
    pub name: String,
    /// Rust argument name.
    pub rust_name: String,
    /// How it is read from the request.
    pub extractor: Extractor,
    /// The type its text is parsed into (`i32`, `Matching<Pattern1>` for a pattern).
    pub value: Ty,
    /// Whether a value is always there (required, or with a default): else an `Option`.
    pub present: bool,
    /// How its text is read.
    pub reading: Reading,
    /// Read from a routed segment that mixes text and parameters (`{Sid}.json`): the
    /// segment's marker type and the parameter's place among the segment's parameters.
    pub segment: Option<(String, usize)>,
    /// Description lines.
    pub doc: Doc,
    /// The `#[oai(...)]` arguments, formatted, but for the constraints (`validators`).
    pub oai: Vec<String>,
    /// Functions returning the schema's `default` and `example`, when it has them.
    pub values: Vec<ValueFn>,
    /// Its location and the fragment of its schema in the spec, when it is declared there.
    pub place: Option<(&'static str, String)>,
    /// The type implementing `codegen_runtime::Rules` with its constraints, if it has any.
    pub rules: Option<String>,
    /// Its constraints: the `validator(...)` of its attribute, and its `Rules` type.
    pub validators: Vec<Validator>,
}

/// An HTTP method an operation answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// The method of a path item's key (`get`, `put`, …), as openapiv3 lists them.
    pub fn from_key(key: &str) -> Option<Method> {
        Some(match key {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "options" => Method::Options,
            "head" => Method::Head,
            "patch" => Method::Patch,
            "trace" => Method::Trace,
            _ => return None,
        })
    }

    /// The path item's key, which is also poem-openapi's spelling (`method = "get"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Put => "put",
            Method::Post => "post",
            Method::Delete => "delete",
            Method::Options => "options",
            Method::Head => "head",
            Method::Patch => "patch",
            Method::Trace => "trace",
        }
    }
}

/// How a parameter's text is read into its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// As poem-openapi reads it (a patterned string as a `Matching`, which the handler gets
    /// as its `String`).
    Poem,
    /// A list split on a delimiter (`style: spaceDelimited`, an unexploded form).
    Delimited(char),
    /// An object of query keys (`form`, or `deepObject` if `deep`), a `QueryObject`.
    Object {
        /// `deepObject`: `key[member]=value`.
        deep: bool,
    },
    /// `content: {application/json: …}`: the value is JSON text.
    Json,
}

/// How a parameter is read from the request: poem-openapi's extractor of its location, or
/// one of `codegen_runtime`'s for what poem-openapi does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extractor {
    /// A whole path segment (`/items/{id}`), which poem-openapi numbers `param0`, `param1`, ….
    Path,
    /// A query parameter.
    Query,
    /// A header.
    Header,
    /// A cookie.
    Cookie,
    /// A path parameter inside a segment with literal text (`/{id}.json`).
    PathPiece,
    /// An object parameter (`deepObject`, or a `form` object exploded into query keys).
    QueryObject,
}

/// A constraint of one schema keyword, as poem-openapi checks it.
#[derive(Debug, Clone, PartialEq)]
pub enum Validator {
    /// `minLength`.
    MinLength(usize),
    /// `maxLength`.
    MaxLength(usize),
    /// `pattern`, compiled by poem-openapi per check (a pattern of a plain string becomes a
    /// `Matching` type instead).
    Pattern(String),
    /// `minimum`.
    Minimum {
        /// The bound.
        value: f64,
        /// `exclusiveMinimum: true`.
        exclusive: bool,
    },
    /// `maximum`.
    Maximum {
        /// The bound.
        value: f64,
        /// `exclusiveMaximum: true`.
        exclusive: bool,
    },
    /// `multipleOf`.
    MultipleOf(f64),
    /// `minItems`.
    MinItems(usize),
    /// `maxItems`.
    MaxItems(usize),
    /// `uniqueItems: true`.
    UniqueItems,
    /// `minProperties`.
    MinProperties(usize),
    /// `maxProperties`.
    MaxProperties(usize),
    /// The `enum` of a number, integer or boolean: its values as Rust literals, checked by
    /// `codegen_runtime::Among` (poem-openapi derives string enums only).
    Among(Vec<String>),
}

/// A generated function returning a parameter's default or example value.
#[derive(Debug, Clone)]
pub struct ValueFn {
    /// Function name.
    pub name: String,
    /// Its return type.
    pub ty: String,
    /// Rust expression for the value.
    pub expr: String,
    /// Its doc comment.
    pub doc: String,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct Body {
    /// Rust argument name.
    pub rust_name: String,
    /// The payload, or the enum of payloads.
    pub content: Content,
    /// The request body's description lines.
    pub doc: Doc,
    /// `required: true`; an optional body reaches the handler as an `Option`.
    pub required: bool,
    /// (member pointer, schema fragment) of the body and of its top-level properties.
    pub places: Vec<(String, String)>,
}

/// One declared response; becomes one enum variant.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status, status range or `default` it declares.
    pub status: Status,
    /// Variant name from the reason phrase (`Ok`, `Created`), `Status4XX` or `Default`.
    pub variant: String,
    /// The response's description lines (served back as its description).
    pub doc: Doc,
    /// The body, if the response has content.
    pub body: Option<Content>,
    /// Typed headers, in spec order.
    pub headers: Vec<Header>,
    /// Where it was declared.
    pub origin: String,
}

/// Which responses a declared response stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// One status code.
    Code(u16),
    /// `4XX`: every status of a class (the digit); the handler picks the code.
    Range(u16),
    /// `default`: every status not declared otherwise; the handler picks the code.
    Default,
}

impl Status {
    /// True if the handler chooses the status code (a range or `default`).
    pub fn is_chosen(&self) -> bool {
        !matches!(self, Status::Code(_))
    }

    /// True if `code` is answered by this response.
    pub fn covers(&self, code: u16) -> bool {
        match self {
            Status::Code(c) => *c == code,
            Status::Range(class) => code / 100 == *class,
            Status::Default => true,
        }
    }
}

/// A body: one media type, or several the sender chooses from.
#[derive(Debug, Clone)]
pub enum Content {
    /// One media type: the payload itself.
    Single(Payload),
    /// Several media types (or one that needs an exact media-type match): a generated enum
    /// with a variant per media type (`ApiRequest` for requests, `ResponseContent` for
    /// responses).
    Several(ContentEnum),
}

/// An enum with one variant per media type of a body.
#[derive(Debug, Clone)]
pub struct ContentEnum {
    /// Rust type name.
    pub name: String,
    /// True for a request body (`ApiRequest`), false for a response (`ResponseContent`).
    pub request: bool,
    /// Doc lines (a request enum's are served as the body's description).
    pub doc: Doc,
    /// One per media type, in spec order.
    pub payloads: Vec<Payload>,
}

/// A `multipart/form-data` body; becomes a `#[derive(Multipart)]` struct.
#[derive(Debug, Clone)]
pub struct Multipart {
    /// Rust type name.
    pub name: String,
    /// Its parts, in spec order.
    pub fields: Vec<MultipartField>,
    /// `additionalProperties: false`: unknown parts are rejected.
    pub deny_unknown_fields: bool,
    /// Functions that return the parts' defaults.
    pub values: Vec<ValueFn>,
}

/// One part of a multipart body.
#[derive(Debug, Clone)]
pub struct MultipartField {
    /// Rust field name.
    pub rust_name: String,
    /// Rust type, `Option<…>` included.
    pub ty: String,
    /// Description lines.
    pub doc: Doc,
    /// The `#[oai(...)]` arguments (`rename`, `validator(...)`).
    pub oai: Vec<String>,
}

/// The body of one media type.
#[derive(Debug, Clone)]
pub struct Payload {
    /// The media type as the spec writes it.
    pub media_type: String,
    /// How it is read and written.
    pub kind: PayloadKind,
    /// Variant name in a [`ContentEnum`] (`Json`, `Text`, `OctetStream`).
    pub variant: String,
    /// The exact media type to serve and accept, when the payload type's own (for example
    /// `application/json; charset=utf-8`) is not the spec's.
    pub content_type: Option<String>,
    /// Read from requests: JSON is read as `JsonBody`, whose strings must be strings.
    pub request: bool,
}

/// The poem-openapi payload type of a media type.
#[derive(Debug, Clone)]
pub enum PayloadKind {
    /// `Json<T>`: `application/json` and `application/*+json`.
    Json(String),
    /// `PlainText<String>`: `text/*` with a `type: string` schema.
    Text,
    /// `Binary<Vec<u8>>`: any media type with a `type: string, format: binary` schema.
    Binary,
    /// The generated `FormBody<T>`: `application/x-www-form-urlencoded` request bodies.
    Form(String),
    /// A `#[derive(Multipart)]` struct (the payload itself): `multipart/form-data` requests.
    Multipart(String),
}

/// A response header.
#[derive(Debug, Clone)]
pub struct Header {
    /// Header name as the spec writes it.
    pub name: String,
    /// Rust type (`String`, `Option<i32>`).
    pub ty: String,
    /// Description lines.
    pub doc: Doc,
}

/// How an operation answers a request poem-openapi rejected before the handler ran.
#[derive(Debug, Clone)]
pub struct Rejection {
    /// Name of the generated `bad_request_handler` function.
    pub function: String,
    /// Where the operation's inputs are declared (location, name as poem-openapi reports it
    /// or member pointer, name in the spec, schema fragment), for `codegen_runtime::Rejection`;
    /// empty when no body is made from a `Rejection`.
    pub places: Vec<(String, String, String, String)>,
    /// Statuses answered by a variant of their own (`PAYLOAD_TOO_LARGE`, `UNAUTHORIZED`).
    pub arms: Vec<(String, Variant)>,
    /// The variant for 400 and every other rejection.
    pub otherwise: Variant,
}

/// A response variant that carries a rejection body.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Variant name.
    pub name: String,
    /// Body type, which implements `From<&poem::Error>`.
    pub body: String,
    /// True if the variant's first field is the status (a range or `default`).
    pub with_status: bool,
}

/// Documentation lines (each becomes a `///` line); empty when the spec has none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc(pub Vec<String>);

impl Doc {
    /// Doc lines from an optional spec string.
    pub fn from_text(text: Option<&str>) -> Self {
        Doc(text
            .map(|t| {
                t.trim_end()
                    .lines()
                    .map(|l| l.trim_end().to_owned())
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Summary and description as poem-openapi reads them: summary, blank line, description.
    pub fn summary_and_description(summary: Option<&str>, description: Option<&str>) -> Self {
        let mut lines = Doc::from_text(summary).0;
        let rest = Doc::from_text(description).0;
        if !lines.is_empty() && !rest.is_empty() {
            lines.push(String::new());
        }
        lines.extend(rest);
        Doc(lines)
    }
}
