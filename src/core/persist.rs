//! The manager's persisted state (opt-in storage): schema-versioned, bounded, and validated on
//! load so that a corrupt, foreign or old entry is reported and replaced, never trusted.

use super::json::{Fields, FromJson, Json, ShapeError};

/// The schema tag of this version.
pub const SCHEMA: &str = "apikey-credentials/1";
/// The prefix every schema tag of this library has.
pub const SCHEMA_PREFIX: &str = "apikey-credentials/";
/// Entries longer than this are refused before parsing.
pub const MAX_STORED_BYTES: usize = 256 * 1024;
const MAX_MAP_ENTRIES: usize = 64;

/// Usage of one key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyUsage {
    /// Requests sent with the key.
    pub requests: u64,
    /// Failures by error code.
    pub failures: Counts,
    /// Requests by service name.
    pub services: Counts,
}

impl KeyUsage {
    /// Counts a request to `service`, keeping the map bounded.
    pub fn record_request(&mut self, service: &str) {
        self.requests = self.requests.saturating_add(1);
        self.services.bump(service);
    }

    /// Counts a failure with `code`.
    pub fn record_failure(&mut self, code: &str) {
        self.failures.bump(code);
    }

    /// Takes in another tab's view of the same key: every counter becomes the larger of the two,
    /// so a late or stale write from another tab never lowers a count.
    pub fn merge_max(&mut self, other: &KeyUsage) {
        self.requests = self.requests.max(other.requests);
        self.failures.merge_max(&other.failures);
        self.services.merge_max(&other.services);
    }
}

/// Counters by name, sorted by name; at most 64 names plus `(other)`. (A sorted vector: these
/// maps are small, and a B-tree costs kilobytes of wasm.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(Vec<(String, u64)>);

