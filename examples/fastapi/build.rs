//! Generates the API from openapi.json, FastAPI's export with the 201 declared. Default
//! settings (not strict): FastAPI declares its 422 `HTTPValidationError` and no 400, so every
//! rejected request is answered with that 422, in FastAPI's shape.

fn main() {
    codegen::Generator::new("openapi.json")
        .module("fastapi_items")
        .run();
}
