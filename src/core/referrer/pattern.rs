//! The referrer-entry tokenizer. The WHATWG parser alone is too lenient for entries (it accepts
//! `*` in hosts, drops tabs, percent-decodes hosts), so entries are split by hand first and only
//! the host and the path are canonicalised with the URL parser afterwards.

use super::diagnostics::Code;
use super::psl;
use super::url::{full_parser, is_plain_domain, is_plain_path, UrlParser};

/// Entries longer than this (in characters) are refused.
pub const MAX_ENTRY_CHARS: usize = 2048;

/// How many labels a `*.` wildcard stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WildcardDepth {
    /// One or more labels (`*.example.com` matches `a.b.example.com`). The default.
    #[default]
    Multi,
    /// Exactly one label, as Esri's resource proxy matched.
    Single,
}

/// The host part of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostRule {
    /// Exactly this canonical host.
    Exact(String),
    /// Any subdomain of this canonical suffix (never the suffix itself).
    Wildcard(String),
}

/// The path part of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathRule {
    /// Empty, `/` or `/*`: any path.
    Any,
    /// `…/*`: any path starting with this prefix (which ends in `/`).
    Prefix(String),
    /// A path-segment prefix: equal, or followed by `/`.
    Segment(String),
}

/// A compiled entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    /// `true` for https, `false` for http.
    pub https: bool,
    /// Host rule.
    pub host: HostRule,
    /// Non-default port, if any.
    pub port: Option<u16>,
    /// Path rule.
    pub path: PathRule,
}

/// The result of parsing one entry: the pattern (when valid) and its diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedEntry {
    /// `None` when the entry is malformed.
    pub pattern: Option<Pattern>,
    /// Errors, warnings and notes, in the order found.
    pub codes: Vec<Code>,
}

fn fail(mut codes: Vec<Code>, code: Code) -> ParsedEntry {
    codes.push(code);
    ParsedEntry {
        pattern: None,
        codes,
    }
}

fn is_ascii_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// Canonicalises a host the way the URL parser does; `None` when it is not a valid host.
pub fn canonical_host(raw: &str) -> Option<String> {
    if is_plain_domain(raw.as_bytes()) {
        return Some(raw.to_ascii_lowercase());
    }
    let mut probe = String::with_capacity(raw.len() + 8);
    probe.push_str("http://");
    probe.push_str(raw);
    probe.push('/');
    let parsed = full_parser().parse(&probe)?;
    if parsed.host.is_empty() || parsed.port.is_some() || parsed.path != "/" {
        return None;
    }
    Some(parsed.host)
}

fn canonical_path(raw: &str) -> Option<String> {
    if is_plain_path(raw.as_bytes()) {
        return Some(raw.to_string());
    }
    let mut probe = String::with_capacity(raw.len() + 20);
    probe.push_str("http://h.invalid");
    probe.push_str(raw);
    full_parser().parse(&probe).map(|p| p.path)
}

