//! The manager's persisted state (opt-in storage): schema-versioned, bounded, and validated on
//! load so that a corrupt, foreign or old entry is reported and replaced, never trusted. Read,
//! written and merged here; the web layer only moves the text in and out of `Storage`.
//!
//! Version 2 stores each dead mark with its times and URL, and each key's last success, so that
//! marks heal and expire (see [`crate::core::keyring`]). Version 1 entries (`dead: true`, no
//! time) are still read: their marks count as older than any retry window, so keys stranded by
//! version 1 are tried again.

use super::json::{push_quoted, Fields, FromJson, Json, ShapeError};
use super::keyring::{DeadMark, KeyRing};
use super::time::Millis;

/// The schema tag written by this version.
pub const SCHEMA: &str = "apikey-credentials/2";
/// The previous schema, still read.
pub const SCHEMA_V1: &str = "apikey-credentials/1";
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
    /// The dead mark, if the key was refused with a 498.
    pub dead: Option<DeadMark>,
    /// When the key last worked.
    pub ok_at: Option<Millis>,
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

/// A stored time: whole milliseconds a JavaScript `Date` can hold.
fn time(f: &Fields<'_, impl Json>, key: &str) -> Result<Option<Millis>, ShapeError> {
    match f.number(key)? {
        None => Ok(None),
        Some(n) => crate::core::time::millis_from_f64(n)
            .map(Some)
            .ok_or_else(|| ShapeError::new(&super::json::child(f.path(), key), "a time in ms")),
    }
}

impl FromJson for DeadMark {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        let since = time(&f, "since")?.unwrap_or(0);
        let url: String = f
            .string("url")?
            .unwrap_or_default()
            .chars()
            .take(512)
            .collect();
        Ok(DeadMark {
            since,
            checked: time(&f, "checked")?.unwrap_or(since),
            url,
        })
    }
}

