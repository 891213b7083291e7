//! Every problem of a rejected JSON body, not only the first: poem-openapi's parser stops at
//! the first bad member and, for some, does not say which member it was. On the rejection path
//! only, the body is walked against the schema poem-openapi registers for the body's type
//! (the same limits it enforces: types, required members, lengths, bounds, patterns, item
//! counts, enums), collecting each problem with its JSON pointer.

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use serde_json::{Map, Value};

/// One problem found in a body: the path to the value, outermost first, and what is wrong.
pub type Problem = (Vec<String>, String);

/// The problems of `value` as a `T`, in document order, with `first` (what poem-openapi or
/// the strict check reported, `[]` path for the whole body) kept where the walk did not
/// explain it. An unknown member in `first` says its object denies unknown members (the
/// registered schema cannot say so): every unknown member of that object is reported.
pub fn problems<T: Type>(value: &Value, first: Problem) -> Vec<Problem> {
    let mut registry = Registry::new();
    T::register(&mut registry);
    let mut walk = Walk {
        registry: &registry,
        path: Vec::new(),
        found: Vec::new(),
        undeclared: Vec::new(),
    };
    walk.value(&T::schema_ref(), value, 0);
    let mut found = walk.found;
    let (first_path, first_message) = first;
    if first_message == crate::json::UNKNOWN_MEMBER {
        let object = &first_path[..first_path.len().saturating_sub(1)];
        for (at, name) in walk.undeclared.iter().filter(|(at, _)| at == object) {
            let mut path = at.clone();
            path.push(name.clone());
            found.push((path, first_message.clone()));
        }
    } else if !found.iter().any(|(p, _)| *p == first_path)
        && (!first_path.is_empty() || found.is_empty())
    {
        found.insert(0, (first_path, first_message));
    }
    found
}

fn resolve<'a>(registry: &'a Registry, schema: &'a MetaSchemaRef) -> Option<&'a MetaSchema> {
    match schema {
        MetaSchemaRef::Inline(schema) => Some(schema),
        MetaSchemaRef::Reference(name) => registry.schemas.get(name),
    }
}

struct Walk<'a> {
    registry: &'a Registry,
    path: Vec<String>,
    found: Vec<Problem>,
    /// Members of objects that declare no such property (and no additionalProperties schema).
    undeclared: Vec<(Vec<String>, String)>,
}

/// Deeper than this, a (recursive) schema is not followed further.
const MAX_DEPTH: usize = 64;

