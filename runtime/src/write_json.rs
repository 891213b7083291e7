//! JSON bodies written straight from the generated types.
//!
//! poem-openapi writes a `Json<T>` response by building `T::to_json()`, a `serde_json::Value`
//! (a map, a `String` per key and per string value), and serializing that: a tenth of the
//! instructions of a small GET. [`WriteJson`] writes the same text without the `Value`; the
//! generator implements it for every type it generates, field by field for objects, and
//! through the `Value` for what it does not write itself (unions). Each impl here writes
//! what the type's `ToJSON` gives, byte for byte: the tests below compare the two, and the
//! differential tests compare whole responses with poem-openapi's.

use std::collections::BTreeMap;

use poem::http::{header, HeaderValue};
use poem::Response;
use poem_openapi::types::ToJSON;
use serde_json::{Number, Value};

/// A type whose `ToJSON` text can be written directly.
pub trait WriteJson: ToJSON {
    /// Appends the JSON text of `self.to_json()` to `out`; where that is `None` (a value
    /// that is left out, as a float that is not finite), writes nothing and returns false.
    fn write_json(&self, out: &mut Vec<u8>) -> bool;
}

/// Writes `value` through its `serde_json::Value`, as poem-openapi does: for types whose
/// text is not written directly (unions, dates, UUIDs).
pub fn write_via_value<T: ToJSON + ?Sized>(value: &T, out: &mut Vec<u8>) -> bool {
    match value.to_json() {
        Some(value) => {
            write_serialized(out, &value);
            true
        }
        None => false,
    }
}

/// A JSON string, escaped as serde_json escapes it.
pub fn write_str(out: &mut Vec<u8>, value: &str) {
    write_serialized(out, value);
}

fn write_serialized<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing a string, a number or a `Value` into a `Vec` cannot fail.
    serde_json::to_writer(out, value).expect("JSON into memory");
}

/// The response poem-openapi's `Json<T>` gives (`poem::web::Json` of `T::to_json()`): the
/// text, `null` where `to_json` is `None`; as `content_type` (poem's is
/// `application/json; charset=utf-8`, which a declared media type replaces).
pub fn json_response<T: WriteJson + ?Sized>(value: &T, content_type: &'static str) -> Response {
    let mut body = Vec::with_capacity(128);
    if !value.write_json(&mut body) {
        body.extend_from_slice(b"null");
    }
    let mut response = Response::from(poem::Body::from(body));
    // A constant name and value: the builder's `header` parses and checks both.
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// An object being written: members in the order they are added, as poem-openapi's `Object`
/// derive inserts them into its (insertion-ordered) map.
pub struct JsonObject<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    /// Opens the object.
    pub fn start(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        JsonObject { out, empty: true }
    }

    /// Adds the member `key` (its JSON text, quotes included: the generator escapes it),
    /// unless the value writes nothing.
    pub fn member<T: WriteJson + ?Sized>(&mut self, key: &str, value: &T) {
        let mark = self.out.len();
        if !self.empty {
            self.out.push(b',');
        }
        self.out.extend_from_slice(key.as_bytes());
        self.out.push(b':');
        if value.write_json(self.out) {
            self.empty = false;
        } else {
            self.out.truncate(mark);
        }
    }

    /// Closes the object.
    pub fn end(self) {
        self.out.push(b'}');
    }
}

macro_rules! write_as_serialized {
    ($($ty:ty),*) => {$(
        impl WriteJson for $ty {
            fn write_json(&self, out: &mut Vec<u8>) -> bool {
                write_serialized(out, self);
                true
            }
        }
    )*};
}

// Integers become a `Number` and booleans a `Bool`; serde_json writes those as it writes the
// plain values. A `String` is written as a `Value::String` is.
write_as_serialized!(bool, i8, i16, i32, i64, u8, u16, u32, u64, String, Value);

