//! The id of the request being served, for every problem body (`instance`) and log line of
//! that request. The server sets it around each request ([`with_request_id`]); code that
//! builds a problem reads it ([`current_request_id`]) without it being passed down, since a
//! rejection is answered by a plain function (poem-openapi's `bad_request_handler`).

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `fut` with `id` as the current request id.
pub fn with_request_id<F: Future>(id: String, fut: F) -> impl Future<Output = F::Output> {
    // Not an async fn: that would be one more future around `fut`, moved with it.
    REQUEST_ID.scope(id, fut)
}

/// The id of the request being served, if the server set one.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
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

    #[test]
    fn client_ids_are_checked() {
        assert!(valid_request_id("3f2c-9a:web/1"));
        assert!(!valid_request_id(""));
        assert!(!valid_request_id("two words"));
        assert!(!valid_request_id("line\nbreak"));
        assert!(!valid_request_id(&"x".repeat(129)));
    }
}
