//! `default` and `example` values (part of `resolve`): checked against their schema's type
//! and constraints at build time and turned into Rust expressions, so a bad value fails
//! `cargo build` with its location instead of a request at run time.

use serde_json::{Map, Value};

use super::schemas::Keywords;
use super::schemas::Typed;
use super::Resolver;
use crate::ir::{JsonKind, Scalar, Ty};

impl Resolver<'_> {
    /// The schema's `default` (its own, else the one its `$ref`'d schema declares) as a Rust
    /// expression of the type `typed`, checked at `at` (the keyword's place): `None` when there
    /// is none, or when it does not fit (reported).
    pub(super) fn default_expr(
        &mut self,
        schema: &Map<String, Value>,
        typed: &Typed,
        at: &str,
    ) -> Option<String> {
        let value = schema
            .get("default")
            .cloned()
            .or_else(|| self.inherited_default(schema))?;
        self.value_expr("default", &value, typed, schema, at)
    }

    /// A Rust expression for the `keyword` (`default` or `example`) value of a schema whose
    /// type is `typed`, or a diagnostic at `at`.
    pub(super) fn value_expr(
        &mut self,
        keyword: &str,
        value: &Value,
        typed: &Typed,
        schema: &Map<String, Value>,
        at: &str,
    ) -> Option<String> {
        match check(value, typed, schema, &self.enum_values(typed)) {
            Ok(expr) => Some(expr),
            // Not applied: the handler gets `None` when the value is absent, as if there
            // were no default.
            Err(why) => {
                self.diags.lenient(
                    at,
                    format!("`{keyword}: {value}` {why}; it is not applied, so the handler gets `None` when the value is absent"),
                    format!("change the {keyword} so it satisfies the schema"),
                );
                None
            }
        }
    }

    fn enum_values(&self, typed: &Typed) -> Vec<(String, String)> {
        match &typed.ty {
            Ty::Named(name) if typed.json == JsonKind::Enum => self
                .enums
                .get(name)
                .map(|e| e.variants.clone())
                .unwrap_or_default(),
            _ => vec![],
        }
    }
}

fn check(
    value: &Value,
    typed: &Typed,
    schema: &Map<String, Value>,
    variants: &[(String, String)],
) -> Result<String, String> {
    if let Some(format) = typed.format.as_deref() {
        return formatted(value, format);
    }
    match (typed.json, value) {
        (JsonKind::Enum, Value::String(s)) => {
            let ty = typed.ty.to_string();
            variants
                .iter()
                .find(|(v, _)| v == s)
                .map(|(_, variant)| format!("{ty}::{variant}"))
                .ok_or_else(|| format!("is not one of the enum's values ({})", list(variants)))
        }
        (JsonKind::String, Value::String(s)) => string_value(s, typed, schema),
        (JsonKind::Integer | JsonKind::Number, Value::Number(n)) => number_value(n, typed, schema),
        (JsonKind::Boolean, Value::Bool(b)) => Ok(b.to_string()),
        (JsonKind::Array, Value::Array(items)) => array(items, typed),
        (JsonKind::Object, Value::Object(map))
            if map.is_empty() && matches!(typed.ty, Ty::Map(_)) =>
        {
            Ok("::std::collections::BTreeMap::new()".into())
        }
        (JsonKind::Union, _) => Err(
            "is on a `oneOf`/`anyOf` schema, where defaults and examples are not supported yet"
                .into(),
        ),
        (JsonKind::Array | JsonKind::Object, _) => Err(format!(
            "is on an {} schema, where defaults and examples are not supported yet",
            typed.json
        )),
        (json, _) => Err(format!("is not a {json}")),
    }
}

/// A value of a string `format` that has a type of its own, parsed here with the crate
/// that parses it at run time, so the generated constructor cannot fail.
fn formatted(value: &Value, format: &str) -> Result<String, String> {
    let Value::String(s) = value else {
        return Err(format!(
            "is not a string (the schema is a `format: {format}` string)"
        ));
    };
    const CHECKED: &str = "\"checked when the code was generated\"";
    match format {
        "date-time" => chrono::DateTime::parse_from_rfc3339(s)
            .map(|_| format!("::codegen_runtime::chrono::DateTime::parse_from_rfc3339({s:?}).expect({CHECKED})"))
            .map_err(|e| format!("is not an RFC 3339 date-time ({e})")),
        "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|_| format!("{s:?}.parse::<::codegen_runtime::chrono::NaiveDate>().expect({CHECKED})"))
            .map_err(|e| format!("is not a `YYYY-MM-DD` date ({e})")),
        "uuid" => uuid::Uuid::parse_str(s)
            .map(|u| format!("::codegen_runtime::uuid::Uuid::from_u128({:#034x})", u.as_u128()))
            .map_err(|e| format!("is not a UUID ({e})")),
        "email" => Ok(format!(
            "::poem_openapi::types::Email(::std::string::String::from({s:?}))"
        )),
        "password" => Ok(format!(
            "::poem_openapi::types::Password(::std::string::String::from({s:?}))"
        )),
        _ => Err(format!(
            "is on a `format: {format}` schema, where defaults are not supported yet"
        )),
    }
}

