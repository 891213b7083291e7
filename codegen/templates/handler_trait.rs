{# Rendered by render::HandlerTrait: the trait with one method per operation, no defaults. #}
/// What a server of {{ api.source|one_line }} must implement: one method per operation.
///
/// There are no default bodies: when the spec gains an operation, the compiler lists the
/// method still owed. Implementations may write `async fn`; the trait asks for `Send` futures
/// because poem serves them on a multi-threaded runtime.
#[allow(clippy::too_many_arguments)]
pub trait Handlers: ::std::marker::Send + ::std::marker::Sync + 'static {
{% for op in api.operations %}{% if !op.skipped %}
{{ op.doc }}{% if !op.doc.0.is_empty() %}///
{% endif %}/// `{{ op.route_doc()|one_line }}`
fn {{ op.method }}(
    &self,
{% if let Some(a) = op.auth %}    {{ a.rust_name }}: {{ a.handler_type() }},
{% endif %}
{% for p in op.params %}    {{ p.rust_name }}: {{ p.handler_ty() }},
{% endfor %}
{% if let Some(b) = op.body %}    {{ b.rust_name }}: {{ b.handler_type() }},
{% endif %}
) -> impl ::std::future::Future<Output = {{ op.response_enum }}> + ::std::marker::Send;
{% endif %}{% endfor %}
}