impl FromJson for KeyRecord {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        // Version 1 wrote `dead: true` with no time: a mark from the distant past, which the
        // retry window has long expired.
        let dead = match f.raw("dead") {
            Some(d) if d.as_bool() == Some(true) => Some(DeadMark::default()),
            Some(d) if d.as_bool().is_some() => None,
            _ => f.object("dead")?,
        };
        Ok(KeyRecord {
            id: f.string("id")?.unwrap_or_default(),
            dead,
            ok_at: time(&f, "okAt")?,
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

/// A key's storage id: mask and slot (`#0` for a legacy key, which has none).
pub fn key_id(masked: &str, slot: Option<u8>) -> String {
    let mut s = String::with_capacity(masked.len() + 2);
    s.push_str(masked);
    s.push('#');
    s.push(char::from(b'0' + slot.unwrap_or(0).min(9)));
    s
}

impl Persisted {
    /// The state to store for `ring` and its `usage` (raw keys only with `persist_keys`).
    pub fn snapshot(portal: &str, ring: &KeyRing, usage: &[KeyUsage], persist_keys: bool) -> Self {
        let keys = ring
            .entries()
            .iter()
            .zip(usage)
            .map(|(e, u)| KeyRecord {
                id: key_id(&e.key.masked(), e.slot),
                dead: e.dead.clone(),
                ok_at: e.ok_at,
                usage: u.clone(),
            })
            .collect();
        let raw_keys = persist_keys.then(|| {
            ring.entries()
                .iter()
                .map(|e| e.key.expose().to_string())
                .collect()
        });
        Persisted {
            schema: SCHEMA.to_string(),
            portal: portal.to_string(),
            keys,
            raw_keys,
        }
    }

    /// Merges this stored state (at start-up, or another tab's write) into the keys it knows
    /// (matched by mask and slot): the latest news of each key wins (a 498 or a success), marks
    /// past the retry window are dropped, and counters take the larger value, so a stale write
    /// from another tab never lowers a count or revives a key it did not see work.
    pub fn apply(&self, ring: &mut KeyRing, usage: &mut [KeyUsage], now: Millis) {
        for i in 0..ring.entries().len() {
            let Some(e) = ring.get(i) else { continue };
            let id = key_id(&e.key.masked(), e.slot);
            if let Some(rec) = self.keys.iter().find(|r| r.id == id) {
                ring.merge(i, rec.dead.as_ref(), rec.ok_at, now);
                if let Some(u) = usage.get_mut(i) {
                    u.merge_max(&rec.usage);
                }
            }
        }
    }

    /// The stored JSON text (the field names [`Persisted::from_json`] reads back).
    pub fn to_json(&self) -> String {
        let mut o = String::with_capacity(256);
        o.push_str("{\"schema\":");
        push_quoted(&mut o, &self.schema);
        o.push_str(",\"portal\":");
        push_quoted(&mut o, &self.portal);
        o.push_str(",\"keys\":[");
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push_str("{\"id\":");
            push_quoted(&mut o, &k.id);
            o.push_str(",\"dead\":");
            match &k.dead {
                None => o.push_str("null"),
                Some(m) => {
                    o.push_str("{\"since\":");
                    o.push_str(&m.since.to_string());
                    o.push_str(",\"checked\":");
                    o.push_str(&m.checked.to_string());
                    o.push_str(",\"url\":");
                    push_quoted(&mut o, &m.url);
                    o.push('}');
                }
            }
            if let Some(t) = k.ok_at {
                o.push_str(",\"okAt\":");
                o.push_str(&t.to_string());
            }
            o.push_str(",\"usage\":{\"requests\":");
            o.push_str(&k.usage.requests.to_string());
            for (name, counts) in [
                ("failures", &k.usage.failures),
                ("services", &k.usage.services),
            ] {
                o.push_str(",\"");
                o.push_str(name);
                o.push_str("\":{");
                for (j, (n, c)) in counts.iter().enumerate() {
                    if j > 0 {
                        o.push(',');
                    }
                    push_quoted(&mut o, n);
                    o.push(':');
                    o.push_str(&c.to_string());
                }
                o.push('}');
            }
            o.push_str("}}");
        }
        o.push(']');
        if let Some(raw) = &self.raw_keys {
            o.push_str(",\"rawKeys\":[");
            for (i, k) in raw.iter().enumerate() {
                if i > 0 {
                    o.push(',');
                }
                push_quoted(&mut o, k);
            }
            o.push(']');
        }
        o.push('}');
        o
    }
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
    if p.schema != SCHEMA && p.schema != SCHEMA_V1 {
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
        assert_eq!(
            ok.keys[0].dead.as_ref().map(|m| m.checked),
            Some(0),
            "a v1 mark has no time"
        );
        let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(MAX_STORED_BYTES));
        assert_eq!(check(&big).unwrap_err(), StorageProblem::TooLarge);
    }

    fn two_keys() -> KeyRing {
        use crate::core::keys::ApiKey;
        KeyRing::new(vec![
            (
                ApiKey::new("AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT1_aaaaaaaa").unwrap(),
                None,
            ),
            (
                ApiKey::new("AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT2_bbbbbbbb").unwrap(),
                None,
            ),
        ])
        .unwrap()
    }

    /// What is written reads back the same (the JSON text is parsed by serde_json, an
    /// independent parser), and applying it to a fresh ring restores marks and usage.
    #[test]
    fn written_state_reads_back() {
        let portal = "https://p/sharing/rest";
        let mut ring = two_keys();
        ring.mark_dead(0, 1_000, "https://svc.example/x?token=secret");
        ring.heal(1, 1_500);
        let mut usage = vec![KeyUsage::default(), KeyUsage::default()];
        usage[0].record_request("geocode");
        usage[0].record_failure("INVALID_TOKEN");
        usage[1].record_request("portal:\"quoted\"\n");
        let p = Persisted::snapshot(portal, &ring, &usage, false);
        let text = p.to_json();
        assert!(
            !text.contains("secret") && !text.contains("AAPTabcdefghij"),
            "{text}"
        );
        let (decoded, _) = decode(&text);
        let back = validate(text.len(), decoded, true, portal).unwrap();
        assert_eq!(back, p);
        let mut fresh = two_keys();
        let mut fresh_usage = vec![KeyUsage::default(), KeyUsage::default()];
        back.apply(&mut fresh, &mut fresh_usage, 2_000);
        assert_eq!(fresh.get(0).unwrap().dead, ring.get(0).unwrap().dead);
        assert_eq!(fresh.get(1).unwrap().ok_at, Some(1_500));
        assert_eq!(fresh_usage, usage);
        // With persistKeys the raw keys are written, and only then.
        let with_keys = Persisted::snapshot(portal, &ring, &usage, true).to_json();
        assert!(with_keys.contains("AT1_aaaaaaaa"));
        // Marks past the retry window are not restored.
        let mut later = two_keys();
        back.apply(
            &mut later,
            &mut fresh_usage,
            1_000 + crate::core::keyring::DEFAULT_RETRY_WINDOW_MS,
        );
        assert!(!later.get(0).unwrap().is_dead());
    }

    /// A key stranded by version 1 storage (`dead: true`, no time) is tried again.
    #[test]
    fn version_1_marks_have_expired() {
        let portal = "https://p/sharing/rest";
        let text = r#"{"schema":"apikey-credentials/1","portal":"https://p/sharing/rest","keys":[{"id":"AAPT…aaaa#1","dead":true,"usage":{"requests":3}},{"id":"AAPT…bbbb#2","dead":true}]}"#;
        let (decoded, obj) = decode(text);
        let p = validate(text.len(), decoded, obj, portal).unwrap();
        let mut ring = two_keys();
        let mut usage = vec![KeyUsage::default(), KeyUsage::default()];
        p.apply(&mut ring, &mut usage, 1_780_000_000_000);
        assert!(!ring.all_dead());
        assert_eq!(ring.pick(0), Some(0));
        assert_eq!(usage[0].requests, 3);
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
