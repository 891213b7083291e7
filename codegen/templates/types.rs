{# Rendered by render::Types: the patterns `Matching` checks, the Tags enum, one Object struct per named schema, and the
   From<&poem::Error> constructor of each request-error body. #}
{% for p in api.patterns %}
/// The pattern `{{ p.pattern|one_line }}`.
#[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
pub struct {{ p.name }};

impl ::codegen_runtime::Pattern for {{ p.name }} {
    const PATTERN: &'static str = {{ p.pattern|literal }};

{% if p.fancy %}
    fn is_match(value: &str) -> bool {
        // Look-around or back-references: fancy_regex, which the generator compiled it with.
        // A match that exceeds its backtracking limit counts as no match.
        static REGEX: ::std::sync::LazyLock<::codegen_runtime::fancy_regex::Regex> =
            ::std::sync::LazyLock::new(|| ::codegen_runtime::fancy_regex::Regex::new({{ p.pattern|literal }}).expect("pattern checked by codegen"));
        REGEX.is_match(value).unwrap_or(false)
    }
{% else %}
    fn is_match(value: &str) -> bool {
        // The generator compiled this pattern with the same regex crate, so it is valid.
        static REGEX: ::std::sync::LazyLock<::codegen_runtime::regex::Regex> =
            ::std::sync::LazyLock::new(|| ::codegen_runtime::regex::Regex::new({{ p.pattern|literal }}).expect("pattern checked by codegen"));
        REGEX.is_match(value)
    }
{% endif %}
}
{% endfor %}
{% for s in api.segments %}
/// A path segment of the form `{{ s.literals.join("{…}")|one_line }}`, read from poem's route parameter `{{ s.route_param }}`.
pub struct {{ s.name }};

impl ::codegen_runtime::SegmentTemplate for {{ s.name }} {
    const ROUTE_PARAM: &'static str = {{ s.route_param|literal }};
    const LITERALS: &'static [&'static str] = &[{% for l in s.literals %}{{ l|literal }}, {% endfor %}];
}
{% endfor %}
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
{{ e.doc }}#[derive(::poem_openapi::Enum, ::std::fmt::Debug, ::std::clone::Clone, ::std::marker::Copy, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash)]
{{ e.attr() }}
#[allow(clippy::enum_variant_names)]
pub enum {{ e.rust_name }} {
{% for (value, variant) in e.variants %}
#[oai(rename = {{ value|literal }})]
{{ variant }},
{% endfor %}
}

impl ::codegen_runtime::StrictJson for {{ e.rust_name }} {
    fn check(_: &::codegen_runtime::serde_json::Value) -> ::std::result::Result<(), ::codegen_runtime::Mismatch> {
        // The derived parser reads only strings.
        ::std::result::Result::Ok(())
    }
}