/// `true` for a canonical host that is an IP literal.
pub fn is_ip_host(host: &str) -> bool {
    if host.starts_with('[') {
        return true;
    }
    let h = host.strip_suffix('.').unwrap_or(host);
    h.rsplit('.')
        .next()
        .is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses one referrer entry (section 3.3 of the referrer semantics).
pub fn parse_entry(entry: &str) -> ParsedEntry {
    let mut codes = Vec::new();
    if entry.len() > MAX_ENTRY_CHARS * 4 || entry.chars().count() > MAX_ENTRY_CHARS {
        return fail(codes, Code::EntryTooLong);
    }
    let trimmed = entry.trim_matches(is_ascii_ws);
    if trimmed.len() != entry.len() {
        codes.push(Code::WhitespaceTrimmed);
    }
    if trimmed.is_empty() {
        return fail(codes, Code::EmptyEntry);
    }
    if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail(codes, Code::WhitespaceInside);
    }
    let Some(sep) = crate::core::find_str(trimmed, "://") else {
        return fail(codes, Code::MalformedScheme);
    };
    let scheme = trimmed.get(..sep).unwrap_or("");
    let https = if scheme.eq_ignore_ascii_case("https") {
        true
    } else if scheme.eq_ignore_ascii_case("http") {
        false
    } else {
        return fail(codes, Code::MalformedScheme);
    };
    let rest = trimmed.get(sep + 3..).unwrap_or("");
    if rest.contains('\\') {
        return fail(codes, Code::Backslash);
    }
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..auth_end).unwrap_or("");
    let after = rest.get(auth_end..).unwrap_or("");
    if authority.contains('@') {
        return fail(codes, Code::Userinfo);
    }

    // Host and port.
    let (host_raw, port_raw) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(i) => {
                let host = authority.get(..=i).unwrap_or("");
                let tail = authority.get(i + 1..).unwrap_or("");
                if tail.is_empty() {
                    (host, None)
                } else if let Some(p) = tail.strip_prefix(':') {
                    (host, Some(p))
                } else {
                    return fail(codes, Code::InvalidHost);
                }
            }
            None => return fail(codes, Code::InvalidHost),
        }
    } else if authority.contains(['[', ']']) {
        let code = if authority.contains('*') {
            Code::IpWildcard
        } else {
            Code::InvalidHost
        };
        return fail(codes, code);
    } else {
        match authority.find(':') {
            Some(i) => (authority.get(..i).unwrap_or(""), authority.get(i + 1..)),
            None => (authority, None),
        }
    };
    let port = match port_raw {
        None | Some("") => None,
        Some(p) if p.contains('*') => return fail(codes, Code::PortWildcard),
        Some(p) => {
            if !p.bytes().all(|b| b.is_ascii_digit()) {
                return fail(codes, Code::InvalidPort);
            }
            let digits = p.trim_start_matches('0');
            let value: Option<u16> = if digits.is_empty() {
                Some(0)
            } else if digits.len() > 5 {
                None
            } else {
                digits
                    .parse::<u32>()
                    .ok()
                    .and_then(|v| u16::try_from(v).ok())
            };
            let Some(v) = value else {
                return fail(codes, Code::InvalidPort);
            };
            if v == if https { 443 } else { 80 } {
                codes.push(Code::DefaultPortDropped);
                None
            } else {
                Some(v)
            }
        }
    };
    if host_raw.is_empty() {
        return fail(codes, Code::InvalidHost);
    }
    let host = if host_raw.contains('*') {
        let suffix_raw = match host_raw.strip_prefix("*.") {
            Some(s) if !s.is_empty() && !s.contains('*') => s,
            _ => return fail(codes, Code::WildcardPosition),
        };
        let Some(suffix) = canonical_host(suffix_raw) else {
            return fail(codes, Code::InvalidHost);
        };
        if is_ip_host(&suffix) {
            return fail(codes, Code::IpWildcard);
        }
        if psl::is_public_suffix(&suffix) || psl::has_wildcard_children(&suffix) {
            return fail(codes, Code::PublicSuffixWildcard);
        }
        if suffix != suffix_raw.to_ascii_lowercase() {
            codes.push(Code::HostNormalised);
        }
        HostRule::Wildcard(suffix)
    } else {
        let Some(h) = canonical_host(host_raw) else {
            return fail(codes, Code::InvalidHost);
        };
        if h != host_raw.to_ascii_lowercase() {
            codes.push(Code::HostNormalised);
        }
        HostRule::Exact(h)
    };

    // Path, query, fragment.
    let path_end = after.find(['?', '#']).unwrap_or(after.len());
    let path_raw = after.get(..path_end).unwrap_or("");
    let tail = after.get(path_end..).unwrap_or("");
    if tail.starts_with('?') {
        codes.push(Code::QueryIgnored);
    }
    if tail.contains('#') {
        codes.push(Code::FragmentIgnored);
    }
    let path = match path_raw {
        "" | "/" | "/*" => PathRule::Any,
        p => {
            let (base, prefix) = match p.strip_suffix("/*") {
                Some(b) => (b, true),
                None => (p, false),
            };
            if base.contains('*') {
                return fail(codes, Code::PathWildcard);
            }
            let mut base = base.to_string();
            if prefix {
                base.push('/');
            }
            let Some(canon) = canonical_path(&base) else {
                return fail(codes, Code::PathWildcard);
            };
            codes.push(Code::PathIneffective);
            if prefix {
                PathRule::Prefix(canon)
            } else {
                PathRule::Segment(canon)
            }
        }
    };
    ParsedEntry {
        pattern: Some(Pattern {
            https,
            host,
            port,
            path,
        }),
        codes,
    }
}

