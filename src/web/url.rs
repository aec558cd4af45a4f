//! The platform's WHATWG `URL` (browser or Node) as the core's full URL parser.

use crate::core::referrer::url::{ParsedUrl, UrlParser};

/// Parses with `new URL(input)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlatformUrlParser;

impl UrlParser for PlatformUrlParser {
    fn parse(&self, input: &str) -> Option<ParsedUrl> {
        let u = web_sys::Url::new(input).ok()?;
        let scheme = u.protocol();
        let scheme = scheme.strip_suffix(':').unwrap_or(&scheme).to_string();
        let port = u.port();
        let search = u.search();
        let href = u.href();
        let without_hash = href.split('#').next().unwrap_or("");
        let query = if let Some(q) = search.strip_prefix('?') {
            Some(q.to_string())
        } else if without_hash.ends_with('?') {
            Some(String::new())
        } else {
            None
        };
        Some(ParsedUrl {
            scheme,
            host: u.hostname(),
            port: if port.is_empty() {
                None
            } else {
                port.parse().ok()
            },
            path: u.pathname(),
            query,
        })
    }
}
