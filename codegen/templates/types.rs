{# Rendered by render::Types: Matching and the patterns it checks, the Tags enum, one Object struct per named schema, and the
   From<&poem::Error> constructor of each request-error body. #}
{% if !api.patterns.is_empty() %}
/// A string that matches the pattern `P`, checked with a regex compiled once per process.
///
/// poem-openapi's `pattern` validator compiles its regex on every request; parameters with a
/// `pattern` are parsed as this type instead. It serves the same schema (`type: string` with
/// the `pattern`) and rejects exactly what the validator rejects, with the same message.
#[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
pub struct Matching<P>(::std::string::String, ::std::marker::PhantomData<P>);

/// A pattern from the spec, compiled on first use.
pub trait Pattern: ::std::marker::Send + ::std::marker::Sync + 'static {
    /// The pattern as the spec writes it.
    const PATTERN: &'static str;
    /// The compiled pattern.
    fn regex() -> &'static ::regex::Regex;
}

impl<P: Pattern> Matching<P> {
    /// `value`, if it matches the pattern.
    pub fn new(value: ::std::string::String) -> ::std::option::Option<Self> {
        if P::regex().is_match(&value) {
            ::std::option::Option::Some(Self(value, ::std::marker::PhantomData))
        } else {
            ::std::option::Option::None
        }
    }

    /// `value` as it is, for a value known to match (read back from a store that only
    /// accepted matching values). Responses are not validated, so a value that does not match
    /// would reach the client as it is.
    pub fn new_unchecked(value: ::std::string::String) -> Self {
        Self(value, ::std::marker::PhantomData)
    }

    /// The string.
    pub fn into_inner(self) -> ::std::string::String {
        self.0
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn mismatch() -> ::poem_openapi::types::ParseError<Self> {
        ::poem_openapi::types::ParseError::custom(::std::format!("verification failed. pattern(\"{}\")", P::PATTERN))
    }
}

impl<P> ::std::convert::AsRef<str> for Matching<P> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<P: Pattern> ::poem_openapi::types::Type for Matching<P> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> ::std::borrow::Cow<'static, str> {
        ::std::borrow::Cow::Borrowed("string")
    }

    fn schema_ref() -> ::poem_openapi::registry::MetaSchemaRef {
        ::poem_openapi::registry::MetaSchemaRef::Inline(::std::boxed::Box::new(::poem_openapi::registry::MetaSchema {
            pattern: ::std::option::Option::Some(P::PATTERN.to_owned()),
            ..::poem_openapi::registry::MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> ::std::option::Option<&Self::RawValueType> {
        ::std::option::Option::Some(self)
    }

    fn raw_element_iter<'a>(&'a self) -> ::std::boxed::Box<dyn ::std::iter::Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        ::std::boxed::Box::new(::std::iter::once(self))
    }
}

impl<P: Pattern> ::poem_openapi::types::ParseFromJSON for Matching<P> {
    fn parse_from_json(value: ::std::option::Option<::serde_json::Value>) -> ::poem_openapi::types::ParseResult<Self> {
        match value.unwrap_or_default() {
            ::serde_json::Value::String(s) => Self::new(s).ok_or_else(Self::mismatch),
            other => ::std::result::Result::Err(::poem_openapi::types::ParseError::expected_type(other)),
        }
    }
}

impl<P: Pattern> ::poem_openapi::types::ParseFromParameter for Matching<P> {
    fn parse_from_parameter(value: &str) -> ::poem_openapi::types::ParseResult<Self> {
        Self::new(value.to_owned()).ok_or_else(Self::mismatch)
    }
}

impl<P: Pattern> ::poem_openapi::types::ParseFromMultipartField for Matching<P> {
    async fn parse_from_multipart(field: ::std::option::Option<::poem::web::Field>) -> ::poem_openapi::types::ParseResult<Self> {
        match field {
            ::std::option::Option::Some(field) => {
                let text = field.text().await.map_err(::poem_openapi::types::ParseError::custom)?;
                Self::new(text).ok_or_else(Self::mismatch)
            }
            ::std::option::Option::None => ::std::result::Result::Err(::poem_openapi::types::ParseError::expected_input()),
        }
    }
}

impl<P: Pattern> ::poem_openapi::types::ToJSON for Matching<P> {
    fn to_json(&self) -> ::std::option::Option<::serde_json::Value> {
        ::std::option::Option::Some(::serde_json::Value::String(self.0.clone()))
    }
}
{% for p in api.patterns %}
/// The pattern `{{ p.pattern|one_line }}`.
#[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
pub struct {{ p.name }};

impl Pattern for {{ p.name }} {
    const PATTERN: &'static str = {{ p.pattern|literal }};

    fn regex() -> &'static ::regex::Regex {
        // The generator compiled this pattern with the same regex crate, so it is valid.
        static REGEX: ::std::sync::LazyLock<::regex::Regex> =
            ::std::sync::LazyLock::new(|| ::regex::Regex::new({{ p.name }}::PATTERN).expect("pattern checked by codegen"));
        &REGEX
    }
}
{% endfor %}
{% endif %}
{% if api.value_enums %}
/// Accepts only the listed values: the `enum` of a number, integer or boolean schema
/// (poem-openapi's `Enum` derives string enums only). Used as a custom validator.
pub struct Among<T: 'static>(pub &'static [T]);

