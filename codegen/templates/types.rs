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
pub enum {{ u.rust_name }} {
{% for v in u.variants %}
{{ v.attr() }}
{{ v.name }}({{ v.ty }}),
{% endfor %}
}
{% endfor %}
{% for o in api.objects %}
{{ o.doc }}#[derive(::poem_openapi::Object, ::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq{% if o.form %}, ::serde::Deserialize{% endif %})]
{{ o.attr() }}
{% if o.form && o.deny_unknown_fields %}#[serde(deny_unknown_fields)]
{% endif %}
pub struct {{ o.rust_name }} {
{% for f in o.fields %}
{{ f.doc }}{{ f.attr() }}{% if o.form %}{{ f.serde_attr() }}{% endif %}
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
{% endfor %}
{% for c in api.contents %}
{{ c.doc }}#[derive({% if c.request %}::poem_openapi::ApiRequest{% else %}::poem_openapi::ResponseContent{% endif %}, ::std::fmt::Debug)]
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
