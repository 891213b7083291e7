//! Generates the APIs from openapi/items.yaml (the server) and openapi/catalog.yaml and
//! openapi/pets.yaml (the examples) into $OUT_DIR/items_api.rs, catalog_api.rs and pets_api.rs,
//! each beside a copy of its spec, which the generated code embeds and the server serves.
//!
//! items.yaml builds strict: every operation declares the rejections the server answers. On a
//! bad spec the generator prints one `cargo::error=` line per line of the report (file, line,
//! column, JSON pointer, what is wrong, what to do): cargo fails the build with the user's
//! mistake, not with a backtrace from here.

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    codegen::Generator::new("openapi/items.yaml")
        .module("items_api")
        .strict(true)
        .run();
    for (spec, module) in [
        ("openapi/catalog.yaml", "catalog_api"),
        ("openapi/pets.yaml", "pets_api"),
    ] {
        codegen::Generator::new(spec)
            .module(module)
            .strict(true)
            .run();
    }
}
