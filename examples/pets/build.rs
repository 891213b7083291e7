//! Generates the pets API from openapi.yaml into $OUT_DIR/pets_api.rs, strict: every
//! operation declares the rejections the server answers, and a name collision is an error.

fn main() {
    codegen::Generator::new("openapi.yaml")
        .module("pets_api")
        .strict(true)
        .run();
}
