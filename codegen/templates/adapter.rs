{# Rendered by render::Adapter: the #[OpenApi] impl that extracts, validates and calls the
   trait; parameter defaults; and the service constructor with the document's info. #}
/// Serves {{ api.source|one_line }} by delegating each operation to a [`Handlers`] implementation.
pub struct Api<H>(pub H);

#[::poem_openapi::OpenApi]
#[allow(clippy::too_many_arguments)]
impl<H: Handlers> Api<H> {
{% for op in api.operations %}
{{ op.doc }}{{ op.attr() }}
{% if op.skipped %}#[allow(unused_variables)] // validated and discarded: the operation is not implemented
{% endif %}async fn {{ op.method }}(
    &self,
{% if let Some(a) = op.auth %}    {{ a.rust_name }}: {{ a.ty }},
{% endif %}
{% for p in op.params %}    {{ p.doc }}{{ p.attr() }} {{ p.rust_name }}: {{ p.checked_ty() }},
{% endfor %}
{% if let Some(checked) = op.params_checked %}    // Rejects the request with every parameter's problem, before the body is read.
    {{ checked }}: ::codegen_runtime::ParamsChecked,
{% endif %}
{% if let Some(b) = op.body %}    {{ b.doc }}{{ b.rust_name }}: {{ b.extractor_type() }},
{% endif %}
) -> {% if op.skipped %}::poem::Result<{{ op.response_enum }}> {
    // On the generator's skip list: declared, routed, not implemented.
    ::std::result::Result::Err(::poem::Error::from_status(::poem::http::StatusCode::NOT_IMPLEMENTED))
}
{% else if op.params.is_empty() %}{{ op.response_enum }} {
    self.0.{{ op.method }}({% if let Some(a) = op.auth %}{{ a.handler_arg() }}, {% endif %}{% if let Some(b) = op.body %}{{ b.rust_name }}{{ b.to_handler() }}{% endif %}).await
}
{% else %}::poem::Result<{{ op.response_enum }}> {
    ::std::result::Result::Ok(self.0.{{ op.method }}({% if let Some(a) = op.auth %}{{ a.handler_arg() }}, {% endif %}{% for p in op.params %}{{ p.rust_name }}.value()?.0{{ p.to_handler() }}, {% endfor %}{% if let Some(b) = op.body %}{{ b.rust_name }}{{ b.to_handler() }}{% endif %}).await)
}
{% endif %}{% endfor %}
}

/// The operations as endpoints of their own, for `codegen_runtime::serve::Routes`: each
/// extracts the arguments of the method above as poem-openapi's derive does, calls it, and
/// answers with the response enum's `Respond`.
impl<H: Handlers> ::codegen_runtime::Operations for Api<H> {
    #[allow(unused_variables, unused_mut)]
    fn operations(self) -> ::std::vec::Vec<::codegen_runtime::Operation> {
        let api = ::std::sync::Arc::new(self);
        ::std::vec::Vec::from([
{% for op in api.operations %}
            ::codegen_runtime::Operation::new({{ op.route|literal }}, ::poem::http::Method::{{ op.method_const() }}, {
                let api = ::std::sync::Arc::clone(&api);
                move |request: ::poem::Request| {
                    let api = ::std::sync::Arc::clone(&api);
                    async move {
                        let (request, mut body) = request.split();
{% for a in op.arguments() %}
                        let p{{ loop.index }} = match ::codegen_runtime::extract::<{{ a.ty }}>(&request, &mut body, {{ a.name|literal }}, {{ a.default }}).await {
                            ::std::result::Result::Ok(value) => value,
                            ::std::result::Result::Err(err) => return ::codegen_runtime::rejected::<{{ op.response_enum }}>(err, {{ op.operation_id() }}),
                        };
{% endfor %}
                        ::codegen_runtime::answered(api.{{ op.method }}({% for a in op.arguments() %}p{{ loop.index }}, {% endfor %}).await, {{ op.operation_id() }})
                    }
                }
            }),
{% endfor %}
        ])
    }
}
{% for r in api.param_rules %}
/// The spec's constraints on these parameters, checked with the other parameters' before any
/// is rejected:
{% for u in r.used_by %}/// - {{ u|one_line }}
{% endfor %}struct {{ r.name }};

impl ::codegen_runtime::Rules<{{ r.extractor_ty }}> for {{ r.name }} {
    fn check(param: &{{ r.extractor_ty }}) -> ::std::result::Result<(), ::std::string::String> {
        ::codegen_runtime::check_validators(param, &[{% for v in r.validators %}&{{ v.expr() }}, {% endfor %}])
    }
}
{% endfor %}
{% for op in api.operations %}{% for p in op.params %}{% for v in p.values %}
/// {{ v.doc|one_line }}
fn {{ v.name }}() -> {{ v.ty }} {
    {{ v.expr }}
}
{% endfor %}{% endfor %}{% endfor %}

/// The spec as written ({{ api.source|one_line }}): what `/openapi.json`, `/openapi.yaml` and the
/// docs page serve. The document poem-openapi derives from the types below is only a
/// cross-check of it.
pub const DOCUMENT: &str = {{ document }};

/// The spec's `info.title`.
pub const TITLE: &str = {{ api.title|literal }};

/// The spec's `info.version`: the version of the API this code implements.
pub const VERSION: &str = {{ api.version|literal }};

/// The OpenAPI service for {{ api.source|one_line }}: the routes, and the document poem-openapi
/// derives from them, with the spec's title, version and description.
pub fn service<H: Handlers>(handlers: H) -> ::poem_openapi::OpenApiService<Api<H>, ()> {
    ::poem_openapi::OpenApiService::new(Api(handlers), TITLE, VERSION)
{% if let Some(d) = api.description %}        .description({{ d|literal }})
{% endif %}
}
