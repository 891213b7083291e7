//! Parameters (part of `resolve`): path, query, header and cookie parameters, their style
//! and explode, the extractor that reads each, the handler type it becomes, and the
//! constraints checked for it (the `Rules` type every problem of the parameters is reported
//! with).

use openapiv3::{Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr};
use serde_json::{Map, Value};

use super::schemas;
use super::Resolver;
use crate::ir;
use crate::naming::{is_identifier, numbered, pascal_case, snake_case};
use crate::source::join;

impl Resolver<'_> {
    /// The `codegen_runtime::Rules` type of `param`'s constraints, if it has any: one per
    /// extractor and constraints, so a parameter shared by operations has one.
    pub(super) fn param_rules(&mut self, param: &ir::Param, operation: &str) -> Option<String> {
        if param.validators.is_empty() {
            return None;
        }
        let extractor_ty = param.extractor_ty();
        let used_by = format!("`{}` of `{operation}`", param.name);
        if let Some(rules) = self
            .param_rules
            .iter_mut()
            .find(|r| r.extractor_ty == extractor_ty && r.validators == param.validators)
        {
            rules.used_by.push(used_by);
            return Some(rules.name.clone());
        }
        // A name of the generated code's own: a taken one gets a number, without a warning.
        let base = format!("{}Rules", pascal_case(&param.rust_name));
        let name = numbered(&base, "", |n| self.type_names.contains_key(n));
        self.type_names
            .insert(name.clone(), "the generated code".to_owned());
        self.param_rules.push(ir::ParamRules {
            name: name.clone(),
            extractor_ty,
            validators: param.validators.clone(),
            used_by: vec![used_by],
        });
        Some(name)
    }

    /// The marker type of a routed segment for `PathPiece<_>`: `Segment1`, … in order of first
    /// use; operations whose segment is the same route parameter with the same text share one.
    pub(super) fn segment_type(
        &mut self,
        route_param: String,
        literals: Vec<String>,
        at: &str,
    ) -> String {
        if let Some(existing) = self
            .segments
            .iter()
            .find(|s| s.route_param == route_param && s.literals == literals)
        {
            return existing.name.clone();
        }
        let name = self.fresh_type(&format!("Segment{}", self.segments.len() + 1), at);
        self.segments.push(ir::SegmentType {
            name: name.clone(),
            route_param,
            literals,
        });
        name
    }

    /// How a parameter's value is read, from its location, `style` and `explode` (OpenAPI's
    /// defaults: `form` exploded in the query and cookies, `simple` in paths and headers).
    pub(super) fn parameter_style(
        &mut self,
        p: &Parameter,
        ty: &ir::Ty,
        is_object: bool,
        at: &str,
    ) -> Option<ir::Reading> {
        let is_array = matches!(ty, ir::Ty::Vec(_));
        let explode = p.parameter_data_ref().explode;
        let style_at = join(at, "style");
        let refuse = |this: &mut Self, what: String| {
            this.diags.error(
                &style_at,
                what,
                "use the location's default style, or `deepObject` for an object in the query",
            );
            None
        };
        match p {
            Parameter::Query { style, .. } => match (style, is_array, is_object) {
                (QueryStyle::Form, false, false) => Some(ir::Reading::Poem),
                (QueryStyle::Form, true, _) if explode.unwrap_or(true) => Some(ir::Reading::Poem),
                (QueryStyle::Form, true, _) => Some(ir::Reading::Delimited(',')),
                (QueryStyle::Form, _, true) if explode.unwrap_or(true) => {
                    Some(ir::Reading::Object { deep: false })
                }
                (QueryStyle::DeepObject, _, true) => Some(ir::Reading::Object { deep: true }),
                (QueryStyle::SpaceDelimited, true, _) if !explode.unwrap_or(false) => {
                    Some(ir::Reading::Delimited(' '))
                }
                (QueryStyle::PipeDelimited, true, _) if !explode.unwrap_or(false) => {
                    Some(ir::Reading::Delimited('|'))
                }
                // `name[]=a&name[0]=b`: the bracketed keys, read like an object's.
                (QueryStyle::DeepObject, true, _) => Some(ir::Reading::Object { deep: true }),
                (QueryStyle::DeepObject | QueryStyle::SpaceDelimited | QueryStyle::PipeDelimited, false, false) => {
                    self.diags.warn(&style_at, "a style for arrays or objects on a single value: read as `form`", "remove `style`");
                    Some(ir::Reading::Poem)
                }
                (QueryStyle::Form, _, true) => refuse(self, "an object query parameter in `style: form` with `explode: false` (`k,v,k,v`) is not supported".into()),
                (style, _, _) => refuse(self, format!("`style: {}` does not apply to this parameter's type here", query_style(style))),
            },
            Parameter::Header { .. } if is_array => Some(ir::Reading::Delimited(',')),
            Parameter::Header { .. } => Some(ir::Reading::Poem),
            Parameter::Path { style, .. } => match style {
                PathStyle::Simple if is_array => Some(ir::Reading::Delimited(',')),
                PathStyle::Simple => Some(ir::Reading::Poem),
                PathStyle::Label => refuse(self, "`style: label` path parameters (`.value`) are not supported".into()),
                PathStyle::Matrix => refuse(self, "`style: matrix` path parameters (`;name=value`) are not supported".into()),
            },
            Parameter::Cookie { .. } if is_array && !explode.unwrap_or(true) => {
                Some(ir::Reading::Delimited(','))
            }
            Parameter::Cookie { .. } => Some(ir::Reading::Poem),
        }
    }

    /// The parameter `p` is, through a `$ref`, without diagnostics.
    pub(super) fn resolved_parameter<'p>(
        &'p self,
        p: &'p ReferenceOr<Parameter>,
    ) -> Option<&'p Parameter> {
        match p {
            ReferenceOr::Item(p) => Some(p),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/")?;
                match self.doc.components.as_ref()?.parameters.get(name)? {
                    ReferenceOr::Item(p) => Some(p),
                    ReferenceOr::Reference { .. } => None,
                }
            }
        }
    }

    /// The Rust argument of the parameter `name`: its snake_case, which must have letters
    /// or digits.
    fn argument_name(&mut self, name: &str, at: &str) -> Option<String> {
        let rust_name = snake_case(name);
        if !is_identifier(&rust_name) {
            self.diags.error(
                &join(at, "name"),
                format!("the parameter name `{name}` has no letters or digits"),
                "rename it",
            );
            return None;
        }
        Some(rust_name)
    }

    /// Where a parameter's schema is, whether its value is JSON text (`content` with a JSON
    /// media type: `filter={"a":1}`; any other media type is the text itself), and the schema.
    pub(super) fn parameter_schema(
        &mut self,
        data: &openapiv3::ParameterData,
        at: &str,
    ) -> Option<(String, bool, Map<String, Value>)> {
        let (schema_at, json_content) = match &data.format {
            ParameterSchemaOrContent::Schema(_) => (join(at, "schema"), false),
            ParameterSchemaOrContent::Content(content) => {
                let [(media_type, _)] = content.iter().collect::<Vec<_>>()[..] else {
                    self.diags.error(
                        &join(at, "content"),
                        "a parameter's `content` must have exactly one media type",
                        "keep one media type",
                    );
                    return None;
                };
                let media_at = join(&join(at, "content"), media_type);
                let is_json = media_type == "application/json" || media_type.ends_with("+json");
                (join(&media_at, "schema"), is_json)
            }
        };
        let Some(schema) = self.raw_at(&schema_at).cloned() else {
            self.diags.error(
                at,
                "a parameter has no `schema`",
                "add a `schema` (or `content` with one media type and its schema)",
            );
            return None;
        };
        if schema.contains_key("nullable") {
            self.diags.warn(
                &join(&schema_at, "nullable"),
                "`nullable` on a parameter has no effect: a parameter has no `null`",
                "remove it; make the parameter optional instead",
            );
        }
        Some((schema_at, json_content, schema))
    }

    /// Why a parameter of this type, read this way, cannot be parsed from its text, if it
    /// cannot (it is then read as a string, with a warning).
    pub(super) fn unsupported_parameter(
        &self,
        typed: &schemas::Typed,
        reading: ir::Reading,
        is_path: bool,
    ) -> Option<&'static str> {
        match &typed.ty {
            _ if matches!(reading, ir::Reading::Object { .. } | ir::Reading::Json) => None,
            ir::Ty::Vec(inner) if is_path && matches!(**inner, ir::Ty::Scalar(_) | ir::Ty::Named(_)) && matches!(reading, ir::Reading::Delimited(_)) => None,
            ir::Ty::Named(_) if typed.json == ir::JsonKind::Object => {
                Some("object parameters are only supported in the query (`deepObject`, or `form` exploded)")
            }
            ir::Ty::Named(_) if typed.json == ir::JsonKind::Union => {
                Some("`oneOf`/`anyOf` parameters are not supported")
            }
            ir::Ty::Map(_) => Some("map parameters are only supported in the query (`deepObject`, or `form` exploded)"),
            _ if typed.json == ir::JsonKind::Any => Some("a parameter of any JSON value (no `type`, or several types) has no text form to parse"),
            ir::Ty::Vec(inner) if **inner == ir::Ty::Scalar(ir::Scalar::Any) => {
                Some("an array of any JSON values has no text form to parse")
            }
            ir::Ty::Vec(_) if is_path => Some("array path parameters are not supported"),
            ir::Ty::Vec(inner) if !matches!(**inner, ir::Ty::Scalar(_) | ir::Ty::Named(_)) => {
                Some("arrays of arrays are not supported as parameters")
            }
            ir::Ty::Vec(inner) if matches!(&**inner, ir::Ty::Named(n) if self.objects.contains_key(n) || self.unions.contains_key(n)) => {
                Some("arrays of objects or unions are not supported as parameters")
            }
            _ => None,
        }
    }

    /// How a parameter of type `typed` is read (its style, or JSON `content`); a type with
    /// no text form to parse (a union outside JSON, a nested array, an object in the path, …)
    /// is read as the string sent, with a warning.
    fn parameter_reading(
        &mut self,
        p: &Parameter,
        mut typed: schemas::Typed,
        json_content: bool,
        is_path: bool,
        schema_at: &str,
        at: &str,
    ) -> Option<(schemas::Typed, ir::Reading)> {
        if typed.json == ir::JsonKind::Union && !json_content {
            // poem-openapi parses unions from JSON only.
            self.diags.lenient(
                schema_at,
                "a `oneOf`/`anyOf` parameter is read as text: the handler gets the string as sent, its alternatives are not checked",
                "declare the parameter as one type, or as `content: {application/json: …}`",
            );
            typed = schemas::Typed::text();
        }
        let is_object = matches!(typed.ty, ir::Ty::Map(_))
            || (matches!(typed.ty, ir::Ty::Named(_)) && typed.json == ir::JsonKind::Object);
        let mut reading = if json_content {
            ir::Reading::Json
        } else {
            self.parameter_style(p, &typed.ty, is_object, at)?
        };
        let unsupported = self.unsupported_parameter(&typed, reading, is_path);
        if let Some(why) = unsupported {
            self.diags.lenient(
                schema_at,
                format!(
                    "{why}: the parameter is read as text, and the handler gets the string as sent"
                ),
                "use a scalar, a string enum, or an array of them (query, header, cookie)",
            );
            typed = schemas::Typed::text();
            reading = ir::Reading::Poem;
        }
        Some((typed, reading))
    }

    /// A parameter's `default` (or the one its `$ref`'d schema declares) as a function
    /// poem-openapi calls, checked against the schema here so a bad one is reported at build,
    /// not at a request: the function's name and definition. (`example` is only in the
    /// served document, which is the spec as written.)
    fn parameter_default(
        &mut self,
        schema: &Map<String, Value>,
        typed: &schemas::Typed,
        method: &str,
        name: &str,
        rust_name: &str,
        schema_at: &str,
    ) -> Option<(String, ir::ValueFn)> {
        let value_at = join(schema_at, "default");
        let expr = self.default_expr(schema, typed, &value_at)?;
        let fn_name = self.claim_fn(&format!("default_{method}_{rust_name}"), &value_at);
        let value = ir::ValueFn {
            name: fn_name.clone(),
            ty: typed.ty.to_string(),
            expr,
            doc: format!("`default` of parameter `{name}` of `{method}`."),
        };
        Some((fn_name, value))
    }

    pub(super) fn parameter(
        &mut self,
        p: &ReferenceOr<Parameter>,
        method: &str,
        at: &str,
    ) -> Option<(ir::Param, bool)> {
        let (p, at) =
            self.component(p, at, "parameters", "parameter", |c, n| c.parameters.get(n))?;
        let data = p.parameter_data_ref();
        let (location, extractor) = match p {
            Parameter::Path { .. } => ("path", ir::Extractor::Path),
            Parameter::Query { .. } => ("query", ir::Extractor::Query),
            Parameter::Header { .. } => ("header", ir::Extractor::Header),
            Parameter::Cookie { .. } => ("cookie", ir::Extractor::Cookie),
        };
        let is_path = extractor == ir::Extractor::Path;
        if is_path && !data.required {
            self.diags.error(
                &at,
                format!("path parameter `{}` is not `required: true`", data.name),
                "add `required: true`; OpenAPI requires it of path parameters",
            );
        }
        let (schema_at, json_content, schema) = self.parameter_schema(data, &at)?;
        let rust_name = self.argument_name(&data.name, &at)?;
        let hint = format!("{}{}", pascal_case(method), pascal_case(&data.name));
        let typed = self.value_type(&schema, &schema_at, &hint)?;
        let (typed, reading) =
            self.parameter_reading(p, typed, json_content, is_path, &schema_at, &at)?;
        // A patterned string is parsed as `Matching<P>` (see `scalar`); the handler gets the
        // plain `String`.
        let matching = matches!(&typed.ty, ir::Ty::Scalar(ir::Scalar::Matching(_)));
        let mut oai = Vec::new();
        if rust_name != data.name {
            oai.push(format!("name = {:?}", data.name));
        }
        let mut values = Vec::new();
        let default_fn =
            self.parameter_default(&schema, &typed, method, &data.name, &rust_name, &schema_at);
        let has_default = default_fn.is_some();
        if let Some((name, value)) = default_fn {
            oai.push(format!("default = {name:?}"));
            values.push(value);
        }
        if data.deprecated == Some(true) {
            oai.push("deprecated".to_owned());
        }
        let always_present = data.required || has_default;
        if matches!(typed.ty, ir::Ty::Vec(_)) && data.required {
            self.diags.warn(&join(&at, "required"), "a required array parameter that is absent reaches the handler as an empty array: poem-openapi cannot tell them apart", "add `minItems: 1` if it must not be empty");
        }
        // A patterned string is read by poem-openapi as a `Matching`, whatever the style.
        let reading = if matching { ir::Reading::Poem } else { reading };
        wrap_values(reading, &mut values);
        let extractor = match reading {
            ir::Reading::Object { .. } => ir::Extractor::QueryObject,
            _ => extractor,
        };
        Some((
            ir::Param {
                name: data.name.clone(),
                rust_name,
                extractor,
                value: typed.ty.clone(),
                present: always_present,
                reading,
                segment: None,
                doc: self.text(data.description.as_deref(), &join(&at, "description")),
                oai,
                values,
                place: Some((location, format!("#{schema_at}"))),
                rules: None,
                validators: typed.validators.clone(),
            },
            is_path,
        ))
    }
}

/// Defaults and examples in `values` wrapped in the type that reads the value.
fn wrap_values(reading: ir::Reading, values: &mut [ir::ValueFn]) {
    let wrapper = match reading {
        ir::Reading::Delimited(sep) => {
            for v in values.iter_mut() {
                v.ty = format!("::codegen_runtime::Delimited<{}, {sep:?}>", v.ty);
            }
            "::codegen_runtime::Delimited"
        }
        ir::Reading::Json => {
            for v in values.iter_mut() {
                v.ty = format!("::codegen_runtime::JsonParam<{}>", v.ty);
            }
            "::codegen_runtime::JsonParam"
        }
        ir::Reading::Poem | ir::Reading::Object { .. } => return,
    };
    for v in values.iter_mut() {
        v.expr = format!("{wrapper}({})", v.expr);
    }
}

pub(super) fn query_style(style: &QueryStyle) -> &'static str {
    match style {
        QueryStyle::Form => "form",
        QueryStyle::SpaceDelimited => "spaceDelimited",
        QueryStyle::PipeDelimited => "pipeDelimited",
        QueryStyle::DeepObject => "deepObject",
    }
}
