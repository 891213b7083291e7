use std::collections::{BTreeMap, HashMap};

use poem::{FromRequest, Request, RequestBody};
use poem_openapi::error::{ContentTypeError, ParseRequestPayloadError};
use poem_openapi::payload::{Json, ParsePayload, Payload};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::ApiExtractor;
use serde_json::Value;

/// A JSON request body read like poem-openapi's `Json<T>`, after one more check: every
/// value the schema declares a string is a string. poem-openapi's `String` also reads
/// numbers and booleans (`7` becomes `"7"`), which would accept a body the spec rejects.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

deref_to_field!(JsonBody);

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = <Json<T> as Payload>::CONTENT_TYPE;

    /// As poem-openapi's `Json`, which parses the media type each time: the two spellings
    /// clients send are known to pass without it.
    fn check_content_type(content_type: &str) -> bool {
        matches!(
            content_type,
            "application/json" | "application/json; charset=utf-8"
        ) || <Json<T> as Payload>::check_content_type(content_type)
    }

    payload_schema_items!();
}

impl<T: ParseFromJSON + StrictJson> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = T::IS_REQUIRED;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let data = <Vec<u8> as FromRequest>::from_request(request, body).await?;
        let value = if data.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&data).map_err(|err| ParseRequestPayloadError {
                reason: format!("not valid JSON: {err}"),
            })?
        };
        let first = match T::check(&value) {
            Err(mismatch) => mismatch.to_string(),
            Ok(()) => match T::parse_from_json(Some(value)) {
                Ok(parsed) => return Ok(Self(parsed)),
                Err(err) => err.into_message(),
            },
        };
        // Rejected: now (and only now) look for every problem, not just the first. The value
        // was moved into the parser, so it is read again from the bytes.
        let value = serde_json::from_slice(&data).unwrap_or(Value::Null);
        let first = (
            crate::rejection::body_path(&first),
            crate::rejection::humanize(&first),
        );
        Err(crate::rejection::BodyRejected {
            problems: crate::walk::problems::<T>(&value, first),
        }
        .into())
    }
}

impl<'a, T: ParseFromJSON + StrictJson> ApiExtractor<'a> for JsonBody<T> {
    body_items!(payload, <Self as ParsePayload>::IS_REQUIRED);
}

/// A body payload `P` read from the request, if its `Content-Type` is one `P` accepts:
/// else the 415 poem-openapi answers (a missing `Content-Type` too).
pub(crate) async fn read_body<P: ParsePayload + Payload>(
    request: &Request,
    body: &mut RequestBody,
) -> poem::Result<P> {
    match request.content_type() {
        Some(content_type) if P::check_content_type(content_type) => {
            P::from_request(request, body).await
        }
        Some(content_type) => Err(ContentTypeError::NotSupported {
            content_type: content_type.to_owned(),
        }
        .into()),
        None => Err(ContentTypeError::ExpectContentType.into()),
    }
}

/// Where a JSON value is not of the type its schema declares.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The path to it, innermost first (reversed on display).
    path: Vec<String>,
    /// What the schema declares there: "a string", "an integer", …
    expected: &'static str,
    found: String,
}

impl Mismatch {
    /// `found` is not a string.
    pub fn not_a_string(found: &Value) -> Self {
        Self::not(found, "a string")
    }

    /// `found` is not what the schema declares (`expected`: "an integer", "a boolean", …).
    pub fn not(found: &Value, expected: &'static str) -> Self {
        Self {
            path: Vec::new(),
            expected,
            found: found.to_string(),
        }
    }

    /// The same mismatch, inside the member or element `segment`.
    pub fn at(mut self, segment: impl ToString) -> Self {
        self.path.push(segment.to_string());
        self
    }

    /// The JSON pointer of the value (`/tags/0`).
    pub fn pointer(&self) -> String {
        self.path
            .iter()
            .rev()
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect()
    }
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = self.pointer();
        let at = if pointer.is_empty() { "/" } else { &pointer };
        if self.expected == UNKNOWN {
            return write!(f, "`{at}` {UNKNOWN_MEMBER}");
        }
        write!(f, "`{at}` must be {}, not {}", self.expected, self.found)
    }
}

/// A type whose JSON form the generator knows: [`StrictJson::check`] finds the first value a
/// string schema would reject but poem-openapi's parser would read as a string. The
/// generator implements it for every object, enum and union it emits.
pub trait StrictJson {
    /// `Ok` if every place that must hold a string holds a string (or `null`, which the
    /// parser itself accepts or rejects).
    fn check(value: &Value) -> Result<(), Mismatch>;
}

impl StrictJson for String {
    fn check(value: &Value) -> Result<(), Mismatch> {
        match value {
            Value::String(_) | Value::Null => Ok(()),
            other => Err(Mismatch::not_a_string(other)),
        }
    }
}

/// Integers: poem-openapi rejects anything else too, but without saying where; checked here
/// the rejection names the member (`/size`).
macro_rules! strict_integers {
    ($($ty:ty),* $(,)?) => {
        $(impl StrictJson for $ty {
            fn check(value: &Value) -> Result<(), Mismatch> {
                let fits = match value {
                    Value::Null => true,
                    Value::Number(n) => n
                        .as_i64()
                        .map(|v| <$ty>::try_from(v).is_ok())
                        .or_else(|| n.as_u64().map(|v| <$ty>::try_from(v).is_ok()))
                        .unwrap_or(false),
                    _ => false,
                };
                if fits {
                    Ok(())
                } else {
                    Err(Mismatch::not(value, concat!("an integer that fits ", stringify!($ty))))
                }
            }
        })*
    };
}