impl<T: ::std::cmp::PartialEq + ::std::fmt::Debug> ::poem_openapi::validation::Validator<T> for Among<T> {
    fn check(&self, value: &T) -> bool {
        self.0.contains(value)
    }
}

impl<T: ::std::fmt::Debug> ::std::fmt::Display for Among<T> {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        ::std::write!(f, "enum({:?})", self.0)
    }
}
{% endif %}
{% if api.optional_bodies %}
/// A request body the spec does not require: a request without `Content-Type` and without
/// bytes has none; anything else is parsed (and checked) as the payload `T`.
pub struct OptionalBody<T>(pub ::std::option::Option<T>);

impl<'a, T: ::poem_openapi::ApiExtractor<'a, ParamType = ()>> ::poem_openapi::ApiExtractor<'a> for OptionalBody<T> {
    const TYPES: &'static [::poem_openapi::ApiExtractorType] = &[::poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut ::poem_openapi::registry::Registry) {
        T::register(registry);
    }

    fn request_meta() -> ::std::option::Option<::poem_openapi::registry::MetaRequest> {
        T::request_meta().map(|meta| ::poem_openapi::registry::MetaRequest { required: false, ..meta })
    }

    async fn from_request(
        request: &'a ::poem::Request,
        body: &mut ::poem::RequestBody,
        param_opts: ::poem_openapi::ExtractParamOptions<()>,
    ) -> ::poem::Result<Self> {
        if request.content_type().is_none() {
            let bytes = body.take()?.into_bytes().await?;
            if bytes.is_empty() {
                return ::std::result::Result::Ok(Self(::std::option::Option::None));
            }
            *body = ::poem::RequestBody::new(::poem::Body::from(bytes));
        }
        // Boxed, as poem-openapi boxes its own extractors (rust-lang/rust#100013: the
        // `Send` bound of an unboxed generic future cannot be proven here).
        let inner: ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<Output = ::poem::Result<T>> + ::std::marker::Send + '_>> =
            ::std::boxed::Box::pin(T::from_request(request, body, param_opts));
        inner.await.map(|value| Self(::std::option::Option::Some(value)))
    }
}
{% endif %}
{% if api.forms %}
/// An `application/x-www-form-urlencoded` body read into `T` by poem-openapi's JSON parser,
/// so a form is checked exactly like the same object sent as JSON: types, formats, enums,
/// constraints, defaults and unknown fields. The pairs become a JSON object first: a
/// repeated key is an array, `a[b]=1` a nested object (OpenAPI's `deepObject`), `a[]=1` an
/// array element; text is read as the number or boolean the schema expects there.
/// (poem-openapi's `Form` parses with serde instead, which skips all of these checks.)
#[derive(::std::fmt::Debug)]
pub struct FormBody<T>(pub T);

