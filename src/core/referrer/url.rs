//! The parts of a URL the referrer rules need, as the WHATWG URL parser (what browsers use)
//! produces them.
//!
//! A fast path here handles the common case (`http(s)://ascii-host[:port]/plain/path`) without
//! allocation-heavy general parsing (a plain domain, or an IPv4 address already written the
//! canonical way). Everything else (non-ASCII hosts, other IPv4 forms, IPv6,
//! percent signs, dot segments, tabs, backslashes, userinfo) goes to a full WHATWG parser behind
//! [`UrlParser`]: natively the `url` crate, in wasm the platform's `URL` (browser or Node), both
//! of which implement the same standard.

/// The parts of a parsed absolute URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// Lowercase scheme without `:`.
    pub scheme: String,
    /// Serialised host (IPv6 in brackets); empty when the URL has none.
    pub host: String,
    /// The port when it is not the scheme's default.
    pub port: Option<u16>,
    /// Serialised path (percent-encoded, dot segments resolved).
    pub path: String,
    /// Serialised query without `?`.
    pub query: Option<String>,
}

impl ParsedUrl {
    /// `true` for `http` and `https`.
    pub fn is_http(&self) -> bool {
        self.scheme == "http" || self.scheme == "https"
    }

    /// `scheme://host[:port]`.
    pub fn origin(&self) -> String {
        let mut s = String::with_capacity(self.scheme.len() + self.host.len() + 9);
        s.push_str(&self.scheme);
        s.push_str("://");
        s.push_str(&self.host);
        if let Some(p) = self.port {
            s.push(':');
            s.push_str(&p.to_string());
        }
        s
    }

    /// The URL without userinfo and fragment: what a referrer carries in full.
    pub fn stripped(&self) -> String {
        let mut s = self.origin();
        s.push_str(&self.path);
        if let Some(q) = &self.query {
            s.push('?');
            s.push_str(q);
        }
        s
    }
}

/// A full WHATWG URL parser.
pub trait UrlParser {
    /// Parses an absolute URL; `None` when the standard says it is not one.
    fn parse(&self, input: &str) -> Option<ParsedUrl>;
}

/// The default port of a special scheme.
pub fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        "ftp" => Some(21),
        _ => None,
    }
}

fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'.'
}

/// Bytes a path may hold unchanged by the WHATWG path percent-encode set.
fn is_plain_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'/' | b'-'
                | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
        )
}

/// Whether an ASCII domain can be canonicalised by lowercasing alone (no IPv4 reading, no
/// punycode validation, no empty inner labels).
pub fn is_plain_domain(host: &[u8]) -> bool {
    if host.is_empty() || !host.iter().all(|b| is_host_byte(*b)) {
        return false;
    }
    let trimmed = host.strip_suffix(b".").unwrap_or(host);
    if trimmed.is_empty() {
        return false;
    }
    let mut last: &[u8] = &[];
    for label in trimmed.split(|b| *b == b'.') {
        if label.is_empty() {
            return false;
        }
        if label.len() >= 4
            && label
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
        {
            return false;
        }
        last = label;
    }
    // A last label that starts with a digit may be (part of) an IPv4 address.
    !last.first().is_some_and(|b| b.is_ascii_digit())
}

/// Whether a host is an IPv4 address already in the WHATWG serialisation: four decimal parts,
/// 0–255, without leading zeros (which would make a part octal) or a trailing dot.
pub fn is_canonical_ipv4(host: &[u8]) -> bool {
    let mut parts = 0;
    for part in host.split(|b| *b == b'.') {
        parts += 1;
        let canonical = match part {
            [] => false,
            [b'0'] => true,
            [b'0', ..] => false,
            _ => {
                part.len() <= 3
                    && part.iter().all(u8::is_ascii_digit)
                    && part.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')) <= 255
            }
        };
        if !canonical {
            return false;
        }
    }
    parts == 4
}

/// Whether a path is already in canonical form (no percent signs to normalise, no dot segments).
pub fn is_plain_path(path: &[u8]) -> bool {
    if !path.iter().all(|b| is_plain_path_byte(*b)) {
        return false;
    }
    !path
        .split(|b| *b == b'/')
        .any(|seg| seg == b"." || seg == b"..")
}

/// A borrowed view of a URL the fast path understood. `host` keeps the input's case; `path` is
/// empty when the input had none (it means `/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlView<'a> {
    /// `true` for https.
    pub https: bool,
    /// The host, as written (ASCII; compare case-insensitively).
    pub host: &'a str,
    /// The port when it is not the default.
    pub port: Option<u16>,
    /// The path as written (already canonical); empty means `/`.
    pub path: &'a str,
    /// The query without `?`.
    pub query: Option<&'a str>,
}

