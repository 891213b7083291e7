//! Differential tests: a request that can be sent to two servers ([`Sent`]) and a response
//! as a value their answers are compared by ([`Answer`]).

use poem::http::Method;
use poem::{Body, Request, Response};

/// A request, kept as data so the same one can be built for each server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The method.
    pub method: Method,
    /// Path and query.
    pub target: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body, if any.
    pub body: Option<String>,
}

impl Sent {
    /// The request, with `request_id` as its `X-Request-Id` (so problem bodies, which carry
    /// it, compare equal).
    pub fn request(&self, request_id: &str) -> Request {
        let mut request = Request::builder()
            .method(self.method.clone())
            .uri(self.target.parse().expect("a valid request target"))
            .header("x-request-id", request_id);
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        match &self.body {
            Some(body) => request.body(Body::from_string(body.clone())),
            None => request.finish(),
        }
    }
}

/// Status, headers (sorted, without the ones skipped) and body text of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// Header names and values, sorted; a value that is not text is `<binary>`.
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy for bytes that are not UTF-8).
    pub body: String,
}

impl Answer {
    /// Reads `response`, leaving out the headers named in `skipped` (lower case: `date`,
    /// and whatever else differs between the two servers by design).
    pub async fn of(response: Response, skipped: &[&str]) -> Answer {
        let status = response.status().as_u16();
        let mut headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .filter(|(name, _)| !skipped.contains(&name.as_str()))
            .map(|(name, value)| {
                let value = value.to_str().unwrap_or("<binary>").to_owned();
                (name.as_str().to_owned(), value)
            })
            .collect();
        headers.sort();
        let bytes = response
            .into_body()
            .into_vec()
            .await
            .expect("the body of an answer reads");
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sent_request_is_built_as_kept() {
        let sent = Sent {
            method: Method::PUT,
            target: "/items/a?x=1".to_owned(),
            headers: vec![("content-type".to_owned(), "application/json".to_owned())],
            body: Some("{}".to_owned()),
        };

        let request = sent.request("r-1");

        assert_eq!(request.method(), Method::PUT);
        assert_eq!(request.uri().to_string(), "/items/a?x=1");
        assert_eq!(request.header("x-request-id"), Some("r-1"));
        assert_eq!(request.content_type(), Some("application/json"));
    }

    #[tokio::test]
    async fn headers_are_sorted_and_skipped_ones_left_out() {
        let response = Response::builder()
            .status(poem::http::StatusCode::CREATED)
            .header("x-b", "2")
            .header("date", "today")
            .header("x-a", "1")
            .body("{}");

        let answer = Answer::of(response, &["date"]).await;

        assert_eq!(answer.status, 201);
        assert_eq!(
            answer.headers,
            [
                ("x-a".to_owned(), "1".to_owned()),
                ("x-b".to_owned(), "2".to_owned())
            ]
        );
        assert_eq!(answer.body, "{}");
    }
}
