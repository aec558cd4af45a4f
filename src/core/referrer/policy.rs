//! Predicts the `Referer` a browser sends: a port of the Referrer Policy spec's "determine
//! request's referrer" and "strip url for use as a referrer".

use super::url::{parse_url, ParsedUrl};
use crate::core::error::{Error, Result};

/// Referrers longer than this are cut to the origin (Chrome 77+, Firefox 70+, Safari 14+).
pub const REFERRER_LENGTH_LIMIT: usize = 4096;
/// Page and request URLs longer than this are refused as input.
pub const MAX_URL_LEN: usize = 1024 * 1024;

/// The eight referrer policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReferrerPolicy {
    /// `no-referrer`
    NoReferrer,
    /// `no-referrer-when-downgrade` (the default before 2020)
    NoReferrerWhenDowngrade,
    /// `same-origin`
    SameOrigin,
    /// `origin`
    Origin,
    /// `strict-origin`
    StrictOrigin,
    /// `origin-when-cross-origin`
    OriginWhenCrossOrigin,
    /// `strict-origin-when-cross-origin` (the default since Chrome 85, Firefox 87, Safari 15)
    #[default]
    StrictOriginWhenCrossOrigin,
    /// `unsafe-url`
    UnsafeUrl,
}

impl ReferrerPolicy {
    /// Parses a policy token (ASCII case-insensitive). The empty string is the default policy.
    pub fn parse(token: &str) -> Option<Self> {
        let t = token.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "" | "strict-origin-when-cross-origin" => ReferrerPolicy::StrictOriginWhenCrossOrigin,
            "no-referrer" => ReferrerPolicy::NoReferrer,
            "no-referrer-when-downgrade" => ReferrerPolicy::NoReferrerWhenDowngrade,
            "same-origin" => ReferrerPolicy::SameOrigin,
            "origin" => ReferrerPolicy::Origin,
            "strict-origin" => ReferrerPolicy::StrictOrigin,
            "origin-when-cross-origin" => ReferrerPolicy::OriginWhenCrossOrigin,
            "unsafe-url" => ReferrerPolicy::UnsafeUrl,
            _ => return None,
        })
    }

    /// The policy from a `<meta name="referrer">` content or a `Referrer-Policy` header value:
    /// a comma-separated list where the last recognised token wins; `None` when none is.
    pub fn from_header(value: &str) -> Option<Self> {
        Self::last_recognised(value, ReferrerPolicy::parse)
    }

    /// The last token of a comma-separated list that `token` recognises.
    fn last_recognised(value: &str, token: impl Fn(&str) -> Option<Self>) -> Option<Self> {
        value
            .rsplit(',')
            .filter(|t| !t.trim().is_empty())
            .find_map(token)
    }

    /// The policy from a `<meta name="referrer">` content: a policy token, or one of the legacy
    /// keywords HTML still maps for this element (`never` → `no-referrer`, `default` → the
    /// default policy, `always` → `unsafe-url`, `origin-when-crossorigin` →
    /// `origin-when-cross-origin`). `None` (empty or unknown) leaves the document's policy as
    /// it was. A comma-separated list is read as the header would be.
    pub fn from_meta(content: &str) -> Option<Self> {
        Self::last_recognised(content, |t| match t.trim().to_ascii_lowercase().as_str() {
            "never" => Some(ReferrerPolicy::NoReferrer),
            "default" => Some(ReferrerPolicy::default()),
            "always" => Some(ReferrerPolicy::UnsafeUrl),
            "origin-when-crossorigin" => Some(ReferrerPolicy::OriginWhenCrossOrigin),
            other => ReferrerPolicy::parse(other),
        })
    }
}

/// Why no referrer is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoReferrerCause {
    /// The policy sends none (`no-referrer`, or `same-origin` across origins).
    Policy,
    /// The document has an opaque origin (sandboxed iframe, `file:`).
    OpaqueOrigin,
    /// The document's URL has a local scheme (`about:`, `blob:`, `data:`).
    LocalScheme,
    /// An https page requesting a non-trustworthy (http) URL.
    Downgrade,
}

impl NoReferrerCause {
    /// `"policy"`, `"opaqueOrigin"`, `"localScheme"` or `"downgrade"`.
    pub fn as_str(self) -> &'static str {
        match self {
            NoReferrerCause::Policy => "policy",
            NoReferrerCause::OpaqueOrigin => "opaqueOrigin",
            NoReferrerCause::LocalScheme => "localScheme",
            NoReferrerCause::Downgrade => "downgrade",
        }
    }
}

/// The prediction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prediction {
    /// The `Referer` value, or `None` when none is sent.
    pub referrer: Option<String>,
    /// Why none is sent.
    pub cause: Option<NoReferrerCause>,
}

