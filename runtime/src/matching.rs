use std::borrow::Cow;
use std::marker::PhantomData;

use poem::web::Field;
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromMultipartField, ParseFromParameter, ParseResult, ToJSON,
    Type,
};
use serde_json::Value;

/// A pattern from the spec, compiled on first use. The generator emits one marker type per
/// pattern, with a `static` regex: the `regex` crate's, or `fancy_regex`'s for the ECMA-262
/// patterns `regex` cannot compile (look-around, back-references).
pub trait Pattern: Send + Sync + 'static {
    /// The pattern as the spec writes it.
    const PATTERN: &'static str;
    /// Whether `value` matches the pattern.
    fn is_match(value: &str) -> bool;
}

/// A string that matches the pattern `P`, checked with a regex compiled once per process.
///
/// poem-openapi's `pattern` validator compiles its regex on every request; values with a
/// `pattern` are parsed as this type instead. It serves the same schema (`type: string` with
/// the `pattern`) and rejects exactly what the validator rejects, with the same message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Matching<P>(String, PhantomData<P>);

impl<P: Pattern> Matching<P> {
    /// `value`, if it matches the pattern.
    pub fn new(value: String) -> Option<Self> {
        if P::is_match(&value) {
            Some(Self(value, PhantomData))
        } else {
            None
        }
    }

    /// `value` as it is, for a value known to match (read back from a store that only
    /// accepted matching values, or a default checked by the generator). Responses are not
    /// validated, so a value that does not match would reach the client as it is.
    pub fn new_unchecked(value: String) -> Self {
        Self(value, PhantomData)
    }

    /// The string.
    pub fn into_inner(self) -> String {
        self.0
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn mismatch() -> ParseError<Self> {
        ParseError::custom(format!("verification failed. pattern(\"{}\")", P::PATTERN))
    }
}

impl<P> AsRef<str> for Matching<P> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<P: Pattern> Type for Matching<P> {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed("string")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            pattern: Some(P::PATTERN.to_owned()),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(std::iter::once(self))
    }
}

impl<P: Pattern> ParseFromJSON for Matching<P> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(s) => Self::new(s).ok_or_else(Self::mismatch),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl<P: Pattern> ParseFromParameter for Matching<P> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::new(value.to_owned()).ok_or_else(Self::mismatch)
    }
}

impl<P: Pattern> ParseFromMultipartField for Matching<P> {
    async fn parse_from_multipart(field: Option<Field>) -> ParseResult<Self> {
        match field {
            Some(field) => {
                let text = field.text().await.map_err(ParseError::custom)?;
                Self::new(text).ok_or_else(Self::mismatch)
            }
            None => Err(ParseError::expected_input()),
        }
    }
}

impl<P: Pattern> ToJSON for Matching<P> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    #[derive(Debug)]
    struct Slug;

    impl Pattern for Slug {
        const PATTERN: &'static str = "^[a-z]+$";

        fn is_match(value: &str) -> bool {
            static REGEX: LazyLock<regex::Regex> =
                LazyLock::new(|| regex::Regex::new(Slug::PATTERN).unwrap());
            REGEX.is_match(value)
        }
    }

    /// A look-ahead, which only `fancy_regex` compiles.
    struct NotAdmin;

    impl Pattern for NotAdmin {
        const PATTERN: &'static str = "^(?!admin$)[a-z]+$";

        fn is_match(value: &str) -> bool {
            static REGEX: LazyLock<fancy_regex::Regex> =
                LazyLock::new(|| fancy_regex::Regex::new(NotAdmin::PATTERN).unwrap());
            REGEX.is_match(value).unwrap_or(false)
        }
    }

    #[test]
    fn look_around_patterns_are_checked() {
        assert!(Matching::<NotAdmin>::new("bob".into()).is_some());
        assert!(Matching::<NotAdmin>::new("admin".into()).is_none());
        assert!(Matching::<NotAdmin>::new("administrator".into()).is_some());
    }

    #[test]
    fn only_matching_strings_parse() {
        let ok = Matching::<Slug>::parse_from_json(Some(Value::from("abc"))).unwrap();
        let bad = Matching::<Slug>::parse_from_json(Some(Value::from("ABC"))).unwrap_err();
        let number = Matching::<Slug>::parse_from_json(Some(Value::from(7)));

        assert_eq!(ok.as_str(), "abc");
        assert_eq!(
            bad.into_message(),
            "failed to parse \"string\": verification failed. pattern(\"^[a-z]+$\")"
        );
        assert!(number.is_err(), "a number is not a string");
        assert!(Matching::<Slug>::parse_from_parameter("a1").is_err());
    }
}
