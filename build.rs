//! Generates the APIs from openapi/items.yaml (the server) and openapi/catalog.yaml and
//! openapi/pets.yaml (the examples) into $OUT_DIR/items_api.rs, catalog_api.rs and pets_api.rs.
//!
//! On a bad spec this prints one `cargo::error=` line per line of the report (file, line,
//! column, JSON pointer, what is wrong, what to do) and returns: cargo fails the build with the
//! user's mistake, not with a backtrace from here.

use std::path::Path;

/// Each spec and the file its Rust goes to.
const SPECS: &[(&str, &str)] = &[
    ("openapi/items.yaml", "items_api.rs"),
    ("openapi/catalog.yaml", "catalog_api.rs"),
    ("openapi/pets.yaml", "pets_api.rs"),
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        println!("cargo::error=OUT_DIR is not set; run this through cargo");
        return;
    };
    for (spec, file) in SPECS {
        println!("cargo::rerun-if-changed={spec}");
        generate(spec, &Path::new(&out_dir).join(file));
    }
}

fn generate(spec: &str, out: &Path) {
    match codegen::generate(Path::new(spec), spec) {
        Ok(code) => {
            if let Err(e) = std::fs::write(out, code) {
                println!("cargo::error=cannot write {}: {e}", out.display());
            }
        }
        Err(codegen::Error::Bug { message, raw }) => {
            // Keep the unformatted text so the bug can be inspected.
            let _ = std::fs::write(out, raw);
            println!("cargo::error=codegen bug: generated code does not parse: {message}");
            println!(
                "cargo::error=the unformatted output is in {}",
                out.display()
            );
        }
        Err(e) => {
            for line in e.to_string().lines() {
                println!("cargo::error={line}");
            }
        }
    }
}
