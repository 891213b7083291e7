//! The methods each path of a spec allows, for the answers no operation gives: `405 Method
//! Not Allowed` must carry `Allow` (RFC 9110 §15.5.6), and `OPTIONS` on a path answers with it.
//! Read from the written document, so it lists exactly the operations the spec declares, plus
//! `HEAD` wherever `GET` is (poem answers it) and `OPTIONS` itself.

use regex::Regex;
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Path templates of a spec, as matchers, with what each allows.
pub struct Methods {
    paths: Vec<(Regex, Allowed)>,
}

/// What one path allows.
pub struct Allowed {
    /// The `Allow` header value: `GET, PUT, DELETE, HEAD, OPTIONS`.
    pub header: String,
    /// Whether the spec declares an `OPTIONS` operation (then the API answers it, not us).
    pub options_declared: bool,
}

impl Methods {
    /// The paths of `document` (the spec as JSON).
    pub fn from_document(document: &Value) -> Self {
        let mut paths = Vec::new();
        for (template, item) in document
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let options_declared = item.get("options").is_some();
            let mut allow: Vec<String> = METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_ascii_uppercase())
                .collect();
            for (implied, by) in [("HEAD", "GET"), ("OPTIONS", "")] {
                if (by.is_empty() || allow.iter().any(|m| m == by))
                    && !allow.iter().any(|m| m == implied)
                {
                    allow.push(implied.to_owned());
                }
            }
            let allowed = Allowed {
                header: allow.join(", "),
                options_declared,
            };
            paths.push((matcher(template), allowed));
        }
        Methods { paths }
    }

    /// What a request path allows, or `None` if no path of the spec matches it.
    pub fn allow(&self, path: &str) -> Option<&Allowed> {
        self.paths
            .iter()
            .find(|(re, _)| re.is_match(path))
            .map(|(_, allowed)| allowed)
    }
}

/// `/items/{item_id}` → `^/items/[^/]+$`: a parameter is one or more characters of a segment.
fn matcher(template: &str) -> Regex {
    let mut pattern = String::from("^");
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        pattern.push_str(&regex::escape(&rest[..open]));
        pattern.push_str("[^/]+");
        rest = &rest[open + close + 1..];
    }
    pattern.push_str(&regex::escape(rest));
    pattern.push('$');
    Regex::new(&pattern).expect("an escaped template is a valid pattern")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_the_declared_methods_with_head_and_options() {
        let doc = serde_json::json!({"paths": {
            "/items": {"get": {}},
            "/items/{item_id}": {"parameters": [], "get": {}, "put": {}, "delete": {}},
            "/v1/jobs/{job}:cancel": {"post": {}},
        }});
        let methods = Methods::from_document(&doc);

        let allow = |path| methods.allow(path).map(|a| a.header.as_str());

        assert_eq!(allow("/items"), Some("GET, HEAD, OPTIONS"));
        assert_eq!(allow("/items/foo"), Some("GET, PUT, DELETE, HEAD, OPTIONS"));
        assert_eq!(allow("/v1/jobs/7:cancel"), Some("POST, OPTIONS"));
        assert_eq!(allow("/items/foo/bar"), None);
        assert_eq!(allow("/items/"), None);
        assert!(!methods.allow("/items").unwrap().options_declared);
    }
}
