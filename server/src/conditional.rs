//! Entity tags and the `If-Match` / `If-None-Match` headers (RFC 9110 section 13), between
//! HTTP and the store's [`Precondition`].
//!
//! An item's tag is its store version in quotes, a strong validator: `"1733011200000001"`.
//! `If-Match` compares strongly (a weak `W/"…"` tag never matches); `If-None-Match` compares
//! weakly. A tag this server never issued, or a list element that is not a quoted tag at all
//! (`If-Match: 5`), matches nothing: the condition is answered (412, or the write goes ahead
//! under `If-None-Match`), never refused as malformed.

use crate::store::{Precondition, Tags, Version};

/// The `ETag` of `version`: its number, quoted. Written digit by digit: `format!` was 3 % of
/// the instructions of a GET.
pub fn etag(version: Version) -> String {
    // `"`, a sign, 19 digits, `"`, written from the end.
    let mut tag = [0u8; 22];
    let mut at = tag.len() - 1;
    tag[at] = b'"';
    let mut n = version.0.unsigned_abs();
    loop {
        at -= 1;
        tag[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if version.0 < 0 {
        at -= 1;
        tag[at] = b'-';
    }
    at -= 1;
    tag[at] = b'"';
    std::str::from_utf8(&tag[at..])
        .expect("ASCII digits and quotes")
        .to_owned()
}

/// Parses an `If-Match` (`weak: false`) or `If-None-Match` (`weak: true`) value:
/// `*` or a comma-separated list of entity tags.
pub fn parse(header: &str, weak: bool) -> Tags {
    if header.trim_matches([' ', '\t']) == "*" {
        return Tags::Any;
    }
    let mut versions = Vec::new();
    let mut rest = header;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            break;
        }
        let (is_weak, tagged) = match rest.strip_prefix("W/") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        // A tag's opaque part cannot hold a quote, but may hold commas: read to the closing
        // quote. Anything else runs to the next comma.
        let (element, after) = match tagged.strip_prefix('"').and_then(|r| r.split_once('"')) {
            Some((tag, after)) => (Some(tag), after),
            None => (None, rest.split_once(',').map_or("", |(_, a)| a)),
        };
        if let (Some(Ok(v)), true) = (element.map(str::parse::<i64>), weak || !is_weak) {
            versions.push(Version(v));
        }
        rest = after;
    }
    Tags::Of(versions)
}

/// The precondition of a write from its `If-Match` and `If-None-Match` headers.
pub fn precondition(if_match: Option<&str>, if_none_match: Option<&str>) -> Precondition {
    Precondition {
        if_match: if_match.map(|h| parse(h, false)),
        if_none_match: if_none_match.map(|h| parse(h, true)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(versions: &[i64]) -> Tags {
        Tags::Of(versions.iter().copied().map(Version).collect())
    }

    #[test]
    fn an_etag_is_the_version_quoted() {
        for n in [0, 7, 10, 1_796_137_256_292_877, i64::MAX, -3, i64::MIN] {
            let tag = etag(Version(n));
            assert_eq!(tag, format!("\"{n}\""));
            if n >= 0 {
                assert_eq!(parse(&tag, false), of(&[n]));
            }
        }
    }

    #[test]
    fn tags_parse_as_rfc_9110_lists() {
        assert_eq!(parse("*", false), Tags::Any);
        assert_eq!(parse(" \"7\" ", false), of(&[7]));
        assert_eq!(parse("\"7\", \"8\",\"9\"", false), of(&[7, 8, 9]));
        assert_eq!(
            parse("W/\"7\", \"8\"", false),
            of(&[8]),
            "strong: weak skipped"
        );
        assert_eq!(
            parse("W/\"7\", \"8\"", true),
            of(&[7, 8]),
            "weak comparison"
        );
    }

    #[test]
    fn what_was_not_issued_here_matches_nothing() {
        assert_eq!(parse("\"a,b\", \"x\"", true), of(&[]), "foreign tags");
        assert_eq!(parse("7, \"8\"", false), of(&[8]), "an unquoted element");
        assert_eq!(parse("\"7", false), of(&[]), "unterminated");
        assert_eq!(parse("", false), of(&[]));
        assert!(!precondition(Some("0"), None).holds(Some(Version(0))));
    }

    #[test]
    fn the_etag_of_a_version_parses_back_to_it() {
        let tag = etag(Version(1733011200000001));
        assert_eq!(tag, "\"1733011200000001\"");
        assert_eq!(parse(&tag, false), of(&[1733011200000001]));
    }

    #[test]
    fn preconditions_follow_rfc_9110() {
        let p = precondition;
        let (absent, v1, v2) = (None, Some(Version(1)), Some(Version(2)));

        assert!(p(None, None).holds(absent) && p(None, None).holds(v1));
        assert!(p(Some("\"1\""), None).holds(v1));
        assert!(!p(Some("\"1\""), None).holds(v2), "stale");
        assert!(!p(Some("\"1\""), None).holds(absent), "gone");
        assert!(p(Some("*"), None).holds(v2) && !p(Some("*"), None).holds(absent));
        assert!(p(None, Some("*")).holds(absent) && !p(None, Some("*")).holds(v1));
        assert!(!p(None, Some("W/\"1\"")).holds(v1) && p(None, Some("\"1\"")).holds(v2));
    }
}
