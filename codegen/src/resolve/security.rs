//! Security schemes and requirements (part of `resolve`).
//!
//! API keys (header, query, cookie) and HTTP `bearer` and `basic` become poem-openapi
//! `SecurityScheme` structs; the handler receives the credential typed (`ApiKey`, `Bearer`,
//! `Basic`). Alternatives (`security: [{a: []}, {b: []}]`) become an enum, and `{}` among
//! them an `Anonymous` fallback. poem-openapi extracts credentials before the handler runs
//! and answers 401 when they are missing, so an operation that requires them must declare
//! a 401. A document-level `security` applies to every operation that sets none (poem serves
//! it on each operation).

use serde_json::Value;

use super::Resolver;
use crate::ir;
use crate::naming::{is_identifier, pascal_case};
use crate::source::join;

impl Resolver<'_> {
    /// Resolves `components/securitySchemes`.
    pub(super) fn security_schemes(&mut self) {
        let Some(schemes) = self.raw_at("/components/securitySchemes").cloned() else {
            return;
        };
        for (name, scheme) in &schemes {
            let at = join("/components/securitySchemes", name);
            let Some(scheme) = scheme.as_object() else {
                continue;
            };
            if scheme.contains_key("$ref") {
                self.diags.error(
                    &at,
                    "a security scheme given by `$ref` is not supported",
                    "define the scheme here directly",
                );
                continue;
            }
            let rust = pascal_case(name);
            if !is_identifier(&rust) {
                self.diags.error(
                    &at,
                    format!("the security scheme name `{name}` has no letters or digits"),
                    "rename it",
                );
                continue;
            }
            let str_of = |k: &str| scheme.get(k).and_then(Value::as_str).map(str::to_owned);
            let ty = str_of("type").unwrap_or_default();
            let mut oai = Vec::new();
            let credential = match ty.as_str() {
                "apiKey" => {
                    let (Some(key), Some(location)) = (str_of("name"), str_of("in")) else {
                        self.diags.error(
                            &at,
                            "an `apiKey` scheme needs `name` and `in`",
                            "add `name:` (the header, query parameter or cookie) and `in:`",
                        );
                        continue;
                    };
                    oai.push("ty = \"api_key\"".to_owned());
                    oai.push(format!("key_name = {key:?}"));
                    oai.push(format!("key_in = {location:?}"));
                    "ApiKey"
                }
                "http" => match str_of("scheme").map(|s| s.to_ascii_lowercase()).as_deref() {
                    Some("bearer") => {
                        oai.push("ty = \"bearer\"".to_owned());
                        if let Some(format) = str_of("bearerFormat") {
                            oai.push(format!("bearer_format = {format:?}"));
                        }
                        "Bearer"
                    }
                    Some("basic") => {
                        oai.push("ty = \"basic\"".to_owned());
                        "Basic"
                    }
                    other => {
                        self.diags.error(
                            &join(&at, "scheme"),
                            format!(
                                "HTTP scheme `{}` is not supported",
                                other.unwrap_or_default()
                            ),
                            "use `bearer` or `basic`",
                        );
                        continue;
                    }
                },
                // An OAuth2 or OpenID Connect client sends its access token as a bearer
                // token; the server checks the token (and its scopes) in the handler.
                "oauth2" | "openIdConnect" => {
                    oai.push("ty = \"bearer\"".to_owned());
                    "Bearer"
                }
                _ => {
                    self.diags.error(
                        &join(&at, "type"),
                        format!("security scheme type `{ty}` is not supported"),
                        "use `apiKey`, `http` (bearer or basic), `oauth2` or `openIdConnect`",
                    );
                    continue;
                }
            };
            // Keys that belong to other scheme types would be dropped by poem-openapi.
            let allowed: &[&str] = match ty.as_str() {
                "apiKey" => &["type", "description", "name", "in"],
                "oauth2" => &["type", "description", "flows"],
                "openIdConnect" => &["type", "description", "openIdConnectUrl"],
                _ if credential == "Bearer" => &["type", "description", "scheme", "bearerFormat"],
                _ => &["type", "description", "scheme"],
            };
            for key in scheme.keys() {
                if !allowed.contains(&key.as_str()) && !key.starts_with("x-") {
                    self.diags.error(
                        &join(&at, key),
                        format!("`{key}` does not apply to this kind of security scheme"),
                        "remove it",
                    );
                }
            }
            self.claim_type(&rust, &at);
            let doc = self.text(
                scheme.get("description").and_then(Value::as_str),
                &join(&at, "description"),
            );
            self.security_schemes.insert(
                name.clone(),
                ir::SecurityScheme {
                    name: name.clone(),
                    rust_name: rust,
                    doc,
                    oai,
                    credential: format!("::poem_openapi::auth::{credential}"),
                    scoped: matches!(ty.as_str(), "oauth2" | "openIdConnect"),
                },
            );
        }
    }

    /// The credentials argument of the operation at `at` (named `op_type` in Rust), from its
    /// own `security` or the document's.
    pub(super) fn auth(&mut self, at: &str, op_type: &str) -> Option<ir::Auth> {
        let (requirements, req_at) = match self.raw.pointer(&join(at, "security")) {
            Some(list) => (list.clone(), join(at, "security")),
            None => (
                self.raw.get("security").cloned().unwrap_or_default(),
                "/security".to_owned(),
            ),
        };
        let requirements = requirements.as_array().cloned().unwrap_or_default();
        let mut schemes: Vec<ir::SecurityScheme> = Vec::new();
        let mut anonymous = false;
        for (i, requirement) in requirements.iter().enumerate() {
            let here = format!("{req_at}/{i}");
            let Some(requirement) = requirement.as_object() else {
                continue;
            };
            let mut names = requirement.iter();
            let (name, scopes) = match (names.next(), names.next()) {
                (None, _) => {
                    anonymous = true;
                    continue;
                }
                (Some(one), None) => one,
                (Some(_), Some(_)) => {
                    self.diags.error(&here, "a requirement of several schemes at once (AND) is not supported: poem-openapi can only serve alternatives", "list the schemes as separate requirements (any one of them), or combine them into one scheme");
                    continue;
                }
            };
            let scoped = self.security_schemes.get(name).is_some_and(|s| s.scoped);
            if scopes.as_array().is_some_and(|s| !s.is_empty()) && !scoped {
                self.diags.warn(
                    &join(&here, name),
                    "scopes are only for OAuth2 and OpenID Connect schemes; these are documentation",
                    "use an empty list: `[]`",
                );
            }
            match self.security_schemes.get(name) {
                Some(scheme) if !schemes.iter().any(|s| s.name == *name) => {
                    schemes.push(scheme.clone());
                }
                Some(_) => {}
                None => {
                    let declared = self
                        .raw_at("/components/securitySchemes")
                        .is_some_and(|s| s.contains_key(name));
                    if !declared {
                        self.diags.error(
                            &join(&here, name),
                            format!("security scheme `{name}` is not declared"),
                            "declare it under `components/securitySchemes`, or fix the name",
                        );
                    }
                }
            }
        }
        match (schemes.as_slice(), anonymous) {
            ([], _) => None,
            ([one], false) => Some(ir::Auth {
                rust_name: "auth".to_owned(),
                ty: one.rust_name.clone(),
                handler_ty: one.credential.clone(),
                to_handler: ".0",
                required: true,
            }),
            _ if anonymous && schemes.iter().any(|s| s.rust_name == "Anonymous") => {
                self.diags.error(
                    &req_at,
                    "a security scheme named `anonymous` clashes with the variant for requests without credentials (`{}`)",
                    "rename the scheme",
                );
                None
            }
            _ => {
                let name = format!("{op_type}Auth");
                self.claim_type(&name, &req_at);
                self.auth_enums.push(ir::AuthEnum {
                    name: name.clone(),
                    variants: schemes
                        .iter()
                        .map(|s| (s.rust_name.clone(), s.rust_name.clone()))
                        .collect(),
                    anonymous,
                });
                Some(ir::Auth {
                    rust_name: "auth".to_owned(),
                    ty: name.clone(),
                    handler_ty: name,
                    to_handler: "",
                    required: !anonymous,
                })
            }
        }
    }
}
