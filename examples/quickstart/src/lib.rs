//! Notes: openapi.yaml, turned into Rust by build.rs, implemented here.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use poem_openapi::payload::Json;

pub mod api {
    include!(concat!(env!("OUT_DIR"), "/notes_api.rs"));
}
use api::{GetNoteResponse, Note, Problem, PutNoteResponse};

/// The notes, in memory.
#[derive(Default)]
pub struct Notes(Mutex<HashMap<String, Note>>);

impl api::Handlers for Notes {
    async fn get_note(&self, id: String) -> GetNoteResponse {
        let notes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match notes.get(&id) {
            Some(note) => GetNoteResponse::Ok(Json(note.clone())),
            None => GetNoteResponse::NotFound(Json(Problem {
                type_: None,
                title: Some("Not Found".into()),
                status: Some(404),
                detail: Some(format!("there is no note {id}")),
            })),
        }
    }

    async fn put_note(&self, id: String, body: Note) -> PutNoteResponse {
        let mut notes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match notes.insert(id, body.clone()) {
            Some(_) => PutNoteResponse::Ok(Json(body)),
            None => PutNoteResponse::Created(Json(body)),
        }
    }
}

/// The API, the spec as written (/openapi.json, /openapi.yaml) and the docs page (/docs).
pub fn routes() -> impl poem::Endpoint<Output = poem::Response> {
    codegen_runtime::serve::serve_api(api::Api(Notes::default()), api::DOCUMENT)
}
