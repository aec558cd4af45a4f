//! Opt-in persistence of the manager's state in `localStorage` or `sessionStorage`: one entry
//! per portal. The core reads, writes and merges the state (`core::persist`); this file moves
//! its text in and out of `Storage` and listens for other tabs' writes. A corrupt, foreign or
//! old entry is reported and replaced; nothing else in storage is touched.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::Obj;
use crate::core::persist::{decode, validate, Counts, Persisted, StorageProblem};

/// The storage entry's key prefix.
pub const PREFIX: &str = "apikey-credentials:";

type StorageListener = Closure<dyn FnMut(web_sys::StorageEvent)>;

/// One storage area and entry.
pub struct StorageArea {
    area: web_sys::Storage,
    area_name: &'static str,
    key: String,
    portal: String,
    listener: RefCell<Option<StorageListener>>,
}

impl StorageArea {
    /// Opens `"local"` or `"session"` storage; `None` where there is none (Node, workers,
    /// storage disabled).
    pub fn open(area: &str, portal: &str) -> Option<StorageArea> {
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

    /// Writes the stored text (built by `Persisted::to_json` in the core).
    pub fn write(&self, text: &str) -> Result<(), StorageProblem> {
        self.area
            .set_item(&self.key, text)
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

impl Drop for StorageArea {
    fn drop(&mut self) {
        if let (Some(window), Some(cb)) = (web_sys::window(), self.listener.borrow_mut().take()) {
            let _ =
                window.remove_event_listener_with_callback("storage", cb.as_ref().unchecked_ref());
        }
    }
}
