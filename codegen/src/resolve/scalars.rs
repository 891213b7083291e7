//! Scalars (part of `resolve`): strings, numbers, integers and booleans, their `format`s, the
//! constraints checked on them (validators, `Matching` patterns), and string enums.

use serde_json::{Map, Value};

use super::schemas::Keywords;
use super::schemas::{inferred_type, Typed};
use super::Resolver;
use crate::ir::{self, Scalar, Ty};
use crate::naming::{is_identifier, numbered, pascal_case};
use crate::source::join;

impl Resolver<'_> {
    /// A string enum: a `#[derive(Enum)]` with one variant per value. An inline enum's
    /// `default` and `example` belong to the parameter or property that declares it.
    pub(super) fn string_enum(
        &mut self,
        rust: &str,
        spec_name: &str,
        schema: &Map<String, Value>,
        at: &str,
        inline: bool,
    ) {
        self.check_keywords(schema, "string", at);
        // The values are the constraint: string constraints beside them add nothing a
        // parser could check. A named enum's `default` applies where a property or
        // parameter uses it (see `inherited_default`); `example` is documentation.
        for key in ["minLength", "maxLength", "pattern", "format"] {
            if schema.contains_key(key) {
                self.diags.warn(
                    &join(at, key),
                    format!("`{key}` beside `enum` is not checked: the enum's values are its constraint"),
                    "remove it to silence this",
                );
            }
        }
        if !inline && schema.flag("nullable") {
            self.diags.lenient(
                &join(at, "nullable"),
                "`nullable` on a named enum is not supported: a property that uses it accepts `null` only if it is optional",
                "put `nullable: true` on the properties that use the enum (beside an `allOf` with the `$ref`)",
            );
        }
        let values = self.listed(schema, "enum", "values", at, "list the allowed values");
        let variants = self.enum_variants(&values, at);
        let doc = self.text(schema.text("description"), &join(at, "description"));
        self.enums.insert(
            rust.to_owned(),
            ir::Enum {
                name: spec_name.to_owned(),
                rust_name: rust.to_owned(),
                doc,
                variants,
                deprecated: schema.flag("deprecated"),
            },
        );
    }

    /// The variants of a string enum: each value with its Rust name (a value without letters
    /// or digits is named by its position, colliding names take a number). Numbers and
    /// booleans are read as the strings they spell; `null` and duplicates are left out.
    fn enum_variants(&mut self, values: &[Value], at: &str) -> Vec<(String, String)> {
        let mut variants: Vec<(String, String)> = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let here = format!("{at}/enum/{i}");
            let spelled;
            let value = match value {
                Value::String(s) => s.as_str(),
                // `null` in the enum of a nullable schema: the absence it already allows.
                Value::Null => continue,
                Value::Number(_) | Value::Bool(_) => {
                    // `type: string, enum: [1, 2]`: the strings they spell.
                    spelled = value.to_string();
                    self.diags.lenient(
                        &here,
                        format!("enum value {value} is not a string: the string `{spelled}` is accepted"),
                        "quote it",
                    );
                    spelled.as_str()
                }
                _ => {
                    self.diags.error(
                        &here,
                        format!("enum value {value} is not a string"),
                        "quote it, or remove it",
                    );
                    continue;
                }
            };
            if variants.iter().any(|(v, _)| v == value) {
                self.diags.lenient(
                    &here,
                    format!("enum value `{value}` is listed twice"),
                    "remove the duplicate",
                );
                continue;
            }
            // A value without letters or digits (`-`, `+1`, ``) is named by its position;
            // values that collide in Rust take a number (documented in the README).
            let mut variant = pascal_case(value);
            if !is_identifier(&variant) {
                variant = format!("Value{i}");
            }
            if let Some((other, _)) = variants.iter().find(|(_, v)| *v == variant) {
                let taken = variant.clone();
                variant = numbered(&taken, "", |name| variants.iter().any(|(_, v)| v == name));
                self.diags.lenient(&here, format!("enum values `{other}` and `{value}` both become the Rust variant `{taken}`; this one is `{variant}`"), "rename one of them to choose the names yourself");
            }
            variants.push((value.to_owned(), variant));
        }
        variants
    }

    /// A string, integer, number or boolean schema, with its format and validators.
    pub(super) fn scalar(&mut self, schema: &Map<String, Value>, at: &str) -> Option<Typed> {
        let ty = schema.text("type");
        let format = schema.text("format");
        // Formats are open in OpenAPI: a known one picks a type that parses it, any other
        // is its base type (`format: currency` is a string, `format: decimal` a number).
        let scalar = match (ty, format) {
            (Some("string"), Some("date-time")) => Scalar::DateTime,
            (Some("string"), Some("date")) => Scalar::Date,
            (Some("string"), Some("uuid")) => Scalar::Uuid,
            (Some("string"), Some("email")) => Scalar::Email,
            (Some("string"), Some("password")) => Scalar::Password,
            (Some("string"), _) => Scalar::String,
            (Some("integer"), Some("int8")) => Scalar::I8,
            (Some("integer"), Some("int16")) => Scalar::I16,
            (Some("integer"), Some("int32")) => Scalar::I32,
            (Some("integer"), Some("uint8")) => Scalar::U8,
            (Some("integer"), Some("uint16")) => Scalar::U16,
            (Some("integer"), Some("uint32")) => Scalar::U32,
            (Some("integer"), Some("uint64")) => Scalar::U64,
            (Some("integer"), _) => Scalar::I64,
            (Some("number"), Some("float")) => Scalar::F32,
            (Some("number"), _) => Scalar::F64,
            (Some("boolean"), _) => Scalar::Bool,
            (Some(t), _) => {
                self.diags.lenient(
                    &join(at, "type"),
                    format!("unknown type `{t}` is read as any JSON value"),
                    "use one of string, integer, number, boolean, array, object",
                );
                return Some(Typed {
                    ty: Ty::Scalar(Scalar::Any),
                    validators: vec![],
                    json: ir::JsonKind::Any,
                    format: None,
                });
            }
            (None, _) => {
                // Free-form: any JSON value (`{}`, or only a description).
                return Some(Typed {
                    ty: Ty::Scalar(Scalar::Any),
                    validators: vec![],
                    json: ir::JsonKind::Any,
                    format: None,
                });
            }
        };
        let json = scalar.json();
        self.check_keywords(schema, json.as_str(), at);
        let mut validators = self.scalar_validators(schema, json.as_str(), at);
        // A string format is a type of its own (Uuid, DateTime); number formats are widths.
        let format = format
            .filter(|_| json == ir::JsonKind::String && scalar != Scalar::String)
            .map(str::to_owned);
        if format.is_some() && !validators.is_empty() {
            self.diags.warn(
                at,
                format!("length and pattern constraints on a `format: {}` string are not checked: the type parses the format", format.as_deref().unwrap_or_default()),
                "the format is the constraint; remove `minLength`, `maxLength` and `pattern` to silence this",
            );
            validators.clear();
        }
        // poem-openapi's `pattern` validator compiles its regex on every request: a string
        // with a pattern is a `Matching<P>` instead, whose regex is compiled once and whose
        // schema is the same `type: string` + `pattern`.
        let mut scalar = scalar;
        if let Some(p) = schema.text("pattern") {
            let is_pattern = |v: &ir::Validator| matches!(v, ir::Validator::Pattern(_));
            if format.is_none() && validators.iter().any(is_pattern) {
                validators.retain(|v| !is_pattern(v));
                scalar = Scalar::Matching(self.pattern_type(p, at));
            }
        }
        Some(Typed {
            ty: Ty::Scalar(scalar),
            validators,
            json,
            format,
        })
    }

    /// Reports keywords that do not apply to `ty` (openapiv3 would drop them silently).
    pub(super) fn check_keywords(&mut self, schema: &Map<String, Value>, ty: &str, at: &str) {
        const COMMON: &[&str] = &[
            "type",
            "$defs",
            "definitions",
            "title",
            "xml",
            "externalDocs",
            "format",
            "description",
            "nullable",
            "default",
            "example",
            "deprecated",
            "readOnly",
            "writeOnly",
        ];
        let allowed: &[&str] = match ty {
            "string" => &["minLength", "maxLength", "pattern", "enum"],
            "integer" | "number" => &[
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "multipleOf",
                "enum",
            ],
            "array" => &["items", "minItems", "maxItems", "uniqueItems"],
            "object" => &[
                "properties",
                "required",
                "additionalProperties",
                "minProperties",
                "maxProperties",
            ],
            _ => &[],
        };
        // Refused by the shape check already, wherever they are.
        const REFUSED: &[&str] = &["not"];
        for key in schema.keys() {
            if !COMMON.contains(&key.as_str())
                && !REFUSED.contains(&key.as_str())
                && !allowed.contains(&key.as_str())
                && !key.starts_with("x-")
            {
                self.diags.warn(
                    &join(at, key),
                    format!("`{key}` does not apply to a schema of type `{ty}`; it is not checked"),
                    "remove it, or change the schema's `type`",
                );
            }
        }
    }

    pub(super) fn scalar_validators(
        &mut self,
        schema: &Map<String, Value>,
        ty: &str,
        at: &str,
    ) -> Vec<ir::Validator> {
        let mut v = Vec::new();
        match ty {
            "string" => {
                if let Some(n) = self.usize_keyword(schema, "minLength", at) {
                    v.push(ir::Validator::MinLength(n));
                }
                if let Some(n) = self.usize_keyword(schema, "maxLength", at) {
                    v.push(ir::Validator::MaxLength(n));
                }
                if let Some(p) = schema.text("pattern") {
                    // Look-around and back-references (ECMA-262, not the regex crate) are
                    // compiled with fancy_regex, in the generated code too.
                    match (regex::Regex::new(p), fancy_regex::Regex::new(p)) {
                        (Ok(_), _) | (_, Ok(_)) => v.push(ir::Validator::Pattern(p.to_owned())),
                        (Err(_), Err(e)) => self.diags.lenient(
                            &join(at, "pattern"),
                            format!(
                                "`pattern` is not checked: it does not compile ({})",
                                e.to_string().lines().last().unwrap_or_default()
                            ),
                            "write the pattern in ECMA-262 syntax as OpenAPI expects",
                        ),
                    }
                }
            }
            "integer" | "number" => {
                for (key, exclusive) in [
                    ("minimum", "exclusiveMinimum"),
                    ("maximum", "exclusiveMaximum"),
                ] {
                    if let Some(n) = schema.get(key).and_then(Value::as_f64) {
                        let exclusive = schema.flag(exclusive);
                        v.push(if key == "minimum" {
                            ir::Validator::Minimum {
                                value: n,
                                exclusive,
                            }
                        } else {
                            ir::Validator::Maximum {
                                value: n,
                                exclusive,
                            }
                        });
                    } else if schema.contains_key(exclusive) {
                        self.diags.error(
                            &join(at, exclusive),
                            format!("`{exclusive}` without `{key}`"),
                            format!("add `{key}:` or remove `{exclusive}`"),
                        );
                    }
                }
                if let Some(n) = schema.get("multipleOf").and_then(Value::as_f64) {
                    if n > 0.0 {
                        v.push(ir::Validator::MultipleOf(n));
                    } else {
                        self.diags.error(
                            &join(at, "multipleOf"),
                            "`multipleOf` must be greater than 0",
                            "use a positive number",
                        );
                    }
                }
            }
            _ => {}
        }
        v
    }

    pub(super) fn usize_keyword(
        &mut self,
        schema: &Map<String, Value>,
        key: &str,
        at: &str,
    ) -> Option<usize> {
        let value = schema.get(key)?;
        match value.as_u64() {
            Some(n) => Some(n as usize),
            None => {
                self.diags.error(
                    &join(at, key),
                    format!("`{key}` must be a non-negative integer"),
                    "write a whole number, e.g. 1",
                );
                None
            }
        }
    }

    /// An enum of numbers or booleans: its scalar type, checked against the listed values by
    /// the generated `Among` validator (poem-openapi's `Enum` derives string enums only).
    pub(super) fn value_enum(&mut self, schema: &Map<String, Value>, at: &str) -> Option<Typed> {
        let mut typed_schema = schema.clone();
        let ty = inferred_type(schema).unwrap_or("string");
        typed_schema.insert("type".into(), Value::String(ty.to_owned()));
        let mut typed = self.scalar(&typed_schema, at)?;
        let values = schema.list("enum");
        let mut literals = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let literal = match (typed.json, v) {
                (ir::JsonKind::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {
                    n.to_string()
                }
                // `enum: ["0", "1"]` on an integer: the numbers the strings spell.
                (ir::JsonKind::Integer, Value::String(s)) if s.parse::<i64>().is_ok() => s.clone(),
                (ir::JsonKind::Number, Value::Number(n)) => {
                    format!("{:?}", n.as_f64().unwrap_or_default())
                }
                (ir::JsonKind::Boolean, Value::Bool(b)) => b.to_string(),
                // `null` in the enum of a nullable schema allows the absence it already allows.
                (_, Value::Null) => continue,
                _ => {
                    self.diags.error(
                        &format!("{at}/enum/{i}"),
                        format!("enum value {v} is not a {}", typed.json),
                        "make every value of the enum the schema's type",
                    );
                    return None;
                }
            };
            if !literals.contains(&literal) {
                literals.push(literal);
            }
        }
        typed.validators.push(ir::Validator::Among(literals));
        Some(typed)
    }
}

/// True if the schema's `enum` lists a value other than `null`.
pub(super) fn has_enum_values(schema: &Map<String, Value>) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().any(|v| !v.is_null()))
}