impl<T> ::std::ops::Deref for FormBody<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ::poem_openapi::types::Type> ::poem_openapi::payload::Payload for FormBody<T> {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";

    fn check_content_type(content_type: &str) -> bool {
        <::poem_openapi::payload::Form<::std::string::String> as ::poem_openapi::payload::Payload>::check_content_type(content_type)
    }

    fn schema_ref() -> ::poem_openapi::registry::MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut ::poem_openapi::registry::Registry) {
        T::register(registry);
    }
}

impl<T: ::poem_openapi::types::ParseFromJSON> ::poem_openapi::payload::ParsePayload for FormBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &::poem::Request, body: &mut ::poem::RequestBody) -> ::poem::Result<Self> {
        let pairs = <::poem_openapi::payload::Form<::std::vec::Vec<(::std::string::String, ::std::string::String)>> as ::poem_openapi::payload::ParsePayload>::from_request(request, body).await?.0;
        let mut registry = ::poem_openapi::registry::Registry::new();
        T::register(&mut registry);
        let mut tree = ::serde_json::Value::Object(::serde_json::Map::new());
        for (key, value) in pairs {
            form_insert(&mut tree, &key, value);
        }
        let value = form_coerce(tree, &T::schema_ref(), &registry);
        T::parse_from_json(::std::option::Option::Some(value))
            .map(Self)
            .map_err(|err| ::poem_openapi::error::ParseRequestPayloadError { reason: err.into_message() }.into())
    }
}

impl<'a, T: ::poem_openapi::types::Type + ::poem_openapi::types::ParseFromJSON> ::poem_openapi::ApiExtractor<'a> for FormBody<T> {
    const TYPES: &'static [::poem_openapi::ApiExtractorType] = &[::poem_openapi::ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut ::poem_openapi::registry::Registry) {
        T::register(registry);
    }

    fn request_meta() -> ::std::option::Option<::poem_openapi::registry::MetaRequest> {
        ::std::option::Option::Some(::poem_openapi::registry::MetaRequest {
            description: ::std::option::Option::None,
            content: ::std::vec![::poem_openapi::registry::MetaMediaType {
                content_type: <Self as ::poem_openapi::payload::Payload>::CONTENT_TYPE,
                schema: T::schema_ref(),
            }],
            required: true,
        })
    }

    async fn from_request(
        request: &'a ::poem::Request,
        body: &mut ::poem::RequestBody,
        _param_opts: ::poem_openapi::ExtractParamOptions<()>,
    ) -> ::poem::Result<Self> {
        match request.content_type() {
            ::std::option::Option::Some(content_type) if <Self as ::poem_openapi::payload::Payload>::check_content_type(content_type) => {
                <Self as ::poem_openapi::payload::ParsePayload>::from_request(request, body).await
            }
            ::std::option::Option::Some(content_type) => ::std::result::Result::Err(::poem_openapi::error::ContentTypeError::NotSupported { content_type: content_type.to_owned() }.into()),
            ::std::option::Option::None => ::std::result::Result::Err(::poem_openapi::error::ContentTypeError::ExpectContentType.into()),
        }
    }
}

