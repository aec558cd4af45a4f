//! Pure Rust rules: keys, expiry, rotation, referrers, privileges and errors.
//!
//! Nothing here touches the browser or reads a clock: time comes in as an argument (epoch
//! milliseconds, the unit the portal and JavaScript use), so every rule is testable natively.
#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod credentials;
pub mod error;
pub mod expiry;
pub mod ics;
pub mod json;
pub mod keyring;
pub mod keys;
pub mod manager;
pub mod persist;
pub mod prerequisites;
pub mod privileges;
pub mod referrer;
pub mod rotation;
pub mod time;

pub use error::Error;

/// The byte offset of the first `needle` in `hay` (a plain byte search: `str::find` with a
/// string pattern brings the two-way searcher and its panic formatting into the module).
pub fn find_str(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.as_bytes();
    if n.is_empty() {
        return Some(0);
    }
    hay.as_bytes().windows(n.len()).position(|w| w == n)
}

/// `s` cut to `max` characters, with `…` when cut (messages and details from a server are
/// shown at a bounded length).
pub fn cap_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((end, _)) => {
            let mut out = String::with_capacity(end + 3);
            out.push_str(s.get(..end).unwrap_or(""));
            out.push('…');
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::find_str;

    proptest::proptest! {
        #[test]
        fn find_str_agrees_with_str_find(hay in "[ab:/é]{0,30}", needle in "[ab:/é]{0,4}") {
            proptest::prop_assert_eq!(find_str(&hay, &needle), hay.find(needle.as_str()));
        }
    }

    #[test]
    fn find_str_examples() {
        assert_eq!(
            find_str("https://x/sharing/rest/y", "/sharing/rest/"),
            Some(9)
        );
        assert_eq!(find_str("https://x", "://"), Some(5));
        assert_eq!(find_str("ab", "abc"), None);
        assert_eq!(find_str("ab", ""), Some(0));
    }
}