macro_rules! write_float {
    ($($ty:ty),*) => {$(
        impl WriteJson for $ty {
            /// As poem-openapi: the value as an `f64` number; not finite, left out.
            fn write_json(&self, out: &mut Vec<u8>) -> bool {
                match Number::from_f64(*self as f64) {
                    Some(number) => {
                        write_serialized(out, &number);
                        true
                    }
                    None => false,
                }
            }
        }
    )*};
}

write_float!(f32, f64);

macro_rules! write_via_value {
    ($($ty:ty),*) => {$(
        impl WriteJson for $ty {
            fn write_json(&self, out: &mut Vec<u8>) -> bool {
                write_via_value(self, out)
            }
        }
    )*};
}

// Formatted by their own `ToJSON`: not worth a copy of its formatting.
write_via_value!(
    chrono::DateTime<chrono::FixedOffset>,
    chrono::NaiveDate,
    uuid::Uuid,
    poem_openapi::types::Email,
    poem_openapi::types::Password
);

impl<T: WriteJson> WriteJson for Option<T> {
    fn write_json(&self, out: &mut Vec<u8>) -> bool {
        match self {
            Some(value) => value.write_json(out),
            None => {
                out.extend_from_slice(b"null");
                true
            }
        }
    }
}

impl<T: WriteJson> WriteJson for Box<T> {
    fn write_json(&self, out: &mut Vec<u8>) -> bool {
        (**self).write_json(out)
    }
}

impl<T: WriteJson> WriteJson for Vec<T> {
    /// An element that writes nothing is left out, as poem-openapi leaves it out.
    fn write_json(&self, out: &mut Vec<u8>) -> bool {
        out.push(b'[');
        let mut empty = true;
        for item in self {
            let mark = out.len();
            if !empty {
                out.push(b',');
            }
            if item.write_json(out) {
                empty = false;
            } else {
                out.truncate(mark);
            }
        }
        out.push(b']');
        true
    }
}

impl<T: WriteJson> WriteJson for BTreeMap<String, T> {
    /// A member whose value writes nothing is left out, as poem-openapi leaves it out.
    fn write_json(&self, out: &mut Vec<u8>) -> bool {
        out.push(b'{');
        let mut empty = true;
        for (key, value) in self {
            let mark = out.len();
            if !empty {
                out.push(b',');
            }
            write_str(out, key);
            out.push(b':');
            if value.write_json(out) {
                empty = false;
            } else {
                out.truncate(mark);
            }
        }
        out.push(b'}');
        true
    }
}

impl<P: crate::Pattern> WriteJson for crate::Matching<P> {
    fn write_json(&self, out: &mut Vec<u8>) -> bool {
        write_str(out, self.as_str());
        true
    }
}