impl Counts {
    /// The count for `name`.
    pub fn get(&self, name: &str) -> Option<u64> {
        self.find(name)
            .ok()
            .and_then(|i| self.0.get(i))
            .map(|e| e.1)
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no count.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(name, count)` in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.0.iter().map(|(k, v)| (k.as_str(), *v))
    }

    fn find(&self, name: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|e| e.0.as_str().cmp(name))
    }

    fn add(&mut self, name: &str, n: u64) {
        match self.find(name) {
            Ok(i) => {
                if let Some(e) = self.0.get_mut(i) {
                    e.1 = e.1.saturating_add(n);
                }
            }
            Err(i) => self.0.insert(i, (name.to_string(), n)),
        }
    }

    /// Each count the larger of the two; names beyond the bound (64 plus `(other)`) are left out.
    pub fn merge_max(&mut self, other: &Counts) {
        for (name, n) in other.iter() {
            match self.find(name) {
                Ok(i) => {
                    if let Some(e) = self.0.get_mut(i) {
                        e.1 = e.1.max(n);
                    }
                }
                Err(i) if self.len() <= MAX_MAP_ENTRIES => self.0.insert(i, (name.to_string(), n)),
                Err(_) => {}
            }
        }
    }

    /// Counts one more `name` (into `(other)` once 64 names are known).
    pub fn bump(&mut self, name: &str) {
        if self.find(name).is_ok() || self.len() < MAX_MAP_ENTRIES {
            self.add(name, 1);
        } else {
            self.add("(other)", 1);
        }
    }
}

/// One key's stored record, identified by its mask and slot (never the raw key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRecord {
    /// `"AAPT…e1HB#1"`.
    pub id: String,
    /// Marked dead after a 498.
    pub dead: bool,
    /// Usage.
    pub usage: KeyUsage,
}

/// The stored entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Persisted {
    /// [`SCHEMA`].
    pub schema: String,
    /// The portal's REST root.
    pub portal: String,
    /// Per-key records.
    pub keys: Vec<KeyRecord>,
    /// Raw keys: present only when the app asked for `persistKeys: true`.
    pub raw_keys: Option<Vec<String>>,
}

/// A stored count: a whole, non-negative number JavaScript represents exactly.
fn whole_count(n: f64) -> Option<u64> {
    (n >= 0.0 && n.fract() == 0.0 && n <= 9.007_199_254_740_991e15).then_some(n as u64)
}

/// A `{ name: count }` map (bounded like the live maps; counts must be whole, non-negative).
impl FromJson for Counts {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        Fields::of(v, path)?;
        let keys = v
            .keys()
            .ok_or_else(|| ShapeError::new(path, "a map of whole counts"))?;
        if keys.len() > MAX_MAP_ENTRIES + 1 {
            return Err(ShapeError::new(path, "a map of at most 65 counters"));
        }
        let mut out = Counts::default();
        for k in keys {
            let n = v
                .get(&k)
                .and_then(|n| n.as_f64())
                .and_then(whole_count)
                .ok_or_else(|| ShapeError::new(path, "a map of whole counts"))?;
            out.add(&k, n);
        }
        Ok(out)
    }
}

impl FromJson for KeyUsage {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        let requests = match f.number("requests")?.map(whole_count) {
            None => 0,
            Some(Some(n)) => n,
            Some(None) => {
                return Err(ShapeError::new(
                    path,
                    "a usage record with a whole request count",
                ))
            }
        };
        Ok(KeyUsage {
            requests,
            failures: f.object("failures")?.unwrap_or_default(),
            services: f.object("services")?.unwrap_or_default(),
        })
    }
}

impl FromJson for KeyRecord {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(KeyRecord {
            id: f.string("id")?.unwrap_or_default(),
            dead: f.boolean("dead")?.unwrap_or_default(),
            usage: f.object("usage")?.unwrap_or_default(),
        })
    }
}

impl FromJson for Persisted {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(Persisted {
            schema: f.string("schema")?.unwrap_or_default(),
            portal: f.string("portal")?.unwrap_or_default(),
            keys: f.list("keys")?.unwrap_or_default(),
            raw_keys: f.strings("rawKeys")?,
        })
    }
}

/// Reads a parsed stored entry: the decoded state (`None` when it does not have the shape) and
/// whether it was at least an object (to tell "foreign" from "corrupt").
pub fn decode<J: Json>(parsed: Option<&J>) -> (Option<Persisted>, bool) {
    match parsed {
        Some(v) => (Persisted::from_json(v, "stored").ok(), v.is_object()),
        None => (None, false),
    }
}

/// Why a stored entry was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageProblem {
    /// Not JSON, or not the expected shape.
    Corrupt,
    /// JSON, but not this library's.
    Foreign,
    /// This library's, but an older or newer schema.
    OtherSchema,
    /// Larger than [`MAX_STORED_BYTES`].
    TooLarge,
    /// Writing failed (quota exceeded, storage disabled).
    WriteFailed,
}

impl StorageProblem {
    /// `"corrupt"`, `"foreign"`, `"otherSchema"`, `"tooLarge"`, `"writeFailed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageProblem::Corrupt => "corrupt",
            StorageProblem::Foreign => "foreign",
            StorageProblem::OtherSchema => "otherSchema",
            StorageProblem::TooLarge => "tooLarge",
            StorageProblem::WriteFailed => "writeFailed",
        }
    }
}

/// A key's storage id: mask and slot.
pub fn key_id(masked: &str, slot: u8) -> String {
    let mut s = String::with_capacity(masked.len() + 2);
    s.push_str(masked);
    s.push('#');
    s.push(char::from(b'0' + slot.min(9)));
    s
}

