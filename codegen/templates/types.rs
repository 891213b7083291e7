{# Rendered by render::Types: the Tags enum, one Object struct per named schema, and the
   From<&poem::Error> constructor of each request-error body. #}
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
/// {{ v.doc }}
fn {{ v.name }}() -> {{ v.ty }} {
    {{ v.expr }}
}
{% endfor %}
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