impl WriteJson for crate::StrictString {
    fn write_json(&self, out: &mut Vec<u8>) -> bool {
        write_str(out, &self.0);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `value` written both ways: directly, and as poem-openapi writes it.
    fn both<T: WriteJson>(value: &T) -> (String, String) {
        let mut direct = Vec::new();
        if !value.write_json(&mut direct) {
            direct.extend_from_slice(b"null");
        }
        let poem = serde_json::to_vec(&value.to_json()).unwrap();
        (
            String::from_utf8(direct).unwrap(),
            String::from_utf8(poem).unwrap(),
        )
    }

    fn same<T: WriteJson>(value: T) {
        let (direct, poem) = both(&value);
        assert_eq!(direct, poem);
    }

    const STRINGS: [&str; 7] = [
        "",
        "plain",
        "quote \" and backslash \\",
        "controls \u{0}\u{1f}\n\t\r\u{7f}",
        "unicode é ✓ 😀",
        "</script>",
        "\u{2028}\u{2029}",
    ];

    #[test]
    fn scalars_are_written_as_their_value() {
        for s in STRINGS {
            same(s.to_owned());
            same(crate::StrictString(s.to_owned()));
        }
        same(true);
        same(false);
        for n in [i64::MIN, -1, 0, 1, i64::MAX] {
            same(n);
        }
        same(i8::MIN);
        same(i16::MAX);
        same(i32::MIN);
        same(u8::MAX);
        same(u16::MAX);
        same(u32::MAX);
        same(u64::MAX);
        for f in [
            0.0,
            -0.0,
            0.1,
            1.0,
            1e300,
            -2.5e-8,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            same(f);
        }
        for f in [0.1f32, 1.0, 3.4e38, -7.25, f32::MIN_POSITIVE] {
            same(f);
        }
        same(serde_json::json!({"b": [1, null, "x"], "a": {"c": 1.5}}));
        same(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        same(chrono::DateTime::parse_from_rfc3339("2026-12-01T20:13:48.5+01:00").unwrap());
        same(uuid::Uuid::from_u128(0x1234_5678_9abc_def0));
        same(poem_openapi::types::Email("a@b.example".into()));
        same(poem_openapi::types::Password("secret".into()));
    }

    /// Floats that are not finite are left out: nothing written, `null` at the top.
    #[test]
    fn non_finite_floats_write_nothing() {
        for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut out = Vec::new();
            assert!(!f.write_json(&mut out));
            assert!(out.is_empty());
            same(f);
            same(f as f32);
        }
    }

    #[test]
    fn containers_leave_out_what_writes_nothing() {
        same(None::<i32>);
        same(Some(5));
        same(Some(f64::NAN));
        same(Vec::<i32>::new());
        same(vec![1.0, f64::NAN, 2.0, f64::INFINITY]);
        same(vec![f64::NAN, 1.0]);
        same(vec![f64::NAN]);
        same(vec![Some("a".to_owned()), None]);
        same(Box::new(vec![vec![1, 2], vec![]]));
        let mut map = BTreeMap::new();
        same(map.clone());
        map.insert("z\"".to_owned(), 1.0);
        map.insert("a".to_owned(), f64::NAN);
        map.insert("m".to_owned(), 2.0);
        same(map.clone());
        map.remove("m");
        map.remove("z\"");
        same(map);
    }

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    struct Digits;

    impl crate::Pattern for Digits {
        const PATTERN: &'static str = "^[0-9]*$";
        fn is_match(value: &str) -> bool {
            value.bytes().all(|b| b.is_ascii_digit())
        }
    }

    #[test]
    fn matching_strings_are_written_as_strings() {
        same(crate::Matching::<Digits>::new("0123".to_owned()).unwrap());
    }

    #[test]
    fn object_members_keep_their_order_and_drop_what_writes_nothing() {
        let mut out = Vec::new();
        let mut object = JsonObject::start(&mut out);
        object.member("\"first\"", &f64::NAN);
        object.member("\"b\"", &1);
        object.member("\"a\"", &f64::NAN);
        object.member("\"c\\\"\"", &"x".to_owned());
        object.member("\"d\"", &f64::INFINITY);
        object.end();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"b":1,"c\"":"x"}"#);
        let mut out = Vec::new();
        let mut object = JsonObject::start(&mut out);
        object.member("\"a\"", &f64::NAN);
        object.end();
        assert_eq!(out, b"{}");
    }

    #[test]
    fn responses_are_poems() {
        let ours = json_response(&vec![1, 2], "application/json; charset=utf-8");
        let poem = poem::IntoResponse::into_response(poem_openapi::payload::Json(vec![1, 2]));
        assert_eq!(ours.status(), poem.status());
        assert_eq!(ours.headers(), poem.headers());
        let nothing = json_response(&f64::NAN, "application/json; charset=utf-8");
        let poem_nothing = poem::IntoResponse::into_response(poem_openapi::payload::Json(f64::NAN));
        assert_eq!(nothing.headers(), poem_nothing.headers());
        let body = |r: Response| {
            futures_lite_block(r.into_body().into_bytes())
                .unwrap()
                .to_vec()
        };
        assert_eq!(body(ours), b"[1,2]");
        assert_eq!(body(nothing), body(poem_nothing));
    }

    fn futures_lite_block<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }
}