fn none(cause: NoReferrerCause) -> Prediction {
    Prediction {
        referrer: None,
        cause: Some(cause),
    }
}

fn some(r: String) -> Prediction {
    Prediction {
        referrer: Some(r),
        cause: None,
    }
}

/// "Is url potentially trustworthy?" (Secure Contexts): https/wss, `file:`, `data:`,
/// `about:blank`/`about:srcdoc`, and loopback hosts (`localhost`, `*.localhost`, 127/8, `[::1]`).
pub fn is_potentially_trustworthy(u: &ParsedUrl) -> bool {
    match u.scheme.as_str() {
        "https" | "wss" | "file" | "data" => return true,
        "about" => return u.path == "blank" || u.path == "srcdoc",
        _ => {}
    }
    let h = u.host.strip_suffix('.').unwrap_or(&u.host);
    if h == "localhost" || h.ends_with(".localhost") || h == "[::1]" {
        return true;
    }
    let mut parts = h.split('.');
    parts.next() == Some("127")
        && h.split('.').count() == 4
        && h.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

fn same_origin(a: &ParsedUrl, b: &ParsedUrl) -> bool {
    a.scheme == b.scheme && a.host == b.host && a.port == b.port
}

/// The `Referer` a document at `page_url` sends with a request to `request_url` under `policy`.
/// `opaque_origin` is `true` for documents whose origin is opaque (a sandboxed iframe without
/// `allow-same-origin`). Errors when either URL is not an absolute URL.
pub fn effective_referrer(
    page_url: &str,
    request_url: &str,
    policy: ReferrerPolicy,
    opaque_origin: bool,
) -> Result<Prediction> {
    if page_url.len() > MAX_URL_LEN {
        return Err(Error::InputTooLarge {
            what: "page URL",
            limit: MAX_URL_LEN,
        });
    }
    if request_url.len() > MAX_URL_LEN {
        return Err(Error::InputTooLarge {
            what: "request URL",
            limit: MAX_URL_LEN,
        });
    }
    let page = parse_url(page_url).ok_or_else(|| {
        Error::invalid(
            "pageUrl",
            "not an absolute URL; pass the document's full URL (location.href).",
        )
    })?;
    let request = parse_url(request_url).ok_or_else(|| {
        Error::invalid(
            "requestUrl",
            "not an absolute URL; pass the full URL of the service request.",
        )
    })?;
    if opaque_origin {
        return Ok(none(NoReferrerCause::OpaqueOrigin));
    }
    match page.scheme.as_str() {
        "about" | "blob" | "data" => return Ok(none(NoReferrerCause::LocalScheme)),
        "file" => return Ok(none(NoReferrerCause::OpaqueOrigin)),
        _ => {}
    }
    let mut origin = page.origin();
    origin.push('/');
    if origin.len() > REFERRER_LENGTH_LIMIT {
        return Ok(none(NoReferrerCause::Policy));
    }
    let mut full = page.stripped();
    if full.len() > REFERRER_LENGTH_LIMIT {
        full = origin.clone();
    }
    let same = same_origin(&page, &request);
    let downgrade = is_potentially_trustworthy(&page) && !is_potentially_trustworthy(&request);
    use ReferrerPolicy::*;
    Ok(match policy {
        NoReferrer => none(NoReferrerCause::Policy),
        UnsafeUrl => some(full),
        Origin => some(origin),
        NoReferrerWhenDowngrade if downgrade => none(NoReferrerCause::Downgrade),
        NoReferrerWhenDowngrade => some(full),
        StrictOrigin if downgrade => none(NoReferrerCause::Downgrade),
        StrictOrigin => some(origin),
        OriginWhenCrossOrigin if same => some(full),
        OriginWhenCrossOrigin => some(origin),
        SameOrigin if same => some(full),
        SameOrigin => none(NoReferrerCause::Policy),
        StrictOriginWhenCrossOrigin if same => some(full),
        StrictOriginWhenCrossOrigin if downgrade => none(NoReferrerCause::Downgrade),
        StrictOriginWhenCrossOrigin => some(origin),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReferrerPolicy::*;

    const API: &str = "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation";

    fn er(page: &str, req: &str, p: ReferrerPolicy) -> Option<String> {
        effective_referrer(page, req, p, false).unwrap().referrer
    }

    #[test]
    fn all_eight_policies() {
        let page = "https://user:pw@app.example.com/a/b?c=1#frag";
        let full = "https://app.example.com/a/b?c=1";
        let origin = "https://app.example.com/";
        let same = "https://app.example.com/proxy";
        let insecure = "http://tiles.example.net/";
        type Row<'a> = (
            ReferrerPolicy,
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
        );
        let table: &[Row] = &[
            // policy, cross-origin https, same-origin, downgrade
            (NoReferrer, None, None, None),
            (NoReferrerWhenDowngrade, Some(full), Some(full), None),
            (SameOrigin, None, Some(full), None),
            (Origin, Some(origin), Some(origin), Some(origin)),
            (StrictOrigin, Some(origin), Some(origin), None),
            (
                OriginWhenCrossOrigin,
                Some(origin),
                Some(full),
                Some(origin),
            ),
            (StrictOriginWhenCrossOrigin, Some(origin), Some(full), None),
            (UnsafeUrl, Some(full), Some(full), Some(full)),
        ];
        for (p, cross, same_o, down) in table {
            assert_eq!(er(page, API, *p).as_deref(), *cross, "{p:?} cross");
            assert_eq!(er(page, same, *p).as_deref(), *same_o, "{p:?} same");
            assert_eq!(er(page, insecure, *p).as_deref(), *down, "{p:?} downgrade");
        }
    }

    #[test]
    fn local_opaque_and_trustworthy() {
        assert_eq!(er("file:///C:/app/index.html", API, UnsafeUrl), None);
        assert_eq!(er("about:blank", API, UnsafeUrl), None);
        assert_eq!(er("data:text/html,hi", API, UnsafeUrl), None);
        assert_eq!(er("blob:https://example.com/uuid", API, UnsafeUrl), None);
        let p = effective_referrer("https://example.com/", API, UnsafeUrl, true).unwrap();
        assert_eq!(p.cause, Some(NoReferrerCause::OpaqueOrigin));
        // Loopback pages are potentially trustworthy: to an https API they send their origin,
        // to a plain-http API nothing (the spec treats that as a downgrade).
        assert_eq!(
            er("http://localhost:3000/x", API, StrictOriginWhenCrossOrigin).as_deref(),
            Some("http://localhost:3000/")
        );
        assert_eq!(
            er(
                "http://localhost:3000/x",
                "http://api.example.com/",
                StrictOriginWhenCrossOrigin
            ),
            None
        );
        assert_eq!(
            er(
                "http://127.0.0.1:8080/x",
                "http://api.example.com/",
                StrictOrigin
            ),
            None
        );
        assert_eq!(
            er(
                "http://[::1]:8080/x",
                "http://api.example.com/",
                StrictOrigin
            ),
            None
        );
        assert_eq!(
            er(
                "http://127.0.0.1:8080/x",
                "http://127.0.0.1:8081/",
                StrictOrigin
            )
            .as_deref(),
            Some("http://127.0.0.1:8080/")
        );
        // http → http is not a downgrade either.
        assert_eq!(
            er("http://a.example/x", "http://b.example/", StrictOrigin).as_deref(),
            Some("http://a.example/")
        );
    }

    #[test]
    fn length_cap() {
        let page = format!("https://example.com/{}", "a".repeat(5000));
        assert_eq!(
            er(&page, "https://example.com/p", UnsafeUrl).as_deref(),
            Some("https://example.com/")
        );
        let page = format!("https://example.com/{}", "a".repeat(4096 - 20));
        assert_eq!(
            er(&page, "https://example.com/p", UnsafeUrl).map(|s| s.len()),
            Some(4096)
        );
    }

    #[test]
    fn policy_tokens() {
        assert_eq!(ReferrerPolicy::parse("No-Referrer"), Some(NoReferrer));
        assert_eq!(ReferrerPolicy::parse("bogus"), None);
        assert_eq!(
            ReferrerPolicy::from_header("origin, bogus, unsafe-url"),
            Some(UnsafeUrl)
        );
        assert_eq!(ReferrerPolicy::from_header("bogus"), None);
        // The header knows no legacy keywords; the meta element does.
        assert_eq!(ReferrerPolicy::from_header("never"), None);
        assert_eq!(ReferrerPolicy::from_meta("never"), Some(NoReferrer));
        assert_eq!(ReferrerPolicy::from_meta("Always"), Some(UnsafeUrl));
        assert_eq!(
            ReferrerPolicy::from_meta("default"),
            Some(StrictOriginWhenCrossOrigin)
        );
        assert_eq!(
            ReferrerPolicy::from_meta("origin-when-crossorigin"),
            Some(OriginWhenCrossOrigin)
        );
        assert_eq!(ReferrerPolicy::from_meta("same-origin"), Some(SameOrigin));
        assert_eq!(ReferrerPolicy::from_meta(""), None);
        assert_eq!(ReferrerPolicy::from_meta("sometimes"), None);
        assert!(effective_referrer("not a url", API, Origin, false).is_err());
        assert!(effective_referrer("https://example.com/", "/relative", Origin, false).is_err());
    }
}
