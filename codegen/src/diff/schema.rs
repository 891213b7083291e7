//! Schema rules: each keyword says whether a change makes the set of valid values smaller
//! (narrowed) or larger (widened); [`Direction`] turns that into who breaks.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{flag, show, show_opt, union_keys, At, Class, Direction, Walk, NULL};
use crate::source::join;

/// Whether a lower bound (`minimum`, `minLength`, …) or an upper one.
#[derive(Clone, Copy)]
enum Bound {
    Lower,
    Upper,
}

impl<'a> Walk<'a> {
    /// Compares two schemas read in `dir`, following `$ref`s on both sides. The match is
    /// the table of rules, one arm per keyword; a rule longer than a line is a method.
    pub(super) fn schema(&mut self, dir: Direction, at: At, o: &'a Value, n: &'a Value) {
        if self.became_union(dir, at, o, n) {
            return;
        }
        let (old, new) = (self.old, self.new);
        let (po, o) = self.deref(old, at.old, o);
        let (pn, n) = self.deref(new, at.new, n);
        if !self.seen.insert((po.clone(), pn.clone(), dir)) {
            return;
        }
        // An OpenAPI 3.1 document converted to 3.0 may hold a boolean schema.
        if !o.is_object() || !n.is_object() {
            if o != n {
                self.record(
                    Class::Unclassified,
                    dir,
                    &pn,
                    format!("schema changed from {} to {}", show(o), show(n)),
                );
            }
            return;
        }
        if !self.schema_type(dir, &po, o, &pn, n) {
            return;
        }
        for key in union_keys(o, n) {
            let (vo, vn) = (o.get(&key), n.get(&key));
            let (ko, kn) = (join(&po, &key), join(&pn, &key));
            match key.as_str() {
                "type" | "required" | "$ref" => {}
                "format" => self.format(dir, &kn, vo, vn),
                "nullable" => {
                    let (a, b) = (flag(vo), flag(vn));
                    if !a && b {
                        self.record(
                            dir.widened(),
                            dir,
                            &kn,
                            "now nullable: null is a valid value",
                        );
                    } else if a && !b {
                        self.record(dir.narrowed(), dir, &kn, "no longer nullable");
                    }
                }
                "enum" => self.enumeration(dir, At { old: &ko, new: &kn }, vo, vn),
                "default" => self.default(dir, At { old: &ko, new: &kn }, vo, vn),
                "minimum" | "minLength" | "minItems" | "minProperties" => {
                    self.bound(dir, &key, Bound::Lower, At { old: &ko, new: &kn }, vo, vn)
                }
                "maximum" | "maxLength" | "maxItems" | "maxProperties" => {
                    self.bound(dir, &key, Bound::Upper, At { old: &ko, new: &kn }, vo, vn)
                }
                "exclusiveMinimum" | "exclusiveMaximum" | "uniqueItems" => {
                    let (a, b) = (flag(vo), flag(vn));
                    if !a && b {
                        self.record(dir.narrowed(), dir, &kn, format!("{key} set"));
                    } else if a && !b {
                        self.record(dir.widened(), dir, &kn, format!("{key} unset"));
                    }
                }
                "multipleOf" => self.multiple_of(dir, At { old: &ko, new: &kn }, vo, vn),
                "pattern" => self.pattern(dir, At { old: &ko, new: &kn }, vo, vn),
                "items" => match (vo, vn) {
                    (Some(a), Some(b)) => self.schema(dir, At { old: &ko, new: &kn }, a, b),
                    (None, Some(_)) => self.record(dir.narrowed(), dir, &kn, "items schema added"),
                    (Some(_), None) => {
                        self.record_old(dir.widened(), dir, &ko, "items schema removed")
                    }
                    _ => {}
                },
                "properties" => self.properties(dir, At { old: &po, new: &pn }, o, n),
                "additionalProperties" => {
                    self.additional_properties(dir, At { old: &ko, new: &kn }, vo, vn)
                }
                "allOf" | "oneOf" | "anyOf" => {
                    self.composition(dir, &key, At { old: &ko, new: &kn }, vo, vn)
                }
                "readOnly" | "writeOnly" if flag(vo) != flag(vn) => self.record(
                    Class::Unclassified,
                    dir,
                    &kn,
                    format!(
                        "{key} changed from {} to {}: which side may send the value changed",
                        flag(vo),
                        flag(vn)
                    ),
                ),
                "readOnly" | "writeOnly" => {}
                _ => self.compare_values(dir, &ko, &kn, vo, vn),
            }
        }
        self.required(dir, At { old: &po, new: &pn }, o, n);
    }

