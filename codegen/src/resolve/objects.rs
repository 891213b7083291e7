//! Objects (part of `resolve`): which component schemas become `#[derive(Object)]` structs,
//! enums, unions or aliases (declared first, so references resolve in any order), and each
//! object's fields: their names, types, `required` and `nullable`, defaults, and what
//! `additionalProperties` allows.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::scalars::has_enum_values;
use super::schemas::Keywords;
use super::schemas::{
    annotation_only, inferred_type, single_part_all_of, single_ref_all_of, Named, UNION,
};
use super::Resolver;
use crate::ir;
use crate::naming::{is_identifier, numbered, pascal_case, snake_case};
use crate::source::join;

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
    pub(super) fn polymorphic(
        &self,
        name: &str,
        schema: &Map<String, Value>,
    ) -> Option<Map<String, Value>> {
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
                    .is_some_and(|parts| parts.iter().any(|p| p.text("$ref") == Some(&target)))
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
    pub(super) fn object_or_all_of(
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

    /// Reports the keywords of an object schema poem-openapi cannot check; whether unknown
    /// members are refused (`additionalProperties: false`).
    fn object_keywords(&mut self, schema: &Map<String, Value>, at: &str) -> bool {
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
        match schema.get("additionalProperties") {
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
        }
    }

    /// The Rust field of property `prop` (the `position`th): its snake_case name, else
    /// `field_N`, numbered when another property of the object took it (`rust_names`).
    fn field_name(
        &mut self,
        prop: &str,
        position: usize,
        rust_names: &BTreeMap<String, String>,
        here: &str,
    ) -> String {
        let mut field_name = snake_case(prop);
        if !is_identifier(&field_name) {
            // Named by position, renamed to the spec's name on the wire.
            field_name = format!("field_{position}");
            self.diags.warn(
            here,
            format!("the property name `{prop}` has no ASCII letters or digits; its Rust field is `{field_name}`"),
            "rename the property to choose the field's name",
        );
        }
        if let Some(other) = rust_names.get(&field_name).cloned() {
            let taken = field_name.clone();
            field_name = numbered(&taken, "_", |n| rust_names.contains_key(n));
            self.diags.lenient(here, format!("properties `{other}` and `{prop}` both become the Rust field `{taken}`; this one is `{field_name}`"), "rename one of them to choose the names yourself");
        }
        field_name
    }

    /// Resolves an object schema into `self.objects` under `rust` (served as `spec_name`).
    /// `origins` says where properties merged from an `allOf` are written.
    pub(super) fn object(
        &mut self,
        rust: &str,
        spec_name: &str,
        schema: &Map<String, Value>,
        at: &str,
        origins: &BTreeMap<String, String>,
    ) {
        let deny_unknown_fields = self.object_keywords(schema, at);
        let empty = Map::new();
        let properties = schema.member("properties").unwrap_or(&empty);
        let required = schema.strings("required");
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
            let field_name = self.field_name(prop, fields.len() + 1, &rust_names, &here);
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
        let doc = self.text(schema.text("description"), &join(at, "description"));
        self.objects.insert(
            rust.to_owned(),
            ir::Object {
                name: spec_name.to_owned(),
                rust_name: rust.to_owned(),
                doc,
                fields,
                deny_unknown_fields,
                deprecated: schema.flag("deprecated"),
                values,
                origin: at.to_owned(),
            },
        );
    }

    /// Required and nullable: the key must be there, null or not. poem-openapi's Option
    /// cannot tell an absent key from a null one, so absence is accepted as null (warned).
    fn required_unless_nullable(
        &mut self,
        name: &str,
        required: bool,
        nullable: bool,
        at: &str,
    ) -> bool {
        if nullable && required {
            self.diags.warn(
                &join(at, "nullable"),
                format!(
                    "required nullable property `{name}` is also accepted when absent (as null)"
                ),
                "make it optional, or not nullable, to silence this",
            );
            return false;
        }
        required
    }

    /// A property's `default` (or its `$ref`'d schema's) as a function poem-openapi calls,
    /// checked against the schema here.
    fn field_default(
        &mut self,
        owner: &str,
        name: &str,
        rust_name: &str,
        schema: &Map<String, Value>,
        typed: &super::schemas::Typed,
        at: &str,
    ) -> Option<ir::ValueFn> {
        let expr = self.default_expr(schema, typed, &join(at, "default"))?;
        let fn_name = self.claim_fn(&format!("default_{}_{}", snake_case(owner), rust_name), at);
        Some(ir::ValueFn {
            name: fn_name,
            ty: typed.ty.to_string(),
            expr,
            doc: format!("`default` of property `{name}` of `{owner}`."),
        })
    }

    /// `readOnly` and `writeOnly` as `#[oai]` arguments. A required read-only property is
    /// filled with its type's Default when parsing, so one whose type has none (it is
    /// `unfillable`) is an error.
    fn access(
        &mut self,
        schema: &Map<String, Value>,
        name: &str,
        unfillable: bool,
        oai: &mut Vec<String>,
        at: &str,
    ) {
        match (schema.flag("readOnly"), schema.flag("writeOnly")) {
            (true, true) => {
                self.diags.error(
                    at,
                    "a property cannot be both `readOnly` and `writeOnly`",
                    "keep one of them",
                );
            }
            (true, false) => {
                // poem-openapi fills a read-only property with its Default when parsing.
                if unfillable {
                    self.diags.error(&join(at, "readOnly"), format!("required read-only property `{name}` has a type with no default value to parse into"), "make the property optional, or give it a `default`");
                }
                oai.push("read_only".to_owned());
            }
            (false, true) => oai.push("write_only".to_owned()),
            (false, false) => {}
        }
    }

    #[allow(clippy::too_many_arguments)] // a property's coordinates: owner, names, schema, place
    pub(super) fn field(
        &mut self,
        owner: &str,
        name: &str,
        rust_name: String,
        required: bool,
        schema: &Map<String, Value>,
        hint: &str,
        at: &str,
    ) -> Option<(ir::Field, Option<ir::ValueFn>)> {
        let nullable = nullable_property(schema);
        let required = self.required_unless_nullable(name, required, nullable, at);
        let typed = self.value_type(schema, at, hint)?;
        let mut oai = Vec::new();
        if rust_name != name {
            oai.push(format!("rename = {name:?}"));
        }
        // On a required property a default never applies: it is documentation.
        let value_fn = if required {
            None
        } else {
            self.field_default(owner, name, &rust_name, schema, &typed, at)
        };
        if let Some(f) = &value_fn {
            oai.push(format!("default = {:?}", f.name));
        }
        // poem-openapi fills a required read-only property with its type's Default when
        // parsing; a type without one (a date, an object) is read as optional instead.
        let required = if required
            && schema.flag("readOnly")
            && !schema.flag("writeOnly")
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
        self.access(
            schema,
            name,
            !optional && value_fn.is_none() && !typed.ty.has_default(),
            &mut oai,
            at,
        );
        if schema.flag("deprecated") {
            oai.push("deprecated".to_owned());
        }
        if !typed.validators.is_empty() {
            oai.push(crate::render::spelling::validator_arg(&typed.validators));
        }
        let field = ir::Field {
            name: name.to_owned(),
            rust_name,
            ty: typed.ty,
            optional,
            doc: self.text(schema.text("description"), &join(at, "description")),
            oai,
            origin: at.to_owned(),
        };
        Some((field, value_fn))
    }
}

/// `nullable` on a property: beside an `allOf`, or as a part of it
/// (`allOf: [$ref, {nullable: true}]`).
fn nullable_property(schema: &Map<String, Value>) -> bool {
    schema.flag("nullable")
        || schema
            .get("allOf")
            .and_then(Value::as_array)
            .is_some_and(|parts| {
                parts
                    .iter()
                    .any(|p| annotation_only(p) && p.flag("nullable"))
            })
}

/// An object schema with `additionalProperties: <schema>` and no `properties` is a map.
/// An object schema without `properties` whose other keys may be anything: a map (of the
/// `additionalProperties` schema, or of any value when that is `true` or absent).
pub(super) fn is_map(schema: &Map<String, Value>) -> bool {
    !schema.contains_key("properties")
        && !schema.contains_key("allOf")
        && schema.get("additionalProperties") != Some(&Value::Bool(false))
}
