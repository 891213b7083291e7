//! Schemas → Rust types (part of `resolve`).
//!
//! Named objects and string enums come from `components/schemas`; inline objects and enums get
//! names from their place (`PutItemRequestTags`: operation, role, property), and a name that is
//! already taken is a diagnostic naming both places, never a silent `Item2`. Arrays become
//! `Vec`, maps (`additionalProperties: <schema>`) `BTreeMap<String, _>`, formats the
//! poem-openapi types that serve the same `format`, and a `$ref` that closes a cycle is boxed.
//! Every keyword is either turned into code (a validator, an attribute) or reported.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{Resolver, SCHEMA_REF};
use crate::ir::{self, Scalar, Ty};
use crate::naming::{is_identifier, pascal_case, snake_case};
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

impl Resolver<'_> {
    /// Decides what each component schema becomes and claims its Rust name, so references can
    /// be resolved in any order.
    pub(super) fn declare_components(&mut self) {
        let Some(components) = &self.doc.components else {
            return;
        };
        let names: Vec<String> = components.schemas.keys().cloned().collect();
        for name in names {
            let at = join("/components/schemas", &name);
            let Some(schema) = self.raw_at(&at).cloned() else {
                continue;
            };
            let schema = single_part_all_of(&schema).unwrap_or(schema);
            let rust = pascal_case(&name);
            if !is_identifier(&rust) {
                self.diags.error(
                    &at,
                    format!("the schema name `{name}` has no letters or digits"),
                    "rename the schema",
                );
                continue;
            }
            let kind = match inferred_type(&schema) {
                _ if schema.contains_key("$ref") => Named::Alias(rust.clone()),
                _ if self.polymorphic(&name, &schema).is_some() => Named::Union(rust.clone()),
                // `allOf: [$ref]` (with annotations) is the target under another name.
                _ if single_ref_all_of(&schema).is_some() => Named::Alias(rust.clone()),
                _ if UNION.iter().any(|k| schema.contains_key(*k)) => Named::Union(rust.clone()),
                _ if schema.contains_key("allOf") => Named::Object(rust.clone()),
                Some("object") if is_map(&schema) => Named::Alias(rust.clone()),
                Some("object") => Named::Object(rust.clone()),
                Some("string") if has_enum_values(&schema) => Named::Enum(rust.clone()),
                _ => Named::Alias(rust.clone()),
            };
            if matches!(kind, Named::Alias(_)) {
                // Resolved where it is used, as if written there; an inline type it needs
                // (an enum) claims the name then.
                self.named.insert(name, kind);
                continue;
            }
            let fresh = self.fresh_type(&rust, &at);
            let kind = match kind {
                Named::Object(_) => Named::Object(fresh),
                Named::Enum(_) => Named::Enum(fresh),
                Named::Union(_) => Named::Union(fresh),
                Named::Alias(_) => Named::Alias(fresh),
            };
            self.named.insert(name, kind);
        }
    }

    /// A base schema with a `discriminator` and no `oneOf` stands for its children (the
    /// component schemas whose `allOf` includes it): as a union of them, selected by the
    /// discriminator, with the base's `mapping` (children it does not map are selected by
    /// their names). `None` for any other schema.
    fn polymorphic(&self, name: &str, schema: &Map<String, Value>) -> Option<Map<String, Value>> {
        let discriminator = schema.get("discriminator")?.as_object()?;
        if UNION.iter().any(|k| schema.contains_key(*k)) {
            return None;
        }
        let target = format!(
            "#/components/schemas/{}",
            name.replace('~', "~0").replace('/', "~1")
        );
        let children: Vec<String> = self
            .doc
            .components
            .as_ref()?
            .schemas
            .keys()
            .filter(|child| {
                self.raw_at(&join("/components/schemas", child))
                    .and_then(|c| c.get("allOf"))
                    .and_then(Value::as_array)
                    .is_some_and(|parts| {
                        parts
                            .iter()
                            .any(|p| p.get("$ref").and_then(Value::as_str) == Some(&target))
                    })
            })
            .map(|child| {
                format!(
                    "#/components/schemas/{}",
                    child.replace('~', "~0").replace('/', "~1")
                )
            })
            .collect();
        if children.is_empty() {
            return None;
        }
        let mut discriminator = discriminator.clone();
        if let Some(Value::Object(mapping)) = discriminator.get_mut("mapping") {
            mapping.retain(|_, r| r.as_str().is_some_and(|r| children.iter().any(|c| c == r)));
        }
        let mut union = Map::new();
        if let Some(d) = schema.get("description") {
            union.insert("description".into(), d.clone());
        }
        union.insert(
            "oneOf".into(),
            Value::Array(
                children
                    .iter()
                    .map(|c| serde_json::json!({ "$ref": c }))
                    .collect(),
            ),
        );
        union.insert("discriminator".into(), Value::Object(discriminator));
        Some(union)
    }

    /// Resolves every declared component schema.
    pub(super) fn resolve_components(&mut self) {
        let named: Vec<(String, Named)> = self
            .named
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, kind) in named {
            let at = join("/components/schemas", &name);
            let Some(schema) = self.raw_at(&at).cloned() else {
                continue;
            };
            let schema = single_part_all_of(&schema).unwrap_or(schema);
            match kind {
                Named::Object(rust) => {
                    self.expanding.push(name.clone());
                    self.object_or_all_of(&rust, &name, &schema, &at);
                    self.expanding.pop();
                }
                Named::Enum(rust) => self.string_enum(&rust, &name, &schema, &at, false),
                Named::Union(rust) => {
                    let schema = self.polymorphic(&name, &schema).unwrap_or(schema);
                    self.union(&rust, &name, &schema, &at, false)
                }
                Named::Alias(rust) => {
                    self.alias(&name, &rust);
                }
            }
        }
    }

    /// Resolves an object schema, merging an `allOf` first.
    fn object_or_all_of(
        &mut self,
        rust: &str,
        spec_name: &str,
        schema: &Map<String, Value>,
        at: &str,
    ) {
        if schema.contains_key("allOf") {
            let mut visiting = vec![spec_name.to_owned()];
            let mark = self.merged.len();
            let merged = self.merge_all_of(schema, at, &mut visiting);
            // While this object's properties resolve, the schemas it copied may not be
            // copied into it again: that would be an object inside itself, without end.
            let copied = self.merged.split_off(mark);
            let before = self.expanding.len();
            self.expanding.extend(copied);
            if let Some((merged, origins)) = merged {
                self.object(rust, spec_name, &merged, at, &origins);
            }
            self.expanding.truncate(before);
        } else {
            self.object(rust, spec_name, schema, at, &BTreeMap::new());
        }
    }

    /// Resolves an object schema into `self.objects` under `rust` (served as `spec_name`).
    /// `origins` says where properties merged from an `allOf` are written.
    fn object(
        &mut self,
        rust: &str,
        spec_name: &str,
        schema: &Map<String, Value>,
        at: &str,
        origins: &BTreeMap<String, String>,
    ) {
        self.check_keywords(schema, "object", at);
        for key in ["minProperties", "maxProperties", "enum"] {
            if schema.contains_key(key) {
                self.diags.lenient(
                    &join(at, key),
                    format!("`{key}` on an object schema with `properties` is not checked: poem-openapi's objects have no such validator"),
                    "remove it, or make the object a map",
                );
            }
        }
        let deny_unknown_fields = match schema.get("additionalProperties") {
            None | Some(Value::Bool(true)) => false,
            Some(Value::Bool(false)) => true,
            Some(Value::Object(values)) if values.is_empty() => false,
            Some(_) => {
                self.diags.warn(
                    &join(at, "additionalProperties"),
                    "properties beyond `properties` are accepted without being checked against this schema, and do not reach the handler",
                    "declare the properties you rely on under `properties`",
                );
                false
            }
        };
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        // A required property that `properties` does not describe must be present, with
        // any value.
        let mut undescribed = Map::new();
        for r in &required {
            if !properties.contains_key(*r) {
                undescribed.insert((*r).to_owned(), Value::Object(Map::new()));
            }
        }
        let properties_and_undescribed;
        let properties = if undescribed.is_empty() {
            properties
        } else {
            let mut all = properties.clone();
            all.extend(undescribed);
            properties_and_undescribed = all;
            &properties_and_undescribed
        };
        let mut fields = Vec::new();
        let mut values = Vec::new();
        let mut rust_names: BTreeMap<String, String> = BTreeMap::new();
        for (prop, value) in properties {
            let here = origins
                .get(prop)
                .cloned()
                .unwrap_or_else(|| join(&join(at, "properties"), prop));
            let mut field_name = snake_case(prop);
            if !is_identifier(&field_name) {
                // Named by position, renamed to the spec's name on the wire.
                field_name = format!("field_{}", fields.len() + 1);
                self.diags.warn(
                    &here,
                    format!("the property name `{prop}` has no ASCII letters or digits; its Rust field is `{field_name}`"),
                    "rename the property to choose the field's name",
                );
            }
            if let Some(other) = rust_names.get(&field_name).cloned() {
                let taken = field_name.clone();
                let mut n = 2;
                while rust_names.contains_key(&field_name) {
                    field_name = format!("{taken}_{n}");
                    n += 1;
                }
                self.diags.lenient(&here, format!("properties `{other}` and `{prop}` both become the Rust field `{taken}`; this one is `{field_name}`"), "rename one of them to choose the names yourself");
            }
            rust_names.insert(field_name.clone(), prop.clone());
            let Some(prop_schema) = value.as_object() else {
                continue;
            };
            let hint = format!("{rust}{}", pascal_case(prop).trim_start_matches('_'));
            let req = required.contains(&prop.as_str());
            if let Some((field, value_fn)) =
                self.field(rust, prop, field_name, req, prop_schema, &hint, &here)
            {
                fields.push(field);
                values.extend(value_fn);
            }
        }
        let doc = self.text(
            schema.get("description").and_then(Value::as_str),
            &join(at, "description"),
        );
        self.objects.insert(
            rust.to_owned(),
            ir::Object {
                name: spec_name.to_owned(),
                rust_name: rust.to_owned(),
                doc,
                fields,
                deny_unknown_fields,
                deprecated: schema.get("deprecated") == Some(&Value::Bool(true)),
                values,
                origin: at.to_owned(),
            },
        );
    }

    #[allow(clippy::too_many_arguments)] // a property's coordinates: owner, names, schema, place
    fn field(
        &mut self,
        owner: &str,
        name: &str,
        rust_name: String,
        required: bool,
        schema: &Map<String, Value>,
        hint: &str,
        at: &str,
    ) -> Option<(ir::Field, Option<ir::ValueFn>)> {
        // `nullable` beside an `allOf`, or as a part of it (`allOf: [$ref, {nullable: true}]`).
        let nullable = schema.get("nullable") == Some(&Value::Bool(true))
            || schema
                .get("allOf")
                .and_then(Value::as_array)
                .is_some_and(|parts| {
                    parts.iter().any(|p| {
                        annotation_only(p) && p.get("nullable") == Some(&Value::Bool(true))
                    })
                });
        let flag = |key: &str| schema.get(key) == Some(&Value::Bool(true));
        // Required and nullable: the key must be there, null or not. poem-openapi's Option
        // cannot tell an absent key from a null one, so absence is accepted as null.
        let required = if nullable && required {
            self.diags.warn(
                &join(at, "nullable"),
                format!(
                    "required nullable property `{name}` is also accepted when absent (as null)"
                ),
                "make it optional, or not nullable, to silence this",
            );
            false
        } else {
            required
        };
        let typed = self.value_type(schema, at, hint)?;
        let mut oai = Vec::new();
        if rust_name != name {
            oai.push(format!("rename = {name:?}"));
        }
        let mut value_fn = None;
        let default = schema
            .get("default")
            .cloned()
            .or_else(|| self.inherited_default(schema));
        if let Some(default) = &default {
            // On a required property a default never applies: it is documentation.
            if required {
            } else if let Some(expr) =
                self.value_expr("default", default, &typed, schema, &join(at, "default"))
            {
                let fn_name =
                    self.claim_fn(&format!("default_{}_{}", snake_case(owner), rust_name), at);
                oai.push(format!("default = {fn_name:?}"));
                value_fn = Some(ir::ValueFn {
                    name: fn_name,
                    ty: typed.ty.to_string(),
                    expr,
                    doc: format!("`default` of property `{name}` of `{owner}`."),
                });
            }
        }
        // poem-openapi fills a required read-only property with its type's Default when
        // parsing; a type without one (a date, an object) is read as optional instead.
        let is_flag = |key: &str| schema.get(key) == Some(&Value::Bool(true));
        let required = if required
            && is_flag("readOnly")
            && !is_flag("writeOnly")
            && value_fn.is_none()
            && !typed.ty.has_default()
        {
            self.diags.lenient(&join(at, "readOnly"), format!("required read-only property `{name}` has a type with no default value to parse into; it is optional in Rust"), "give it a `default`, or make it optional");
            false
        } else {
            required
        };
        // A property with a default is always present after parsing, so it is not an Option.
        let optional = !required && value_fn.is_none();
        if nullable {
            oai.push("nullable".to_owned());
        } else if optional {
            // A non-nullable optional property must be absent, not null, when unset.
            oai.push("skip_serializing_if_is_none".to_owned());
        }
        match (flag("readOnly"), flag("writeOnly")) {
            (true, true) => {
                self.diags.error(
                    at,
                    "a property cannot be both `readOnly` and `writeOnly`",
                    "keep one of them",
                );
            }
            (true, false) => {
                // poem-openapi fills a read-only property with its Default when parsing.
                if !optional && value_fn.is_none() && !typed.ty.has_default() {
                    self.diags.error(&join(at, "readOnly"), format!("required read-only property `{name}` has a type with no default value to parse into"), "make the property optional, or give it a `default`");
                }
                oai.push("read_only".to_owned());
            }
            (false, true) => oai.push("write_only".to_owned()),
            (false, false) => {}
        }
        if flag("deprecated") {
            oai.push("deprecated".to_owned());
        }
        if !typed.validators.is_empty() {
            oai.push(ir::validator_arg(&typed.validators));
        }
        let field = ir::Field {
            name: name.to_owned(),
            rust_name,
            ty: typed.ty,
            optional,
            doc: self.text(
                schema.get("description").and_then(Value::as_str),
                &join(at, "description"),
            ),
            oai,
            origin: at.to_owned(),
        };
        Some((field, value_fn))
    }

    /// The Rust type of a value schema: a `$ref`, an inline object or enum (named `hint`), an
    /// array, a map or a scalar.
    pub(super) fn value_type(
        &mut self,
        schema: &Map<String, Value>,
        at: &str,
        hint: &str,
    ) -> Option<Typed> {
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            return self.schema_ref(target, &join(at, "$ref"));
        }
        if UNION.iter().any(|k| schema.contains_key(*k)) {
            let hint = &self.fresh_type(hint, at);
            self.union(hint, hint, schema, at, true);
            return Some(Typed {
                ty: Ty::Named(hint.to_owned()),
                validators: vec![],
                json: ir::JsonKind::Union,
                format: None,
            });
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
            return Some(Typed {
                ty: Ty::Named(hint.to_owned()),
                validators: vec![],
                json: ir::JsonKind::Object,
                format: None,
            });
        }
        let ty = inferred_type(schema);
        // `enum: []` or `enum: [null]` lists no value to check: the base type.
        if schema.contains_key("enum") && !has_enum_values(schema) {
            self.diags.warn(
                &join(at, "enum"),
                "the enum lists no value besides `null`: read as its type, unchecked",
                "list the values, or remove `enum`",
            );
            let mut plain = schema.clone();
            plain.remove("enum");
            return self.value_type(&plain, at, hint);
        }
        if schema.contains_key("enum") {
            return match ty {
                Some("string") => {
                    let hint = &self.fresh_type(hint, at);
                    self.string_enum(hint, hint, schema, at, true);
                    Some(Typed {
                        ty: Ty::Named(hint.to_owned()),
                        validators: vec![],
                        json: ir::JsonKind::Enum,
                        format: None,
                    })
                }
                Some("integer" | "number" | "boolean") => self.value_enum(schema, at),
                _ => {
                    self.diags.lenient(
                        &join(at, "enum"),
                        "an enum of mixed or structured values is read as any JSON value: its values are not checked",
                        "use an enum of strings, or of numbers, with a `type`",
                    );
                    Some(Typed {
                        ty: Ty::Scalar(Scalar::Any),
                        validators: vec![],
                        json: ir::JsonKind::Any,
                        format: None,
                    })
                }
            };
        }
        match ty {
            Some("array") => {
                self.check_keywords(schema, "array", at);
                let items_at = join(at, "items");
                // An array without `items` holds any values.
                let empty = Map::new();
                let items = schema
                    .get("items")
                    .and_then(Value::as_object)
                    .unwrap_or(&empty);
                let mut element = self.value_type(items, &items_at, &format!("{hint}Item"))?;
                if items.get("nullable") == Some(&Value::Bool(true)) {
                    element.ty = Ty::Nullable(Box::new(element.ty));
                }
                // poem-openapi applies element validators (lengths, bounds, patterns) to each
                // element of a `Vec` and container validators (`min_items`) to the `Vec`.
                let mut validators = Vec::new();
                if !element.validators.is_empty() {
                    if matches!(element.ty, Ty::Scalar(_)) {
                        validators.extend(element.validators);
                    } else {
                        self.diags.lenient(
                            &items_at,
                            "constraints on items that are themselves arrays or maps are not checked: poem-openapi applies validators one level deep",
                            "make the items a named object schema with constrained properties",
                        );
                    }
                }
                if let Some(n) = self.usize_keyword(schema, "minItems", at) {
                    validators.push(ir::Validator::MinItems(n));
                }
                if let Some(n) = self.usize_keyword(schema, "maxItems", at) {
                    validators.push(ir::Validator::MaxItems(n));
                }
                if schema.get("uniqueItems") == Some(&Value::Bool(true)) {
                    // poem-openapi compares elements by hash: floats, objects and free-form
                    // values have none.
                    let hashable = match &element.ty {
                        Ty::Scalar(s) => !matches!(
                            s,
                            Scalar::F32
                                | Scalar::F64
                                | Scalar::Any
                                | Scalar::Email
                                | Scalar::Password
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
                    ty: Ty::Vec(Box::new(element.ty)),
                    validators,
                    json: ir::JsonKind::Array,
                    format: None,
                })
            }
            Some("object") if is_map(schema) => {
                self.check_keywords(schema, "object", at);
                let values_at = join(at, "additionalProperties");
                let values = schema
                    .get("additionalProperties")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let mut value = self.value_type(&values, &values_at, &format!("{hint}Value"))?;
                if values.get("nullable") == Some(&Value::Bool(true)) {
                    value.ty = Ty::Nullable(Box::new(value.ty));
                }
                // poem-openapi applies element validators to each value of a map, as to
                // each element of a `Vec`.
                let mut validators = Vec::new();
                if !value.validators.is_empty() {
                    if matches!(value.ty, Ty::Scalar(_)) {
                        validators.extend(value.validators);
                    } else {
                        self.diags.lenient(
                            &values_at,
                            "constraints on map values that are themselves arrays or maps are not checked: poem-openapi applies validators one level deep",
                            "make the values a named object schema with constrained properties",
                        );
                    }
                }
                if let Some(n) = self.usize_keyword(schema, "minProperties", at) {
                    validators.push(ir::Validator::MinProperties(n));
                }
                if let Some(n) = self.usize_keyword(schema, "maxProperties", at) {
                    validators.push(ir::Validator::MaxProperties(n));
                }
                Some(Typed {
                    ty: Ty::Map(Box::new(value.ty)),
                    validators,
                    json: ir::JsonKind::Object,
                    format: None,
                })
            }
            Some("object") => {
                let hint = &self.fresh_type(hint, at);
                self.object(hint, hint, schema, at, &BTreeMap::new());
                Some(Typed {
                    ty: Ty::Named(hint.to_owned()),
                    validators: vec![],
                    json: ir::JsonKind::Object,
                    format: None,
                })
            }
            _ => self.scalar(schema, at),
        }
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
    fn alias(&mut self, name: &str, rust: &str) -> Option<Typed> {
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

    /// An enum of numbers or booleans: its scalar type, checked against the listed values by
    /// the generated `Among` validator (poem-openapi's `Enum` derives string enums only).
    fn value_enum(&mut self, schema: &Map<String, Value>, at: &str) -> Option<Typed> {
        let mut typed_schema = schema.clone();
        let ty = inferred_type(schema).unwrap_or("string");
        typed_schema.insert("type".into(), Value::String(ty.to_owned()));
        let mut typed = self.scalar(&typed_schema, at)?;
        let values = schema
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut literals = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let literal = match (typed.json, v) {
                (ir::JsonKind::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => {
                    n.to_string()
                }
                // `enum: ["0", "1"]` on an integer: the numbers the strings spell.
                (ir::JsonKind::Integer, Value::String(s)) if s.parse::<i64>().is_ok() => s.clone(),
                (ir::JsonKind::Number, Value::Number(n)) => {
                    format!("{:?}", n.as_f64().unwrap_or_default())
                }
                (ir::JsonKind::Boolean, Value::Bool(b)) => b.to_string(),
                // `null` in the enum of a nullable schema allows the absence it already allows.
                (_, Value::Null) => continue,
                _ => {
                    self.diags.error(
                        &format!("{at}/enum/{i}"),
                        format!("enum value {v} is not a {}", typed.json),
                        "make every value of the enum the schema's type",
                    );
                    return None;
                }
            };
            if !literals.contains(&literal) {
                literals.push(literal);
            }
        }
        typed.validators.push(ir::Validator::Among(literals));
        Some(typed)
    }

    /// A `$ref` to a component schema.
    fn schema_ref(&mut self, target: &str, at: &str) -> Option<Typed> {
        let name = target.strip_prefix(SCHEMA_REF).filter(|n| !n.contains('/'));
        let Some(name) = name else {
            return self.pointed_schema(target, at);
        };
        let name = unescape(name);
        match self.named.get(&name) {
            Some(Named::Object(rust)) => Some(Typed {
                ty: Ty::Named(rust.clone()),
                validators: vec![],
                json: ir::JsonKind::Object,
                format: None,
            }),
            Some(Named::Enum(rust)) => Some(Typed {
                ty: Ty::Named(rust.clone()),
                validators: vec![],
                json: ir::JsonKind::Enum,
                format: None,
            }),
            Some(Named::Union(rust)) => Some(Typed {
                ty: Ty::Named(rust.clone()),
                validators: vec![],
                json: ir::JsonKind::Union,
                format: None,
            }),
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

    /// A `$ref` to a schema somewhere else in the document (`#/paths/…/schema`, or a
    /// property of a component): resolved as if written there, once, and named from that
    /// place. External references are refused.
    fn pointed_schema(&mut self, target: &str, at: &str) -> Option<Typed> {
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
                return Some(Typed {
                    ty: Ty::Scalar(Scalar::Any),
                    validators: vec![],
                    json: ir::JsonKind::Any,
                    format: None,
                });
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

    /// A string enum: a `#[derive(Enum)]` with one variant per value. An inline enum's
    /// `default` and `example` belong to the parameter or property that declares it.
    fn string_enum(
        &mut self,
        rust: &str,
        spec_name: &str,
        schema: &Map<String, Value>,
        at: &str,
        inline: bool,
    ) {
        self.check_keywords(schema, "string", at);
        // The values are the constraint: string constraints beside them add nothing a
        // parser could check. A named enum's `default` applies where a property or
        // parameter uses it (see `inherited_default`); `example` is documentation.
        for key in ["minLength", "maxLength", "pattern", "format"] {
            if schema.contains_key(key) {
                self.diags.warn(
                    &join(at, key),
                    format!("`{key}` beside `enum` is not checked: the enum's values are its constraint"),
                    "remove it to silence this",
                );
            }
        }
        if !inline && schema.get("nullable") == Some(&Value::Bool(true)) {
            self.diags.lenient(
                &join(at, "nullable"),
                "`nullable` on a named enum is not supported: a property that uses it accepts `null` only if it is optional",
                "put `nullable: true` on the properties that use the enum (beside an `allOf` with the `$ref`)",
            );
        }
        let mut variants: Vec<(String, String)> = Vec::new();
        let values = schema
            .get("enum")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if values.is_empty() {
            self.diags.error(
                &join(at, "enum"),
                "an enum needs at least one value",
                "list the allowed values",
            );
        }
        for (i, value) in values.iter().enumerate() {
            let here = format!("{at}/enum/{i}");
            let spelled;
            let value = match value {
                Value::String(s) => s.as_str(),
                // `null` in the enum of a nullable schema: the absence it already allows.
                Value::Null => continue,
                Value::Number(_) | Value::Bool(_) => {
                    // `type: string, enum: [1, 2]`: the strings they spell.
                    spelled = value.to_string();
                    self.diags.lenient(
                        &here,
                        format!("enum value {value} is not a string: the string `{spelled}` is accepted"),
                        "quote it",
                    );
                    spelled.as_str()
                }
                _ => {
                    self.diags.error(
                        &here,
                        format!("enum value {value} is not a string"),
                        "quote it, or remove it",
                    );
                    continue;
                }
            };
            if variants.iter().any(|(v, _)| v == value) {
                self.diags.lenient(
                    &here,
                    format!("enum value `{value}` is listed twice"),
                    "remove the duplicate",
                );
                continue;
            }
            // A value without letters or digits (`-`, `+1`, ``) is named by its position;
            // values that collide in Rust take a number (documented in the README).
            let mut variant = pascal_case(value);
            if !is_identifier(&variant) {
                variant = format!("Value{i}");
            }
            if let Some((other, _)) = variants.iter().find(|(_, v)| *v == variant) {
                let taken = variant.clone();
                let mut n = 2;
                while variants.iter().any(|(_, v)| *v == variant) {
                    variant = format!("{taken}{n}");
                    n += 1;
                }
                self.diags.lenient(&here, format!("enum values `{other}` and `{value}` both become the Rust variant `{taken}`; this one is `{variant}`"), "rename one of them to choose the names yourself");
            }
            variants.push((value.to_owned(), variant));
        }
        let doc = self.text(
            schema.get("description").and_then(Value::as_str),
            &join(at, "description"),
        );
        self.enums.insert(
            rust.to_owned(),
            ir::Enum {
                name: spec_name.to_owned(),
                rust_name: rust.to_owned(),
                doc,
                variants,
                deprecated: schema.get("deprecated") == Some(&Value::Bool(true)),
            },
        );
    }

    /// A string, integer, number or boolean schema, with its format and validators.
    pub(super) fn scalar(&mut self, schema: &Map<String, Value>, at: &str) -> Option<Typed> {
        let ty = schema.get("type").and_then(Value::as_str);
        let format = schema.get("format").and_then(Value::as_str);
        // Formats are open in OpenAPI: a known one picks a type that parses it, any other
        // is its base type (`format: currency` is a string, `format: decimal` a number).
        let scalar = match (ty, format) {
            (Some("string"), Some("date-time")) => Scalar::DateTime,
            (Some("string"), Some("date")) => Scalar::Date,
            (Some("string"), Some("uuid")) => Scalar::Uuid,
            (Some("string"), Some("email")) => Scalar::Email,
            (Some("string"), Some("password")) => Scalar::Password,
            (Some("string"), _) => Scalar::String,
            (Some("integer"), Some("int8")) => Scalar::I8,
            (Some("integer"), Some("int16")) => Scalar::I16,
            (Some("integer"), Some("int32")) => Scalar::I32,
            (Some("integer"), Some("uint8")) => Scalar::U8,
            (Some("integer"), Some("uint16")) => Scalar::U16,
            (Some("integer"), Some("uint32")) => Scalar::U32,
            (Some("integer"), Some("uint64")) => Scalar::U64,
            (Some("integer"), _) => Scalar::I64,
            (Some("number"), Some("float")) => Scalar::F32,
            (Some("number"), _) => Scalar::F64,
            (Some("boolean"), _) => Scalar::Bool,
            (Some(t), _) => {
                self.diags.lenient(
                    &join(at, "type"),
                    format!("unknown type `{t}` is read as any JSON value"),
                    "use one of string, integer, number, boolean, array, object",
                );
                return Some(Typed {
                    ty: Ty::Scalar(Scalar::Any),
                    validators: vec![],
                    json: ir::JsonKind::Any,
                    format: None,
                });
            }
            (None, _) => {
                // Free-form: any JSON value (`{}`, or only a description).
                return Some(Typed {
                    ty: Ty::Scalar(Scalar::Any),
                    validators: vec![],
                    json: ir::JsonKind::Any,
                    format: None,
                });
            }
        };
        let json = scalar.json();
        self.check_keywords(schema, json.as_str(), at);
        let mut validators = self.scalar_validators(schema, json.as_str(), at);
        // A string format is a type of its own (Uuid, DateTime); number formats are widths.
        let format = format
            .filter(|_| json == ir::JsonKind::String && scalar != Scalar::String)
            .map(str::to_owned);
        if format.is_some() && !validators.is_empty() {
            self.diags.warn(
                at,
                format!("length and pattern constraints on a `format: {}` string are not checked: the type parses the format", format.as_deref().unwrap_or_default()),
                "the format is the constraint; remove `minLength`, `maxLength` and `pattern` to silence this",
            );
            validators.clear();
        }
        // poem-openapi's `pattern` validator compiles its regex on every request: a string
        // with a pattern is a `Matching<P>` instead, whose regex is compiled once and whose
        // schema is the same `type: string` + `pattern`.
        let mut scalar = scalar;
        if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
            let is_pattern = |v: &ir::Validator| matches!(v, ir::Validator::Pattern(_));
            if format.is_none() && validators.iter().any(is_pattern) {
                validators.retain(|v| !is_pattern(v));
                scalar = Scalar::Matching(self.pattern_type(p, at));
            }
        }
        Some(Typed {
            ty: Ty::Scalar(scalar),
            validators,
            json,
            format,
        })
    }

    /// Reports keywords that do not apply to `ty` (openapiv3 would drop them silently).
    fn check_keywords(&mut self, schema: &Map<String, Value>, ty: &str, at: &str) {
        const COMMON: &[&str] = &[
            "type",
            "$defs",
            "definitions",
            "title",
            "xml",
            "externalDocs",
            "format",
            "description",
            "nullable",
            "default",
            "example",
            "deprecated",
            "readOnly",
            "writeOnly",
        ];
        let allowed: &[&str] = match ty {
            "string" => &["minLength", "maxLength", "pattern", "enum"],
            "integer" | "number" => &[
                "minimum",
                "maximum",
                "exclusiveMinimum",
                "exclusiveMaximum",
                "multipleOf",
                "enum",
            ],
            "array" => &["items", "minItems", "maxItems", "uniqueItems"],
            "object" => &[
                "properties",
                "required",
                "additionalProperties",
                "minProperties",
                "maxProperties",
            ],
            _ => &[],
        };
        // Refused by the shape check already, wherever they are.
        const REFUSED: &[&str] = &["not"];
        for key in schema.keys() {
            if !COMMON.contains(&key.as_str())
                && !REFUSED.contains(&key.as_str())
                && !allowed.contains(&key.as_str())
                && !key.starts_with("x-")
            {
                self.diags.warn(
                    &join(at, key),
                    format!("`{key}` does not apply to a schema of type `{ty}`; it is not checked"),
                    "remove it, or change the schema's `type`",
                );
            }
        }
    }

    fn scalar_validators(
        &mut self,
        schema: &Map<String, Value>,
        ty: &str,
        at: &str,
    ) -> Vec<ir::Validator> {
        let mut v = Vec::new();
        match ty {
            "string" => {
                if let Some(n) = self.usize_keyword(schema, "minLength", at) {
                    v.push(ir::Validator::MinLength(n));
                }
                if let Some(n) = self.usize_keyword(schema, "maxLength", at) {
                    v.push(ir::Validator::MaxLength(n));
                }
                if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
                    // Look-around and back-references (ECMA-262, not the regex crate) are
                    // compiled with fancy_regex, in the generated code too.
                    match (regex::Regex::new(p), fancy_regex::Regex::new(p)) {
                        (Ok(_), _) | (_, Ok(_)) => v.push(ir::Validator::Pattern(p.to_owned())),
                        (Err(_), Err(e)) => self.diags.lenient(
                            &join(at, "pattern"),
                            format!(
                                "`pattern` is not checked: it does not compile ({})",
                                e.to_string().lines().last().unwrap_or_default()
                            ),
                            "write the pattern in ECMA-262 syntax as OpenAPI expects",
                        ),
                    }
                }
            }
            "integer" | "number" => {
                for (key, exclusive) in [
                    ("minimum", "exclusiveMinimum"),
                    ("maximum", "exclusiveMaximum"),
                ] {
                    if let Some(n) = schema.get(key).and_then(Value::as_f64) {
                        let exclusive = schema.get(exclusive) == Some(&Value::Bool(true));
                        v.push(if key == "minimum" {
                            ir::Validator::Minimum {
                                value: n,
                                exclusive,
                            }
                        } else {
                            ir::Validator::Maximum {
                                value: n,
                                exclusive,
                            }
                        });
                    } else if schema.contains_key(exclusive) {
                        self.diags.error(
                            &join(at, exclusive),
                            format!("`{exclusive}` without `{key}`"),
                            format!("add `{key}:` or remove `{exclusive}`"),
                        );
                    }
                }
                if let Some(n) = schema.get("multipleOf").and_then(Value::as_f64) {
                    if n > 0.0 {
                        v.push(ir::Validator::MultipleOf(n));
                    } else {
                        self.diags.error(
                            &join(at, "multipleOf"),
                            "`multipleOf` must be greater than 0",
                            "use a positive number",
                        );
                    }
                }
            }
            _ => {}
        }
        v
    }

    pub(super) fn usize_keyword(
        &mut self,
        schema: &Map<String, Value>,
        key: &str,
        at: &str,
    ) -> Option<usize> {
        let value = schema.get(key)?;
        match value.as_u64() {
            Some(n) => Some(n as usize),
            None => {
                self.diags.error(
                    &join(at, key),
                    format!("`{key}` must be a non-negative integer"),
                    "write a whole number, e.g. 1",
                );
                None
            }
        }
    }

    /// Boxes every field whose object type leads back to its own object (a recursive schema
    /// needs indirection to have a size), and reports a cycle of required fields, which no
    /// finite JSON value can satisfy.
    pub(super) fn box_recursive_fields(&mut self) {
        // Direct edges: a field whose type is an object itself (not inside a Vec or map).
        let mut edges: BTreeMap<String, Vec<(String, bool, String)>> = BTreeMap::new();
        // A union holds one of its variants: an edge that is never required.
        for (name, union) in &self.unions {
            for target in named_variants(union) {
                edges.entry(name.clone()).or_default().push((
                    target.to_owned(),
                    false,
                    String::new(),
                ));
            }
        }
        for (name, object) in &self.objects {
            for f in &object.fields {
                if let Ty::Named(target) = &f.ty {
                    if self.objects.contains_key(target) || self.unions.contains_key(target) {
                        edges.entry(name.clone()).or_default().push((
                            target.clone(),
                            !f.optional,
                            f.origin.clone(),
                        ));
                    }
                }
            }
        }
        let reaches = |from: &str, to: &str, required_only: bool| -> bool {
            let mut seen = BTreeSet::new();
            let mut stack = vec![from.to_owned()];
            while let Some(n) = stack.pop() {
                if n == to {
                    return true;
                }
                if seen.insert(n.clone()) {
                    for (t, req, _) in edges.get(&n).into_iter().flatten() {
                        if *req || !required_only {
                            stack.push(t.clone());
                        }
                    }
                }
            }
            false
        };
        let mut boxed = Vec::new();
        let mut infinite = Vec::new();
        let mut infinite_unions = Vec::new();
        for (owner, list) in &edges {
            for (target, required, origin) in list {
                if !origin.is_empty() && reaches(target, owner, false) {
                    boxed.push(origin.clone());
                    // Report a required cycle once, at the edge leaving its smallest name.
                    let first_of_cycle = owner <= target || !reaches(target, target, true);
                    if *required && reaches(target, owner, true) && first_of_cycle {
                        infinite.push((origin.clone(), owner.clone(), target.clone()));
                    }
                }
            }
        }
        // A union that holds itself through unions only has no object field to box: the
        // alternatives that lead back to it are left out (no finite value needs them).
        let reaches_through_unions =
            |unions: &BTreeMap<String, ir::Union>, from: &str, to: &str| {
                let mut seen = BTreeSet::new();
                let mut stack = vec![from.to_owned()];
                while let Some(n) = stack.pop() {
                    if n == to {
                        return true;
                    }
                    if let Some(u) = unions.get(&n).filter(|_| seen.insert(n.clone())) {
                        stack.extend(named_variants(u).map(str::to_owned));
                    }
                }
                false
            };
        let names: Vec<String> = self.unions.keys().cloned().collect();
        for name in names {
            let cyclic: Vec<String> = named_variants(&self.unions[&name])
                .filter(|v| reaches_through_unions(&self.unions, v, &name))
                .map(str::to_owned)
                .collect();
            if cyclic.is_empty() {
                continue;
            }
            let union = self.unions.get_mut(&name).expect("listed above");
            union
                .variants
                .retain(|v| !matches!(&v.ty, Ty::Named(t) if cyclic.contains(t)));
            if union.variants.is_empty() {
                infinite_unions.push((union.origin.clone(), name.clone()));
            } else {
                let origin = union.origin.clone();
                self.diags.lenient(
                    &origin,
                    format!("`{name}` is one of its own alternatives, through unions only (by way of `{}`): that alternative is left out", cyclic.join("`, `")),
                    "put an object between them, or remove the alternative that closes the cycle",
                );
            }
        }
        for (origin, name) in infinite_unions {
            self.diags.error(
                &origin,
                format!("`{name}` is one of its own alternatives, through unions only: no finite value has this shape"),
                "put an object between them, or remove the alternative that closes the cycle",
            );
        }
        for (origin, owner, target) in infinite {
            let message = if owner == target {
                format!(
                    "`{owner}` requires a `{owner}` inside itself: no finite value has this shape"
                )
            } else {
                format!("`{owner}` requires `{target}`, which in turn requires `{owner}`: no finite value has this shape")
            };
            self.diags.error(
                &origin,
                message,
                "make one property of the cycle optional, or an array",
            );
        }
        for object in self.objects.values_mut() {
            for f in &mut object.fields {
                if boxed.contains(&f.origin) {
                    f.ty = Ty::Boxed(Box::new(f.ty.clone()));
                }
            }
        }
    }
}

/// The generated types a union's variants name (objects, enums, unions).
fn named_variants(union: &ir::Union) -> impl Iterator<Item = &str> {
    union.variants.iter().filter_map(|v| match &v.ty {
        Ty::Named(t) => Some(t.as_str()),
        _ => None,
    })
}

/// An `allOf` whose only part besides annotations is an inline schema (not a `$ref`): that
/// schema, with the keywords written beside the `allOf`.
pub(super) fn single_part_all_of(schema: &Map<String, Value>) -> Option<Map<String, Value>> {
    let parts: Vec<&Value> = schema
        .get("allOf")?
        .as_array()?
        .iter()
        .filter(|p| !annotation_only(p))
        .collect();
    let [only] = parts.as_slice() else {
        return None;
    };
    let only = only.as_object()?;
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
fn single_ref_all_of(schema: &Map<String, Value>) -> Option<&str> {
    let parts: Vec<&Value> = schema
        .get("allOf")?
        .as_array()?
        .iter()
        .filter(|p| !annotation_only(p))
        .collect();
    let [only] = parts.as_slice() else {
        return None;
    };
    // `type` beside the `$ref` repeats the target's.
    let annotation_only = schema.keys().all(|k| {
        ANNOTATIONS.contains(&k.as_str())
            || matches!(k.as_str(), "allOf" | "default" | "type")
            || k.starts_with("x-")
    });
    let target = only.get("$ref")?.as_str()?;
    (annotation_only && only.as_object()?.len() == 1).then_some(target)
}

/// An object schema with `additionalProperties: <schema>` and no `properties` is a map.
/// An object schema without `properties` whose other keys may be anything: a map (of the
/// `additionalProperties` schema, or of any value when that is `true` or absent).
fn is_map(schema: &Map<String, Value>) -> bool {
    !schema.contains_key("properties")
        && !schema.contains_key("allOf")
        && schema.get("additionalProperties") != Some(&Value::Bool(false))
}

/// The schema's `type`, or the one its keywords imply when it has none (`properties` →
/// object, `items` → array, an `enum` of strings → string). `None` is a free-form value.
pub(super) fn inferred_type(schema: &Map<String, Value>) -> Option<&'static str> {
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        return Some(match t {
            "string" => "string",
            "integer" => "integer",
            "number" => "number",
            "boolean" => "boolean",
            "array" => "array",
            "object" => "object",
            _ => {
                return schema
                    .get("type")
                    .and_then(Value::as_str)
                    .map(|_| "unknown")
            }
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

/// True if the schema's `enum` lists a value other than `null`.
fn has_enum_values(schema: &Map<String, Value>) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| values.iter().any(|v| !v.is_null()))
}
