//! The spec's text and the position of every node in it: maps a JSON pointer to the line and
//! column of the key that names it, so diagnostics can point into the file.
//!
//! Positions come from yaml-rust2's event parser (the one serde_yaml's YAML is checked
//! against): every mapping key and sequence item is recorded under its pointer. Anchors and
//! aliases keep their positions: a pointer that goes through an alias (`*ok`) or a merge key
//! (`<<: *base`) is located at the alias or at the key that holds the merge, the deepest node
//! written there.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A loaded spec file: its display name and the position of each node.
pub struct Source {
    /// The name diagnostics print, e.g. `openapi/items.yaml`.
    pub name: String,
    /// Line and column (1-based) by JSON pointer; `None` if the text did not parse, in which
    /// case diagnostics print pointers alone.
    positions: Option<HashMap<String, (usize, usize)>>,
}

impl Source {
    /// Reads the positions of `text`. Its parser recurses once per level of a block
    /// collection, without a limit: call it only on a document serde_yaml accepted (at most
    /// 128 levels, which it parses on a 2 MiB stack; it overflows one past about 680).
    pub fn new(name: &str, text: &str) -> Self {
        let mut index = Index::default();
        let positions = Parser::new_from_str(text)
            .load(&mut index, false)
            .ok()
            .map(|()| index.positions);
        Source {
            name: name.to_owned(),
            positions,
        }
    }

    /// Line and column (both 1-based) of the node `pointer` names: the key's position for a
    /// mapping entry, the item's position for a sequence element. A pointer that goes past
    /// what is written (a key that should be there, a path through an alias) is located at
    /// the deepest node that is. `None` without positions.
    pub fn locate(&self, pointer: &str) -> Option<(usize, usize)> {
        let positions = self.positions.as_ref()?;
        let mut at = pointer;
        loop {
            if let Some(position) = positions.get(at) {
                return Some(*position);
            }
            match at.rfind('/') {
                Some(i) => at = &at[..i],
                None => return positions.get("").copied(),
            }
        }
    }
}

/// Builds the pointer → position map from parser events.
#[derive(Default)]
struct Index {
    positions: HashMap<String, (usize, usize)>,
    open: Vec<Open>,
}

/// A collection being read.
enum Open {
    Mapping {
        pointer: String,
        /// The key whose value comes next; `None` when a key comes next.
        key: Option<String>,
    },
    Sequence {
        pointer: String,
        next: usize,
    },
    /// A mapping or sequence used as a key: nothing in it is addressable.
    Key,
}

impl Index {
    /// The pointer of the node an event starts, recording its position; `None` for a key
    /// (recorded under the pointer it names) or for what sits inside a complex key.
    fn start(&mut self, event: &Event, at: (usize, usize)) -> Option<String> {
        match self.open.last_mut() {
            None => {
                self.positions.insert(String::new(), at);
                Some(String::new())
            }
            Some(Open::Key) => None,
            Some(Open::Mapping { pointer, key }) => match key.take() {
                Some(k) => Some(join(pointer, &k)),
                None => {
                    let name = match event {
                        Event::Scalar(text, ..) => text.clone(),
                        _ => {
                            *key = Some("?".into());
                            return None;
                        }
                    };
                    let child = join(pointer, &name);
                    self.positions.entry(child).or_insert(at);
                    *key = Some(name);
                    None
                }
            },
            Some(Open::Sequence { pointer, next }) => {
                let child = format!("{pointer}/{next}");
                *next += 1;
                self.positions.insert(child.clone(), at);
                Some(child)
            }
        }
    }
}

impl MarkedEventReceiver for Index {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let at = (mark.line(), mark.col() + 1);
        match &event {
            Event::Scalar(..) | Event::Alias(_) => {
                // A key is recorded by `start`; a value's position is its key's.
                let _ = self.start(&event, at);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_key = matches!(self.open.last(), Some(Open::Mapping { key: None, .. }))
                    || matches!(self.open.last(), Some(Open::Key));
                let pointer = self.start(&event, at);
                self.open.push(match (pointer, &event) {
                    (Some(pointer), _) if !is_key => match event {
                        Event::MappingStart(..) => Open::Mapping { pointer, key: None },
                        _ => Open::Sequence { pointer, next: 0 },
                    },
                    _ => Open::Key,
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.open.pop();
            }
            _ => {}
        }
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
        Source::new("t.yaml", text)
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

    #[test]
    fn anchors_aliases_and_merge_keys_keep_positions() {
        let s = source(
            "paths:\n  /a:\n    get: &op\n      summary: A\n  /b:\n    get: *op\n  /c:\n    get:\n      <<: *op\n      bogus: 1\n",
        );

        assert_eq!(s.locate("/paths/~1a/get/summary"), Some((4, 7)));
        assert_eq!(
            s.locate("/paths/~1b/get/summary"),
            Some((6, 5)),
            "at the alias"
        );
        assert_eq!(s.locate("/paths/~1c/get/bogus"), Some((10, 7)));
        assert_eq!(
            s.locate("/paths/~1c/get/summary"),
            Some((8, 5)),
            "merged in"
        );
    }
}
