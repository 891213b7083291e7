//! The spec's text and its position-aware YAML tree: maps a JSON pointer to the line and
//! column of the key that names it, so diagnostics can point into the file.

use marked_yaml::Node;

/// A loaded spec file: its display name, its text and the YAML tree with positions.
pub struct Source {
    /// The name diagnostics print, e.g. `openapi/items.yaml`.
    pub name: String,
    /// The YAML tree with positions; `None` if the text uses something marked-yaml cannot
    /// position (anchors and aliases), in which case diagnostics print pointers alone.
    pub tree: Option<Node>,
}

impl Source {
    /// Line and column (both 1-based) of the node `pointer` names: the key's position for a
    /// mapping entry, the item's position for a sequence element. `None` if it is not there.
    pub fn locate(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut node = self.tree.as_ref()?;
        let mut at = node.span().start().map(|m| (m.line(), m.column()));
        if pointer.is_empty() {
            return at;
        }
        for token in pointer.split('/').skip(1) {
            let token = unescape(token);
            // A pointer that goes past what exists (a key that should be there) is located at
            // the deepest node that does exist.
            match node {
                Node::Mapping(map) => {
                    let Some((key, value)) = map.iter().find(|(k, _)| k.as_str() == token) else {
                        return at;
                    };
                    at = key.span().start().map(|m| (m.line(), m.column()));
                    node = value;
                }
                Node::Sequence(seq) => {
                    let Some(item) = token.parse().ok().and_then(|i| seq.get_node(i)) else {
                        return at;
                    };
                    node = item;
                    at = node.span().start().map(|m| (m.line(), m.column()));
                }
                Node::Scalar(_) => return at,
            }
        }
        at
    }
}

/// Escapes one reference token of a JSON pointer (RFC 6901): `~` → `~0`, `/` → `~1`.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`].
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// `%7B` → `{`: a `$ref`'s fragment is a URI fragment, percent-encoded.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).and_then(|b| hex(*b)),
            bytes.get(i + 2).and_then(|b| hex(*b)),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The JSON pointer a `$ref` into this document names (`#/paths/~1a%7Bb%7D` →
/// `/paths/~1a{b}`); `None` for a reference to another document.
pub fn ref_pointer(reference: &str) -> Option<String> {
    reference.strip_prefix('#').map(percent_decode)
}

/// Joins a pointer and one more unescaped token.
pub fn join(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", escape(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source {
            name: "t.yaml".into(),
            tree: Some(marked_yaml::parse_yaml(0, text).unwrap()),
        }
    }

    #[test]
    fn pointer_tokens_escape_slash_and_tilde() {
        assert_eq!(escape("/items/{id}"), "~1items~1{id}");
        assert_eq!(escape("a~b"), "a~0b");
        assert_eq!(unescape("~1items~1{id}"), "/items/{id}");
        assert_eq!(unescape("a~0b"), "a~b");
        assert_eq!(join("/paths", "/x"), "/paths/~1x");
    }

    #[test]
    fn locate_finds_keys_and_sequence_items() {
        let s = source("a: 1\npaths:\n  /x:\n    get:\n      tags: [p, q]\n");

        assert_eq!(s.locate("/a"), Some((1, 1)));
        assert_eq!(s.locate("/paths/~1x/get"), Some((4, 5)));
        assert_eq!(s.locate("/paths/~1x/get/tags/1"), Some((5, 17)));
        assert_eq!(
            s.locate("/paths/~1y"),
            Some((2, 1)),
            "falls back to the deepest existing node"
        );
        assert_eq!(s.locate("/paths/~1x/get/responses"), Some((4, 5)));
    }
}
