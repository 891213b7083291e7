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

use super::schemas::Keywords;
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
            let ty = scheme.text("type").unwrap_or_default().to_owned();
            let mut oai = Vec::new();
            let Some(credential) = self.scheme_credential(scheme, &ty, &mut oai, &at) else {
                continue;
            };
            // Keys that belong to other scheme types would be dropped by poem-openapi.
            let allowed: &[&str] = match ty.as_str() {
                "apiKey" => &["type", "description", "name", "in"],
                "oauth2" => &["type", "description", "flows"],
                "openIdConnect" => &["type", "description", "openIdConnectUrl"],
                _ if credential == "Bearer" => &["type", "description", "scheme", "bearerFormat"],
                _ if credential == "ApiKey" => &["type", "description", "scheme"],
                _ => &["type", "description", "scheme"],
            };
            for key in scheme.keys() {
                if !allowed.contains(&key.as_str()) && !key.starts_with("x-") {
                    self.diags.warn(
                        &join(&at, key),
                        format!("`{key}` does not apply to this kind of security scheme; it is served as written"),
                        "remove it",
                    );
                }
            }
            let rust = self.fresh_type(&rust, &at);
            let doc = self.text(scheme.text("description"), &join(&at, "description"));
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

    /// The poem-openapi credential of a scheme of type `ty` (`ApiKey`, `Bearer`, `Basic`),
    /// pushing the `#[oai]` arguments that describe it; `None`, reported, for a type it has
    /// no reading of.
    fn scheme_credential(
        &mut self,
        scheme: &serde_json::Map<String, Value>,
        ty: &str,
        oai: &mut Vec<String>,
        at: &str,
    ) -> Option<&'static str> {
        let str_of = |k: &str| scheme.text(k).map(str::to_owned);
        match ty {
            "apiKey" => {
                let (Some(key), Some(location)) = (str_of("name"), str_of("in")) else {
                    self.diags.error(
                        at,
                        "an `apiKey` scheme needs `name` and `in`",
                        "add `name:` (the header, query parameter or cookie) and `in:`",
                    );
                    return None;
                };
                oai.push("ty = \"api_key\"".to_owned());
                oai.push(format!("key_name = {key:?}"));
                oai.push(format!("key_in = {location:?}"));
                Some("ApiKey")
            }
            "http" => match str_of("scheme").map(|s| s.to_ascii_lowercase()).as_deref() {
                Some("bearer") => {
                    oai.push("ty = \"bearer\"".to_owned());
                    if let Some(format) = str_of("bearerFormat") {
                        oai.push(format!("bearer_format = {format:?}"));
                    }
                    Some("Bearer")
                }
                Some("basic") => {
                    oai.push("ty = \"basic\"".to_owned());
                    Some("Basic")
                }
                other => {
                    // `digest`, `hoba`, a vendor's own: the header is there or not.
                    self.diags.lenient(
                        &join(at, "scheme"),
                        format!(
                            "HTTP scheme `{}` is not one poem-openapi parses: the handler gets the whole `Authorization` header and checks it",
                            other.unwrap_or_default()
                        ),
                        "use `bearer` or `basic` to have the header parsed",
                    );
                    oai.push("ty = \"api_key\"".to_owned());
                    oai.push("key_name = \"Authorization\"".to_owned());
                    oai.push("key_in = \"header\"".to_owned());
                    Some("ApiKey")
                }
            },
            // An OAuth2 or OpenID Connect client sends its access token as a bearer
            // token; the server checks the token (and its scopes) in the handler.
            "oauth2" | "openIdConnect" => {
                oai.push("ty = \"bearer\"".to_owned());
                Some("Bearer")
            }
            _ => {
                self.diags.error(
                    &join(at, "type"),
                    format!("security scheme type `{ty}` is not supported"),
                    "use `apiKey`, `http` (bearer or basic), `oauth2` or `openIdConnect`",
                );
                None
            }
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
        // A single requirement of several schemes: all of them, together.
        if let [Value::Object(all)] = requirements.as_slice() {
            if all.len() > 1 {
                let name =
                    self.all_of_schemes(all, &format!("{req_at}/0"), &format!("{op_type}Auth"))?;
                return Some(ir::Auth {
                    rust_name: "auth".to_owned(),
                    ty: name.clone(),
                    handler_ty: name,
                    to_handler: "",
                    required: true,
                    scopes: None,
                });
            }
        }
        let mut schemes: Vec<ir::SecurityScheme> = Vec::new();
        let mut anonymous = false;
        // The scopes of the last single-scheme requirement (what a lone OAuth2 one requires).
        let mut scopes_listed: Vec<String> = Vec::new();
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
                    // An alternative that needs several schemes: a variant of its own.
                    let Some(name) =
                        self.all_of_schemes(requirement, &here, &format!("{op_type}Auth{}", i + 1))
                    else {
                        continue;
                    };
                    schemes.push(ir::SecurityScheme {
                        name: here.clone(),
                        rust_name: name.clone(),
                        doc: self.text(None, &here),
                        oai: vec![],
                        credential: name,
                        scoped: false,
                    });
                    continue;
                }
            };
            scopes_listed = self.single_scheme(name, scopes, &here, &mut schemes);
        }
        self.credentials(&schemes, anonymous, scopes_listed, &req_at, op_type)
    }

    /// A requirement of one scheme (`name`, with its `scopes`): the scheme joins the
    /// alternatives in `schemes` unless it is already one; the scopes listed.
    fn single_scheme(
        &mut self,
        name: &str,
        scopes: &Value,
        here: &str,
        schemes: &mut Vec<ir::SecurityScheme>,
    ) -> Vec<String> {
        let scoped = self.security_schemes.get(name).is_some_and(|s| s.scoped);
        let listed: Vec<String> = scopes
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_owned))
            .collect();
        if scopes.as_array().is_some_and(|s| !s.is_empty()) && !scoped {
            self.diags.warn(
                &join(here, name),
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
                        &join(here, name),
                        format!("security scheme `{name}` is not declared"),
                        "declare it under `components/securitySchemes`, or fix the name",
                    );
                }
            }
        }
        listed
    }

    /// The credentials argument of the alternatives `schemes` (and, if `anonymous`, none):
    /// one scheme's credential, or an enum of them.
    fn credentials(
        &mut self,
        schemes: &[ir::SecurityScheme],
        anonymous: bool,
        scopes_listed: Vec<String>,
        req_at: &str,
        op_type: &str,
    ) -> Option<ir::Auth> {
        match (schemes, anonymous) {
            ([], _) => None,
            ([one], false) => Some(ir::Auth {
                rust_name: "auth".to_owned(),
                ty: one.rust_name.clone(),
                handler_ty: one.credential.clone(),
                to_handler: ".0",
                required: true,
                scopes: one.scoped.then_some(scopes_listed),
            }),
            _ if anonymous && schemes.iter().any(|s| s.rust_name == "Anonymous") => {
                self.diags.error(
                    req_at,
                    "a security scheme named `anonymous` clashes with the variant for requests without credentials (`{}`)",
                    "rename the scheme",
                );
                None
            }
            _ => {
                let name = self.fresh_type(&format!("{op_type}Auth"), req_at);
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
                    scopes: None,
                })
            }
        }
    }

    /// The credentials of one requirement naming several schemes: every one must be sent.
    fn all_of_schemes(
        &mut self,
        requirement: &serde_json::Map<String, Value>,
        at: &str,
        type_name: &str,
    ) -> Option<String> {
        let mut fields = Vec::new();
        for (name, scopes) in requirement {
            let Some(scheme) = self.security_schemes.get(name).cloned() else {
                let declared = self
                    .raw_at("/components/securitySchemes")
                    .is_some_and(|s| s.contains_key(name));
                if !declared {
                    self.diags.error(
                        &join(at, name),
                        format!("security scheme `{name}` is not declared"),
                        "declare it under `components/securitySchemes`, or fix the name",
                    );
                }
                return None;
            };
            if scopes.as_array().is_some_and(|s| !s.is_empty()) && !scheme.scoped {
                self.diags.warn(
                    &join(at, name),
                    "scopes are only for OAuth2 and OpenID Connect schemes; these are documentation",
                    "use an empty list: `[]`",
                );
            }
            let mut field = crate::naming::snake_case(name);
            if !crate::naming::is_identifier(&field) || fields.iter().any(|(f, _)| *f == field) {
                field = format!("scheme_{}", fields.len() + 1);
            }
            fields.push((field, scheme.rust_name.clone()));
        }
        let name = self.fresh_type(type_name, at);
        self.auth_all.push(ir::AuthAll {
            name: name.clone(),
            fields,
        });
        Some(name)
    }
}
