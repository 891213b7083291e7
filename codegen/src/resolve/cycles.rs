//! Cycles (part of `resolve`): a field whose type leads back to its own object is boxed (a
//! recursive type needs indirection to have a size), and a cycle of required fields, which no
//! finite JSON value satisfies, is reported.

use std::collections::{BTreeMap, BTreeSet};

use super::Resolver;
use crate::ir::{self, Ty};

/// Edges between generated types: owner → (target, whether required, the field's origin;
/// empty for a union's variant, which is never required and has no field to box).
type Edges = BTreeMap<String, Vec<(String, bool, String)>>;

impl Resolver<'_> {
    /// Boxes every field whose object type leads back to its own object (a recursive schema
    /// needs indirection to have a size), and reports a cycle of required fields, which no
    /// finite JSON value can satisfy.
    pub(super) fn box_recursive_fields(&mut self) {
        let edges = self.type_edges();
        let mut boxed = Vec::new();
        let mut infinite = Vec::new();
        for (owner, list) in &edges {
            for (target, required, origin) in list {
                if !origin.is_empty() && reaches(&edges, target, owner, false) {
                    boxed.push(origin.clone());
                    // Report a required cycle once, at the edge leaving its smallest name.
                    let first_of_cycle = owner <= target || !reaches(&edges, target, target, true);
                    if *required && reaches(&edges, target, owner, true) && first_of_cycle {
                        infinite.push((origin.clone(), owner.clone(), target.clone()));
                    }
                }
            }
        }
        self.cut_union_self_cycles();
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

    /// Direct edges: a field whose type is an object or union itself (not inside a `Vec` or
    /// map), and a union's variants.
    fn type_edges(&self) -> Edges {
        let mut edges = Edges::new();
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
        edges
    }

    /// A union that holds itself through unions only has no object field to box: the
    /// alternatives that lead back to it are left out (no finite value needs them), and a
    /// union left with none is an error.
    fn cut_union_self_cycles(&mut self) {
        let mut infinite_unions = Vec::new();
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
    }
}

/// Whether `to` can be reached from `from` (through required edges only, if asked).
fn reaches(edges: &Edges, from: &str, to: &str, required_only: bool) -> bool {
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
}

/// Whether the union `to` can be reached from `from` through unions' variants only.
fn reaches_through_unions(unions: &BTreeMap<String, ir::Union>, from: &str, to: &str) -> bool {
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
}

/// The generated types a union's variants name (objects, enums, unions).
pub(super) fn named_variants(union: &ir::Union) -> impl Iterator<Item = &str> {
    union.variants.iter().filter_map(|v| match &v.ty {
        Ty::Named(t) => Some(t.as_str()),
        _ => None,
    })
}