/// An array default: empty, or of plain scalars.
fn array(items: &[Value], typed: &Typed) -> Result<String, String> {
    let Ty::Vec(inner) = &typed.ty else {
        return Err("is an array, but the schema is not".into());
    };
    if items.is_empty() {
        return Ok("::std::vec::Vec::new()".into());
    }
    let json = match &**inner {
        Ty::Scalar(Scalar::String) => JsonKind::String,
        Ty::Scalar(s @ (Scalar::Bool | Scalar::F32 | Scalar::F64)) => s.json(),
        Ty::Scalar(s) if s.json() == JsonKind::Integer => JsonKind::Integer,
        _ => return Err("is a non-empty array of values that are not plain scalars, where defaults are not supported yet".into()),
    };
    let item = Typed {
        ty: (**inner).clone(),
        validators: vec![],
        json,
        format: None,
    };
    let values = items
        .iter()
        .map(|v| check(v, &item, &Map::new(), &[]))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("::std::vec![{}]", values.join(", ")))
}

fn list(variants: &[(String, String)]) -> String {
    variants
        .iter()
        .map(|(v, _)| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A string default or example, checked against the schema's lengths and pattern.
fn string_value(s: &str, typed: &Typed, schema: &Map<String, Value>) -> Result<String, String> {
    let len = s.chars().count() as u64;
    if schema
        .get("minLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| len < m)
    {
        return Err("is shorter than `minLength`".into());
    }
    if schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .is_some_and(|m| len > m)
    {
        return Err("is longer than `maxLength`".into());
    }
    if let Some(p) = schema.text("pattern") {
        if regex::Regex::new(p).is_ok_and(|re| !re.is_match(s)) {
            return Err("does not match `pattern`".into());
        }
    }
    let string = format!("::std::string::String::from({s:?})");
    // Checked against the pattern above, so a `Matching` can be built as it is.
    Ok(match &typed.ty {
        Ty::Scalar(Scalar::Matching(_)) => {
            format!("::codegen_runtime::Matching::new_unchecked({string})")
        }
        _ => string,
    })
}

/// A number default or example, checked against the schema's type, bounds and `multipleOf`.
fn number_value(
    n: &serde_json::Number,
    typed: &Typed,
    schema: &Map<String, Value>,
) -> Result<String, String> {
    let x = n.as_f64().unwrap_or_default();
    let integer = typed.json == JsonKind::Integer;
    if integer && !(n.is_i64() || n.is_u64()) {
        return Err("is not an integer".into());
    }
    if integer
        && typed.ty == Ty::Scalar(Scalar::I32)
        && n.as_i64().and_then(|v| i32::try_from(v).ok()).is_none()
    {
        return Err("does not fit in int32".into());
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        if x < min || (schema.flag("exclusiveMinimum") && x == min) {
            return Err(format!("is below the minimum {min}"));
        }
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        if x > max || (schema.flag("exclusiveMaximum") && x == max) {
            return Err(format!("is above the maximum {max}"));
        }
    }
    if let Some(m) = schema.get("multipleOf").and_then(Value::as_f64) {
        if m > 0.0 && (x / m).fract() != 0.0 {
            return Err(format!("is not a multiple of {m}"));
        }
    }
    Ok(if integer {
        format!("{n}")
    } else {
        format!("{x:?}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(scalar: Scalar) -> Typed {
        Typed {
            json: scalar.json(),
            ty: Ty::Scalar(scalar),
            validators: vec![],
            format: None,
        }
    }

    fn schema(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn numbers_are_checked_against_bounds_and_width() {
        let s = schema(serde_json::json!({"minimum": 1, "maximum": 100, "exclusiveMaximum": true}));

        assert_eq!(
            check(&Value::from(20), &typed(Scalar::I32), &s, &[]),
            Ok("20".into())
        );
        assert!(check(&Value::from(100), &typed(Scalar::I32), &s, &[]).is_err());
        assert!(check(
            &Value::from(5_000_000_000i64),
            &typed(Scalar::I32),
            &Map::new(),
            &[]
        )
        .is_err());
        assert!(check(&Value::from(1.5), &typed(Scalar::I64), &Map::new(), &[]).is_err());
        assert_eq!(
            check(&Value::from(2.5), &typed(Scalar::F64), &Map::new(), &[]),
            Ok("2.5".into())
        );
    }

    #[test]
    fn enum_values_become_variants() {
        let t = Typed {
            ty: Ty::Named("Order".into()),
            validators: vec![],
            json: JsonKind::Enum,
            format: None,
        };
        let variants = [
            ("asc".to_owned(), "Asc".to_owned()),
            ("desc".to_owned(), "Desc".to_owned()),
        ];

        assert_eq!(
            check(&Value::from("desc"), &t, &Map::new(), &variants),
            Ok("Order::Desc".into())
        );
        assert_eq!(
            check(&Value::from("up"), &t, &Map::new(), &variants),
            Err("is not one of the enum's values (`asc`, `desc`)".into())
        );
    }

    #[test]
    fn strings_are_checked_against_length_and_pattern() {
        let s = schema(serde_json::json!({"maxLength": 3, "pattern": "^[a-z]+$"}));

        assert!(check(&Value::from("abc"), &typed(Scalar::String), &s, &[]).is_ok());
        assert!(check(&Value::from("abcd"), &typed(Scalar::String), &s, &[]).is_err());
        assert!(check(&Value::from("AB"), &typed(Scalar::String), &s, &[]).is_err());
        assert!(check(&Value::from(3), &typed(Scalar::String), &s, &[]).is_err());
    }
}
