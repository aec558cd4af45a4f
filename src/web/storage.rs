//! Opt-in persistence of the manager's state in `localStorage` or `sessionStorage`: one entry
//! per portal, schema-versioned, raw keys only with `persistKeys: true`. A corrupt, foreign or
//! old entry is reported and replaced; nothing else in storage is touched.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{array, Obj};
use crate::core::keyring::KeyRing;
use crate::core::persist::{
    decode, key_id, validate, Counts, KeyRecord, KeyUsage, Persisted, StorageProblem, SCHEMA,
};

/// The storage entry's key prefix.
pub const PREFIX: &str = "apikey-credentials:";

type StorageListener = Closure<dyn FnMut(web_sys::StorageEvent)>;

/// One storage area and entry.
pub struct StorageArea {
    area: web_sys::Storage,
    area_name: &'static str,
    key: String,
    portal: String,
    persist_keys: bool,
    listener: RefCell<Option<StorageListener>>,
}

impl StorageArea {
    /// Opens `"local"` or `"session"` storage; `None` where there is none (Node, workers,
    /// storage disabled).
    pub fn open(area: &str, portal: &str, persist_keys: bool) -> Option<StorageArea> {
        let window = web_sys::window()?;
        let (storage, area_name) = match area {
            "session" => (window.session_storage().ok()??, "session"),
            _ => (window.local_storage().ok()??, "local"),
        };
        Some(StorageArea {
            area: storage,
            area_name,
            key: format!("{PREFIX}{portal}"),
            portal: portal.to_string(),
            persist_keys,
            listener: RefCell::new(None),
        })
    }

    fn decode(&self, text: &str) -> Result<Persisted, StorageProblem> {
        let (decoded, looks_like_object) = decode(js_sys::JSON::parse(text).ok().as_ref());
        validate(text.len(), decoded, looks_like_object, &self.portal)
    }

    /// Reads the entry: `(state, problem)`; a problem means the entry was unusable and will be
    /// replaced on the next save.
    pub fn load(&self) -> (Option<Persisted>, Option<StorageProblem>) {
        match self.area.get_item(&self.key) {
            Ok(Some(text)) => match self.decode(&text) {
                Ok(p) => (Some(p), None),
                Err(problem) => (None, Some(problem)),
            },
            _ => (None, None),
        }
    }

    /// Merges a stored state (at start-up, or another tab's write) into the keys it knows
    /// (matched by mask and slot): dead keys stay dead, counters take the larger value.
    pub fn apply(&self, p: &Persisted, ring: &mut KeyRing, usage: &mut [KeyUsage]) {
        for i in 0..ring.entries().len() {
            let Some(e) = ring.get(i) else { continue };
            let id = key_id(&e.key.masked(), e.slot);
            if let Some(rec) = p.keys.iter().find(|r| r.id == id) {
                // A dead key stays dead (a stale write from another tab cannot revive it), and
                // counts only grow.
                if rec.dead {
                    ring.mark_dead(i);
                }
                if let Some(u) = usage.get_mut(i) {
                    u.merge_max(&rec.usage);
                }
            }
        }
    }

    /// The state to write (taken while the caller holds the key ring and usage; written after
    /// it lets go, with [`StorageArea::write`]).
    pub fn snapshot(&self, ring: &KeyRing, usage: &[KeyUsage]) -> Persisted {
        let keys = ring
            .entries()
            .iter()
            .zip(usage)
            .map(|(e, u)| KeyRecord {
                id: key_id(&e.key.masked(), e.slot),
                dead: e.dead,
                usage: u.clone(),
            })
            .collect();
        let raw_keys = self.persist_keys.then(|| {
            ring.entries()
                .iter()
                .map(|e| e.key.expose().to_string())
                .collect()
        });
        Persisted {
            schema: SCHEMA.to_string(),
            portal: self.portal.clone(),
            keys,
            raw_keys,
        }
    }

    /// Writes a state.
    pub fn write(&self, p: &Persisted) -> Result<(), StorageProblem> {
        // Built by hand: a serde serializer would cost more code than the whole format.
        let text = js_sys::JSON::stringify(&to_js(p))
            .ok()
            .and_then(|s| s.as_string())
            .ok_or(StorageProblem::WriteFailed)?;
        self.area
            .set_item(&self.key, &text)
            .map_err(|_| StorageProblem::WriteFailed)
    }

    /// Calls `on_change` with the new state when another tab changes this entry.
    pub fn listen(&self, mut on_change: impl FnMut(Persisted) + 'static) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let key = self.key.clone();
        let area_name = self.area_name;
        let portal = self.portal.clone();
        let cb =
            Closure::<dyn FnMut(web_sys::StorageEvent)>::new(move |ev: web_sys::StorageEvent| {
                if ev.key().as_deref() != Some(key.as_str()) {
                    return;
                }
                // Only the same area: a sessionStorage entry of another tab is not ours.
                let same_area = ev.storage_area().is_some_and(|s| {
                    let w = web_sys::window();
                    let target = match area_name {
                        "session" => w.and_then(|w| w.session_storage().ok().flatten()),
                        _ => w.and_then(|w| w.local_storage().ok().flatten()),
                    };
                    target.is_some_and(|t| JsValue::from(t) == JsValue::from(s))
                });
                if !same_area {
                    return;
                }
                let Some(text) = ev.new_value() else { return };
                let (decoded, obj) = decode(js_sys::JSON::parse(&text).ok().as_ref());
                if let Ok(p) = validate(text.len(), decoded, obj, &portal) {
                    on_change(p);
                }
            });
        let _ = window.add_event_listener_with_callback("storage", cb.as_ref().unchecked_ref());
        *self.listener.borrow_mut() = Some(cb);
    }
}

/// `{ name: count }`.
pub fn counts_js(m: &Counts) -> JsValue {
    m.iter()
        .fold(Obj::new(), |o, (k, v)| {
            o.set(k, JsValue::from_f64(v as f64))
        })
        .build()
}

/// The stored JSON shape of [`Persisted`] (the field names `Persisted::from_json` reads back).
fn to_js(p: &Persisted) -> JsValue {
    let keys = array(p.keys.iter().map(|k| {
        Obj::new()
            .set("id", k.id.as_str())
            .set("dead", k.dead)
            .set(
                "usage",
                Obj::new()
                    .set("requests", JsValue::from_f64(k.usage.requests as f64))
                    .set("failures", counts_js(&k.usage.failures))
                    .set("services", counts_js(&k.usage.services))
                    .build(),
            )
            .build()
    }));
    let mut o = Obj::new()
        .set("schema", p.schema.as_str())
        .set("portal", p.portal.as_str())
        .set("keys", keys);
    if let Some(raw) = &p.raw_keys {
        o = o.set("rawKeys", array(raw.iter().map(|k| JsValue::from_str(k))));
    }
    o.build()
}

impl Drop for StorageArea {
    fn drop(&mut self) {
        if let (Some(window), Some(cb)) = (web_sys::window(), self.listener.borrow_mut().take()) {
            let _ =
                window.remove_event_listener_with_callback("storage", cb.as_ref().unchecked_ref());
        }
    }
}