/// Validates a decoded entry. `decoded` is the result of decoding the text as a [`Persisted`]
/// (`None`: it did not decode); `looks_like_object` says whether the text was at least a JSON
/// object, to tell "foreign" from "corrupt".
pub fn validate(
    text_len: usize,
    decoded: Option<Persisted>,
    looks_like_object: bool,
    portal: &str,
) -> Result<Persisted, StorageProblem> {
    if text_len > MAX_STORED_BYTES {
        return Err(StorageProblem::TooLarge);
    }
    let Some(p) = decoded else {
        return Err(if looks_like_object {
            StorageProblem::Foreign
        } else {
            StorageProblem::Corrupt
        });
    };
    if p.schema != SCHEMA {
        return Err(if p.schema.starts_with(SCHEMA_PREFIX) {
            StorageProblem::OtherSchema
        } else {
            StorageProblem::Foreign
        });
    }
    if p.portal != portal
        || p.keys.len() > 2
        || p.raw_keys.as_ref().is_some_and(|k| {
            k.len() > 2 || k.iter().any(|x| x.len() > crate::core::keys::MAX_KEY_LEN)
        })
    {
        return Err(StorageProblem::Foreign);
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_another_tab_never_lowers_a_count() {
        let mut a = KeyUsage::default();
        for _ in 0..3 {
            a.record_request("portal:portals/self");
        }
        a.record_failure("INVALID_TOKEN");
        let mut b = KeyUsage::default();
        b.record_request("portal:portals/self");
        for _ in 0..4 {
            b.record_request("geocode");
        }
        b.record_failure("TIMEOUT");
        let mut merged = a.clone();
        merged.merge_max(&b);
        assert_eq!(merged.requests, 5);
        assert_eq!(merged.services.get("portal:portals/self"), Some(3));
        assert_eq!(merged.services.get("geocode"), Some(4));
        assert_eq!(merged.failures.get("INVALID_TOKEN"), Some(1));
        assert_eq!(merged.failures.get("TIMEOUT"), Some(1));
        // Merging a stale (smaller) view changes nothing; merging is idempotent.
        let before = merged.clone();
        merged.merge_max(&a);
        merged.merge_max(&merged.clone());
        assert_eq!(merged, before);
        // The bound holds: 64 names plus "(other)".
        let mut wide = KeyUsage::default();
        for i in 0..200 {
            wide.record_request(&format!("s{i}"));
        }
        let mut other = KeyUsage::default();
        for i in 100..300 {
            other.record_request(&format!("t{i}"));
        }
        wide.merge_max(&other);
        assert!(wide.services.len() <= MAX_MAP_ENTRIES + 1);
    }

    fn decode(text: &str) -> (Option<Persisted>, bool) {
        super::decode(
            serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .as_ref(),
        )
    }

    #[test]
    fn problems_are_told_apart() {
        let portal = "https://p/sharing/rest";
        let check = |t: &str| {
            let (d, obj) = decode(t);
            validate(t.len(), d, obj, portal)
        };
        assert_eq!(check("{not json").unwrap_err(), StorageProblem::Corrupt);
        assert_eq!(check("[1,2]").unwrap_err(), StorageProblem::Corrupt);
        assert_eq!(
            check(r#"{"hello":"world"}"#).unwrap_err(),
            StorageProblem::Foreign
        );
        assert_eq!(
            check(r#"{"schema":"apikey-credentials/0","portal":"https://p/sharing/rest"}"#)
                .unwrap_err(),
            StorageProblem::OtherSchema
        );
        assert_eq!(
            check(r#"{"schema":"apikey-credentials/1","portal":"https://other/sharing/rest"}"#)
                .unwrap_err(),
            StorageProblem::Foreign
        );
        assert_eq!(
            check(r#"{"schema":"apikey-credentials/1","keys":"x"}"#).unwrap_err(),
            StorageProblem::Foreign
        );
        let ok = check(r#"{"schema":"apikey-credentials/1","portal":"https://p/sharing/rest","keys":[{"id":"AAPT…e1HB#1","dead":true}]}"#).unwrap();
        assert!(ok.keys[0].dead);
        let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(MAX_STORED_BYTES));
        assert_eq!(check(&big).unwrap_err(), StorageProblem::TooLarge);
    }

    #[test]
    fn usage_maps_are_bounded() {
        let mut u = KeyUsage::default();
        for i in 0..200 {
            u.record_request(&format!("svc{i}"));
        }
        assert_eq!(u.requests, 200);
        assert!(u.services.len() <= MAX_MAP_ENTRIES + 1);
        assert_eq!(
            u.services.get("(other)"),
            Some(200 - MAX_MAP_ENTRIES as u64)
        );
        let names: Vec<&str> = u.services.iter().map(|(k, _)| k).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "counters are kept in name order");
        assert_eq!(u.services.get("svc0"), Some(1));
        assert_eq!(u.services.get("svc199"), None);
    }
}
