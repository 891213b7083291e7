//! The request being served: its id, for every problem body (`instance`) and log line of
//! that request; the operation that answered it; the path parameters the router matched.
//! The server sets it around each request ([`with_request_id`]); code that builds a problem
//! reads the id ([`current_request_id`]) without it being passed down, since a rejection is
//! answered by a plain function (poem-openapi's `bad_request_handler`).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::ops::Range;

/// The request being served.
struct Current {
    id: String,
    /// The `operationId` of the operation that answered it, once one has.
    operation: Cell<Option<&'static str>>,
    /// The path parameters `Routes`' router matched, once it has.
    params: RefCell<Option<Vec<Range<usize>>>>,
}

tokio::task_local! {
    static CURRENT: Current;
}

/// Runs `fut` with `id` as the current request id.
pub fn with_request_id<F: Future>(id: String, fut: F) -> impl Future<Output = F::Output> {
    // Not an async fn: that would be one more future around `fut`, moved with it.
    let current = Current {
        id,
        operation: Cell::new(None),
        params: RefCell::new(None),
    };
    CURRENT.scope(current, fut)
}

/// The id of the request being served, if the server set one.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(|c| c.id.clone()).ok()
}

/// Notes `id` as the operation answering the current request, for the server's access log
/// and metrics: what poem-openapi's derive marks the response with (`OperationId`, an
/// extension, which costs an allocation per response).
pub fn note_operation(id: &'static str) {
    let _outside_a_request = CURRENT.try_with(|c| c.operation.set(Some(id)));
}

/// The operation noted for the current request ([`note_operation`]).
pub fn current_operation() -> Option<&'static str> {
    CURRENT.try_with(|c| c.operation.get()).ok().flatten()
}

/// Notes the byte ranges of the path the router matched to the route's parameters, for
/// [`path_param`](crate::path_param): cheaper than an extension on the request, whose map is
/// allocated, hashed and dropped per request. `Err` with them outside a request's scope.
pub(crate) fn note_routed_params(params: Vec<Range<usize>>) -> Result<(), Vec<Range<usize>>> {
    let mut params = Some(params);
    let _outside_a_request = CURRENT.try_with(|c| *c.params.borrow_mut() = params.take());
    // Still here only if there was no request to note them for.
    params.map_or(Ok(()), Err)
}

/// `read` of the path parameters noted for the current request, if any were.
pub(crate) fn with_routed_params<R>(read: impl FnOnce(&[Range<usize>]) -> R) -> Option<R> {
    CURRENT
        .try_with(|c| c.params.borrow().as_deref().map(read))
        .ok()
        .flatten()
}

/// A client's `X-Request-Id` if it is usable (1 to 128 characters of letters, digits and
/// `-_.:/+=@~`), so it can appear in logs and bodies unescaped.
pub fn valid_request_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/+=@~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_id_is_seen_inside_the_scope_only() {
        assert_eq!(current_request_id(), None);
        let inside = with_request_id("r-1".into(), async { current_request_id() }).await;
        assert_eq!(inside.as_deref(), Some("r-1"));
        assert_eq!(current_request_id(), None);
    }

    #[tokio::test]
    async fn the_operation_is_noted_for_its_request_only() {
        note_operation("outside");
        assert_eq!(current_operation(), None);
        let inside = with_request_id("r-1".into(), async {
            let before = current_operation();
            note_operation("getItem");
            (before, current_operation())
        })
        .await;
        assert_eq!(inside, (None, Some("getItem")));
        let next = with_request_id("r-2".into(), async { current_operation() }).await;
        assert_eq!(next, None);
    }

    #[tokio::test]
    async fn routed_params_are_noted_for_their_request_only() {
        assert_eq!(note_routed_params(vec![1..2, 3..4]), Err(vec![1..2, 3..4]));
        assert_eq!(with_routed_params(<[_]>::to_vec), None);
        let inside = with_request_id("r-1".into(), async {
            let before = with_routed_params(<[_]>::to_vec);
            note_routed_params(vec![7..10, 11..12]).unwrap();
            (before, with_routed_params(<[_]>::to_vec))
        })
        .await;
        assert_eq!(inside, (None, Some(vec![7..10, 11..12])));
        let next = with_request_id("r-2".into(), async { with_routed_params(<[_]>::len) }).await;
        assert_eq!(next, None);
    }

    #[test]
    fn client_ids_are_checked() {
        assert!(valid_request_id("3f2c-9a:web/1"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("two words"));
        assert!(!valid_request_id("line\nbreak"));
        assert!(!valid_request_id(&"x".repeat(129)));
    }
}
