//! A warehouse inventory: a recursive category tree, named map schemas (stock per
//! warehouse), a header array parameter overridden per operation, OAuth2 bearer tokens and
//! problem details of the API's own (404, 409, 422).

use std::collections::BTreeMap;
use std::sync::Mutex;

use codegen_runtime::{Matching, Scoped};
use poem::{Endpoint, Response};
use poem_openapi::auth::Bearer;
use poem_openapi::payload::Json;

/// The code generated from `corpus/inventory.yaml`.
pub mod api {
    include!(concat!(env!("OUT_DIR"), "/inventory.rs"));
}

use api::*;

/// Categories and items, in memory.
pub struct Inventory {
    categories: Vec<Category>,
    items: Mutex<BTreeMap<String, Item>>,
}

impl Default for Inventory {
    fn default() -> Self {
        let category = |id, name: &str, children: Vec<Category>| Category {
            id,
            name: name.to_owned(),
            slug: Some(name.to_lowercase()),
            children: (!children.is_empty()).then_some(children),
        };
        let tools = category(
            1,
            "Tools",
            vec![category(2, "Drills", vec![category(3, "Bits", vec![])])],
        );
        Inventory {
            categories: vec![tools, category(4, "Paint", vec![])],
            items: Mutex::default(),
        }
    }
}

fn problem(status: u16, title: &str, detail: String) -> Json<Problem> {
    Json(Problem {
        type_: "about:blank".to_owned(),
        title: Some(title.to_owned()),
        status: Some(i64::from(status)),
        detail: Some(detail),
        instance: None,
    })
}

/// The tree cut at `depth` levels.
fn cut(categories: &[Category], depth: i64) -> Vec<Category> {
    categories
        .iter()
        .map(|c| Category {
            children: match (&c.children, depth > 1) {
                (Some(children), true) => Some(cut(children, depth - 1)),
                _ => None,
            },
            ..c.clone()
        })
        .collect()
}

fn ids(categories: &[Category]) -> Vec<i32> {
    categories
        .iter()
        .flat_map(|c| std::iter::once(c.id).chain(ids(c.children.as_deref().unwrap_or_default())))
        .collect()
}

impl Inventory {
    fn items(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Item>> {
        self.items
            .lock()
            .expect("no handler panics while holding it")
    }
}

impl Handlers for Inventory {
    async fn get_category_tree(
        &self,
        _auth: Scoped<Bearer>,
        depth: Option<i64>,
    ) -> GetCategoryTreeResponse {
        GetCategoryTreeResponse::Ok(Json(cut(&self.categories, depth.unwrap_or(i64::MAX))))
    }

    /// With `X-Warehouse-Ids`, the stock of those warehouses only.
    async fn get_item(
        &self,
        _auth: Scoped<Bearer>,
        sku: String,
        warehouses: Option<Vec<String>>,
    ) -> GetItemResponse {
        let Some(mut item) = self.items().get(&sku).cloned() else {
            return GetItemResponse::NotFound(problem(
                404,
                "Not Found",
                format!("no item `{sku}`"),
            ));
        };
        if let (Some(stock), Some(warehouses)) = (item.stock.as_mut(), warehouses) {
            stock.retain(|w, _| warehouses.contains(w));
        }
        GetItemResponse::Ok(Json(item))
    }

    /// Stores the item under the path's SKU, with a zero stock level for each warehouse named
    /// in `X-Warehouse-Ids` that it has none for.
    async fn upsert_item(
        &self,
        _auth: Scoped<Bearer>,
        sku: String,
        warehouses: Vec<String>,
        body: Item,
    ) -> UpsertItemResponse {
        if let Some(id) = body
            .category_id
            .filter(|id| !ids(&self.categories).contains(id))
        {
            return UpsertItemResponse::UnprocessableEntity(problem(
                422,
                "Unprocessable Entity",
                format!("no category {id}"),
            ));
        }
        let mut item = Item {
            sku: Matching::new(sku.clone()).expect("the path parameter was checked"),
            ..body
        };
        let stock = item.stock.get_or_insert_with(BTreeMap::new);
        for warehouse in warehouses {
            stock.entry(warehouse).or_insert(0);
        }
        match self.items().insert(sku, item.clone()) {
            Some(_) => UpsertItemResponse::Ok(Json(item)),
            None => UpsertItemResponse::Created(Json(item)),
        }
    }

    /// Applies every delta or none: a level that would go below zero is a conflict.
    async fn adjust_stock(
        &self,
        _auth: Scoped<Bearer>,
        sku: String,
        deltas: BTreeMap<String, i64>,
    ) -> AdjustStockResponse {
        let mut items = self.items();
        let Some(item) = items.get_mut(&sku) else {
            return AdjustStockResponse::Conflict(problem(
                409,
                "Conflict",
                format!("no item `{sku}` to adjust"),
            ));
        };
        let mut stock = item.stock.clone().unwrap_or_default();
        for (warehouse, delta) in deltas {
            let level = stock.entry(warehouse.clone()).or_insert(0);
            *level += delta;
            if *level < 0 {
                return AdjustStockResponse::Conflict(problem(
                    409,
                    "Conflict",
                    format!("`{warehouse}` would hold {level}"),
                ));
            }
        }
        item.stock = Some(stock.clone());
        AdjustStockResponse::Ok(Json(stock))
    }
}

/// The API and its documents.
pub fn routes() -> impl Endpoint<Output = Response> {
    codegen_runtime::serve::serve_api(api::Api(Inventory::default()), api::DOCUMENT)
}
