//! Schemas → Rust types (part of `resolve`): `value_type`, the one entry that reads any schema
//! (a `$ref`, a composition, an object, an array, a map or a scalar) and dispatches to the
//! module of that construct, with `$ref`s into components and elsewhere, named aliases, and
//! the small readings of raw schema maps the other modules share.
//!
//! Inline objects and enums get names from their place (`PutItemRequestTags`: operation,
//! role, property), and a name that is already taken is a diagnostic naming both places,
//! never a silent `Item2`. Arrays become `Vec`, maps (`additionalProperties: <schema>`)
//! `BTreeMap<String, _>`. Every keyword is either turned into code (a validator, an
//! attribute) or reported.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::objects::is_map;
use super::scalars::has_enum_values;
use super::{Resolver, SCHEMA_REF};
use crate::ir::{self, Scalar, Ty};
use crate::naming::pascal_case;
use crate::source::{join, unescape};

/// What a component schema becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Named {
    /// A `#[derive(Object)]` struct.
    Object(String),
    /// A `#[derive(Enum)]` enum.
    Enum(String),
    /// A `#[derive(Union)]` enum.
    Union(String),
    /// A scalar, array, map or `$ref` schema: no type of its own, its uses get its type.
    Alias(String),
}

/// The Rust type of a schema, with what value checks and attributes need to know of it.
#[derive(Debug, Clone)]
pub(super) struct Typed {
    /// The Rust type.
    pub ty: Ty,
    /// The constraints poem-openapi checks on it.
    pub validators: Vec<ir::Validator>,
    /// What kind of JSON value it is.
    pub json: ir::JsonKind,
    /// The schema's `format`, if any.
    pub format: Option<String>,
}

/// Keywords that annotate a schema without changing what it accepts, or that are read from
/// the property schema that carries them (`nullable`, `readOnly`): allowed beside `$ref`-like
/// `allOf: [$ref]` and beside `oneOf`/`anyOf`.
pub(super) const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "externalDocs",
    "xml",
    "deprecated",
    "nullable",
    "readOnly",
    "writeOnly",
];

/// Keywords that make a schema a union.
pub(super) const UNION: &[&str] = &["oneOf", "anyOf"];

impl Typed {
    /// Any JSON value, unchecked.
    pub(super) fn any() -> Self {
        Typed {
            ty: Ty::Scalar(Scalar::Any),
            validators: vec![],
            json: ir::JsonKind::Any,
            format: None,
        }
    }

    /// A plain string: what a value with no other reading is taken as.
    pub(super) fn text() -> Self {
        Typed {
            ty: Ty::Scalar(Scalar::String),
            validators: vec![],
            json: ir::JsonKind::String,
            format: None,
        }
    }

    /// A generated type of its own (an object, enum or union) named `name`.
    fn named(name: &str, json: ir::JsonKind) -> Self {
        Typed {
            ty: Ty::Named(name.to_owned()),
            validators: vec![],
            json,
            format: None,
        }
    }
}

