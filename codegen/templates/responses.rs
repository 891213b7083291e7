{# Rendered by render::Responses: one ApiResponse enum per operation, a variant per declared
   status, and the function that answers a rejected request with a declared variant. #}
{% for op in api.operations %}
/// The responses `{{ op.id }}` (`{{ op.route_doc() }}`) declares; one variant per status.
#[derive(::poem_openapi::ApiResponse, ::std::fmt::Debug)]
#[allow(clippy::large_enum_variant)]
{% if let Some(rej) = op.rejection %}#[oai(bad_request_handler = {{ rej.function|literal }})]{% endif %}
pub enum {{ op.response_enum }} {
{% for r in op.responses %}
{{ r.doc }}{{ r.attr() }}
{{ r.variant }}{% if r.has_fields() %}(
{% if let Some(b) = r.body %}::poem_openapi::payload::Json<{{ b.ty }}>,{% endif %}
{% for h in r.headers %}{{ h.doc }}{{ h.attr() }} {{ h.ty }},{% endfor %}
){% endif %},
{% endfor %}
}
{% if let Some(rej) = op.rejection %}
/// Answers a request to `{{ op.id }}` that was rejected before the handler ran.
fn {{ rej.function }}(err: ::poem::Error) -> {{ op.response_enum }} {
{% if rej.has_body_variants() %}
    match err.status() {
{% if let Some(v) = rej.too_large %}
        ::poem::http::StatusCode::PAYLOAD_TOO_LARGE => {{ op.response_enum }}::{{ v.name }}(::poem_openapi::payload::Json({{ v.body }}::from(&err))),
{% endif %}
{% if let Some(v) = rej.unsupported_media_type %}
        ::poem::http::StatusCode::UNSUPPORTED_MEDIA_TYPE => {{ op.response_enum }}::{{ v.name }}(::poem_openapi::payload::Json({{ v.body }}::from(&err))),
{% endif %}
        _ => {{ op.response_enum }}::{{ rej.bad_request.name }}(::poem_openapi::payload::Json({{ rej.bad_request.body }}::from(&err))),
    }
{% else %}
    {{ op.response_enum }}::{{ rej.bad_request.name }}(::poem_openapi::payload::Json({{ rej.bad_request.body }}::from(&err)))
{% endif %}
}
{% endif %}
{% endfor %}
