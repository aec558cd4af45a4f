//! The referrer checker: "will a key restricted to these referrers work from this page, and if
//! not, why?", decided the way the portal decides (section 3.3 of the referrer semantics,
//! "ArcGIS-first").
//!
//! - An empty list means unrestricted. Malformed entries are reported and skipped, never
//!   widened; a non-empty list with no valid entry refuses everything.
//! - Entries need `http://` or `https://`; hosts match exactly, or `*.suffix` matches one or more
//!   labels below the suffix (never the suffix itself); ports match after dropping defaults;
//!   paths are prefix rules and are flagged, since browsers send only the origin cross-origin.
//! - The referrer is what the browser sends: see [`policy::effective_referrer`]. The `Origin`
//!   header never stands in for it.
//!
//! ```
//! use apikey_credentials::core::referrer::{ReferrerRules, RulesOptions};
//! let rules = ReferrerRules::new(&["https://*.example.com".to_string()], RulesOptions::default()).unwrap();
//! assert!(rules.allows(Some("https://app.example.com/")));
//! assert!(!rules.allows(Some("https://example.com/")));
//! ```

pub mod diagnostics;
pub mod pattern;
pub mod policy;
pub mod psl;
pub mod url;

pub use diagnostics::{Code, Severity};
pub use pattern::{Pattern, WildcardDepth};

use self::url::{full_parser, parse_view, UrlParser};
use crate::core::error::{Error, Result};

/// Referrers longer than this are refused (browsers never send more than 4,096 bytes).
pub const MAX_REFERRER_LEN: usize = 64 * 1024;
/// At most this many entries in one list.
pub const MAX_ENTRIES: usize = 1000;

/// Options of the checker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RulesOptions {
    /// How many labels `*.` matches.
    pub wildcard_depth: WildcardDepth,
}

/// One diagnostic: which entry (or `None` for the decision itself) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The entry as written, or `None` for a decision-level diagnostic.
    pub entry: Option<String>,
    /// The code.
    pub code: Code,
}

/// A decision with its explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the referrer is allowed.
    pub allowed: bool,
    /// The entry that matched, as written.
    pub matched_entry: Option<String>,
    /// Why: `MATCHED`, `UNRESTRICTED`, `NO_REFERRER`, `NO_MATCH`, `NO_VALID_ENTRY`, …
    pub reason: Code,
    /// Entry diagnostics, then the decision's own.
    pub diagnostics: Vec<Diagnostic>,
}

/// A compiled referrer list: entries are parsed once, then each check is a linear scan without
/// allocation for ordinary referrers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferrerRules {
    entries: Vec<String>,
    patterns: Vec<(usize, Pattern)>,
    diagnostics: Vec<Diagnostic>,
    options: RulesOptions,
}

/// The referrer side, classified.
enum Target<'a> {
    Ok {
        https: bool,
        host: &'a str,
        port: Option<u16>,
        path: &'a str,
    },
    Denied(Code),
}