/// The fast path: `http(s)://host[:port][/path][?query][#fragment]` with a plain ASCII host and
/// path, without allocating. `None` means "ask the full parser", not "invalid".
pub fn parse_view(input: &str) -> Option<UrlView<'_>> {
    let (https, rest) = if input.len() >= 7 && input.get(..7)?.eq_ignore_ascii_case("http://") {
        (false, input.get(7..)?)
    } else if input.len() >= 8 && input.get(..8)?.eq_ignore_ascii_case("https://") {
        (true, input.get(8..)?)
    } else {
        return None;
    };
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..auth_end)?;
    let after = rest.get(auth_end..)?;
    let (host, port_text) = match authority.find(':') {
        Some(i) => (authority.get(..i)?, Some(authority.get(i + 1..)?)),
        None => (authority, None),
    };
    if !is_plain_domain(host.as_bytes()) && !is_canonical_ipv4(host.as_bytes()) {
        return None;
    }
    let port = match port_text {
        None | Some("") => None,
        Some(p) => {
            if p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let v: u32 = p
                .bytes()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            let v = u16::try_from(v).ok()?;
            if v == if https { 443 } else { 80 } {
                None
            } else {
                Some(v)
            }
        }
    };
    let path_end = after.find(['?', '#']).unwrap_or(after.len());
    let path = after.get(..path_end)?;
    if !is_plain_path(path.as_bytes()) {
        return None;
    }
    let tail = after.get(path_end..)?;
    let query = match tail.strip_prefix('?') {
        Some(q) => {
            let q = q.get(..q.find('#').unwrap_or(q.len()))?;
            // Query bytes the WHATWG query percent-encode set would change go to the full parser.
            if !q
                .bytes()
                .all(|c| c.is_ascii_graphic() && !matches!(c, b'"' | b'<' | b'>' | b'\'' | b'`'))
            {
                return None;
            }
            Some(q)
        }
        None => None,
    };
    Some(UrlView {
        https,
        host,
        port,
        path,
        query,
    })
}

/// The fast path, owned (see [`parse_view`]).
pub fn parse_fast(input: &str) -> Option<ParsedUrl> {
    let v = parse_view(input)?;
    Some(ParsedUrl {
        scheme: if v.https { "https" } else { "http" }.to_string(),
        host: v.host.to_ascii_lowercase(),
        port: v.port,
        path: if v.path.is_empty() {
            "/".to_string()
        } else {
            v.path.to_string()
        },
        query: v.query.map(str::to_string),
    })
}

/// The full parser: the platform's in wasm, the `url` crate natively (chosen once, in the crate
/// root's [`crate::FullUrlParser`]).
pub fn full_parser() -> crate::FullUrlParser {
    crate::FullUrlParser::default()
}

/// Parses with the fast path, then the full parser.
pub fn parse_url(input: &str) -> Option<ParsedUrl> {
    parse_fast(input).or_else(|| full_parser().parse(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_agrees_with_the_full_parser() {
        let inputs = [
            "https://example.com/",
            "https://Example.COM",
            "HTTP://example.com:80/a/b?x=1#f",
            "https://example.com:443",
            "https://example.com:08443/",
            "http://localhost:3000/",
            "https://example.com./",
            "https://a-b.c-d.example/x/y/z;p=1",
            "https://example.com:/",
            "https://example.com?q",
            "https://example.com#f",
            "http://127.0.0.1/",
            "http://127.0.0.1:3000/x?y",
            "https://10.0.0.255/",
            "http://0.0.0.0/",
        ];
        for i in inputs {
            let fast = parse_fast(i).unwrap_or_else(|| panic!("fast path refused {i}"));
            let full = crate::native::NativeUrlParser.parse(i).unwrap();
            assert_eq!(fast, full, "{i}");
        }
    }

    #[test]
    fn fast_path_declines_hard_cases() {
        for i in [
            "http://0x7f.1/",
            "http://127.0.0.01/",
            "http://127.0.0.1./",
            "http://127.1/",
            "http://2130706433/",
            "http://256.0.0.1/",
            "http://1.2.3.4.5/",
            "https://xn--mnchen-3ya.example/",
            "https://münchen.example/",
            "https://exa%41mple.com/",
            "https://a..b/",
            "https://example.com/a/../b",
            "https://example.com/caf%C3%A9",
            "https://user@example.com/",
            "https://[::1]/",
            "https://example.com:99999/",
            "https://example.com/a b",
            "https://exa\tmple.com/",
            "ftp://example.com/",
            "https:example.com",
        ] {
            assert!(parse_fast(i).is_none(), "{i}");
        }
    }

    #[test]
    fn full_parser_canonicalises() {
        let p = parse_url("http://0x7f.1/").unwrap();
        assert_eq!(p.host, "127.0.0.1");
        let p = parse_url("http://[0:0:0:0:0:0:0:1]:8080/x").unwrap();
        assert_eq!(p.host, "[::1]");
        assert_eq!(p.port, Some(8080));
        let p = parse_url("https://MÜNCHEN.example/").unwrap();
        assert_eq!(p.host, "xn--mnchen-3ya.example");
        assert_eq!(parse_url("example.com"), None);
        assert_eq!(parse_url("/relative"), None);
        let p = parse_url("https://user:pw@example.com/a?b#c").unwrap();
        assert_eq!(p.stripped(), "https://example.com/a?b");
    }
}