impl ::codegen_runtime::WriteJson for {{ e.rust_name }} {
    fn write_json(&self, out: &mut ::std::vec::Vec<u8>) -> bool {
        let json: &str = match *self {
{% for (variant, json) in e.json_values() %}
            Self::{{ variant }} => {{ json }},
{% endfor %}
        };
        out.extend_from_slice(json.as_bytes());
        true
    }
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

impl ::codegen_runtime::StrictJson for {{ u.rust_name }} {
    /// Strict as its variants: a value one of them accepts strictly passes.
    fn check(value: &::codegen_runtime::serde_json::Value) -> ::std::result::Result<(), ::codegen_runtime::Mismatch> {
        let mut first = ::std::option::Option::None;
{% for v in u.variants %}
        match <{{ v.ty }} as ::codegen_runtime::StrictJson>::check(value) {
            ::std::result::Result::Ok(()) => return ::std::result::Result::Ok(()),
            ::std::result::Result::Err(e) => { first.get_or_insert(e); }
        }
{% endfor %}
        first.map_or(::std::result::Result::Ok(()), ::std::result::Result::Err)
    }
}

impl ::codegen_runtime::WriteJson for {{ u.rust_name }} {
    /// Through its `serde_json::Value`: which variant writes what is the `Union` derive's.
    fn write_json(&self, out: &mut ::std::vec::Vec<u8>) -> bool {
        ::codegen_runtime::write_via_value(self, out)
    }
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

impl ::codegen_runtime::StrictJson for {{ o.rust_name }} {
    fn check({% if o.fields.is_empty() && !o.deny_unknown_fields %}_{% else %}value{% endif %}: &::codegen_runtime::serde_json::Value) -> ::std::result::Result<(), ::codegen_runtime::Mismatch> {
{% if o.deny_unknown_fields %}
        ::codegen_runtime::check_known(value, &[{% for f in o.fields %}{{ f.name|literal }}, {% endfor %}])?;
{% endif %}
{% for f in o.fields %}
        ::codegen_runtime::check_member::<{{ f.rust_type() }}>(value, {{ f.name|literal }})?;
{% endfor %}
        ::std::result::Result::Ok(())
    }
}

impl ::codegen_runtime::WriteJson for {{ o.rust_name }} {
    /// The members the `Object` derive serializes, in its order.
    fn write_json(&self, out: &mut ::std::vec::Vec<u8>) -> bool {
        #[allow(unused_mut)]
        let mut object = ::codegen_runtime::JsonObject::start(out);
{% for f in o.fields %}{% if let Some(m) = f.write_member() %}
        {{ m }}
{% endif %}{% endfor %}
        object.end();
        true
    }
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
{% for a in api.auth_all %}
/// Credentials the operation requires together: one field per scheme, each checked.
pub struct {{ a.name }} {
{% for (field, ty) in a.fields %}
    pub {{ field }}: {{ ty }},
{% endfor %}
}

impl<'a> ::poem_openapi::ApiExtractor<'a> for {{ a.name }} {
    const TYPES: &'static [::poem_openapi::ApiExtractorType] = &[::poem_openapi::ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut ::poem_openapi::registry::Registry) {
{% for (field, ty) in a.fields %}
        <{{ ty }} as ::poem_openapi::ApiExtractor>::register(registry);
{% endfor %}
    }

    fn security_schemes() -> ::std::vec::Vec<&'static str> {
        let mut names = ::std::vec::Vec::new();
{% for (field, ty) in a.fields %}
        names.extend(<{{ ty }} as ::poem_openapi::ApiExtractor>::security_schemes());
{% endfor %}
        names
    }

    async fn from_request(
        request: &'a ::poem::Request,
        body: &mut ::poem::RequestBody,
        _param_opts: ::poem_openapi::ExtractParamOptions<()>,
    ) -> ::poem::Result<Self> {
        ::std::result::Result::Ok(Self {
{% for (field, ty) in a.fields %}
            {{ field }}: <{{ ty }} as ::poem_openapi::ApiExtractor>::from_request(request, body, ::std::default::Default::default()).await?,
{% endfor %}
        })
    }
}
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
{% if b.fill == RejectionFill::Converted %}
/// Turns a request that poem-openapi rejected before any handler ran into this error body,
/// with the crate's [`::codegen_runtime::FromRejection`] implementation for it.
impl ::std::convert::From<&::poem::Error> for {{ b.ty }} {
    fn from(err: &::poem::Error) -> Self {
        <Self as ::codegen_runtime::FromRejection>::from_rejection(&::codegen_runtime::Rejection::from(err))
    }
}
{% else if b.fill == RejectionFill::FastApi %}
/// Turns a request that poem-openapi rejected before any handler ran (malformed, too large,
/// wrong content type) into FastAPI's validation error body, `{"detail": [{"loc", "msg", "type"}]}`.
impl ::std::convert::From<&::poem::Error> for {{ b.ty }} {
    fn from(err: &::poem::Error) -> Self {
        let detail = ::codegen_runtime::Rejection::from(err).fastapi_detail();
        <Self as ::poem_openapi::types::ParseFromJSON>::parse_from_json(::std::option::Option::Some(detail))
            .expect("codegen checked that this schema is FastAPI's HTTPValidationError")
    }
}
{% else %}
/// Turns a request that poem-openapi rejected before any handler ran (malformed, too large,
/// wrong content type) into problem details.
impl ::std::convert::From<&::poem::Error> for {{ b.ty }} {
    fn from(err: &::poem::Error) -> Self {
        let status = err.status();
        Self {
{% for f in b.fields %}
            {{ f.rust_name }}: {{ f.expr() }},
{% endfor %}
        }
    }
}
{% endif %}
{% endfor %}
