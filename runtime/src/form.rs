use poem::{Request, RequestBody};
use poem_openapi::error::ParseRequestPayloadError;
use poem_openapi::payload::{Form, ParsePayload, Payload};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseFromJSON, Type};
use poem_openapi::ApiExtractor;
use serde_json::{Map, Value};

/// An `application/x-www-form-urlencoded` body read into `T` by poem-openapi's JSON parser,
/// so a form is checked exactly like the same object sent as JSON: types, formats, enums,
/// constraints, defaults and unknown fields. The pairs become a JSON object first: a
/// repeated key is an array, `a[b]=1` a nested object (OpenAPI's `deepObject`), `a[]=1` an
/// array element; text is read as the number or boolean the schema expects there.
/// (poem-openapi's `Form` parses with serde instead, which skips all of these checks.)
#[derive(Debug)]
pub struct FormBody<T>(pub T);

deref_to_field!(FormBody);

impl<T: Type> Payload for FormBody<T> {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";

    fn check_content_type(content_type: &str) -> bool {
        <Form<String> as Payload>::check_content_type(content_type)
    }

    payload_schema_items!();
}

impl<T: ParseFromJSON> ParsePayload for FormBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let pairs = <Form<Vec<(String, String)>> as ParsePayload>::from_request(request, body)
            .await?
            .0;
        let mut registry = Registry::new();
        T::register(&mut registry);
        let value = coerce(tree(pairs), &T::schema_ref(), &registry);
        T::parse_from_json(Some(value)).map(Self).map_err(|err| {
            ParseRequestPayloadError {
                reason: err.into_message(),
            }
            .into()
        })
    }
}

impl<'a, T: ParseFromJSON> ApiExtractor<'a> for FormBody<T> {
    body_items!(payload, true);
}

/// The pairs of a form as one JSON object of strings.
pub(crate) fn tree(pairs: Vec<(String, String)>) -> Value {
    let mut tree = Value::Object(Map::new());
    for (key, value) in pairs {
        insert(&mut tree, &key, value);
    }
    tree
}

/// Puts `value` at the place `key` names (`a`, `a[b]`, `a[]`, `a[b][0]`) in `tree`. A key
/// that contradicts an earlier one (`a=1&a[b]=2`) is dropped, so the parser reports what
/// is missing rather than guessing.
fn insert(tree: &mut Value, key: &str, value: String) {
    let (head, rest) = match key.find('[') {
        Some(i) if key.ends_with(']') && i > 0 => (&key[..i], &key[i..]),
        _ => (key, ""),
    };
    let mut path = vec![head];
    path.extend(rest.split('[').skip(1).map(|s| s.trim_end_matches(']')));
    let mut node = tree;
    for segment in path {
        if segment.is_empty() {
            // `a[]`: a new element of the array `a`.
            if !node.is_array() {
                let old = std::mem::take(node);
                *node = Value::Array(if old.is_null() { vec![] } else { vec![old] });
            }
            let Value::Array(elements) = node else { return };
            elements.push(Value::Null);
            node = elements.last_mut().expect("just pushed");
        } else {
            if node.is_null() {
                *node = Value::Object(Map::new());
            }
            let Value::Object(members) = node else { return };
            node = members.entry(segment).or_insert(Value::Null);
        }
    }
    // A repeated key collects its values into an array.
    *node = match std::mem::take(node) {
        Value::Null => Value::String(value),
        Value::Array(mut elements) => {
            elements.push(Value::String(value));
            Value::Array(elements)
        }
        old @ Value::String(_) => Value::Array(vec![old, Value::String(value)]),
        // `a[b]=1&a=2`: the object stays; the plain value is dropped.
        old => old,
    };
}

/// Reads the text of a form as the JSON types `schema` expects, so the parser's own checks
/// decide what is valid: text that is not a number where a number is expected stays text
/// and is rejected as such.
pub(crate) fn coerce(value: Value, schema: &MetaSchemaRef, registry: &Registry) -> Value {
    let Some(schema) = resolve(schema, registry) else {
        return value;
    };
    match (schema.ty, value) {
        ("integer", Value::String(text)) => match text.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => text
                .parse::<u64>()
                .map(Value::from)
                .unwrap_or(Value::String(text)),
        },
        ("number", Value::String(text)) => {
            match text
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
            {
                Some(n) => Value::Number(n),
                None => Value::String(text),
            }
        }
        ("boolean", Value::String(text)) => match text.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(text),
        },
        ("array", value) => {
            let elements = match value {
                Value::Array(elements) => elements,
                // `a[0]=x&a[1]=y`: an object keyed by indexes, in index order.
                Value::Object(members) if members.keys().all(|k| k.parse::<usize>().is_ok()) => {
                    let mut indexed: Vec<(usize, Value)> = members
                        .into_iter()
                        .map(|(k, v)| (k.parse().unwrap_or_default(), v))
                        .collect();
                    indexed.sort_by_key(|(i, _)| *i);
                    indexed.into_iter().map(|(_, v)| v).collect()
                }
                other => vec![other],
            };
            Value::Array(match &schema.items {
                Some(items) => elements
                    .into_iter()
                    .map(|v| coerce(v, items, registry))
                    .collect(),
                None => elements,
            })
        }
        (_, Value::Object(members)) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| {
                    let v = match property(schema, &k, registry) {
                        Some(s) => coerce(v, s, registry),
                        None => v,
                    };
                    (k, v)
                })
                .collect(),
        ),
        (_, value) => value,
    }
}

