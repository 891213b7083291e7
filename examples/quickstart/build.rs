fn main() {
    codegen::Generator::new("openapi.yaml")
        .module("notes_api")
        .run();
}
