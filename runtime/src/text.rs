use std::borrow::Cow;
use std::ops::Deref;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use serde_json::Value;

use crate::json::{Mismatch, StrictJson};

/// A string that is only ever read from a JSON string. poem-openapi's `String` also reads
/// `7` and `true`; in a union of a string and a number or boolean that would make every
/// number a string too (or, in a `oneOf`, match twice and be rejected). The generator uses
/// this type for the string variant of such unions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct StrictString(pub String);

impl Deref for StrictString {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for StrictString {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl Type for StrictString {
    const IS_REQUIRED: bool = true;
    type RawValueType = String;
    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("string")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new("string")))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.0))
    }
}

impl ParseFromJSON for StrictString {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Ok(Self(s)),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ToJSON for StrictString {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

impl StrictJson for StrictString {
    fn check(value: &Value) -> Result<(), Mismatch> {
        String::check(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_strings_are_read() {
        assert_eq!(
            StrictString::parse_from_json(Some(Value::from("7"))).unwrap(),
            StrictString("7".into())
        );
        assert!(StrictString::parse_from_json(Some(Value::from(7))).is_err());
        assert!(StrictString::parse_from_json(Some(Value::from(true))).is_err());
    }
}
