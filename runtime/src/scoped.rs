//! Credentials of an OAuth2 or OpenID Connect scheme, with the scopes the operation requires.

use std::ops::Deref;

/// The access token a request carried (`credentials`, a `poem_openapi::auth::Bearer`) and the
/// scopes the spec's security requirement lists for this operation. poem-openapi checks only
/// that a bearer token is present: the handler checks the token, and that it grants `scopes`.
/// It dereferences to the credentials, so `auth.token` reads the token.
#[derive(Debug, Clone)]
pub struct Scoped<T> {
    /// What poem-openapi extracted.
    pub credentials: T,
    /// The scopes the operation requires, as the spec lists them.
    pub scopes: &'static [&'static str],
}

impl<T> Deref for Scoped<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.credentials
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_through_to_the_token() {
        let auth = Scoped {
            credentials: poem_openapi::auth::Bearer { token: "t".into() },
            scopes: &["inventory:write"],
        };
        assert_eq!(auth.token, "t");
        assert_eq!(auth.scopes, ["inventory:write"]);
    }
}
