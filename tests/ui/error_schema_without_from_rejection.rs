// What a user sees when the spec's 400 is its own `{code, message}` schema, generated with
// `convert_rejections(true)` (or strict), before implementing `FromRejection` for it: the
// compiler names the trait and the type.
mod api {
    #![allow(dead_code)]
    include!("../../codegen/tests/golden/own_error_schema.rs");
}

use api::*;

struct Notes;

impl Handlers for Notes {
    async fn create_note(
        &self,
        _auth: poem_openapi::auth::ApiKey,
        _body: CreateNoteRequest,
    ) -> CreateNoteResponse {
        CreateNoteResponse::Created
    }
}

fn main() {
    let _ = service(Notes);
}