/// True if `name` is a property of the object `schema` (or it takes any properties).
pub(crate) fn property_of(schema: &MetaSchemaRef, name: &str, registry: &Registry) -> bool {
    resolve(schema, registry).is_some_and(|s| property(s, name, registry).is_some())
}

fn resolve<'a>(schema: &'a MetaSchemaRef, registry: &'a Registry) -> Option<&'a MetaSchema> {
    match schema {
        MetaSchemaRef::Inline(schema) => Some(schema),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
    }
}

/// The schema of the member `name` of an object: a property (also of a merged part), or
/// the schema of additional properties.
fn property<'a>(
    schema: &'a MetaSchema,
    name: &str,
    registry: &'a Registry,
) -> Option<&'a MetaSchemaRef> {
    schema
        .properties
        .iter()
        .chain(
            schema
                .all_of
                .iter()
                .filter_map(|part| resolve(part, registry))
                .flat_map(|part| part.properties.iter()),
        )
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s)
        .or(schema.additional_properties.as_deref())
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;
    use serde_json::json;

    use super::*;

    fn pairs(s: &[(&str, &str)]) -> Vec<(String, String)> {
        s.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn keys_become_nested_objects_and_arrays() {
        let t = tree(pairs(&[
            ("a", "1"),
            ("tags", "x"),
            ("tags", "y"),
            ("list[]", "p"),
            ("m[k]", "v"),
            ("m[n][o]", "w"),
            ("i[1]", "second"),
            ("i[0]", "first"),
        ]));

        assert_eq!(
            t,
            json!({"a": "1", "tags": ["x", "y"], "list": ["p"], "m": {"k": "v", "n": {"o": "w"}},
                   "i": {"1": "second", "0": "first"}})
        );
    }

    #[test]
    fn contradicting_keys_keep_the_first_shape() {
        let t = tree(pairs(&[
            ("a[b]", "1"),
            ("a", "2"),
            ("c", "3"),
            ("c[d]", "4"),
        ]));

        assert_eq!(t, json!({"a": {"b": "1"}, "c": "3"}));
    }

    #[derive(Object, Debug, PartialEq)]
    struct Inner {
        visit: Option<i64>,
    }

    #[derive(Object, Debug, PartialEq)]
    struct Note {
        text: String,
        urgent: Option<bool>,
        ratio: Option<f64>,
        ids: Option<Vec<u32>>,
        inner: Option<Inner>,
    }

    #[test]
    fn text_is_read_as_the_types_the_schema_expects() {
        let mut registry = Registry::new();
        Note::register(&mut registry);
        let t = tree(pairs(&[
            ("text", "42"),
            ("urgent", "true"),
            ("ratio", "0.5"),
            ("ids[1]", "8"),
            ("ids[0]", "7"),
            ("inner[visit]", "3"),
        ]));

        let value = coerce(t, &Note::schema_ref(), &registry);

        assert_eq!(
            value,
            json!({"text": "42", "urgent": true, "ratio": 0.5, "ids": [7, 8], "inner": {"visit": 3}})
        );
        assert!(Note::parse_from_json(Some(value)).is_ok());
    }

    #[test]
    fn text_that_is_not_the_expected_type_stays_text_and_is_rejected() {
        let mut registry = Registry::new();
        Note::register(&mut registry);
        let t = tree(pairs(&[
            ("text", "x"),
            ("urgent", "maybe"),
            ("ids", "seven"),
        ]));

        let value = coerce(t, &Note::schema_ref(), &registry);

        assert_eq!(
            value,
            json!({"text": "x", "urgent": "maybe", "ids": ["seven"]})
        );
        assert!(Note::parse_from_json(Some(value)).is_err());
    }
}