    /// A `pattern` added narrows, removed widens; a changed one cannot be compared by rule.
    fn pattern(&mut self, dir: Direction, at: At, vo: Option<&'a Value>, vn: Option<&'a Value>) {
        match (vo, vn) {
            (None, Some(p)) => self.record(dir.narrowed(), dir, at.new, format!("pattern {} added", show(p))),
            (Some(p), None) => self.record_old(dir.widened(), dir, at.old, format!("pattern {} removed", show(p))),
            (Some(a), Some(b)) if a != b => self.record(
                Class::Unclassified,
                dir,
                at.new,
                format!("pattern changed from {} to {}: two regular expressions cannot be compared by rule", show(a), show(b)),
            ),
            _ => {}
        }
    }

    /// A `$ref` that became a `oneOf`/`anyOf` listing it among other alternatives: widened by
    /// those alternatives, and compared with the one it was.
    fn became_union(&mut self, dir: Direction, at: At, o: &'a Value, n: &'a Value) -> bool {
        let Some(reference) = o.get("$ref").filter(|_| n.get("$ref").is_none()) else {
            return false;
        };
        for key in ["oneOf", "anyOf"] {
            let Some(alternatives) = n.get(key).and_then(Value::as_array).filter(|a| a.len() > 1)
            else {
                continue;
            };
            let Some(i) = alternatives
                .iter()
                .position(|a| a.get("$ref") == Some(reference))
            else {
                continue;
            };
            let others: Vec<String> = alternatives
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, a)| describe(a))
                .collect();
            let kn = join(at.new, key);
            self.record(
                dir.widened(),
                dir,
                &kn,
                format!("{} became {key} with {}", describe(o), others.join(", ")),
            );
            let same = format!("{kn}/{i}");
            self.schema(
                dir,
                At {
                    old: at.old,
                    new: &same,
                },
                o,
                &alternatives[i],
            );
            return true;
        }
        false
    }

    /// `type`: returns false when the types are unrelated (nothing else is worth comparing).
    fn schema_type(&mut self, dir: Direction, po: &str, o: &Value, pn: &str, n: &Value) -> bool {
        let (a, b) = (
            o.get("type").and_then(Value::as_str),
            n.get("type").and_then(Value::as_str),
        );
        let at = join(pn, "type");
        match (a, b) {
            (a, b) if a == b => true,
            (None, Some(t)) => {
                self.record(
                    dir.narrowed(),
                    dir,
                    &at,
                    format!("type `{t}` added: other values are no longer valid"),
                );
                true
            }
            (Some(t), None) => {
                self.record_old(
                    dir.widened(),
                    dir,
                    &join(po, "type"),
                    format!("type `{t}` removed: any value is valid"),
                );
                true
            }
            (Some("integer"), Some("number")) => {
                self.record(
                    dir.widened(),
                    dir,
                    &at,
                    "type widened from integer to number",
                );
                true
            }
            (Some("number"), Some("integer")) => {
                self.record(
                    dir.narrowed(),
                    dir,
                    &at,
                    "type narrowed from number to integer",
                );
                true
            }
            (Some(a), Some(b)) => {
                self.record(
                    Class::Breaking,
                    dir,
                    &at,
                    format!("type changed from {a} to {b}"),
                );
                false
            }
            _ => true,
        }
    }

    fn format(&mut self, dir: Direction, at: &str, o: Option<&Value>, n: Option<&Value>) {
        let (a, b) = (o.and_then(Value::as_str), n.and_then(Value::as_str));
        let widens =
            |from: &str, to: &str| matches!((from, to), ("int32", "int64") | ("float", "double"));
        match (a, b) {
            (a, b) if a == b => {}
            (None, Some(f)) => self.record(dir.narrowed(), dir, at, format!("format `{f}` added")),
            (Some(f), None) => self.record(dir.widened(), dir, at, format!("format `{f}` removed")),
            (Some(x), Some(y)) if widens(x, y) => self.record(
                dir.widened(),
                dir,
                at,
                format!("format widened from {x} to {y}"),
            ),
            (Some(x), Some(y)) if widens(y, x) => self.record(
                dir.narrowed(),
                dir,
                at,
                format!("format narrowed from {x} to {y}"),
            ),
            (Some(x), Some(y)) => self.record(
                Class::Breaking,
                dir,
                at,
                format!("format changed from {x} to {y}"),
            ),
            _ => {}
        }
    }

    fn enumeration(&mut self, dir: Direction, at: At, o: Option<&Value>, n: Option<&Value>) {
        let (po, pn) = (at.old, at.new);
        let set =
            |v: Option<&Value>| -> Option<Vec<Value>> { v.and_then(Value::as_array).cloned() };
        match (set(o), set(n)) {
            (None, None) => {}
            (None, Some(_)) => self.record(
                dir.narrowed(),
                dir,
                pn,
                "enum added: only its values are valid",
            ),
            (Some(_), None) => self.record_old(
                dir.widened(),
                dir,
                po,
                "enum removed: any value of the type is valid",
            ),
            (Some(a), Some(b)) => {
                let removed: Vec<String> = a.iter().filter(|v| !b.contains(v)).map(show).collect();
                let added: Vec<String> = b.iter().filter(|v| !a.contains(v)).map(show).collect();
                if !removed.is_empty() {
                    self.record(
                        dir.narrowed(),
                        dir,
                        pn,
                        format!("enum values removed: {}", removed.join(", ")),
                    );
                }
                if !added.is_empty() {
                    self.record(
                        dir.widened(),
                        dir,
                        pn,
                        format!("enum values added: {}", added.join(", ")),
                    );
                }
            }
        }
    }

    /// A request's default is what the server assumes when a client leaves the value out:
    /// changing it changes what those clients' requests mean.
    fn default(&mut self, dir: Direction, at: At, o: Option<&Value>, n: Option<&Value>) {
        let (po, pn) = (at.old, at.new);
        if o == n {
            return;
        }
        let class = match dir {
            Direction::Request if o.is_some() => Class::Breaking,
            _ => Class::Compatible,
        };
        let message = format!("default changed from {} to {}", show_opt(o), show_opt(n));
        if n.is_none() {
            self.record_old(class, dir, po, message);
        } else {
            self.record(class, dir, pn, message);
        }
    }

    /// A numeric keyword added (narrowed) or removed (widened); both values when it is on
    /// both sides and changed.
    fn numeric(
        &mut self,
        dir: Direction,
        key: &str,
        at: At,
        o: Option<&Value>,
        n: Option<&Value>,
    ) -> Option<(f64, f64)> {
        match (o.and_then(Value::as_f64), n.and_then(Value::as_f64)) {
            (None, Some(_)) => {
                let message = format!("{key} {} added", show_opt(n));
                self.record(dir.narrowed(), dir, at.new, message);
                None
            }
            (Some(_), None) => {
                let message = format!("{key} {} removed", show_opt(o));
                self.record_old(dir.widened(), dir, at.old, message);
                None
            }
            (Some(x), Some(y)) if x != y => Some((x, y)),
            _ => None,
        }
    }

    /// `minimum`, `maxLength`, …: a lower bound raised or an upper one lowered narrows.
    fn bound(
        &mut self,
        dir: Direction,
        key: &str,
        bound: Bound,
        at: At,
        o: Option<&Value>,
        n: Option<&Value>,
    ) {
        let Some((x, y)) = self.numeric(dir, key, at, o, n) else {
            return;
        };
        let narrower = match bound {
            Bound::Lower => y > x,
            Bound::Upper => y < x,
        };
        let verb = if y > x { "raised" } else { "lowered" };
        let message = format!("{key} {verb} from {} to {}", show_opt(o), show_opt(n));
        let class = if narrower {
            dir.narrowed()
        } else {
            dir.widened()
        };
        self.record(class, dir, at.new, message);
    }

    /// `multipleOf`: a multiple of the old divisor narrows, a divisor of it widens.
    fn multiple_of(&mut self, dir: Direction, at: At, o: Option<&Value>, n: Option<&Value>) {
        let Some((x, y)) = self.numeric(dir, "multipleOf", at, o, n) else {
            return;
        };
        let divides = |x: f64, y: f64| x != 0.0 && (y / x - (y / x).round()).abs() < 1e-9;
        let class = if divides(x, y) {
            dir.narrowed()
        } else if divides(y, x) {
            dir.widened()
        } else {
            Class::Breaking
        };
        let message = format!("multipleOf changed from {} to {}", show_opt(o), show_opt(n));
        self.record(class, dir, at.new, message);
    }

    fn properties(&mut self, dir: Direction, at: At, o: &'a Value, n: &'a Value) {
        let empty = &NULL;
        let (po, pn) = (join(at.old, "properties"), join(at.new, "properties"));
        let (props_o, props_n) = (
            o.get("properties").unwrap_or(empty),
            n.get("properties").unwrap_or(empty),
        );
        let required_n = required(n);
        // A closed object (`additionalProperties: false`) rejects what it does not list.
        let old_closed = o.get("additionalProperties") == Some(&Value::Bool(false));
        for name in union_keys(props_o, props_n) {
            let (ko, kn) = (join(&po, &name), join(&pn, &name));
            match (props_o.get(&name), props_n.get(&name)) {
                (Some(a), Some(b)) => self.schema(dir, At { old: &ko, new: &kn }, a, b),
                (Some(_), None) => {
                    let message = match dir {
                        Direction::Request => format!(
                            "field `{name}` removed: clients that send it are no longer understood"
                        ),
                        _ => {
                            format!("field `{name}` removed: clients that read it no longer get it")
                        }
                    };
                    self.record_old(Class::Breaking, dir, &ko, message);
                }
                (None, Some(_)) => {
                    let (class, message) = match dir {
                        Direction::Request if required_n.contains(&name) => (
                            Class::Breaking,
                            format!("required field `{name}` added: requests without it are rejected"),
                        ),
                        Direction::Request if old_closed => (
                            Class::BreakingForOldServers,
                            format!("optional field `{name}` added: old servers reject it (additionalProperties: false)"),
                        ),
                        _ => (Class::Compatible, format!("optional field `{name}` added")),
                    };
                    let message = if dir == Direction::Response {
                        format!("field `{name}` added")
                    } else {
                        message
                    };
                    self.record(class, dir, &kn, message);
                }
                (None, None) => {}
            }
        }
    }

    /// `required` of the properties both versions have (added and removed ones are judged
    /// with the property).
    fn required(&mut self, dir: Direction, at: At, o: &Value, n: &Value) {
        let (ro, rn) = (required(o), required(n));
        let empty = &NULL;
        let (props_o, props_n) = (
            o.get("properties").unwrap_or(empty),
            n.get("properties").unwrap_or(empty),
        );
        let both = |name: &String| props_o.get(name).is_some() == props_n.get(name).is_some();
        let at_new = join(at.new, "required");
        for name in rn.difference(&ro).filter(|n| both(n)) {
            let message = match dir {
                Direction::Request => format!("field `{name}` is now required"),
                _ => format!("field `{name}` is now always present"),
            };
            self.record(dir.narrowed(), dir, &at_new, message);
        }
        for name in ro.difference(&rn).filter(|n| both(n)) {
            let message = match dir {
                Direction::Request => format!("field `{name}` is no longer required"),
                _ => format!("field `{name}` is no longer required: it may be absent"),
            };
            self.record(dir.widened(), dir, &at_new, message);
        }
    }

    fn additional_properties(
        &mut self,
        dir: Direction,
        at: At,
        o: Option<&'a Value>,
        n: Option<&'a Value>,
    ) {
        // Absent and `true` are the same: any member is valid.
        let open = |v: Option<&Value>| v.is_none() || v == Some(&Value::Bool(true));
        let closed = |v: Option<&Value>| v == Some(&Value::Bool(false));
        match (o, n) {
            (Some(a), Some(b)) if a == b && !a.is_object() => {}
            _ if open(o) && open(n) => {}
            _ if closed(o) && closed(n) => {}
            (Some(a), Some(b)) if a.is_object() && b.is_object() => self.schema(dir, at, a, b),
            _ if open(o) || (closed(n) && !open(o)) => self.record(
                dir.narrowed(),
                dir,
                at.new,
                format!(
                    "additionalProperties narrowed from {} to {}",
                    show_opt(o),
                    show_opt(n)
                ),
            ),
            _ => self.record(
                dir.widened(),
                dir,
                at.new,
                format!(
                    "additionalProperties widened from {} to {}",
                    show_opt(o),
                    show_opt(n)
                ),
            ),
        }
    }

    /// `allOf`, `oneOf`, `anyOf`: parts matched by their `$ref`, inline ones by position. An
    /// added alternative widens a union; an added part narrows an intersection.
    fn composition(
        &mut self,
        dir: Direction,
        key: &str,
        at: At,
        o: Option<&'a Value>,
        n: Option<&'a Value>,
    ) {
        let (Some(a), Some(b)) = (o.and_then(Value::as_array), n.and_then(Value::as_array)) else {
            if o != n {
                self.record(
                    Class::Unclassified,
                    dir,
                    if n.is_some() { at.new } else { at.old },
                    format!(
                        "{key} {}: the schema's composition changed",
                        if n.is_some() { "added" } else { "removed" }
                    ),
                );
            }
            return;
        };
        let name = |v: &Value| v.get("$ref").and_then(Value::as_str).map(str::to_owned);
        let mut matched_new = BTreeSet::new();
        let mut inline_new = (0..b.len()).filter(|j| name(&b[*j]).is_none());
        let (add, remove) = if key == "allOf" {
            (dir.narrowed(), dir.widened())
        } else {
            (dir.widened(), dir.narrowed())
        };
        for (i, part) in a.iter().enumerate() {
            let j = match name(part) {
                Some(r) => (0..b.len()).find(|j| {
                    !matched_new.contains(j) && name(&b[*j]).as_deref() == Some(r.as_str())
                }),
                None => inline_new.next(),
            };
            let ko = format!("{}/{i}", at.old);
            match j {
                Some(j) => {
                    matched_new.insert(j);
                    let kn = format!("{}/{j}", at.new);
                    self.schema(dir, At { old: &ko, new: &kn }, part, &b[j]);
                }
                None => self.record_old(
                    remove,
                    dir,
                    &ko,
                    format!("{key} part {} removed", describe(part)),
                ),
            }
        }
        for (j, part) in b.iter().enumerate() {
            if !matched_new.contains(&j) {
                self.record(
                    add,
                    dir,
                    &format!("{}/{j}", at.new),
                    format!("{key} part {} added", describe(part)),
                );
            }
        }
    }
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn describe(part: &Value) -> String {
    match part.get("$ref").and_then(Value::as_str) {
        Some(r) => format!("`{r}`"),
        None => "(inline)".into(),
    }
}
