//! API key strings: which slot a key belongs to, what kind it is, and how to show it safely.
//!
//! New keys (ArcGIS Location Platform / Online / Enterprise 11.4+) start with `AAPT` and end with
//! `.AT1_` or `.AT2_` plus 8 characters, naming the slot (the rule arcgis-rest-js `slotForKey`
//! applies). Legacy keys start with `AAPK` and have no slot.

use core::fmt;

/// Keys shorter than this are masked completely by [`mask_key`].
pub const MIN_MASKABLE_LEN: usize = 12;

/// The longest key string accepted anywhere (real keys are a few hundred characters).
pub const MAX_KEY_LEN: usize = 8 * 1024;

/// What a token string looks like, from its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// `AAPT…`: an API key from API key credentials (has a slot).
    ApiKey,
    /// `AAPK…`: a legacy API key (retired June 2026, never expired).
    Legacy,
    /// `AATK…` or `AAST…`: other ArcGIS token kinds arcgis-rest-js recognises.
    OtherArcgisToken,
    /// Anything else (an OAuth token, a typo, …).
    Unknown,
}

impl KeyKind {
    /// A stable lower-camel-case name (`"apiKey"`, `"legacy"`, `"otherArcgisToken"`, `"unknown"`).
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::ApiKey => "apiKey",
            KeyKind::Legacy => "legacy",
            KeyKind::OtherArcgisToken => "otherArcgisToken",
            KeyKind::Unknown => "unknown",
        }
    }
}

/// Classifies a token string by its prefix.
pub fn key_kind(key: &str) -> KeyKind {
    match key.get(..4) {
        Some("AAPT") => KeyKind::ApiKey,
        Some("AAPK") => KeyKind::Legacy,
        Some("AATK") | Some("AAST") => KeyKind::OtherArcgisToken,
        _ => KeyKind::Unknown,
    }
}

/// The slot (1 or 2) of a new-style key, read from its `.AT1_xxxxxxxx` / `.AT2_xxxxxxxx` tail.
/// `None` for legacy keys and anything that does not have the tail.
pub fn key_slot(key: &str) -> Option<u8> {
    let bytes = key.as_bytes();
    if bytes.len() < 13 || bytes.len() > MAX_KEY_LEN {
        return None;
    }
    let tail = bytes.get(bytes.len() - 13..)?;
    let (head, rest) = tail.split_at(5);
    if !rest
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
    {
        return None;
    }
    match head {
        b".AT1_" => Some(1),
        b".AT2_" => Some(2),
        _ => None,
    }
}

/// `true` for legacy API keys (`AAPK…`).
pub fn is_legacy_key(key: &str) -> bool {
    key_kind(key) == KeyKind::Legacy
}

/// A display form that lets a person recognise a key without being able to use it: the first
/// four and the last four characters (`AAPT…e1HB`). Keys shorter than 12 characters are masked
/// completely (`****`), since half of a short string is too much of it.
pub fn mask_key(key: &str) -> String {
    let n = key.chars().count();
    if n < MIN_MASKABLE_LEN {
        return "****".to_string();
    }
    let head: String = key.chars().take(4).collect();
    let tail: String = key.chars().skip(n - 4).collect();
    let mut out = String::with_capacity(head.len() + tail.len() + 3);
    out.push_str(&head);
    out.push('…');
    out.push_str(&tail);
    out
}

/// An API key held as a secret: `Debug` and `Display` show only [`mask_key`]'s mask. The raw value
/// is reachable through one explicit call, [`ApiKey::expose`].
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key string. Refuses empty strings, whitespace or control characters inside, and
    /// strings over [`MAX_KEY_LEN`].
    pub fn new(raw: impl Into<String>) -> crate::core::error::Result<Self> {
        let raw = raw.into();
        if raw.is_empty() {
            return Err(crate::core::Error::invalid(
                "key",
                "the key is empty; pass the API key string.",
            ));
        }
        if raw.len() > MAX_KEY_LEN {
            return Err(crate::core::Error::InputTooLarge {
                what: "key",
                limit: MAX_KEY_LEN,
            });
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(crate::core::Error::invalid(
                "key",
                "the key contains whitespace or control characters; copy it again without them.",
            ));
        }
        Ok(ApiKey(raw))
    }

    /// The raw key, for sending it to the portal. Never log or display this.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The safe display form (see [`mask_key`]).
    pub fn masked(&self) -> String {
        mask_key(&self.0)
    }

    /// The slot the key names, if it is a new-style key.
    pub fn slot(&self) -> Option<u8> {
        key_slot(&self.0)
    }

    /// The kind of token, from its prefix.
    pub fn kind(&self) -> KeyKind {
        key_kind(&self.0)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.masked())
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "AAPTxy1234567890abcdefghijklmnopqrstuvwxyzOU.AT1_G1kye1HB";
    const K2: &str = "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT2_WilXzfTa";

    #[test]
    fn slots_from_real_shaped_keys() {
        assert_eq!(key_slot(K1), Some(1));
        assert_eq!(key_slot(K2), Some(2));
        assert_eq!(key_slot("AAPKabcdefghijklmnopqrstuvwxyz"), None);
        assert_eq!(key_slot(".AT1_G1kye1HB"), Some(1));
        assert_eq!(key_slot("AT1_G1kye1HB"), None);
        assert_eq!(key_slot("xx.AT3_G1kye1HB"), None);
        assert_eq!(key_slot("xx.AT1_G1kye1H!"), None);
        assert_eq!(key_slot(""), None);
        assert_eq!(key_slot("é.AT1_G1kye1HB"), Some(1));
        assert_eq!(key_slot("xx.AT1_G1kyé1H"), None);
    }

    #[test]
    fn kinds() {
        assert_eq!(key_kind(K1), KeyKind::ApiKey);
        assert!(is_legacy_key("AAPK1234"));
        assert!(!is_legacy_key(K1));
        assert_eq!(key_kind("AAST123"), KeyKind::OtherArcgisToken);
        assert_eq!(key_kind("abc"), KeyKind::Unknown);
        assert_eq!(key_kind("ééé"), KeyKind::Unknown);
    }

    #[test]
    fn masks() {
        assert_eq!(mask_key(K1), "AAPT…e1HB");
        assert_eq!(mask_key("12345678901"), "****");
        assert_eq!(mask_key("123456789012"), "1234…9012");
        assert_eq!(mask_key(""), "****");
        assert_eq!(mask_key("ééééééééééééé"), "éééé…éééé");
    }

    #[test]
    fn secret_never_in_debug_or_display() {
        let k = ApiKey::new(K1).unwrap();
        assert!(!format!("{k:?}").contains(K1));
        assert!(!format!("{k}").contains(K1));
        assert_eq!(k.expose(), K1);
        assert_eq!(k.slot(), Some(1));
        assert_eq!(ApiKey::new("").unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(ApiKey::new("a b").unwrap_err().code(), "INVALID_ARGUMENT");
    }
}