/// Puts `value` at the place `key` names (`a`, `a[b]`, `a[]`, `a[b][0]`) in `tree`.
fn form_insert(tree: &mut ::serde_json::Value, key: &str, value: ::std::string::String) {
    let (head, rest) = match key.find('[') {
        ::std::option::Option::Some(i) if key.ends_with(']') => (&key[..i], &key[i..]),
        _ => (key, ""),
    };
    let mut path = ::std::vec![head];
    path.extend(rest.split('[').skip(1).map(|segment| segment.trim_end_matches(']')));
    let mut node = tree;
    for (i, segment) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        if segment.is_empty() {
            // `a[]`: a new element of the array `a`.
            if !node.is_array() {
                let old = ::std::mem::take(node);
                *node = ::serde_json::Value::Array(if old.is_null() { ::std::vec![] } else { ::std::vec![old] });
            }
            let ::serde_json::Value::Array(elements) = node else { return };
            elements.push(::serde_json::Value::Null);
            node = elements.last_mut().expect("just pushed");
        } else {
            if !node.is_object() {
                if !node.is_null() {
                    return;
                }
                *node = ::serde_json::Value::Object(::serde_json::Map::new());
            }
            let ::serde_json::Value::Object(map) = node else { return };
            node = map.entry(*segment).or_insert(::serde_json::Value::Null);
        }
        if last {
            // A repeated key collects its values into an array.
            *node = match ::std::mem::take(node) {
                ::serde_json::Value::Null => ::serde_json::Value::String(value),
                ::serde_json::Value::Array(mut elements) => {
                    elements.push(::serde_json::Value::String(value));
                    ::serde_json::Value::Array(elements)
                }
                old => ::serde_json::Value::Array(::std::vec![old, ::serde_json::Value::String(value)]),
            };
            return;
        }
    }
}

/// Reads the text of a form as the JSON types `schema` expects, so the parser's own checks
/// decide what is valid: text that is not a number where a number is expected stays text
/// and is rejected as such.
fn form_coerce(
    value: ::serde_json::Value,
    schema: &::poem_openapi::registry::MetaSchemaRef,
    registry: &::poem_openapi::registry::Registry,
) -> ::serde_json::Value {
    use ::serde_json::Value;
    let schema = match schema {
        ::poem_openapi::registry::MetaSchemaRef::Inline(schema) => &**schema,
        ::poem_openapi::registry::MetaSchemaRef::Reference(name) => match registry.schemas.get(name) {
            ::std::option::Option::Some(schema) => schema,
            ::std::option::Option::None => return value,
        },
    };
    match (schema.ty, value) {
        ("integer", Value::String(text)) => match text.parse::<i64>() {
            ::std::result::Result::Ok(n) => Value::from(n),
            ::std::result::Result::Err(_) => text.parse::<u64>().map(Value::from).unwrap_or(Value::String(text)),
        },
        ("number", Value::String(text)) => match text.parse::<f64>().ok().and_then(::serde_json::Number::from_f64) {
            ::std::option::Option::Some(n) => Value::Number(n),
            ::std::option::Option::None => Value::String(text),
        },
        ("boolean", Value::String(text)) => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        ("array", value) => {
            let elements = match value {
                Value::Array(elements) => elements,
                // `a[0]=x&a[1]=y`: an object keyed by indexes, in index order.
                Value::Object(map) if map.keys().all(|k| k.parse::<usize>().is_ok()) => {
                    let mut indexed: ::std::vec::Vec<(usize, Value)> = map.into_iter().map(|(k, v)| (k.parse().unwrap_or_default(), v)).collect();
                    indexed.sort_by_key(|(i, _)| *i);
                    indexed.into_iter().map(|(_, v)| v).collect()
                }
                other => ::std::vec![other],
            };
            Value::Array(match &schema.items {
                ::std::option::Option::Some(items) => elements.into_iter().map(|v| form_coerce(v, items, registry)).collect(),
                ::std::option::Option::None => elements,
            })
        }
        (_, Value::Object(map)) => {
            let property = |name: &str| {
                schema
                    .properties
                    .iter()
                    .chain(schema.all_of.iter().flat_map(|part| match part {
                        ::poem_openapi::registry::MetaSchemaRef::Reference(name) => registry.schemas.get(name).map(|s| s.properties.as_slice()).unwrap_or_default(),
                        ::poem_openapi::registry::MetaSchemaRef::Inline(s) => s.properties.as_slice(),
                    }))
                    .find(|(n, _)| *n == name)
                    .map(|(_, s)| s)
                    .or(schema.additional_properties.as_deref())
            };
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| {
                        let v = match property(&k) {
                            ::std::option::Option::Some(s) => form_coerce(v, s, registry),
                            ::std::option::Option::None => v,
                        };
                        (k, v)
                    })
                    .collect(),
            )
        }
        (_, value) => value,
    }
}
{% endif %}
{% if !api.tags.is_empty() %}
/// The tags of the API; each operation names its tags from these.
#[derive(::poem_openapi::Tags)]
pub enum Tags {
{% for t in api.tags %}
{{ t.doc }}#[oai(rename = {{ t.name|literal }})]
{{ t.variant }},
{% endfor %}
}
{% endif %}
{% for e in api.enums %}
{{ e.doc }}#[derive(::poem_openapi::Enum, ::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq)]
{{ e.attr() }}
#[allow(clippy::enum_variant_names)]
pub enum {{ e.rust_name }} {
{% for (value, variant) in e.variants %}
#[oai(rename = {{ value|literal }})]
{{ variant }},
{% endfor %}
}
{% endfor %}
{% for u in api.unions %}
{{ u.doc }}#[derive(::poem_openapi::Union, ::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
{{ u.attr() }}
#[allow(clippy::large_enum_variant, clippy::enum_variant_names)]
pub enum {{ u.rust_name }} {
{% for v in u.variants %}
{{ v.attr() }}
{{ v.name }}({{ v.ty }}),
{% endfor %}
}
{% endfor %}
{% for o in api.objects %}
{{ o.doc }}#[derive(::poem_openapi::Object, ::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq)]
{{ o.attr() }}

