{# Rendered by render::Responses: one ApiResponse enum per operation, a variant per declared
   status, and the function that answers a rejected request with a declared variant. #}
{% for op in api.operations %}
/// The responses `{{ op.id|one_line }}` (`{{ op.route_doc()|one_line }}`) declares; one variant per status.
#[derive(::poem_openapi::ApiResponse, ::std::fmt::Debug)]
#[allow(clippy::large_enum_variant)]
{% if let Some(rej) = op.rejection %}#[oai(bad_request_handler = {{ rej.function|literal }})]{% endif %}
pub enum {{ op.response_enum }} {
{% for r in op.responses %}
{{ r.doc }}{{ r.attr() }}
{{ r.variant }}{% if r.has_fields() %}(
{% if r.status.is_chosen() %}::poem::http::StatusCode,{% endif %}
{% if let Some(b) = r.body %}{{ b.rust_type() }},{% else if r.is_bodiless_default() %}::codegen_runtime::NoContent,{% endif %}
{% for h in r.headers %}{{ h.doc }}{{ h.attr() }} {{ h.ty }},{% endfor %}
){% endif %},
{% endfor %}
}

impl ::codegen_runtime::Respond for {{ op.response_enum }} {
    fn respond(self) -> ::poem::Response {
        match self {
{% for r in op.responses %}
            {{ r.respond_arm(op.response_enum) }}
{% endfor %}
        }
    }
}
{% if let Some(rej) = op.rejection %}
/// Answers a request to `{{ op.id|one_line }}` that was rejected before the handler ran.
fn {{ rej.function }}(err: ::poem::Error) -> {{ op.response_enum }} {
{% if !rej.places.is_empty() %}
    // Where this operation's inputs are declared, for the `schema` of each rejection error.
    let _in_spec = ::codegen_runtime::InSpec::enter(&[
{% for (location, name, shown, schema) in rej.places %}
        ::codegen_runtime::Place { location: {{ location|literal }}, name: {{ name|literal }}, shown: {{ shown|literal }}, schema: {{ schema|literal }} },
{% endfor %}
    ]);
{% endif %}
{% if rej.arms.is_empty() %}
    {{ rej.otherwise.answer(op.response_enum) }}
{% else %}
    match err.status() {
{% for (status, v) in rej.arms %}
        ::poem::http::StatusCode::{{ status }} => {{ v.answer(op.response_enum) }},
{% endfor %}
        _ => {{ rej.otherwise.answer(op.response_enum) }},
    }
{% endif %}
}
{% endif %}
{% endfor %}
