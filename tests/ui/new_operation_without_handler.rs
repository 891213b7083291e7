// What a user sees after adding `renameItem` (PATCH /items/{item_id}) to the spec and running
// `cargo build` before writing its handler: the compiler names the method still owed.
mod api {
    #![allow(dead_code)]
    include!("../../codegen/tests/golden/items_with_new_operation.rs");
}

use api::*;
use poem_openapi::payload::Json;

struct Server;

impl Handlers for Server {
    async fn list_items(&self, _limit: i32, _cursor: Option<String>) -> ListItemsResponse {
        ListItemsResponse::Ok(Json(ItemPage { items: vec![], next_cursor: None }))
    }

    async fn get_item(&self, _item_id: String) -> GetItemResponse {
        GetItemResponse::Ok(Json(Item { name: None, size: None }))
    }

    async fn put_item(&self, _item_id: String, body: ItemUpdate) -> PutItemResponse {
        PutItemResponse::Ok(Json(Item { name: body.name, size: body.size }))
    }

    async fn delete_item(&self, _item_id: String) -> DeleteItemResponse {
        DeleteItemResponse::NoContent
    }
}

fn main() {
    let _service = api::service(Server);
}