pub struct {{ o.rust_name }} {
{% for f in o.fields %}
{{ f.doc }}{{ f.attr() }}
pub {{ f.rust_name }}: {{ f.rust_type() }},
{% endfor %}
}
{% for v in o.values %}
/// {{ v.doc|one_line }}
fn {{ v.name }}() -> {{ v.ty }} {
    {{ v.expr }}
}
{% endfor %}
{% endfor %}
{% for sc in api.security_schemes %}
{{ sc.doc }}#[derive(::poem_openapi::SecurityScheme)]
{{ sc.attr() }}
pub struct {{ sc.rust_name }}(pub {{ sc.credential }});
{% endfor %}
{% for e in api.auth_enums %}
/// The credentials an operation accepts: the first scheme whose credential is present.
#[derive(::poem_openapi::SecurityScheme)]
pub enum {{ e.name }} {
{% for (variant, ty) in e.variants %}
{{ variant }}({{ ty }}),
{% endfor %}
{% if e.anonymous %}
/// No credentials: the spec allows anonymous requests too.
#[oai(fallback)]
Anonymous,
{% endif %}
}
{% endfor %}
{% for m in api.multiparts %}
/// A `multipart/form-data` body: one field per part.
#[derive(::poem_openapi::Multipart, ::std::fmt::Debug)]
{% if m.deny_unknown_fields %}#[oai(deny_unknown_fields)]
{% endif %}
pub struct {{ m.name }} {
{% for f in m.fields %}
{{ f.doc }}{{ f.attr() }}
pub {{ f.rust_name }}: {{ f.ty }},
{% endfor %}
}
{% for v in m.values %}
/// {{ v.doc|one_line }}
fn {{ v.name }}() -> {{ v.ty }} {
    {{ v.expr }}
}
{% endfor %}
{% endfor %}
{% for c in api.contents %}
{{ c.doc }}#[derive({% if c.request %}::poem_openapi::ApiRequest{% else %}::poem_openapi::ResponseContent{% endif %}, ::std::fmt::Debug)]
#[allow(clippy::large_enum_variant)]
pub enum {{ c.name }} {
{% for p in c.payloads %}
{{ p.attr() }}
{{ p.variant }}({{ p.rust_type() }}),
{% endfor %}
}
{% endfor %}
{% for b in api.rejection_bodies %}
/// Turns a request that poem-openapi rejected before any handler ran (malformed, too large,
/// wrong content type) into problem details.
impl ::std::convert::From<&::poem::Error> for {{ b.ty }} {
    fn from(err: &::poem::Error) -> Self {
        let status = err.status();
        Self {
{% for (name, value) in b.fields %}
            {{ name }}: {{ value }},
{% endfor %}
        }
    }
}
{% endfor %}