impl ReferrerRules {
    /// Compiles a list. Fails only when the list has more than [`MAX_ENTRIES`] entries;
    /// malformed entries become diagnostics.
    pub fn new(entries: &[String], options: RulesOptions) -> Result<Self> {
        if entries.len() > MAX_ENTRIES {
            return Err(Error::InputTooLarge {
                what: "referrer list",
                limit: MAX_ENTRIES,
            });
        }
        let mut patterns = Vec::with_capacity(entries.len());
        let mut diagnostics = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let parsed = pattern::parse_entry(e);
            for code in parsed.codes {
                diagnostics.push(Diagnostic {
                    entry: Some(e.clone()),
                    code,
                });
            }
            if let Some(p) = parsed.pattern {
                patterns.push((i, p));
            }
        }
        Ok(ReferrerRules {
            entries: entries.to_vec(),
            patterns,
            diagnostics,
            options,
        })
    }

    /// The entries as given.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// Per-entry diagnostics (errors, warnings, notes).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// One line per malformed entry: `"<entry>: <CODE>: <message>"`.
    pub fn entry_errors(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .filter(|d| d.code.severity() == Severity::Error)
            .map(|d| {
                let mut s = d.entry.clone().unwrap_or_default();
                s.push_str(": ");
                s.push_str(d.code.as_str());
                s.push_str(": ");
                s.push_str(d.code.message());
                s
            })
            .collect()
    }

    /// `true` when the list restricts anything (it is not empty).
    pub fn is_restricted(&self) -> bool {
        !self.entries.is_empty()
    }

    /// The number of valid entries.
    pub fn valid_entries(&self) -> usize {
        self.patterns.len()
    }

    fn with_target<R>(referrer: Option<&str>, f: impl FnOnce(Target<'_>) -> R) -> R {
        let Some(r) = referrer else {
            return f(Target::Denied(Code::NoReferrer));
        };
        if r.is_empty() {
            return f(Target::Denied(Code::EmptyReferrer));
        }
        if r.len() > MAX_REFERRER_LEN {
            return f(Target::Denied(Code::ReferrerTooLong));
        }
        if let Some(v) = parse_view(r) {
            let path = if v.path.is_empty() { "/" } else { v.path };
            return f(Target::Ok {
                https: v.https,
                host: v.host,
                port: v.port,
                path,
            });
        }
        match full_parser().parse(r) {
            None => f(Target::Denied(Code::ReferrerNotUrl)),
            Some(u) if !u.is_http() => f(Target::Denied(Code::ReferrerScheme)),
            Some(u) => f(Target::Ok {
                https: u.scheme == "https",
                host: &u.host,
                port: u.port,
                path: &u.path,
            }),
        }
    }

    fn first_match(&self, https: bool, host: &str, port: Option<u16>, path: &str) -> Option<usize> {
        self.patterns
            .iter()
            .find(|(_, p)| p.matches(https, host, port, path, self.options.wildcard_depth))
            .map(|(i, _)| *i)
    }

    /// The fast path: is this `Referer` value allowed? `None` means no header.
    pub fn allows(&self, referrer: Option<&str>) -> bool {
        if self.entries.is_empty() {
            return true;
        }
        Self::with_target(referrer, |t| match t {
            Target::Denied(_) => false,
            Target::Ok {
                https,
                host,
                port,
                path,
            } => self.first_match(https, host, port, path).is_some(),
        })
    }

    /// The full decision with its reason and diagnostics.
    pub fn check(&self, referrer: Option<&str>) -> Decision {
        let mut diagnostics = self.diagnostics.clone();
        let (allowed, matched, reason) = if self.entries.is_empty() {
            (true, None, Code::Unrestricted)
        } else {
            Self::with_target(referrer, |t| match t {
                Target::Denied(code) => (false, None, code),
                Target::Ok { .. } if self.patterns.is_empty() => (false, None, Code::NoValidEntry),
                Target::Ok {
                    https,
                    host,
                    port,
                    path,
                } => match self.first_match(https, host, port, path) {
                    Some(i) => (true, Some(i), Code::Matched),
                    None => (false, None, Code::NoMatch),
                },
            })
        };
        diagnostics.push(Diagnostic {
            entry: None,
            code: reason,
        });
        Decision {
            allowed,
            matched_entry: matched.and_then(|i| self.entries.get(i).cloned()),
            reason,
            diagnostics,
        }
    }
}

/// One-shot check (compiles the list, then checks).
pub fn check_referrer(
    entries: &[String],
    referrer: Option<&str>,
    options: RulesOptions,
) -> Result<Decision> {
    Ok(ReferrerRules::new(entries, options)?.check(referrer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(list: &[&str]) -> ReferrerRules {
        let v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        ReferrerRules::new(&v, RulesOptions::default()).unwrap()
    }

    #[test]
    fn decision_order() {
        assert_eq!(rules(&[]).check(None).reason, Code::Unrestricted);
        assert!(rules(&[]).allows(None));
        let r = rules(&["*"]);
        assert_eq!(r.check(None).reason, Code::NoReferrer);
        assert_eq!(
            r.check(Some("https://a.example/")).reason,
            Code::NoValidEntry
        );
        assert_eq!(
            r.check(Some("ftp://a.example/")).reason,
            Code::ReferrerScheme
        );
        let r = rules(&["https://example.com"]);
        assert_eq!(r.check(Some("")).reason, Code::EmptyReferrer);
        assert_eq!(r.check(Some("null")).reason, Code::ReferrerNotUrl);
        assert_eq!(r.check(Some("/x")).reason, Code::ReferrerNotUrl);
        let long = format!("https://example.com/{}", "a".repeat(MAX_REFERRER_LEN));
        assert_eq!(r.check(Some(&long)).reason, Code::ReferrerTooLong);
        let d = r.check(Some("https://EXAMPLE.com:443/x?y#z"));
        assert!(d.allowed);
        assert_eq!(d.matched_entry.as_deref(), Some("https://example.com"));
    }

    #[test]
    fn bounded_list() {
        let many = vec!["https://example.com".to_string(); MAX_ENTRIES + 1];
        assert_eq!(
            ReferrerRules::new(&many, RulesOptions::default())
                .unwrap_err()
                .code(),
            "INPUT_TOO_LARGE"
        );
    }

    #[test]
    fn canonical_referrers_via_full_parser() {
        let r = rules(&[
            "http://127.0.0.1",
            "https://xn--mnchen-3ya.example",
            "http://[::1]:8080",
        ]);
        assert!(r.allows(Some("http://0x7f.1/")));
        assert!(r.allows(Some("http://2130706433/")));
        assert!(r.allows(Some("https://MÜNCHEN.example/")));
        assert!(r.allows(Some("http://[0:0:0:0:0:0:0:1]:8080/x")));
        assert!(!r.allows(Some("http://localhost/")));
    }
}
