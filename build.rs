//! Generates the API from openapi/items.yaml into $OUT_DIR/items_api.rs, beside a copy of the
//! spec, which the generated code embeds and the server serves. (The pets and catalog examples
//! are crates of their own under examples/, each with its own build script.)
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
}
