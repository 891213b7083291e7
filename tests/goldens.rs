//! Compiles every generator golden (`codegen/tests/golden/*.rs`) as a module of this one test
//! crate, under `deny(warnings)`: one compile proves all of them are valid poem-openapi code.

#![deny(warnings)]

macro_rules! goldens {
    ($($name:ident),* $(,)?) => {
        $(
            // Generated items are unused here; only compiling them matters.
            #[allow(dead_code)]
            mod $name {
                include!(concat!(env!("CARGO_MANIFEST_DIR"), "/codegen/tests/golden/", stringify!($name), ".rs"));
            }
        )*
        const COMPILED: &[&str] = &[$(stringify!($name)),*];
    };
}

goldens!(
    component_references,
    formats_defaults_and_flags,
    items,
    items_with_new_operation,
    objects_arrays_maps_and_recursion,
    parameters_in_every_location,
    scalars_and_arrays,
);

#[test]
fn every_golden_is_compiled_here() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/codegen/tests/golden");
    let mut goldens: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rs").map(str::to_owned)
        })
        .collect();
    goldens.sort();

    assert_eq!(goldens, COMPILED, "add the new golden to the goldens! list");
}
