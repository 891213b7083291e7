//! FastAPI's "Additional Status Codes" app (app.py) as a generated Rust server: the same
//! upsert, answering 200 for an existing item and 201 for a new one, now declared in the
//! document it serves (openapi.json).

use std::collections::BTreeMap;
use std::sync::Mutex;

use codegen_runtime::serde_json::{json, Value};
use poem::{Endpoint, Response};
use poem_openapi::payload::Json;

/// The code generated from `openapi.json`.
pub mod api {
    include!(concat!(env!("OUT_DIR"), "/fastapi_items.rs"));
}

use api::{BodyUpsertItemItemsItemIdPut as Body, UpsertItemItemsItemIdPutResponse as Upsert};

/// The items of app.py, in memory.
pub struct Items(Mutex<BTreeMap<String, Value>>);

impl Items {
    /// `foo` and `bar`, as app.py seeds them.
    pub fn seeded() -> Self {
        Self(Mutex::new(BTreeMap::from([
            ("foo".to_owned(), json!({"name": "Fighters", "size": 6})),
            ("bar".to_owned(), json!({"name": "Tenders", "size": 3})),
        ])))
    }
}

impl api::Handlers for Items {
    async fn upsert_item_items_item_id_put(&self, item_id: String, body: Option<Body>) -> Upsert {
        let body = body.unwrap_or(Body {
            name: None,
            size: None,
        });
        let item = json!({"name": body.name, "size": body.size});
        let mut items = self.0.lock().expect("no handler panics while holding it");
        match items.insert(item_id, item.clone()) {
            Some(_) => Upsert::Ok(Json(item)),
            None => Upsert::Created(Json(item)),
        }
    }
}

/// The API, `/openapi.json` (the document as written), `/openapi.yaml` and `/docs`.
pub fn routes() -> impl Endpoint<Output = Response> {
    codegen_runtime::serve::serve_api(api::Api(Items::seeded()), api::DOCUMENT)
}
