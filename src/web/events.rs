//! The manager's platform side (`Host`): the JavaScript clock, the page, storage, and events
//! delivered as `CustomEvent`s (with console lines where the core asks for them).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::convert::{opt_date_out, opt_num, Obj};
use super::storage::StorageArea;
use crate::core::manager::{Event, PageContext};
use crate::core::persist::{Persisted, StorageProblem};
use crate::core::time::{Clock, Millis};
use crate::portal::manager::Host;

thread_local! {
    /// Keys already warned about on the console in this page load (shared by its managers).
    pub static CONSOLE_SEEN: Rc<RefCell<Vec<String>>> = Rc::new(RefCell::new(Vec::new()));
}

/// The browser's (or Node's) side of a manager.
pub struct WebHost {
    /// Where listeners attach.
    pub events: web_sys::EventTarget,
    /// The storage entry, when `storage` is on.
    pub storage: Option<StorageArea>,
}

impl Clock for WebHost {
    fn now_ms(&self) -> Millis {
        super::now_ms()
    }
}

/// A slot for JavaScript: the number, or `null` for a legacy key.
pub fn slot_js(slot: Option<u8>) -> JsValue {
    slot.map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s)))
}

impl WebHost {
    fn emit(&self, name: &str, detail: JsValue) {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&detail);
        if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.events.dispatch_event(&ev);
        }
    }
}

fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(message));
}

impl Host for WebHost {
    fn page(&self) -> Option<PageContext> {
        super::page_referrer::page_context().map(|(href, policy, opaque)| PageContext {
            href,
            policy,
            opaque,
        })
    }

    fn deliver(&self, events: Vec<Event>) {
        for e in events {
            match e {
                Event::Expiry(w) => {
                    if w.console {
                        warn(&w.message);
                    }
                    if w.event {
                        let detail = Obj::new()
                            .set("slot", slot_js(w.slot))
                            .set("maskedKey", w.masked.as_str())
                            .set("legacy", w.legacy)
                            .set("daysLeft", opt_num(w.status.days_left))
                            .set("expiresAt", opt_date_out(w.status.expires_at))
                            .set("message", w.message.as_str())
                            .build();
                        self.emit(w.status.state.as_str(), detail);
                    }
                }
                Event::Invalid {
                    slot,
                    masked,
                    url,
                    message,
                } => self.emit(
                    "invalid",
                    Obj::new()
                        .set("slot", slot_js(slot))
                        .set("maskedKey", masked.as_str())
                        .set("url", url.as_str())
                        .set("message", message.as_str())
                        .build(),
                ),
                Event::Failover {
                    from,
                    from_masked,
                    to,
                    to_masked,
                    message,
                } => {
                    warn(&message);
                    self.emit(
                        "failover",
                        Obj::new()
                            .set("from", slot_js(from))
                            .set("to", slot_js(to))
                            .set("slot", slot_js(to))
                            .set("maskedKey", to_masked.as_str())
                            .set("fromMaskedKey", from_masked.as_str())
                            .set("message", message.as_str())
                            .build(),
                    );
                }
                Event::Healed {
                    slot,
                    masked,
                    message,
                } => self.emit(
                    "healed",
                    Obj::new()
                        .set("slot", slot_js(slot))
                        .set("maskedKey", masked.as_str())
                        .set("message", message.as_str())
                        .build(),
                ),
                Event::StorageError { reason, message } => self.emit(
                    "storageError",
                    Obj::new()
                        .set("code", "STORAGE")
                        .set("reason", reason)
                        .set("message", message)
                        .build(),
                ),
                Event::ClockSkew {
                    skew_ms,
                    portal_time,
                    message,
                } => self.emit(
                    "clockSkew",
                    Obj::new()
                        .set("skewMs", JsValue::from_f64(skew_ms as f64))
                        .set("portalTime", super::convert::date_out(portal_time))
                        .set("message", message.as_str())
                        .build(),
                ),
            }
        }
    }

    fn store(&self, state: &Persisted) -> Result<(), StorageProblem> {
        match &self.storage {
            Some(s) => s.write(&state.to_json()),
            None => Ok(()),
        }
    }
}
