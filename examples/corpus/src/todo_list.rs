//! A to-do list: CRUD over integer ids.

use std::collections::BTreeMap;
use std::sync::Mutex;

use poem::{Endpoint, Response};
use poem_openapi::payload::Json;

/// The code generated from `corpus/todo_list.yaml`.
pub mod api {
    include!(concat!(env!("OUT_DIR"), "/todo_list.rs"));
}

use api::*;

/// The to-dos, in memory.
#[derive(Default)]
pub struct Todos(Mutex<BTreeMap<i64, Todo>>);

impl Todos {
    fn todos(&self) -> std::sync::MutexGuard<'_, BTreeMap<i64, Todo>> {
        self.0.lock().expect("no handler panics while holding it")
    }
}

impl Handlers for Todos {
    async fn list_todos(&self) -> ListTodosResponse {
        ListTodosResponse::Ok(Json(self.todos().values().cloned().collect()))
    }

    async fn create_todo(&self, body: CreateTodoRequest) -> CreateTodoResponse {
        let mut todos = self.todos();
        let id = todos.keys().next_back().map_or(1, |last| last + 1);
        let todo = Todo {
            id,
            title: body.title,
            done: body.done.unwrap_or(false),
        };
        todos.insert(id, todo.clone());
        CreateTodoResponse::Created(Json(todo))
    }

    async fn get_todo(&self, id: i64) -> GetTodoResponse {
        match self.todos().get(&id) {
            Some(todo) => GetTodoResponse::Ok(Json(todo.clone())),
            None => GetTodoResponse::NotFound,
        }
    }

    /// The spec declares only a 200: a PUT stores the to-do under the id of the path.
    async fn update_todo(&self, id: i64, body: Todo) -> UpdateTodoResponse {
        let todo = Todo { id, ..body };
        self.todos().insert(id, todo.clone());
        UpdateTodoResponse::Ok(Json(todo))
    }

    async fn delete_todo(&self, id: i64) -> DeleteTodoResponse {
        self.todos().remove(&id);
        DeleteTodoResponse::NoContent
    }
}

/// The API and its documents.
pub fn routes() -> impl Endpoint<Output = Response> {
    codegen_runtime::serve::serve_api(api::Api(Todos::default()), api::DOCUMENT)
}
