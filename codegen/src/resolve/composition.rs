//! `allOf`, `oneOf` and `anyOf` (part of `resolve`).
//!
//! An `allOf` of object schemas is merged into one object: poem-openapi has no inheritance,
//! so the generated struct holds every part's properties, and a property two parts declare
//! differently is a diagnostic naming both. `oneOf`/`anyOf` become poem-openapi unions:
//! `anyOf` takes the first variant that parses, `oneOf` insists on exactly one, and a
//! `discriminator` picks the variant by a property's value.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::schemas::Keywords;
use super::schemas::UNION;
use super::{Resolver, SCHEMA_REF};
use crate::ir::{self, Scalar, Ty};
use crate::naming::numbered;
use crate::source::{join, unescape};

/// An `allOf` part: its schema, where it is written, and where its merged properties are.
type Part = (Map<String, Value>, String, BTreeMap<String, String>);

/// Keys an `allOf` part may have besides `properties` and `required`.
const PART_KEYS: &[&str] = &["type", "properties", "required", "description", "allOf"];

/// A discriminator's `mapping`: value → (schema name, where the value is written).
type Mapping = BTreeMap<String, (String, String)>;

impl Resolver<'_> {
    /// The object schema an `allOf` stands for, with where each merged property (and
    /// `required:<name>` entry) is written. `visiting` holds the components being merged,
    /// to report a cycle instead of recursing forever.
    pub(super) fn merge_all_of(
        &mut self,
        schema: &Map<String, Value>,
        at: &str,
        visiting: &mut Vec<String>,
    ) -> Option<(Map<String, Value>, BTreeMap<String, String>)> {
        let mut merged = self.keywords_beside_all_of(schema, at);
        let mut ok = true;
        let parts = self.listed(
            schema,
            "allOf",
            "schemas",
            at,
            "list the object schemas to merge",
        );
        if parts.is_empty() {
            return None;
        }
        // The schema's own properties are one more part, merged last.
        let own = Map::from_iter(
            ["properties", "required"]
                .into_iter()
                .filter_map(|k| schema.get(k).map(|v| (k.to_owned(), v.clone()))),
        );
        let mut sources: Vec<Part> = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            let part_at = format!("{at}/allOf/{i}");
            let Some(part) = part.as_object() else {
                ok = false;
                continue;
            };
            match self.all_of_part(part, &part_at, visiting) {
                Some(source) => sources.push(source),
                None => ok = false,
            }
        }
        if !own.is_empty() {
            sources.push((own, at.to_owned(), BTreeMap::new()));
        }
        let (properties, required, origins) = self.merge_parts(sources);
        if !ok {
            return None;
        }
        merged.insert("type".into(), "object".into());
        merged.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            merged.insert("required".into(), Value::Array(required));
        }
        Some((merged, origins))
    }

    /// The keywords beside an `allOf` the merged object keeps (`description`,
    /// `deprecated`, `additionalProperties`); others but annotations are reported.
    fn keywords_beside_all_of(
        &mut self,
        schema: &Map<String, Value>,
        at: &str,
    ) -> Map<String, Value> {
        let mut merged = Map::new();
        for (key, value) in schema {
            match key.as_str() {
                "allOf" | "properties" | "required" => {}
                "type" if value == "object" => {}
                "description" | "deprecated" | "additionalProperties" => {
                    merged.insert(key.clone(), value.clone());
                }
                _ if super::schemas::ANNOTATIONS.contains(&key.as_str()) => {}
                // JSON Schema's places for named subschemas, reached by `$ref` if at all.
                _ if key.starts_with("x-") || key == "$defs" || key == "definitions" => {}
                _ => {
                    self.diags.lenient(
                        &join(at, key),
                        format!("`{key}` beside `allOf` is not checked: the `allOf` is merged into one object"),
                        "keep `description`, `deprecated`, `additionalProperties`, `properties` and `required` beside an `allOf`, or move the keyword into a part",
                    );
                }
            }
        }
        merged
    }

    /// The parts' properties merged (a later, different declaration of a property is the
    /// one read, with a warning), their `required` lists joined, and where each is written.
    fn merge_parts(
        &mut self,
        sources: Vec<Part>,
    ) -> (Map<String, Value>, Vec<Value>, BTreeMap<String, String>) {
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let mut origins = BTreeMap::new();
        for (part, part_at, part_origins) in sources {
            let empty = Map::new();
            for (prop, value) in part.member("properties").unwrap_or(&empty) {
                let here = part_origins
                    .get(prop)
                    .cloned()
                    .unwrap_or_else(|| join(&join(&part_at, "properties"), prop));
                match properties.get(prop) {
                    Some(first) if first != value => {
                        // A value must satisfy both; the later (more specific) one is read.
                        self.diags.lenient(
                            &here,
                            format!("property `{prop}` is declared differently by two parts of the `allOf` (first at {}); this declaration is the one checked", origins[prop]),
                            "declare it once, or identically in both parts",
                        );
                        properties.insert(prop.clone(), value.clone());
                        origins.insert(prop.clone(), here);
                    }
                    Some(_) => {}
                    None => {
                        properties.insert(prop.clone(), value.clone());
                        origins.insert(prop.clone(), here);
                    }
                }
            }
            for (i, name) in part
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if !required.contains(name) {
                    if let Some(n) = name.as_str() {
                        let here = part_origins
                            .get(&format!("required:{n}"))
                            .cloned()
                            .unwrap_or_else(|| format!("{part_at}/required/{i}"));
                        origins.insert(format!("required:{n}"), here);
                    }
                    required.push(name.clone());
                }
            }
        }
        (properties, required, origins)
    }

    /// One part of an `allOf`: an object schema, inline or by `$ref` (itself possibly an
    /// `allOf`), with where it is written.
    fn all_of_part(
        &mut self,
        part: &Map<String, Value>,
        at: &str,
        visiting: &mut Vec<String>,
    ) -> Option<Part> {
        // `{description: …}` or `{nullable: true}` as a part annotates, it adds nothing.
        if super::schemas::annotation_only(&Value::Object(part.clone())) {
            return Some((Map::new(), at.to_owned(), BTreeMap::new()));
        }
        let (part, part_at) = match part.text("$ref") {
            // A `$ref` into another schema's inside (`…/properties/entity`): that schema.
            Some(target)
                if target
                    .strip_prefix(SCHEMA_REF)
                    .is_none_or(|n| n.contains('/')) =>
            {
                let pointer = crate::source::ref_pointer(target).unwrap_or_default();
                let Some(found) = self.raw_at(&pointer).cloned() else {
                    self.diags.error(
                        &join(at, "$ref"),
                        format!("`$ref: {target}` points at no schema"),
                        "fix the reference",
                    );
                    return None;
                };
                (found, pointer)
            }
            Some(target) => {
                let (name, found, target_at) = self.component_schema(target, &join(at, "$ref"))?;
                if self.expanding.contains(&name) && !visiting.contains(&name) {
                    // Copying it would copy it again inside itself, without end: this part
                    // adds no properties instead.
                    self.diags.lenient(
                        &join(at, "$ref"),
                        format!("`{name}` includes itself through this `$ref`: an inline `allOf` copies `{name}` into a property of `{name}`, without end, so this part adds none of its properties"),
                        "refer to it with a plain `$ref` (a recursive reference is boxed), or name the inner schema as a component",
                    );
                    return Some((Map::new(), at.to_owned(), BTreeMap::new()));
                }
                self.merged.push(name.clone());
                if visiting.contains(&name) {
                    self.diags.error(
                        &join(at, "$ref"),
                        format!("`{name}` includes itself through this `$ref`: an `allOf` cycle has no finite value"),
                        "remove the `$ref` that closes the cycle",
                    );
                    return None;
                }
                (found, target_at)
            }
            None => (part.clone(), at.to_owned()),
        };
        if part.contains_key("allOf") {
            let name = part_at.rsplit('/').next().unwrap_or_default().to_owned();
            visiting.push(name);
            let merged = self.merge_all_of(&part, &part_at, visiting);
            visiting.pop();
            let (merged, origins) = merged?;
            return Some((merged, part_at, origins));
        }
        let is_object = match part.text("type") {
            Some("object") => true,
            // `{required: [title]}`: makes a merged property required.
            None => part.contains_key("properties") || part.contains_key("required"),
            Some(_) => false,
        };
        if !is_object || UNION.iter().any(|k| part.contains_key(*k)) {
            self.diags.lenient(
                at,
                "a part of an `allOf` that is not an object schema (a union, a scalar) is not read: the merged object has the other parts' properties only",
                "merge only objects; a union or a scalar cannot be merged into a struct",
            );
            return Some((Map::new(), at.to_owned(), BTreeMap::new()));
        }
        let part = self.part_keywords(part, &part_at);
        Some((part, part_at, BTreeMap::new()))
    }

    /// The keywords of an object part of an `allOf` that the merge reads (`type`,
    /// `properties`, `required`); the rest are reported and dropped. A part's annotations
    /// describe the part, not the merged object; its `discriminator` is for where the part
    /// itself is used (see `polymorphic`).
    fn part_keywords(&mut self, mut part: Map<String, Value>, part_at: &str) -> Map<String, Value> {
        for key in part.keys().cloned().collect::<Vec<_>>() {
            if PART_KEYS.contains(&key.as_str())
                || key.starts_with("x-")
                || key == "discriminator"
                || key == "$defs"
                || key == "definitions"
                || super::schemas::ANNOTATIONS.contains(&key.as_str())
            {
                continue;
            }
            if matches!(
                key.as_str(),
                "additionalProperties" | "minProperties" | "maxProperties"
            ) {
                self.diags.warn(
                    &join(part_at, &key),
                    format!("`{key}` in a part of an `allOf` is not applied to the merged object"),
                    format!("put `{key}` beside the `allOf` to have it checked"),
                );
                part.remove(&key);
                continue;
            }
            self.diags.lenient(
                &join(part_at, &key),
                format!("`{key}` in a part of an `allOf` is not checked: the parts are merged into one object's properties"),
                "keep `type`, `properties` and `required` in the parts; put `description` beside the `allOf`",
            );
            part.remove(&key);
        }
        part.remove("nullable");
        part.remove("readOnly");
        part.remove("writeOnly");
        part.remove("discriminator");
        part
    }

    /// Resolves a `oneOf`/`anyOf` schema into `self.unions` under `rust` (served as
    /// `spec_name`). `inline` unions may be `nullable` (their property is then optional).
    pub(super) fn union(
        &mut self,
        rust: &str,
        spec_name: &str,
        schema: &Map<String, Value>,
        at: &str,
        inline: bool,
    ) {
        let one_of = schema.contains_key("oneOf");
        let keyword = if one_of { "oneOf" } else { "anyOf" };
        self.keywords_beside_union(schema, at, keyword, inline);
        let list = self.listed(
            schema,
            keyword,
            "schemas",
            at,
            "list the alternatives, or use the one schema directly",
        );
        let (property, mut mapping) = self.discriminator(schema, at);
        let mut variants: Vec<ir::UnionVariant> = Vec::new();
        // A number or boolean variant, which poem-openapi's `String` would also parse.
        let mut rivals_strings = false;
        let mut untagged = false;
        let discriminated_before = self.discriminated.len();
        for (i, item) in list.iter().enumerate() {
            let item_at = format!("{at}/{keyword}/{i}");
            let Some(item) = item.as_object() else {
                continue;
            };
            let target = item
                .text("$ref")
                .and_then(|t| t.strip_prefix(SCHEMA_REF))
                .map(unescape);
            let Some(typed) = self.variant_type(item, &item_at, &format!("{rust}{}", i + 1)) else {
                continue;
            };
            let Some(name) = self.variant_name_among(&variants, &typed.ty, keyword, &item_at)
            else {
                // The same Rust type twice: poem-openapi would parse both the same way.
                continue;
            };
            rivals_strings |= matches!(
                typed.json,
                ir::JsonKind::Integer | ir::JsonKind::Number | ir::JsonKind::Boolean
            );
            let selected_by = match (&property, &target) {
                (Some(property), Some(target)) if typed.json == ir::JsonKind::Object => {
                    Some(self.discriminator_value(property, target, &mapping, at, &item_at))
                }
                (Some(_), _) => {
                    self.untagged_variant(&item_at);
                    untagged = true;
                    None
                }
                (None, _) => None,
            };
            variants.push(ir::UnionVariant {
                name,
                ty: typed.ty,
                mapping: selected_by,
            });
        }
        // Told apart by shape: no variant is selected by a discriminator value.
        let property = if untagged {
            self.discriminated.truncate(discriminated_before);
            variants.iter_mut().for_each(|v| v.mapping = None);
            mapping.clear();
            None
        } else {
            property
        };
        self.check_mapping_targets(&mapping, &list, keyword);
        if rivals_strings {
            strict_strings(&mut variants);
        }
        let union = ir::Union {
            name: spec_name.to_owned(),
            rust_name: rust.to_owned(),
            doc: self.text(schema.text("description"), &join(at, "description")),
            one_of,
            discriminator: property,
            variants,
            origin: at.to_owned(),
        };
        self.unions.insert(rust.to_owned(), union);
    }

    /// The type of a union's variant. A format or pattern is the variant's type (`DateTime`,
    /// `Matching`); other constraints would need a validator, which poem-openapi cannot attach
    /// to a variant: reported as not checked.
    fn variant_type(
        &mut self,
        item: &Map<String, Value>,
        at: &str,
        hint: &str,
    ) -> Option<super::schemas::Typed> {
        let typed = self.value_type(item, at, hint)?;
        if !typed.validators.is_empty() {
            self.diags.lenient(at, "constraints on a union variant are not checked: poem-openapi cannot attach validators to a variant", "make the variant a named object schema with a constrained property, or drop the constraint");
        }
        Some(typed)
    }

    /// A variant a discriminator cannot select (not a `$ref` to an object): the union is
    /// told apart by shape instead.
    fn untagged_variant(&mut self, at: &str) {
        self.diags.lenient(
            at,
            "with a `discriminator`, every variant must be a `$ref` to an object schema: the union is told apart by shape instead",
            "name the variant as a component object, and refer to it",
        );
    }

    /// The Rust variant name of a variant of type `ty`, numbered when another variant took
    /// it already; `None` when another variant has the very same type.
    fn variant_name_among(
        &mut self,
        variants: &[ir::UnionVariant],
        ty: &Ty,
        keyword: &str,
        item_at: &str,
    ) -> Option<String> {
        let mut name = variant_name(ty);
        if variants.iter().any(|v| v.name == name) {
            let taken = name.clone();
            name = numbered(&taken, "", |n| variants.iter().any(|v| v.name == n));
            self.diags.lenient(
                item_at,
                format!("two variants of the `{keyword}` become the Rust variant `{taken}`; this one is `{name}`"),
                "make the variants distinct types (name inline objects as components)",
            );
            if variants.iter().any(|v| v.ty == *ty) {
                return None;
            }
        }
        Some(name)
    }

    /// Reports the keywords beside `oneOf`/`anyOf` (`keyword`): constraints, which hold for
    /// every variant and cannot be attached to a union, are not checked; anything else but
    /// annotations is refused.
    fn keywords_beside_union(
        &mut self,
        schema: &Map<String, Value>,
        at: &str,
        keyword: &str,
        inline: bool,
    ) {
        let one_of = keyword == "oneOf";
        for key in schema.keys() {
            // Constraints beside a union hold for every variant; poem-openapi cannot attach
            // them to a union, so they are not checked.
            if matches!(
                key.as_str(),
                "properties"
                    | "required"
                    | "additionalProperties"
                    | "items"
                    | "minProperties"
                    | "maxProperties"
                    | "minLength"
                    | "maxLength"
                    | "minimum"
                    | "maximum"
                    | "pattern"
                    | "format"
                    | "enum"
                    | "minItems"
                    | "maxItems"
                    | "default"
            ) || (key == "nullable" && !inline)
            {
                self.diags.lenient(
                    &join(at, key),
                    format!("`{key}` beside `{keyword}` is not checked: poem-openapi checks each variant by its own schema"),
                    format!("put `{key}` inside the variants"),
                );
                continue;
            }
            let allowed = match key.as_str() {
                "oneOf" | "anyOf" | "discriminator" | "description" | "deprecated" => true,
                "nullable" => inline,
                // `type: object` beside a union of objects says what the variants say.
                "type" => true,
                _ if super::schemas::ANNOTATIONS.contains(&key.as_str()) => true,
                _ => key.starts_with("x-"),
            };
            if key == "anyOf" && one_of {
                self.diags.error(
                    &join(at, key),
                    "`oneOf` and `anyOf` in one schema are not supported",
                    "keep one of them",
                );
            } else if !allowed {
                self.diags.error(
                    &join(at, key),
                    format!("`{key}` beside `{keyword}` is not supported"),
                    format!(
                        "put `{key}` inside the variants; a union is one of them, nothing more"
                    ),
                );
            }
        }
    }

    /// A union's `discriminator`: its property, and each `mapping` value → the schema it
    /// selects and where the value is written.
    fn discriminator(
        &mut self,
        schema: &Map<String, Value>,
        at: &str,
    ) -> (Option<String>, Mapping) {
        let discriminator = schema.member("discriminator");
        let property = discriminator
            .and_then(|d| d.get("propertyName"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        // Discriminator value → the schema it selects, from `mapping`.
        let mut mapping = Mapping::new();
        for (value, target) in discriminator
            .and_then(|d| d.get("mapping"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let here = join(&join(&join(at, "discriminator"), "mapping"), value);
            let target = target.as_str().unwrap_or_default();
            match target.strip_prefix(SCHEMA_REF).map(unescape) {
                Some(name) => {
                    mapping.insert(value.clone(), (name, here));
                }
                // OpenAPI allows a schema's name as a mapping value.
                None if !target.is_empty() && !target.contains(['/', '#']) => {
                    mapping.insert(value.clone(), (target.to_owned(), here));
                }
                None => self.diags.lenient(
                    &here,
                    format!("mapping target `{target}` is not a `#/components/schemas/` reference; the value is not mapped"),
                    "map each value to `#/components/schemas/Name` of one of the variants",
                ),
            }
        }
        (property, mapping)
    }

    /// The discriminator value that selects the variant `target` (its `mapping` value, else
    /// its schema name), noting the variant for the check that it declares `property`.
    fn discriminator_value(
        &mut self,
        property: &str,
        target: &str,
        mapping: &Mapping,
        at: &str,
        item_at: &str,
    ) -> String {
        self.discriminated
            .push((target.to_owned(), property.to_owned(), item_at.to_owned()));
        let mapped: Vec<&String> = mapping
            .iter()
            .filter(|(_, (name, _))| name == target)
            .map(|(value, _)| value)
            .collect();
        match mapped.as_slice() {
            [] => target.to_owned(),
            [one] => (*one).clone(),
            [first, ..] => {
                self.diags.lenient(
                    &join(at, "discriminator"),
                    format!("several discriminator values map to `{target}`: only `{first}` selects it"),
                    "map one value to each variant: poem-openapi reads and writes one value per variant",
                );
                (*first).clone()
            }
        }
    }

    /// Every `mapping` value must select one of the union's variants (`list`).
    fn check_mapping_targets(&mut self, mapping: &Mapping, list: &[Value], keyword: &str) {
        for (value, (name, here)) in mapping {
            let is_variant = list
                .iter()
                .any(|item| item.text("$ref") == Some(format!("{SCHEMA_REF}{name}").as_str()));
            if !is_variant {
                self.diags.error(
                    here,
                    format!("discriminator value `{value}` maps to `{name}`, which is not a variant of the `{keyword}`"),
                    "map values only to the variants' schemas",
                );
            }
        }
    }

    /// A discriminated variant may declare the discriminator property itself, as OpenAPI
    /// suggests; poem-openapi writes the discriminator value into it, so it must be a plain
    /// string. Checked once every object is resolved.
    pub(super) fn check_discriminated(&mut self) {
        for (target, property, at) in std::mem::take(&mut self.discriminated) {
            let Some(super::schemas::Named::Object(rust)) = self.named.get(&target) else {
                continue;
            };
            let rust = rust.clone();
            let Some(object) = self.objects.get(&rust) else {
                continue;
            };
            let Some(field) = object.fields.iter().find(|f| f.name == property) else {
                if object.deny_unknown_fields {
                    let origin = object.origin.clone();
                    self.diags.error(
                        &origin,
                        format!("`{target}` rejects unknown properties but does not declare the discriminator `{property}`, which every value of it carries (used at {at})"),
                        format!("declare `{property}` (`type: string`) in `{target}`, or drop `additionalProperties: false`"),
                    );
                }
                continue;
            };
            if field.ty != Ty::Scalar(Scalar::String) {
                // Usually a one-value enum naming the variant: the union checks the value.
                let origin = field.origin.clone();
                self.diags.warn(
                    &origin,
                    format!("the discriminator property `{property}` is a plain string in Rust: poem-openapi writes the discriminator value into it (used at {at})"),
                    "declare it as `type: string` without format or pattern to silence this",
                );
                if let Some(field) = self
                    .objects
                    .get_mut(&rust)
                    .and_then(|o| o.fields.iter_mut().find(|f| f.name == property))
                {
                    field.ty = Ty::Scalar(Scalar::String);
                    field
                        .oai
                        .retain(|a| !a.starts_with("validator(") && !a.starts_with("default"));
                }
            }
        }
    }
}

/// The Rust variant for a union member of type `ty`: the type's own name.
fn variant_name(ty: &Ty) -> String {
    match ty {
        Ty::Named(n) => n.clone(),
        Ty::Scalar(s) => s.variant_name(),
        Ty::Vec(inner) => format!("{}List", variant_name(inner)),
        Ty::Map(inner) => format!("{}Map", variant_name(inner)),
        Ty::Boxed(inner) => variant_name(inner),
        Ty::Nullable(inner) => format!("Nullable{}", variant_name(inner)),
    }
}

/// poem-openapi's `String` also parses numbers and booleans: beside those variants, the
/// string variant is a `StrictString`, which reads JSON strings only.
fn strict_strings(variants: &mut [ir::UnionVariant]) {
    for v in variants {
        if v.ty == Ty::Scalar(Scalar::String) {
            v.ty = Ty::Scalar(Scalar::StrictString);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_variants_are_named_for_their_types() {
        let string = Ty::Scalar(Scalar::String);

        assert_eq!(variant_name(&Ty::Named("Cat".into())), "Cat");
        assert_eq!(variant_name(&Ty::Scalar(Scalar::I32)), "Int32");
        assert_eq!(variant_name(&Ty::Scalar(Scalar::DateTime)), "DateTime");
        assert_eq!(
            variant_name(&Ty::Scalar(Scalar::Matching("Pattern1".into()))),
            "String"
        );
        assert_eq!(
            variant_name(&Ty::Vec(Box::new(string.clone()))),
            "StringList"
        );
        assert_eq!(variant_name(&Ty::Map(Box::new(string))), "StringMap");
    }
}