impl Resolver<'_> {
    /// The Rust type of a value schema: a `$ref`, an inline object or enum (named `hint`), an
    /// array, a map or a scalar.
    pub(super) fn value_type(
        &mut self,
        schema: &Map<String, Value>,
        at: &str,
        hint: &str,
    ) -> Option<Typed> {
        if let Some(target) = schema.text("$ref") {
            return self.schema_ref(target, &join(at, "$ref"));
        }
        if UNION.iter().any(|k| schema.contains_key(*k)) {
            let hint = &self.fresh_type(hint, at);
            self.union(hint, hint, schema, at, true);
            return Some(Typed::named(hint, ir::JsonKind::Union));
        }
        // `allOf: [{…}, {description: …}]`: the one part, annotated.
        if let Some(merged) = single_part_all_of(schema) {
            return self.value_type(&merged, at, hint);
        }
        // `allOf: [$ref]` beside a description is how OpenAPI 3.0 annotates a reference.
        if let Some(target) = single_ref_all_of(schema) {
            return self.schema_ref(target, &format!("{at}/allOf/0/$ref"));
        }
        if schema.contains_key("allOf") {
            let hint = &self.fresh_type(hint, at);
            self.object_or_all_of(hint, hint, schema, at);
            return Some(Typed::named(hint, ir::JsonKind::Object));
        }
        if schema.contains_key("enum") {
            return self.enum_type(schema, at, hint);
        }
        match inferred_type(schema) {
            Some("array") => self.array(schema, at, hint),
            Some("object") if is_map(schema) => self.map(schema, at, hint),
            Some("object") => {
                let hint = &self.fresh_type(hint, at);
                self.object(hint, hint, schema, at, &BTreeMap::new());
                Some(Typed::named(hint, ir::JsonKind::Object))
            }
            _ => self.scalar(schema, at),
        }
    }

    /// A schema with an `enum`: a generated string enum, a checked scalar, or (for mixed or
    /// structured values) any JSON value.
    fn enum_type(&mut self, schema: &Map<String, Value>, at: &str, hint: &str) -> Option<Typed> {
        // `enum: []` or `enum: [null]` lists no value to check: the base type.
        if !has_enum_values(schema) {
            self.diags.warn(
                &join(at, "enum"),
                "the enum lists no value besides `null`: read as its type, unchecked",
                "list the values, or remove `enum`",
            );
            let mut plain = schema.clone();
            plain.remove("enum");
            return self.value_type(&plain, at, hint);
        }
        match inferred_type(schema) {
            Some("string") => {
                let hint = &self.fresh_type(hint, at);
                self.string_enum(hint, hint, schema, at, true);
                Some(Typed::named(hint, ir::JsonKind::Enum))
            }
            Some("integer" | "number" | "boolean") => self.value_enum(schema, at),
            _ => {
                self.diags.lenient(
                    &join(at, "enum"),
                    "an enum of mixed or structured values is read as any JSON value: its values are not checked",
                    "use an enum of strings, or of numbers, with a `type`",
                );
                Some(Typed::any())
            }
        }
    }

    /// `type: array`: a `Vec` of the items' type, with `minItems`, `maxItems` and
    /// `uniqueItems` checked.
    fn array(&mut self, schema: &Map<String, Value>, at: &str, hint: &str) -> Option<Typed> {
        self.check_keywords(schema, "array", at);
        // An array without `items` holds any values.
        let empty = Map::new();
        let items = schema.member("items").unwrap_or(&empty);
        let (element, mut validators) =
            self.element(items, &join(at, "items"), &format!("{hint}Item"), "items")?;
        if let Some(n) = self.usize_keyword(schema, "minItems", at) {
            validators.push(ir::Validator::MinItems(n));
        }
        if let Some(n) = self.usize_keyword(schema, "maxItems", at) {
            validators.push(ir::Validator::MaxItems(n));
        }
        if schema.flag("uniqueItems") {
            // poem-openapi compares elements by hash: floats, objects and free-form values
            // have none.
            let hashable = match &element {
                Ty::Scalar(s) => !matches!(
                    s,
                    Scalar::F32 | Scalar::F64 | Scalar::Any | Scalar::Email | Scalar::Password
                ),
                Ty::Named(n) => self.enums.contains_key(n),
                _ => false,
            };
            if hashable {
                validators.push(ir::Validator::UniqueItems);
            } else {
                self.diags.lenient(
                    &join(at, "uniqueItems"),
                    "`uniqueItems` on items that are numbers, objects or free-form values is not checked: poem-openapi compares items by hash",
                    "make the items strings, integers or a string enum to have it checked",
                );
            }
        }
        Some(Typed {
            ty: Ty::Vec(Box::new(element)),
            validators,
            json: ir::JsonKind::Array,
            format: None,
        })
    }

    /// `type: object` with `additionalProperties: <schema>` and no properties: a
    /// `BTreeMap<String, _>`, with `minProperties` and `maxProperties` checked.
    fn map(&mut self, schema: &Map<String, Value>, at: &str, hint: &str) -> Option<Typed> {
        self.check_keywords(schema, "object", at);
        let values = schema
            .member("additionalProperties")
            .cloned()
            .unwrap_or_default();
        let (value, mut validators) = self.element(
            &values,
            &join(at, "additionalProperties"),
            &format!("{hint}Value"),
            "map values",
        )?;
        if let Some(n) = self.usize_keyword(schema, "minProperties", at) {
            validators.push(ir::Validator::MinProperties(n));
        }
        if let Some(n) = self.usize_keyword(schema, "maxProperties", at) {
            validators.push(ir::Validator::MaxProperties(n));
        }
        Some(Typed {
            ty: Ty::Map(Box::new(value)),
            validators,
            json: ir::JsonKind::Object,
            format: None,
        })
    }

    /// The type of an array's items or a map's values (`what`), and the validators of theirs
    /// that the container carries: poem-openapi applies element validators (lengths, bounds,
    /// patterns) to each element of a `Vec` or value of a map, one level deep.
    fn element(
        &mut self,
        schema: &Map<String, Value>,
        at: &str,
        hint: &str,
        what: &str,
    ) -> Option<(Ty, Vec<ir::Validator>)> {
        let element = self.value_type(schema, at, hint)?;
        let ty = if schema.flag("nullable") {
            Ty::Nullable(Box::new(element.ty))
        } else {
            element.ty
        };
        let mut validators = Vec::new();
        if !element.validators.is_empty() {
            if matches!(ty, Ty::Scalar(_)) {
                validators.extend(element.validators);
            } else {
                let kind = if what == "items" { "items" } else { "values" };
                self.diags.lenient(
                    at,
                    format!("constraints on {what} that are themselves arrays or maps are not checked: poem-openapi applies validators one level deep"),
                    format!("make the {kind} a named object schema with constrained properties"),
                );
            }
        }
        Some((ty, validators))
    }

    /// The list `key` of `schema` (`allOf`, `enum`, `oneOf`) of `what` (schemas, values); an
    /// error, with `help`, if it lists none.
    pub(super) fn listed(
        &mut self,
        schema: &Map<String, Value>,
        key: &str,
        what: &str,
        at: &str,
        help: &str,
    ) -> Vec<Value> {
        let list = schema.list(key);
        if list.is_empty() {
            self.diags
                .error(&join(at, key), format!("`{key}` lists no {what}"), help);
        }
        list
    }

    /// The `default` of the component schema a `$ref` (or an `allOf` of one `$ref`) points
    /// to: a named enum or scalar's default applies wherever it is used without its own.
    pub(super) fn inherited_default(&self, schema: &Map<String, Value>) -> Option<Value> {
        let reference = match schema.get("$ref") {
            Some(r) => r.as_str()?,
            None => match schema.get("allOf").and_then(Value::as_array)?.as_slice() {
                [only] => only.get("$ref")?.as_str()?,
                _ => return None,
            },
        };
        let name = reference.strip_prefix("#/components/schemas/")?;
        let target = self.raw_at(&join("/components/schemas", name))?;
        target.get("default").cloned()
    }

    /// The type of the named scalar, array or map schema `name`, resolved once.
    pub(super) fn alias(&mut self, name: &str, rust: &str) -> Option<Typed> {
        if let Some(done) = self.aliases.get(name) {
            return done.clone();
        }
        let at = join("/components/schemas", name);
        if self.resolving_aliases.iter().any(|n| n == name) {
            self.diags.error(
                &at,
                format!("schema `{name}` contains itself only through arrays, maps or `$ref`s"),
                "put an object schema somewhere in the cycle",
            );
            self.aliases.insert(name.to_owned(), None);
            return None;
        }
        let schema = self.raw_at(&at).cloned().unwrap_or_default();
        self.resolving_aliases.push(name.to_owned());
        let typed = self.value_type(&schema, &at, rust);
        self.resolving_aliases.pop();
        self.aliases.insert(name.to_owned(), typed.clone());
        typed
    }

    /// A `$ref` to a component schema.
    pub(super) fn schema_ref(&mut self, target: &str, at: &str) -> Option<Typed> {
        let name = target.strip_prefix(SCHEMA_REF).filter(|n| !n.contains('/'));
        let Some(name) = name else {
            return self.pointed_schema(target, at);
        };
        let name = unescape(name);
        match self.named.get(&name) {
            Some(Named::Object(rust)) => Some(Typed::named(rust, ir::JsonKind::Object)),
            Some(Named::Enum(rust)) => Some(Typed::named(rust, ir::JsonKind::Enum)),
            Some(Named::Union(rust)) => Some(Typed::named(rust, ir::JsonKind::Union)),
            Some(Named::Alias(rust)) => {
                let rust = rust.clone();
                self.alias(&name, &rust)
            }
            None => {
                let exists = self
                    .doc
                    .components
                    .as_ref()
                    .is_some_and(|c| c.schemas.contains_key(&name));
                if !exists {
                    self.diags.error(
                        at,
                        format!("`$ref: {target}` points at no schema"),
                        "define the schema under `components/schemas`, or fix the name",
                    );
                }
                // An existing but refused schema was reported where it is declared.
                None
            }
        }
    }

    /// The component schema a `$ref` (written at `at`) names as
    /// `#/components/schemas/Name`: its name, its raw schema and where that is. `None`,
    /// reported, if the reference does not point into the components or names no schema.
    pub(super) fn component_schema(
        &mut self,
        target: &str,
        at: &str,
    ) -> Option<(String, Map<String, Value>, String)> {
        let Some(name) = target.strip_prefix(SCHEMA_REF).map(unescape) else {
            self.diags.error(
                at,
                format!("`$ref: {target}` does not point into `#/components/schemas/`"),
                "refer to a schema as `#/components/schemas/Name`",
            );
            return None;
        };
        let target_at = join("/components/schemas", &name);
        let Some(found) = self.raw_at(&target_at).cloned() else {
            self.diags.error(
                at,
                format!("`$ref: {target}` points at no schema"),
                "define the schema under `components/schemas`, or fix the name",
            );
            return None;
        };
        Some((name, found, target_at))
    }

    /// A `$ref` to a schema somewhere else in the document (`#/paths/…/schema`, or a
    /// property of a component): resolved as if written there, once, and named from that
    /// place. External references are refused.
    pub(super) fn pointed_schema(&mut self, target: &str, at: &str) -> Option<Typed> {
        let Some(pointer) = crate::source::ref_pointer(target) else {
            self.diags.error(
                at,
                format!("`$ref: {target}` points outside this document"),
                "bundle the spec into one document; external references are not supported",
            );
            return None;
        };
        match self.pointed.get(&pointer) {
            Some(Some(done)) => return done.clone(),
            Some(None) => {
                // Only component schemas become named, recursive types; the inner occurrence
                // is left unchecked rather than refusing the document.
                self.diags.lenient(at, format!("`$ref: {target}` contains itself: the inner occurrence is read as any JSON value"), "move the schema to `components/schemas` to make it a recursive type");
                return Some(Typed::any());
            }
            None => {}
        }
        let Some(schema) = self.raw_at(&pointer).cloned() else {
            self.diags.error(
                at,
                format!("`$ref: {target}` points at no schema"),
                "fix the reference",
            );
            return None;
        };
        let hint: String = pointer
            .split('/')
            .filter(|s| {
                !s.is_empty()
                    && !matches!(
                        *s,
                        "properties"
                            | "items"
                            | "schema"
                            | "content"
                            | "paths"
                            | "components"
                            | "schemas"
                            | "allOf"
                            | "oneOf"
                            | "anyOf"
                    )
            })
            .map(unescape)
            .collect::<Vec<_>>()
            .join(" ");
        // One name from all the segments (`201` inside it needs no `_` prefix).
        let hint = pascal_case(&hint);
        self.pointed.insert(pointer.clone(), None);
        let typed = self.value_type(&schema, &pointer, &hint);
        self.pointed.insert(pointer, Some(typed.clone()));
        typed
    }
}

