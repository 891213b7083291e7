//! Rejections (part of `resolve`): the requests poem-openapi refuses before a handler runs
//! (400, 401, 413, 415) and the response each is answered with: the declared response when its
//! schema is problem details, a list of errors, FastAPI's `HTTPValidationError`, or (with
//! `convert_rejections`) the user's own schema filled through `FromRejection`; problem details
//! with a located warning otherwise.

use super::{Input, Resolver};
use crate::ir;

impl Resolver<'_> {
    /// The variants a rejected request maps to; each must be declared and carry a body the
    /// generated code can build from the rejection.
    pub(super) fn rejection(
        &mut self,
        method: &str,
        input: Input,
        responses: &[ir::Response],
        at: &str,
    ) -> Option<ir::Rejection> {
        let mut needed: Vec<(u16, &str, &str)> = Vec::new();
        if input.params || input.body {
            needed.push((400, "BAD_REQUEST", "takes parameters or a body"));
        }
        if input.body {
            needed.push((413, "PAYLOAD_TOO_LARGE", "has a request body"));
            needed.push((415, "UNSUPPORTED_MEDIA_TYPE", "has a request body"));
        }
        if input.credentials {
            needed.push((401, "UNAUTHORIZED", "requires credentials"));
        }
        // The generated handler answers every rejection with a declared variant, so it is
        // only generated when all of them are declared with a body it can fill; otherwise
        // the server's own problem+json answers them (a warning, an error in strict mode).
        let mut variants = Vec::new();
        let mut complete = true;
        // FastAPI's convention: an operation that declares a 422 of FastAPI's
        // `HTTPValidationError` and no 400 answers malformed, mistyped, oversized and
        // wrong-media-type requests alike with that 422 (its body has no status to contradict).
        let unprocessable = (!responses.iter().any(|r| r.status.covers(400)))
            .then(|| responses.iter().find(|r| r.status.covers(422)))
            .flatten()
            .filter(|r| match &r.body {
                Some(ir::Content::Single(ir::Payload {
                    kind: ir::PayloadKind::Json(ty),
                    ..
                })) => self.is_fastapi_validation_error(ty),
                _ => false,
            });
        for (status, name, why) in needed {
            match self.rejection_variant(status, why, responses, unprocessable, at) {
                Some(variant) => variants.push((name.to_owned(), variant)),
                None => complete = false,
            }
        }
        if !complete {
            if !variants.is_empty() {
                // The rejection handler answers every rejection or none: a declared 400 is
                // not used either, which the warnings above do not say.
                let used: Vec<String> = variants
                    .iter()
                    .map(|(_, v)| format!("`{}`", v.name))
                    .collect();
                self.diags.lenient(
                    at,
                    format!("the declared {} response(s) do not answer requests the server rejects: with the responses above missing, every rejection of this operation is answered with RFC 9457 problem details", used.join(", ")),
                    "declare the missing ones too (or one `4XX` or `default` response) so that rejections are answered with the declared responses",
                );
            }
            return None;
        }
        if variants.is_empty() {
            return None;
        }
        let function = self.claim_fn(&format!("{method}_rejected"), at);
        let (_, otherwise) = variants.remove(0);
        variants.retain(|(_, v)| v.name != otherwise.name);
        Some(ir::Rejection {
            function,
            places: Vec::new(),
            arms: variants,
            otherwise,
        })
    }

    /// The declared response that answers a rejection with `status` (the code, its range,
    /// `default`, or FastAPI's 422 `unprocessable`), if it has a body the generated code can
    /// fill from the rejection; `None`, with a warning that says why, otherwise.
    fn rejection_variant(
        &mut self,
        status: u16,
        why: &str,
        responses: &[ir::Response],
        unprocessable: Option<&ir::Response>,
        at: &str,
    ) -> Option<ir::Variant> {
        // The most specific declaration answers: the code, its range, then `default`.
        let found = responses
            .iter()
            .filter(|r| r.status.covers(status))
            .min_by_key(|r| r.status)
            .or(unprocessable.filter(|_| status != 401));
        let Some(r) = found else {
            self.diags.lenient(at, format!("the operation {why} but declares no {status} response; the server answers {status} with RFC 9457 problem details"), format!("declare a '{status}' (or `4XX` or `default`) response with an `application/problem+json` body"));
            return None;
        };
        if !r.headers.is_empty() {
            self.diags.lenient(
                &r.origin,
                format!(
                    "the {} response declares headers, which a rejected request cannot fill; the server answers {status} with problem details and no headers",
                    r.status
                ),
                "remove the headers from this response",
            );
            return None;
        }
        let body = match &r.body {
            Some(ir::Content::Single(ir::Payload {
                kind: ir::PayloadKind::Json(ty),
                ..
            })) => ty.clone(),
            _ => {
                self.diags.lenient(&r.origin, format!("the {} response has no single JSON body to describe a rejected request; the server answers {status} with RFC 9457 problem details", r.status), "give it one JSON media type, e.g. `application/problem+json` with a problem details schema");
                return None;
            }
        };
        self.rejection_body(&body, &r.origin)?;
        Some(ir::Variant {
            name: r.variant.clone(),
            body,
            with_status: r.status.is_chosen(),
        })
    }

    /// An error body of the user's own shape, made by their `FromRejection` implementation.
    pub(super) fn converted_rejection(&mut self, ty: &str) -> Option<()> {
        self.rejection_bodies.insert(
            ty.to_owned(),
            ir::RejectionBody {
                ty: ty.to_owned(),
                fields: Vec::new(),
                fill: ir::RejectionFill::Converted,
            },
        );
        Some(())
    }

    /// Whether `ty` names a type this module generates (so the user's crate may implement a
    /// foreign trait for it), not a library type such as `String`.
    pub(super) fn is_generated_type(&self, ty: &str) -> bool {
        !ty.contains("::") && !ty.contains('<')
    }

    /// Whether `ty` is a list of objects a rejection's errors fill: a `message`, and nothing
    /// always present but `in`, `pointer` and `message` (`schema` and the rest optional).
    pub(super) fn is_error_list(&self, ty: &ir::Ty) -> bool {
        let ir::Ty::Vec(item) = ty else { return false };
        let ir::Ty::Named(name) = item.as_ref() else {
            return false;
        };
        let Some(object) = self.objects.get(name) else {
            return false;
        };
        // The values are parsed into the type, so `in` may be an enum of the locations.
        object.fields.iter().any(|f| f.name == "message")
            && object
                .fields
                .iter()
                .all(|f| matches!(f.name.as_str(), "in" | "pointer" | "message") || f.optional)
    }

    /// Whether `ty` is FastAPI's `HTTPValidationError`: `detail`, a list of objects with
    /// `loc`, `msg` and `type` (other members optional), as every FastAPI export declares it.
    pub(super) fn is_fastapi_validation_error(&self, ty: &str) -> bool {
        let Some(object) = self.objects.get(ty) else {
            return false;
        };
        let item = object
            .fields
            .iter()
            .find(|f| f.name == "detail")
            .and_then(|f| {
                let ty = f.ty.to_string();
                let inner = ty
                    .strip_prefix("::std::vec::Vec<")?
                    .strip_suffix('>')?
                    .to_owned();
                self.objects.get(&inner)
            });
        let Some(item) = item else {
            return false;
        };
        let has = |name: &str| item.fields.iter().any(|f| f.name == name);
        object
            .fields
            .iter()
            .all(|f| f.name == "detail" || f.optional)
            && has("loc")
            && has("msg")
            && has("type")
            && item
                .fields
                .iter()
                .all(|f| matches!(f.name.as_str(), "loc" | "msg" | "type") || f.optional)
    }

    /// Checks that the schema named by Rust type `ty` has the RFC 9457 shape and records how
    /// to fill each of its fields from a rejected request.
    pub(super) fn rejection_body(&mut self, ty: &str, at: &str) -> Option<()> {
        if self.rejection_bodies.contains_key(ty) {
            return Some(());
        }
        if self.is_fastapi_validation_error(ty) {
            self.rejection_bodies.insert(
                ty.to_owned(),
                ir::RejectionBody {
                    ty: ty.to_owned(),
                    fields: Vec::new(),
                    fill: ir::RejectionFill::FastApi,
                },
            );
            return Some(());
        }
        let Some(object) = self.objects.get(ty) else {
            if self.convert_rejections && self.is_generated_type(ty) {
                return self.converted_rejection(ty);
            }
            self.diags.lenient(
                at,
                format!("`{ty}` cannot carry a rejected request: it is not an object; the server answers rejections with RFC 9457 problem details instead"),
                CONVERT_HELP,
            );
            return None;
        };
        let mut fields = Vec::new();
        let mut problems = Vec::new();
        for f in &object.fields {
            let string = f.ty == ir::Ty::Scalar(ir::Scalar::String);
            let member = match (f.name.as_str(), &f.ty) {
                ("type", _) if string => ir::ProblemMember::Type,
                ("title", _) if string => ir::ProblemMember::Title,
                ("detail", _) if string => ir::ProblemMember::Detail,
                // What was rejected, where: `codegen_runtime::Rejection`'s errors.
                ("errors", ty) if f.optional && self.is_error_list(ty) => ir::ProblemMember::Errors,
                // RFC 9457's occurrence: the request id the server serves this request under.
                ("instance", _) if string && f.optional => ir::ProblemMember::RequestId,
                ("status", ir::Ty::Scalar(s @ (ir::Scalar::I32 | ir::Scalar::I64))) => {
                    ir::ProblemMember::Status(s.clone())
                }
                ("type" | "title" | "detail" | "status", _) => {
                    problems.push(format!("`{}` has the wrong type", f.name));
                    continue;
                }
                _ if !f.optional => {
                    problems.push(format!(
                        "`{}` is always present but is not an RFC 9457 member",
                        f.name
                    ));
                    continue;
                }
                _ => ir::ProblemMember::Absent,
            };
            fields.push(ir::ProblemField {
                rust_name: f.rust_name.clone(),
                member,
                optional: f.optional,
            });
        }
        if !object.fields.iter().any(|f| f.name == "status") {
            problems.push("it has no `status`".to_owned());
        }
        if !problems.is_empty() {
            if self.convert_rejections {
                return self.converted_rejection(ty);
            }
            self.diags.lenient(
                at,
                format!("`{}` cannot carry a rejected request ({}); the server answers rejections with RFC 9457 problem details instead", object.name, problems.join("; ")),
                CONVERT_HELP,
            );
            return None;
        }
        self.rejection_bodies.insert(
            ty.to_owned(),
            ir::RejectionBody {
                ty: ty.to_owned(),
                fields,
                fill: ir::RejectionFill::Problem,
            },
        );
        Some(())
    }
}

pub(super) const CONVERT_HELP: &str = "to answer with this schema instead, turn on the generator's `convert_rejections(true)` (or strict mode) and implement `codegen_runtime::FromRejection` for the type; or make it RFC 9457 problem details: `type`, `title`, `detail` (strings), `status` (integer), other members optional";
