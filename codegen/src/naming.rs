//! Names: spec strings → Rust identifiers. Called by `resolve`, which reports collisions.
//!
//! A spec name becomes an identifier only through these functions, so keywords, digits and
//! punctuation are handled in one place.

/// `putItem`, `put-item`, `PUT_ITEM` → `put_item`; keywords get a trailing `_`.
pub fn snake_case(name: &str) -> String {
    let words = words(name);
    let joined = words.join("_").to_lowercase();
    avoid_keyword(prefix_digit(joined))
}

/// `putItem`, `item_update`, `item-update` → `PutItem`, `ItemUpdate`.
pub fn pascal_case(name: &str) -> String {
    let joined: String = words(name)
        .iter()
        .map(|w| {
            // An all-caps word (`HTTP`, `ARCHIVE`) is a word like any other: `Http`, `Archive`.
            let w = if w.chars().all(|c| !c.is_ascii_lowercase()) {
                w.to_ascii_lowercase()
            } else {
                w.clone()
            };
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect();
    avoid_keyword(prefix_digit(joined))
}

/// Splits on non-alphanumerics and on lower→upper case changes (`getHTTPItem` → get, HTTP, Item).
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

fn prefix_digit(s: String) -> String {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

fn avoid_keyword(s: String) -> String {
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// True if `s` is a usable identifier (non-empty; the functions above never yield others
/// except from names with no letters or digits at all).
pub fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s != "_"
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

/// `name` if `taken` does not hold it, else the first of `name2`, `name3`, … (with `sep`
/// between: `name_2`) that it does not: how colliding Rust names are told apart.
pub fn numbered(name: &str, sep: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut candidate = name.to_owned();
    let mut n = 2;
    while taken(&candidate) {
        candidate = format!("{name}{sep}{n}");
        n += 1;
    }
    candidate
}

/// The enum variant for a status code, from its reason phrase (RFC 9110).
pub fn status_variant(status: u16) -> String {
    let phrase = match status {
        100 => "Continue",
        101 => "SwitchingProtocols",
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "NonAuthoritativeInformation",
        204 => "NoContent",
        205 => "ResetContent",
        206 => "PartialContent",
        300 => "MultipleChoices",
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        304 => "NotModified",
        307 => "TemporaryRedirect",
        308 => "PermanentRedirect",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        407 => "ProxyAuthenticationRequired",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "PayloadTooLarge",
        414 => "UriTooLong",
        415 => "UnsupportedMediaType",
        416 => "RangeNotSatisfiable",
        417 => "ExpectationFailed",
        421 => "MisdirectedRequest",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        425 => "TooEarly",
        426 => "UpgradeRequired",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        431 => "RequestHeaderFieldsTooLarge",
        451 => "UnavailableForLegalReasons",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        505 => "HttpVersionNotSupported",
        _ => return format!("Status{status}"),
    };
    phrase.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_become_snake_case_methods() {
        assert_eq!(snake_case("putItem"), "put_item");
        assert_eq!(snake_case("getHTTPItem"), "get_http_item");
        assert_eq!(snake_case("list-items"), "list_items");
        assert_eq!(snake_case("item_id"), "item_id");
        assert_eq!(snake_case("X-Request-Id"), "x_request_id");
    }

    #[test]
    fn schema_names_become_pascal_case_types() {
        assert_eq!(pascal_case("putItem"), "PutItem");
        assert_eq!(pascal_case("item_update"), "ItemUpdate");
        assert_eq!(pascal_case("Item"), "Item");
        assert_eq!(pascal_case("getHTTPItem"), "GetHttpItem");
        assert_eq!(pascal_case("ARCHIVE"), "Archive");
        assert_eq!(pascal_case("cold-line"), "ColdLine");
    }

    #[test]
    fn keywords_and_leading_digits_are_avoided() {
        assert_eq!(snake_case("type"), "type_");
        assert_eq!(snake_case("self"), "self_");
        assert_eq!(snake_case("2fa"), "_2fa");
        assert!(!is_identifier(&snake_case("--")));
    }

    #[test]
    fn colliding_names_take_the_first_free_number() {
        let taken = ["id", "id_2"];
        assert_eq!(numbered("id", "_", |n| taken.contains(&n)), "id_3");
        assert_eq!(numbered("name", "_", |n| taken.contains(&n)), "name");
        assert_eq!(numbered("Value", "", |n| n == "Value"), "Value2");
    }

    #[test]
    fn status_codes_become_reason_phrase_variants() {
        assert_eq!(status_variant(201), "Created");
        assert_eq!(status_variant(413), "PayloadTooLarge");
        assert_eq!(status_variant(299), "Status299");
    }
}