impl Pattern {
    /// Whether a referrer with these (canonical) parts matches. `host` may be in any ASCII
    /// case; everything else is canonical.
    pub fn matches(
        &self,
        https: bool,
        host: &str,
        port: Option<u16>,
        path: &str,
        depth: WildcardDepth,
    ) -> bool {
        if self.https != https || self.port != port {
            return false;
        }
        let host_ok = match &self.host {
            HostRule::Exact(h) => host.eq_ignore_ascii_case(h),
            HostRule::Wildcard(suffix) => {
                host.len() > suffix.len() + 1
                    && !is_ip_host(host)
                    && host
                        .get(host.len() - suffix.len()..)
                        .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
                    && host.as_bytes().get(host.len() - suffix.len() - 1) == Some(&b'.')
                    && (depth == WildcardDepth::Multi
                        || host
                            .get(..host.len() - suffix.len() - 1)
                            .is_some_and(|label| !label.contains('.')))
            }
        };
        if !host_ok {
            return false;
        }
        match &self.path {
            PathRule::Any => true,
            PathRule::Prefix(p) => path.starts_with(p.as_str()),
            PathRule::Segment(p) => {
                path == p
                    || (path.starts_with(p.as_str())
                        && (p.ends_with('/') || path.as_bytes().get(p.len()) == Some(&b'/')))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(e: &str) -> Option<Code> {
        let p = parse_entry(e);
        if p.pattern.is_some() {
            None
        } else {
            p.codes.last().copied()
        }
    }

    #[test]
    fn malformed_entries() {
        let cases = [
            ("", Code::EmptyEntry),
            ("   ", Code::EmptyEntry),
            ("*", Code::MalformedScheme),
            ("//example.com", Code::MalformedScheme),
            ("example.com", Code::MalformedScheme),
            ("ftp://example.com", Code::MalformedScheme),
            ("*://example.com", Code::MalformedScheme),
            ("__file_url__//path/to/*", Code::MalformedScheme),
            ("https://exam ple.com", Code::WhitespaceInside),
            ("https://exa\tmple.com", Code::WhitespaceInside),
            ("not a url", Code::WhitespaceInside),
            ("https://user:pw@example.com", Code::Userinfo),
            ("https://example.com:99999", Code::InvalidPort),
            ("https://example.com:65536", Code::InvalidPort),
            ("https://example.com:8o", Code::InvalidPort),
            ("https://example.com:*", Code::PortWildcard),
            ("https://*", Code::WildcardPosition),
            ("https://ex*ample.com", Code::WildcardPosition),
            ("https://*example.com", Code::WildcardPosition),
            ("https://www.*.example.com", Code::WildcardPosition),
            ("https://*.*.example.com", Code::WildcardPosition),
            ("https://**.example.com", Code::WildcardPosition),
            ("http://192.168.0.*", Code::WildcardPosition),
            ("https://*.com", Code::PublicSuffixWildcard),
            ("https://*.co.uk", Code::PublicSuffixWildcard),
            ("https://*.github.io", Code::PublicSuffixWildcard),
            ("https://*.kawasaki.jp", Code::PublicSuffixWildcard),
            ("https://*.localhost", Code::PublicSuffixWildcard),
            ("https://*.10.0.0.1", Code::IpWildcard),
            ("https://*.[::1]", Code::IpWildcard),
            ("https://x[::1]", Code::InvalidHost),
            ("https://example.com/a*b", Code::PathWildcard),
            ("https://example.com/app*", Code::PathWildcard),
            ("https://example.com\\app", Code::Backslash),
            ("https://:443", Code::InvalidHost),
            ("https://[::1", Code::InvalidHost),
            ("https://[::1]x", Code::InvalidHost),
            ("https://exa<mple.com", Code::InvalidHost),
            ("https://exa^mple.com", Code::InvalidHost),
        ];
        for (e, c) in cases {
            assert_eq!(code(e), Some(c), "{e:?} → {:?}", parse_entry(e));
        }
        assert_eq!(
            code(&format!("https://{}.com", "a".repeat(2100))),
            Some(Code::EntryTooLong)
        );
    }

    #[test]
    fn valid_entries_and_notes() {
        let p = parse_entry(" HTTPS://*.EXAMPLE.COM:443/app/* ");
        let pat = p.pattern.clone().unwrap();
        assert_eq!(pat.host, HostRule::Wildcard("example.com".into()));
        assert_eq!(pat.port, None);
        assert_eq!(pat.path, PathRule::Prefix("/app/".into()));
        assert_eq!(
            p.codes,
            vec![
                Code::WhitespaceTrimmed,
                Code::DefaultPortDropped,
                Code::PathIneffective
            ]
        );
        let p = parse_entry("https://münchen.example");
        assert_eq!(
            p.pattern.unwrap().host,
            HostRule::Exact("xn--mnchen-3ya.example".into())
        );
        assert_eq!(p.codes, vec![Code::HostNormalised]);
        let p = parse_entry("http://[2001:DB8::1]:8080");
        assert_eq!(
            p.pattern.unwrap().host,
            HostRule::Exact("[2001:db8::1]".into())
        );
        let p = parse_entry("https://example.com/app?x=1#y");
        assert_eq!(
            p.codes,
            vec![
                Code::QueryIgnored,
                Code::FragmentIgnored,
                Code::PathIneffective
            ]
        );
        assert!(parse_entry("https://*.example.co.uk").pattern.is_some());
        assert!(parse_entry("https://*.city.kawasaki.jp").pattern.is_some());
        assert!(parse_entry("https://*.user.github.io").pattern.is_some());
        assert!(parse_entry("http://0x7f.1").pattern.is_some());
    }

    #[test]
    fn wildcard_depth() {
        let pat = parse_entry("https://*.example.com").pattern.unwrap();
        assert!(pat.matches(true, "a.b.example.com", None, "/", WildcardDepth::Multi));
        assert!(!pat.matches(true, "a.b.example.com", None, "/", WildcardDepth::Single));
        assert!(pat.matches(true, "A.example.COM", None, "/", WildcardDepth::Single));
        assert!(!pat.matches(true, "example.com", None, "/", WildcardDepth::Multi));
        assert!(!pat.matches(true, ".example.com", None, "/", WildcardDepth::Multi));
    }
}
