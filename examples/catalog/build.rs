//! Generates the catalog API from openapi.yaml into $OUT_DIR/catalog_api.rs, strict: every
//! operation declares the rejections the server answers, and a name collision is an error.

fn main() {
    codegen::Generator::new("openapi.yaml")
        .module("catalog_api")
        .strict(true)
        .run();
}