/// The one part of an `allOf` that is not annotations only, if there is exactly one.
fn only_part(schema: &Map<String, Value>) -> Option<&Value> {
    let mut parts = schema
        .get("allOf")?
        .as_array()?
        .iter()
        .filter(|p| !annotation_only(p));
    match (parts.next(), parts.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// An `allOf` whose only part besides annotations is an inline schema (not a `$ref`): that
/// schema, with the keywords written beside the `allOf`.
pub(super) fn single_part_all_of(schema: &Map<String, Value>) -> Option<Map<String, Value>> {
    let only = only_part(schema)?.as_object()?;
    if only.contains_key("$ref") {
        return None;
    }
    let mut merged = only.clone();
    for (k, v) in schema {
        if k != "allOf" {
            merged.insert(k.clone(), v.clone());
        }
    }
    Some(merged)
}

/// Typed readings of a raw schema (or any spec object), in place of walks of its JSON:
/// `schema.flag("nullable")` for `schema.flag("nullable")`.
pub(super) trait Keywords {
    /// The value of `key`, if present.
    fn keyword(&self, key: &str) -> Option<&Value>;

    /// Whether `key` is `true` (absent, or anything else, is false).
    fn flag(&self, key: &str) -> bool {
        self.keyword(key) == Some(&Value::Bool(true))
    }

    /// `key` as a string, if it is one.
    fn text(&self, key: &str) -> Option<&str> {
        self.keyword(key).and_then(Value::as_str)
    }

    /// The list `key` (`allOf`, `enum`), copied; empty if there is none.
    fn list(&self, key: &str) -> Vec<Value> {
        self.keyword(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    }

    /// The strings of the list `key` (`required`), in order; empty if there is none.
    fn strings(&self, key: &str) -> Vec<&str> {
        self.keyword(key)
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }

    /// `key` as an object, if it is one.
    fn member(&self, key: &str) -> Option<&Map<String, Value>> {
        self.keyword(key).and_then(Value::as_object)
    }
}

impl Keywords for Map<String, Value> {
    fn keyword(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

impl Keywords for Value {
    fn keyword(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

/// True for a schema of annotations only (`{description: …}`, `{nullable: true}`): an
/// `allOf` part that says something about the value, not what it is.
pub(super) fn annotation_only(schema: &Value) -> bool {
    schema.as_object().is_some_and(|m| {
        !m.is_empty()
            && m.keys()
                .all(|k| ANNOTATIONS.contains(&k.as_str()) || k.starts_with("x-"))
    })
}

/// The target of an `allOf` of one `$ref` (beside parts of annotations only) with nothing
/// else but annotations and the `default` of the property or parameter that uses it.
pub(super) fn single_ref_all_of(schema: &Map<String, Value>) -> Option<&str> {
    let only = only_part(schema)?;
    // `type` beside the `$ref` repeats the target's.
    let annotation_only = schema.keys().all(|k| {
        ANNOTATIONS.contains(&k.as_str())
            || matches!(k.as_str(), "allOf" | "default" | "type")
            || k.starts_with("x-")
    });
    let target = only.get("$ref")?.as_str()?;
    (annotation_only && only.as_object()?.len() == 1).then_some(target)
}

/// The schema's `type`, or the one its keywords imply when it has none (`properties` →
/// object, `items` → array, an `enum` of strings → string). `None` is a free-form value.
pub(super) fn inferred_type(schema: &Map<String, Value>) -> Option<&'static str> {
    if let Some(t) = schema.text("type") {
        return Some(match t {
            "string" => "string",
            "integer" => "integer",
            "number" => "number",
            "boolean" => "boolean",
            "array" => "array",
            "object" => "object",
            _ => return schema.text("type").map(|_| "unknown"),
        });
    }
    if schema.contains_key("properties") || schema.contains_key("additionalProperties") {
        return Some("object");
    }
    if schema.contains_key("items") {
        return Some("array");
    }
    let values = schema.get("enum").and_then(Value::as_array)?;
    if values.iter().all(Value::is_string) {
        Some("string")
    } else if values.iter().all(|v| v.is_i64() || v.is_u64()) {
        Some("integer")
    } else if values.iter().all(Value::is_number) {
        Some("number")
    } else if values.iter().all(Value::is_boolean) {
        Some("boolean")
    } else {
        None
    }
}