strict_integers!(i8, i16, i32, i64, u8, u16, u32, u64);

impl StrictJson for f32 {
    fn check(value: &Value) -> Result<(), Mismatch> {
        f64::check(value)
    }
}

impl StrictJson for f64 {
    fn check(value: &Value) -> Result<(), Mismatch> {
        match value {
            Value::Null | Value::Number(_) => Ok(()),
            other => Err(Mismatch::not(other, "a number")),
        }
    }
}

impl StrictJson for bool {
    fn check(value: &Value) -> Result<(), Mismatch> {
        match value {
            Value::Null | Value::Bool(_) => Ok(()),
            other => Err(Mismatch::not(other, "a boolean")),
        }
    }
}

/// Types whose parser reads only their own JSON type, and says so well enough.
macro_rules! strict_already {
    ($($ty:ty),* $(,)?) => {
        $(impl StrictJson for $ty {
            fn check(_: &Value) -> Result<(), Mismatch> {
                Ok(())
            }
        })*
    };
}

strict_already!(
    Value,
    chrono::NaiveDate,
    chrono::DateTime<chrono::FixedOffset>,
    uuid::Uuid,
    poem_openapi::types::Email,
    poem_openapi::types::Password,
);

impl<P> StrictJson for crate::Matching<P> {
    fn check(_: &Value) -> Result<(), Mismatch> {
        Ok(())
    }
}

impl<T: StrictJson> StrictJson for Option<T> {
    fn check(value: &Value) -> Result<(), Mismatch> {
        T::check(value)
    }
}

impl<T: StrictJson> StrictJson for Box<T> {
    fn check(value: &Value) -> Result<(), Mismatch> {
        T::check(value)
    }
}

impl<T: StrictJson> StrictJson for Vec<T> {
    fn check(value: &Value) -> Result<(), Mismatch> {
        match value {
            Value::Array(elements) => elements
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| T::check(v).map_err(|m| m.at(i))),
            _ => Ok(()),
        }
    }
}

impl<T: StrictJson> StrictJson for BTreeMap<String, T> {
    fn check(value: &Value) -> Result<(), Mismatch> {
        check_members::<T>(value)
    }
}

impl<T: StrictJson, S> StrictJson for HashMap<String, T, S> {
    fn check(value: &Value) -> Result<(), Mismatch> {
        check_members::<T>(value)
    }
}

fn check_members<T: StrictJson>(value: &Value) -> Result<(), Mismatch> {
    match value {
        Value::Object(members) => members
            .iter()
            .try_for_each(|(k, v)| T::check(v).map_err(|m| m.at(k))),
        _ => Ok(()),
    }
}

/// Finds a member of `value` (an object that denies unknown members) that is not one of
/// `declared`: checked before parsing, so the rejection names it even when another member is
/// also wrong (poem-openapi reports unknown members only after all known ones parsed).
pub fn check_known(value: &Value, declared: &[&str]) -> Result<(), Mismatch> {
    let Value::Object(members) = value else {
        return Ok(());
    };
    match members.keys().find(|k| !declared.contains(&k.as_str())) {
        Some(unknown) => Err(Mismatch {
            path: vec![unknown.clone()],
            expected: UNKNOWN,
            found: String::new(),
        }),
        None => Ok(()),
    }
}

/// The `expected` of a member the schema does not declare.
const UNKNOWN: &str = "";
/// What is said of a member the schema does not declare.
pub(crate) const UNKNOWN_MEMBER: &str = "is not a member the schema declares";

/// Checks the member `name` of an object as a `T`: what the generated `check` of an object
/// does for each of its properties.
pub fn check_member<T: StrictJson>(value: &Value, name: &str) -> Result<(), Mismatch> {
    match value.get(name) {
        Some(member) => T::check(member).map_err(|m| m.at(name)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The media types taken without parsing are ones poem-openapi's `Json` takes.
    #[test]
    fn media_types_are_checked_as_poem_openapi_checks_them() {
        for media_type in [
            "application/json",
            "application/json; charset=utf-8",
            "application/json;charset=utf-8",
            "application/problem+json",
            "Application/JSON",
            "application/jsonx",
            "text/json",
            "application/x-www-form-urlencoded",
            "",
        ] {
            assert_eq!(
                JsonBody::<i32>::check_content_type(media_type),
                Json::<i32>::check_content_type(media_type),
                "{media_type}"
            );
        }
        assert!(JsonBody::<i32>::check_content_type("application/json"));
    }

    #[test]
    fn a_number_or_boolean_where_a_string_belongs_is_found_with_its_pointer() {
        let tags = json!([["a"], ["b", 7]]);
        let map = json!({"x/y": {"k": true}});

        let err = <Vec<Vec<String>>>::check(&tags).unwrap_err();
        let map_err = <BTreeMap<String, BTreeMap<String, String>>>::check(&map).unwrap_err();

        assert_eq!(err.pointer(), "/1/1");
        assert_eq!(err.to_string(), "`/1/1` must be a string, not 7");
        assert_eq!(map_err.pointer(), "/x~1y/k");
        assert!(<Option<String>>::check(&Value::Null).is_ok());
        assert!(<Vec<i64>>::check(&json!([1, 2])).is_ok());
    }
}