impl Walk<'_> {
    fn report(&mut self, message: String) {
        self.found.push((self.path.clone(), message));
    }

    fn value(&mut self, schema: &MetaSchemaRef, value: &Value, depth: usize) {
        let Some(schema) = resolve(self.registry, schema) else {
            return;
        };
        if value.is_null() || depth > MAX_DEPTH {
            // null: poem-openapi decides (an `Option` member takes it); the walk has nothing
            // to add.
            return;
        }
        for part in &schema.all_of {
            self.value(part, value, depth + 1);
        }
        if !schema.enum_items.is_empty() && !schema.enum_items.contains(value) {
            let allowed: Vec<String> = schema.enum_items.iter().map(Value::to_string).collect();
            self.report(format!(
                "must be one of {}, not {value}",
                allowed.join(", ")
            ));
            return;
        }
        match (schema.ty, value) {
            ("object", Value::Object(members)) => self.object(schema, members, depth),
            ("array", Value::Array(items)) => self.array(schema, items, depth),
            ("string", Value::String(s)) => self.string(schema, s),
            ("integer", Value::Number(n)) if n.is_i64() || n.is_u64() => self.number(schema, n),
            ("number", Value::Number(n)) => self.number(schema, n),
            ("boolean", Value::Bool(_)) => {}
            (ty @ ("object" | "array" | "string" | "integer" | "number" | "boolean"), other) => {
                let kind = match ty {
                    "object" | "array" | "integer" => format!("an {ty}"),
                    _ => format!("a {ty}"),
                };
                self.report(format!("must be {kind}, not {other}"));
            }
            // Unions and free-form values: poem-openapi's own message stands.
            _ => {}
        }
    }

    /// An object: its required members, each member under its property's schema (or
    /// `additionalProperties`; an undeclared one is noted), and its member count.
    fn object(&mut self, schema: &MetaSchema, members: &Map<String, Value>, depth: usize) {
        for name in &schema.required {
            if !members.contains_key(*name) {
                self.path.push((*name).to_owned());
                self.report("is required".to_owned());
                self.path.pop();
            }
        }
        for (name, property) in &schema.properties {
            if let Some(member) = members.get(*name) {
                self.path.push((*name).to_owned());
                self.value(property, member, depth + 1);
                self.path.pop();
            }
        }
        for (name, member) in members {
            if schema.properties.iter().any(|(p, _)| p == name) {
                continue;
            }
            if let Some(values) = &schema.additional_properties {
                self.path.push(name.clone());
                self.value(values, member, depth + 1);
                self.path.pop();
            } else {
                self.undeclared.push((self.path.clone(), name.clone()));
            }
        }
        self.count(
            members.len(),
            schema.min_properties,
            schema.max_properties,
            "members",
        );
    }

    /// An array: its item count, unique items, and each item under the items' schema.
    fn array(&mut self, schema: &MetaSchema, items: &[Value], depth: usize) {
        self.count(items.len(), schema.min_items, schema.max_items, "items");
        if schema.unique_items == Some(true)
            && items
                .iter()
                .enumerate()
                .any(|(i, a)| items[..i].contains(a))
        {
            self.report("must not repeat an item".to_owned());
        }
        if let Some(each) = &schema.items {
            for (i, item) in items.iter().enumerate() {
                self.path.push(i.to_string());
                self.value(each, item, depth + 1);
                self.path.pop();
            }
        }
    }

    fn count(&mut self, n: usize, min: Option<usize>, max: Option<usize>, what: &str) {
        if let Some(min) = min.filter(|min| n < *min) {
            self.report(format!("must have at least {min} {what}"));
        }
        if let Some(max) = max.filter(|max| n > *max) {
            self.report(format!("must have at most {max} {what}"));
        }
    }

    fn string(&mut self, schema: &MetaSchema, s: &str) {
        let chars = s.chars().count();
        if let Some(min) = schema.min_length.filter(|min| chars < *min) {
            self.report(format!("must be at least {min} characters long"));
        }
        if let Some(max) = schema.max_length.filter(|max| chars > *max) {
            self.report(format!("must be at most {max} characters long"));
        }
        if let Some(pattern) = &schema.pattern {
            // Compiled here, on the rejection path only; a pattern neither engine compiles
            // was reported by the generator, and is skipped rather than guessed at.
            let matches = match regex::Regex::new(pattern) {
                Ok(re) => Some(re.is_match(s)),
                Err(_) => fancy_regex::Regex::new(pattern)
                    .ok()
                    .and_then(|re| re.is_match(s).ok()),
            };
            if matches == Some(false) {
                self.report(format!("must match the pattern `{pattern}`"));
            }
        }
    }

    fn number(&mut self, schema: &MetaSchema, n: &serde_json::Number) {
        let Some(v) = n.as_f64() else { return };
        // poem-openapi keeps bounds as floats: `0`, not `0.0`, for a whole one.
        let shown = |bound: f64| {
            if bound.fract() == 0.0 && bound.abs() < 1e15 {
                (bound as i64).to_string()
            } else {
                bound.to_string()
            }
        };
        if let Some(min) = schema.minimum {
            match schema.exclusive_minimum {
                Some(true) if v <= min => {
                    self.report(format!("must be greater than {}", shown(min)))
                }
                Some(true) => {}
                _ if v < min => self.report(format!("must be at least {}", shown(min))),
                _ => {}
            }
        }
        if let Some(max) = schema.maximum {
            match schema.exclusive_maximum {
                Some(true) if v >= max => self.report(format!("must be less than {}", shown(max))),
                Some(true) => {}
                _ if v > max => self.report(format!("must be at most {}", shown(max))),
                _ => {}
            }
        }
        if let Some(step) = schema.multiple_of.filter(|s| *s > 0.0) {
            let q = v / step;
            if (q - q.round()).abs() > 1e-9 {
                self.report(format!("must be a multiple of {}", shown(step)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::Object;
    use serde_json::json;

    use super::*;

    #[derive(Object, Debug)]
    struct Inner {
        #[oai(validator(max_length = 3))]
        code: String,
    }

    #[derive(Object, Debug)]
    #[oai(deny_unknown_fields)]
    struct Body {
        #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
        size: Option<i64>,
        #[oai(validator(pattern = "^[a-z]+$"))]
        name: Option<String>,
        #[oai(validator(max_items = 2))]
        inner: Option<Vec<Inner>>,
        id: String,
    }

    #[test]
    fn every_problem_is_found_with_its_pointer() {
        let body = json!({
            "size": 11,
            "name": "A1",
            "inner": [{"code": "abcd"}, {"code": 7}, {}],
        });

        let found = problems::<Body>(&body, (vec![], "first".into()));

        let said: Vec<(String, &str)> = found
            .iter()
            .map(|(path, m)| (path.join("/"), m.as_str()))
            .collect();
        assert_eq!(
            said,
            [
                ("id".to_owned(), "is required"),
                ("size".to_owned(), "must be at most 10"),
                ("name".to_owned(), "must match the pattern `^[a-z]+$`"),
                ("inner".to_owned(), "must have at most 2 items"),
                (
                    "inner/0/code".to_owned(),
                    "must be at most 3 characters long"
                ),
                ("inner/1/code".to_owned(), "must be a string, not 7"),
                ("inner/2/code".to_owned(), "is required"),
            ]
        );
        let none = (vec![], "first".to_owned());
        assert_eq!(
            problems::<Body>(&json!({"id": "x"}), none.clone()),
            std::slice::from_ref(&none)
        );
        assert_eq!(
            problems::<Body>(&json!([1]), none),
            [(vec![], "must be an object, not [1]".to_owned())],
            "the walk's own words replace a whole-body message"
        );
    }

    #[test]
    fn one_unknown_member_brings_all_of_its_object() {
        let body = json!({"id": "x", "sise": 1, "size": 99, "nmae": "a"});
        let unknown = crate::json::UNKNOWN_MEMBER.to_owned();

        let mut found = problems::<Body>(&body, (vec!["sise".into()], unknown.clone()));
        // Members come in document order or sorted, as serde_json's `preserve_order` says.
        found.sort();

        assert_eq!(
            found,
            [
                (vec!["nmae".to_owned()], unknown.clone()),
                (vec!["sise".to_owned()], unknown),
                (vec!["size".to_owned()], "must be at most 10".to_owned()),
            ]
        );
    }
}
