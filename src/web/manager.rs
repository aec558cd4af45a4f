//! `CredentialManager`: holds the app's keys, asks the portal about them, warns before they
//! expire, fails over from a dead key to the other slot, tracks usage, and plugs into Esri's
//! JavaScript client as its `authentication`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{
    array, date_in, get, opt_date_out, opt_num, opt_str, options, JsOptions, Obj,
};
use super::error::{credential_error, from_core, from_portal, invalid_argument, JsResult};
use super::future_to_promise;
use super::keys::{status_obj, thresholds};
use super::referrer::page_context;
use super::storage::StorageArea;
use super::transport::{Body, FetchTransport};
use super::types::*;
use crate::core::expiry::{key_status, KeyState, Thresholds};
use crate::core::json::{Fields, ShapeError};
use crate::core::keyring::{KeyRing, Outcome, Step};
use crate::core::keys::ApiKey;
use crate::core::persist::{key_id, KeyUsage};
use crate::core::privileges::{grants, item_access_privilege, required_privilege};
use crate::core::referrer::policy::effective_referrer;
use crate::core::referrer::{ReferrerRules, RulesOptions};
use crate::core::time::Millis;
use crate::portal::error::{classify, Envelope};
use crate::portal::request::{self, Method};
use crate::portal::types::AppInfoJson;
use crate::portal::{Kind, PortalClient, PortalError};

/// Clock differences larger than this make expiry decisions use the portal's time.
pub const SKEW_LIMIT_MS: i64 = 5 * 60 * 1000;
/// Default request timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

thread_local! {
    /// Keys already warned about on the console in this page load (mask + state).
    static WARNED: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

#[derive(Default)]
struct ManagerOptionsJs {
    portal: Option<String>,
    keys: JsValue,
    warn_days: Option<f64>,
    critical_days: Option<f64>,
    timeout_ms: Option<f64>,
    storage: Option<String>,
    persist_keys: Option<bool>,
    http_referrers: Option<Vec<String>>,
}

impl JsOptions for ManagerOptionsJs {
    const KEYS: &'static [&'static str] = &[
        "portal",
        "keys",
        "warnDays",
        "criticalDays",
        "timeoutMs",
        "storage",
        "persistKeys",
        "httpReferrers",
    ];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(ManagerOptionsJs {
            portal: f.string("portal")?,
            keys: f.raw("keys").unwrap_or(JsValue::UNDEFINED),
            warn_days: f.number("warnDays")?,
            critical_days: f.number("criticalDays")?,
            timeout_ms: f.number("timeoutMs")?,
            storage: f.string("storage")?,
            persist_keys: f.boolean("persistKeys")?,
            http_referrers: f.strings("httpReferrers")?,
        })
    }
}

#[derive(Default)]
struct RequestOptionsJs {
    method: Option<String>,
}

impl JsOptions for RequestOptionsJs {
    const KEYS: &'static [&'static str] = &["method"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(RequestOptionsJs {
            method: f.string("method")?,
        })
    }
}

#[derive(Default)]
struct PreflightOptionsJs {
    privileges: Option<Vec<String>>,
    item_ids: Option<Vec<String>>,
}

impl JsOptions for PreflightOptionsJs {
    const KEYS: &'static [&'static str] = &["privileges", "itemIds"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(PreflightOptionsJs {
            privileges: f.strings("privileges")?,
            item_ids: f.strings("itemIds")?,
        })
    }
}

/// Shared state of a manager (and of the handles `refreshCredentials` returns).
pub struct Inner {
    client: PortalClient<FetchTransport>,
    ring: RefCell<KeyRing>,
    thresholds: Thresholds,
    events: web_sys::EventTarget,
    usage: RefCell<Vec<KeyUsage>>,
    app_info: RefCell<Vec<Option<AppInfoJson>>>,
    http_referrers: Option<Vec<String>>,
    storage: Option<StorageArea>,
    skew_ms: Cell<i64>,
    emitted: RefCell<Vec<String>>,
}

fn parse_keys(v: &JsValue) -> JsResult<Vec<(ApiKey, Option<Millis>)>> {
    let items: Vec<JsValue> = if v.is_string() {
        vec![v.clone()]
    } else if let Some(a) = v.dyn_ref::<Array>() {
        a.iter().collect()
    } else {
        return Err(invalid_argument(
            "options.keys must be one or two API keys (strings or { key, expiresAt }).",
        ));
    };
    if items.is_empty() || items.len() > 2 {
        return Err(credential_error(
            if items.len() > 2 { "TOO_MANY_KEYS" } else { "INVALID_ARGUMENT" },
            "options.keys must hold one or two API keys: API key credentials have slot 1 and slot 2.",
            None,
            JsValue::UNDEFINED,
        ));
    }
    let mut out = Vec::with_capacity(2);
    for (i, it) in items.iter().enumerate() {
        let (raw, exp) = if let Some(s) = it.as_string() {
            (s, None)
        } else if it.is_object() {
            Fields::of(it, &format!("options.keys[{i}]"))
                .and_then(|f| f.only(&["key", "expiresAt"]))
                .map_err(super::convert::shape_error)?;
            let k = get(it, "key").as_string().ok_or_else(|| {
                invalid_argument(&format!("options.keys[{i}].key must be a string."))
            })?;
            (
                k,
                date_in(
                    &get(it, "expiresAt"),
                    &format!("options.keys[{i}].expiresAt"),
                )?,
            )
        } else {
            return Err(invalid_argument(&format!(
                "options.keys[{i}] must be a string or {{ key, expiresAt }}."
            )));
        };
        out.push((ApiKey::new(raw).map_err(from_core)?, exp));
    }
    Ok(out)
}

/// Adds `item` to a small set; `true` when it was not there.
fn insert_new(set: &mut Vec<String>, item: &str) -> bool {
    if set.iter().any(|s| s == item) {
        return false;
    }
    set.push(item.to_string());
    true
}

/// A short service name for usage counts.
fn service_name(url: &str) -> String {
    if let Some((_, name)) = required_privilege(url) {
        return name.to_string();
    }
    if let Some(i) = crate::core::find_str(url, "/sharing/rest/") {
        let rest = url.get(i + 14..).unwrap_or("");
        // The first two path segments (pushed by hand: a `[&str]::join` would be a second copy
        // of the join code next to the `[String]` one).
        let mut op = String::new();
        let path = rest.split(['?', '#']).next().unwrap_or("");
        for (i, segment) in path.split('/').take(2).enumerate() {
            if i > 0 {
                op.push('/');
            }
            op.push_str(segment);
        }
        return format!("portal:{op}");
    }
    crate::core::referrer::url::parse_url(url).map_or_else(|| "other".to_string(), |u| u.host)
}

impl Inner {
    fn local_now() -> Millis {
        super::now_ms()
    }

    /// The time expiry decisions use: the portal's when the clocks differ by more than 5 min.
    pub fn now(&self) -> Millis {
        Self::local_now().saturating_add(self.skew_ms.get())
    }

    fn emit(&self, name: &str, detail: JsValue) {
        let init = web_sys::CustomEventInit::new();
        init.set_detail(&detail);
        if let Ok(ev) = web_sys::CustomEvent::new_with_event_init_dict(name, &init) {
            let _ = self.events.dispatch_event(&ev);
        }
    }

    fn masked(&self, i: usize) -> (String, u8) {
        self.ring
            .borrow()
            .get(i)
            .map_or((String::new(), 0), |e| (e.key.masked(), e.slot))
    }

    fn observe_date(&self, date: Option<&str>) {
        let Some(d) = date else { return };
        let ms = js_sys::Date::parse(d);
        if !ms.is_finite() {
            return;
        }
        let skew = ms as Millis - Self::local_now();
        let previous = self.skew_ms.get();
        if skew.abs() > SKEW_LIMIT_MS {
            if (skew - previous).abs() > SKEW_LIMIT_MS {
                self.skew_ms.set(skew);
                self.emit(
                    "clockSkew",
                    Obj::new()
                        .set("skewMs", JsValue::from_f64(skew as f64))
                        .set("portalTime", super::convert::date_out(ms as Millis))
                        .set("message", "The portal's clock differs from this device's by more than 5 minutes; expiry warnings use the portal's time.")
                        .build(),
                );
                self.evaluate();
            }
        } else if previous != 0 {
            self.skew_ms.set(0);
        }
    }

    /// Emits expiry events (once per key and state per manager) and one console warning per
    /// key per page load for expiring and worse. Runs at start-up, on `inspect()`, and on every
    /// `request()` and `getToken()`, so a page left open sees a key cross its thresholds.
    fn evaluate(&self) {
        let now = self.now();
        let other_slot = |slot: u8| if slot == 1 { 2 } else { 1 };
        // Events are sent after the key ring is released: listeners may call back into the
        // manager.
        let mut events = Vec::new();
        for e in self.ring.borrow().entries() {
            if e.dead {
                continue;
            }
            let st = key_status(e.expires_at, now, self.thresholds, None);
            let name = match st.state {
                KeyState::Expiring => "expiring",
                KeyState::Critical => "critical",
                KeyState::Expired => "expired",
                _ => continue,
            };
            let masked = e.key.masked();
            let tag = format!("{}:{name}", key_id(&masked, e.slot));
            let new_event = insert_new(&mut self.emitted.borrow_mut(), &tag);
            let first_warning = WARNED.with(|w| insert_new(&mut w.borrow_mut(), &masked));
            if !new_event && !first_warning {
                continue;
            }
            let day = st
                .expires_at
                .and_then(crate::core::time::iso_date)
                .unwrap_or_default();
            let days = st.days_left.unwrap_or(0);
            let message = if st.state == KeyState::Expired {
                format!(
                    "apikey-credentials: API key {} ({masked}) expired on {day}. Requests with it fail: deploy key {} or regenerate key {} now.",
                    e.slot,
                    other_slot(e.slot),
                    e.slot
                )
            } else {
                format!(
                    "apikey-credentials: API key {} ({masked}) expires in {days} day{} ({day}). Generate a secondary key in slot {} and deploy it before {day}.",
                    e.slot,
                    if days == 1 { "" } else { "s" },
                    other_slot(e.slot)
                )
            };
            if new_event {
                let detail = Obj::new()
                    .set("slot", JsValue::from_f64(f64::from(e.slot)))
                    .set("maskedKey", masked.as_str())
                    .set("daysLeft", opt_num(st.days_left))
                    .set("expiresAt", opt_date_out(st.expires_at))
                    .set("message", message.as_str())
                    .build();
                events.push((name, detail));
            }
            if first_warning {
                web_sys::console::warn_1(&JsValue::from_str(&message));
            }
        }
        for (name, detail) in events {
            self.emit(name, detail);
        }
    }

    fn record(&self, i: usize, service: &str, failure: Option<&str>) {
        let mut usage = self.usage.borrow_mut();
        if let Some(u) = usage.get_mut(i) {
            u.record_request(service);
            if let Some(code) = failure {
                u.record_failure(code);
            }
        }
    }

    fn save(&self) {
        if let Some(s) = &self.storage {
            // The borrows end with this statement: the storage write and a listener of the
            // event below may call back into the manager (and record usage).
            let snapshot = s.snapshot(&self.ring.borrow(), &self.usage.borrow());
            if let Err(problem) = s.write(&snapshot) {
                self.emit(
                    "storageError",
                    Obj::new()
                        .set("code", "STORAGE")
                        .set("reason", problem.as_str())
                        .set("message", "Could not write the manager's state to storage (quota exceeded or storage disabled); it is kept in memory.")
                        .build(),
                );
            }
        }
    }

    fn all_dead_error(&self, last: Option<&PortalError>) -> JsValue {
        let ring = self.ring.borrow();
        let names: Vec<String> = ring
            .entries()
            .iter()
            .map(|e| format!("{} (slot {})", e.key.masked(), e.slot))
            .collect();
        let msg = format!(
            "Every API key is invalid: {}. Generate or regenerate a key in the API key credentials and deploy it.",
            names.join(" and ")
        );
        credential_error(
            "INVALID_TOKEN",
            &msg,
            last.and_then(|e| e.portal_code).or(Some(498)),
            JsValue::UNDEFINED,
        )
    }

    /// Marks `i` dead after a 498 and tells listeners, once: when concurrent calls learn the same
    /// thing, only the first reports it. `true` when this call did.
    fn mark_invalid(&self, i: usize) -> bool {
        let newly_dead = self.ring.borrow_mut().mark_dead(i);
        if newly_dead {
            self.emit_invalid(i);
        }
        newly_dead
    }

    /// Tells listeners that `i` was refused as invalid.
    fn emit_invalid(&self, i: usize) {
        let (masked, slot) = self.masked(i);
        self.emit(
            "invalid",
            Obj::new()
                .set("slot", JsValue::from_f64(f64::from(slot)))
                .set("maskedKey", masked.as_str())
                .set(
                    "message",
                    format!("API key {slot} ({masked}) is invalid, expired or invalidated.")
                        .as_str(),
                )
                .build(),
        );
    }

    fn announce_failover(&self, from: usize, to: usize) {
        let (fm, fs) = self.masked(from);
        let (tm, ts) = self.masked(to);
        let message = format!("apikey-credentials: API key {fs} ({fm}) was refused as invalid; switched to key {ts} ({tm}).");
        web_sys::console::warn_1(&JsValue::from_str(&message));
        self.emit(
            "failover",
            Obj::new()
                .set("from", JsValue::from_f64(f64::from(fs)))
                .set("to", JsValue::from_f64(f64::from(ts)))
                .set("slot", JsValue::from_f64(f64::from(ts)))
                .set("maskedKey", tm.as_str())
                .set("fromMaskedKey", fm.as_str())
                .set("message", message.as_str())
                .build(),
        );
    }

    /// Decides REFERRER_NOT_ALLOWED vs FORBIDDEN for a 403: with the key's referrer list, the
    /// local checker predicts for this page; without it, `portals/self` (which needs no
    /// privilege) is asked with the same key: a 403 there can only be the referrer.
    async fn classify_403(&self, key: &str, url: &str) -> Kind {
        if let Some(list) = &self.http_referrers {
            let referrer = page_context().and_then(|(href, policy, opaque)| {
                effective_referrer(&href, url, policy, opaque)
                    .ok()
                    .and_then(|p| p.referrer)
            });
            return match ReferrerRules::new(list, RulesOptions::default()) {
                Ok(r) if !r.allows(referrer.as_deref()) => Kind::ReferrerNotAllowed,
                _ => Kind::Forbidden,
            };
        }
        match self.client.portal_self(Some(key)).await {
            Err(e) if e.kind == Kind::Forbidden => Kind::ReferrerNotAllowed,
            _ => Kind::Forbidden,
        }
    }

    /// The raw key at `i`, for sending it (empty when out of range).
    fn raw_key(&self, i: usize) -> String {
        self.ring
            .borrow()
            .get(i)
            .map(|e| e.key.expose().to_string())
            .unwrap_or_default()
    }

    /// Asks the portal about key `i` (`portals/self` → `appInfo`): records its expiration and
    /// privileges, marks it dead on a 498, and reads a 403 as the referrer (`portals/self`
    /// needs no privilege).
    async fn probe(&self, i: usize) -> Result<(), PortalError> {
        let key = self.raw_key(i);
        match self.client.portal_self(Some(&key)).await {
            Ok((s, raw)) => {
                self.observe_date(raw.date.as_deref());
                if let Some(info) = s.app_info {
                    let exp = info
                        .expiration_date
                        .and_then(crate::core::time::millis_from_f64);
                    self.ring.borrow_mut().set_expiry(i, exp);
                    if let Some(slot) = self.app_info.borrow_mut().get_mut(i) {
                        *slot = Some(info);
                    }
                }
                Ok(())
            }
            Err(mut e) => {
                if e.kind == Kind::InvalidToken {
                    self.mark_invalid(i);
                } else if e.kind == Kind::Forbidden {
                    e.kind = Kind::ReferrerNotAllowed;
                }
                Err(e)
            }
        }
    }

    /// One call with one key: the parsed JSON or a typed error.
    async fn send_once(
        &self,
        url: &str,
        params: &[(String, String)],
        key: &str,
        method: Option<Method>,
    ) -> Result<JsValue, PortalError> {
        let req = request::call(url, params.to_vec(), key, method);
        // The body is parsed by the platform and handed back as is: no copy through wasm memory.
        let (status, date, body) = self.client.transport().exchange(&req, true).await?;
        self.observe_date(date.as_deref());
        let json = match body {
            Body::Json(v) => v,
            Body::Text(_) => None,
        };
        // Errors first (either style), read from the parsed value; then the value itself.
        let envelope: Option<Envelope> = json.as_ref().map(Envelope::read);
        if let Some(e) = classify(status, envelope) {
            return Err(e);
        }
        json.ok_or_else(|| {
            PortalError::new(
                Kind::BadResponse,
                "The response is not JSON (or is truncated).",
            )
        })
    }
}

async fn run_request(
    inner: Rc<Inner>,
    url: String,
    params: Vec<(String, String)>,
    method: Option<Method>,
) -> Result<JsValue, JsValue> {
    let service = service_name(&url);
    // A page may stay open while a key crosses a warning threshold: re-check on every call
    // (each key and state is reported once, so this is cheap and quiet).
    inner.evaluate();
    let now = inner.now();
    let mut step = inner.ring.borrow().begin(now);
    let mut attempt = 0usize;
    let mut last: Option<Result<JsValue, PortalError>> = None;
    loop {
        match step {
            Step::AllDead => {
                let err = last.and_then(|r| r.err());
                return Err(inner.all_dead_error(err.as_ref()));
            }
            Step::Done => {
                return match last {
                    Some(Ok(v)) => Ok(v),
                    Some(Err(e)) => Err(from_portal(&e)),
                    None => Err(inner.all_dead_error(None)),
                };
            }
            Step::Send(i) => {
                let key = match inner.ring.borrow().get(i) {
                    Some(e) => e.key.expose().to_string(),
                    None => return Err(inner.all_dead_error(None)),
                };
                let mut result = inner.send_once(&url, &params, &key, method).await;
                if let Err(e) = &mut result {
                    if e.kind == Kind::Forbidden {
                        e.kind = inner.classify_403(&key, &url).await;
                    }
                }
                let failure = result.as_ref().err().map(PortalError::code);
                inner.record(i, &service, failure);
                let outcome = match &result {
                    Ok(_) => Outcome::Ok,
                    Err(e) if e.kind == Kind::InvalidToken => Outcome::InvalidToken,
                    Err(_) => Outcome::OtherError,
                };
                // Requests in flight together all learn of a dead key; the first tells the
                // listeners (`invalid`, `failover`), the others retry with the other key quietly.
                let newly_dead =
                    outcome == Outcome::InvalidToken && inner.ring.borrow_mut().mark_dead(i);
                step = inner.ring.borrow_mut().after(now, attempt, i, outcome);
                if newly_dead {
                    inner.emit_invalid(i);
                    if let Step::Send(j) = step {
                        inner.announce_failover(i, j);
                    }
                }
                inner.save();
                attempt += 1;
                last = Some(result);
            }
        }
    }
}

/// Holds an app's API keys (one or two), picks the right one, fails over on an invalid key,
/// warns before a key expires, and tracks usage. It is an `IAuthenticationManager`, so it can be
/// passed as `authentication` to `@esri/arcgis-rest-request`, and it honours any portal URL.
///
/// ```js
/// const manager = new CredentialManager({ portal: "https://www.arcgis.com", keys: [key1, key2] });
/// manager.addEventListener("expiring", (e) => banner.show(e.detail.message));
/// manager.addEventListener("failover", (e) => esriConfig.apiKey = await manager.getToken());
/// const self = await manager.request("https://www.arcgis.com/sharing/rest/portals/self");
/// ```
#[wasm_bindgen]
pub struct CredentialManager {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl CredentialManager {
    /// Creates a manager. Throws `CredentialError` for bad options (`INVALID_ARGUMENT`,
    /// `TOO_MANY_KEYS`).
    ///
    /// ```js
    /// const manager = new CredentialManager({ portal: "https://www.arcgis.com", keys: [key1, key2], storage: "local" });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(options: ManagerOptionsType) -> JsResult<CredentialManager> {
        let o: ManagerOptionsJs = super::convert::options(options.into(), "options")?;
        let portal = o.portal.ok_or_else(|| {
            invalid_argument("options.portal is required (e.g. \"https://www.arcgis.com\").")
        })?;
        let timeout = match o.timeout_ms {
            None => DEFAULT_TIMEOUT_MS,
            Some(t) if (1.0..=600_000.0).contains(&t) => t as u32,
            Some(_) => {
                return Err(invalid_argument(
                    "options.timeoutMs must be between 1 and 600000.",
                ))
            }
        };
        let client = PortalClient::new(
            FetchTransport {
                timeout_ms: timeout,
            },
            &portal,
        )
        .map_err(|e| invalid_argument(&e.message))?;
        let persist_keys = o.persist_keys.unwrap_or(false);
        let storage = match o.storage.as_deref() {
            None => None,
            Some(area @ ("local" | "session")) => {
                StorageArea::open(area, client.root(), persist_keys)
            }
            Some(_) => {
                return Err(invalid_argument(
                    "options.storage must be \"local\" or \"session\".",
                ))
            }
        };
        let (stored, problem) = match &storage {
            Some(s) => s.load(),
            None => (None, None),
        };
        let keys = if o.keys.is_undefined() || o.keys.is_null() {
            let raw = stored
                .as_ref()
                .and_then(|p| p.raw_keys.clone())
                .filter(|_| persist_keys)
                .unwrap_or_default();
            if raw.is_empty() {
                return Err(invalid_argument(
                    "options.keys is required: one or two API keys.",
                ));
            }
            raw.into_iter()
                .map(|k| ApiKey::new(k).map(|k| (k, None)))
                .collect::<Result<Vec<_>, _>>()
                .map_err(from_core)?
        } else {
            parse_keys(&o.keys)?
        };
        let ring = KeyRing::new(keys).map_err(from_core)?;
        let n = ring.entries().len();
        if let Some(list) = &o.http_referrers {
            ReferrerRules::new(list, RulesOptions::default()).map_err(from_core)?;
        }
        let events = web_sys::EventTarget::new()
            .map_err(|_| invalid_argument("EventTarget is not available in this environment."))?;
        let inner = Rc::new(Inner {
            client,
            ring: RefCell::new(ring),
            thresholds: thresholds(o.warn_days, o.critical_days)?,
            events,
            usage: RefCell::new(vec![KeyUsage::default(); n]),
            app_info: RefCell::new(vec![None; n]),
            http_referrers: o.http_referrers,
            storage,
            skew_ms: Cell::new(0),
            emitted: RefCell::new(Vec::new()),
        });
        if let (Some(s), Some(p)) = (&inner.storage, &stored) {
            s.apply(
                p,
                &mut inner.ring.borrow_mut(),
                &mut inner.usage.borrow_mut(),
            );
        }
        if let Some(s) = &inner.storage {
            // Other tabs' changes (dead keys, usage) arrive through the `storage` event.
            let weak = Rc::downgrade(&inner);
            s.listen(move |p| {
                if let Some(inner) = weak.upgrade() {
                    if let Some(st) = &inner.storage {
                        st.apply(
                            &p,
                            &mut inner.ring.borrow_mut(),
                            &mut inner.usage.borrow_mut(),
                        );
                    }
                }
            });
        }
        // Listeners are attached after the constructor returns: report on the next tick.
        let later = inner.clone();
        let _ = future_to_promise(async move {
            if let Some(p) = problem {
                later.emit(
                    "storageError",
                    Obj::new()
                        .set("code", "STORAGE")
                        .set("reason", p.as_str())
                        .set("message", "The stored state was unusable and has been replaced; other storage entries were not touched.")
                        .build(),
                );
            }
            later.save();
            later.evaluate();
            Ok(JsValue::UNDEFINED)
        });
        Ok(CredentialManager { inner })
    }

    /// The portal's sharing REST root (what `@esri/arcgis-rest-request` reads as `portal`).
    ///
    /// ```js
    /// await request(`${manager.portal}/portals/self`, { authentication: manager });
    /// ```
    #[wasm_bindgen(getter)]
    pub fn portal(&self) -> String {
        self.inner.client.root().to_string()
    }

    /// The key to use now (`IAuthenticationManager.getToken`). Rejects with `INVALID_TOKEN` when
    /// every key is dead.
    ///
    /// ```js
    /// esriConfig.apiKey = await manager.getToken();
    /// ```
    #[wasm_bindgen(js_name = getToken)]
    pub fn get_token(&self, url: Option<OptStr>) -> StringPromise {
        let url =
            match super::convert::opt_string(&url.map_or(JsValue::UNDEFINED, JsValue::from), "url")
            {
                Ok(u) => u,
                Err(e) => return Promise::reject(&e).unchecked_into(),
            };
        // Nothing to wait for: the answer is known now, so a settled promise (no task).
        let inner = &self.inner;
        inner.evaluate();
        let pick = inner.ring.borrow().pick(inner.now());
        match pick {
            Some(i) => {
                if let Some(u) = &url {
                    inner.record(i, &service_name(u), None);
                }
                Promise::resolve(&JsValue::from_str(&inner.raw_key(i)))
            }
            None => Promise::reject(&inner.all_dead_error(None)),
        }
        .unchecked_into()
    }

    /// `true`: `@esri/arcgis-rest-request` may call `refreshCredentials()` after a 498.
    ///
    /// ```js
    /// manager.canRefresh; // true
    /// ```
    #[wasm_bindgen(getter, js_name = canRefresh)]
    pub fn can_refresh(&self) -> bool {
        true
    }

    /// Called by `@esri/arcgis-rest-request` after an `ArcGISAuthError`: checks the current key
    /// against the portal and fails over when it is invalid. Resolves to a manager sharing this
    /// one's state; rejects with `INVALID_TOKEN` when no key is left.
    ///
    /// ```js
    /// await manager.refreshCredentials(); // what rest-js calls after a 498
    /// ```
    #[wasm_bindgen(js_name = refreshCredentials)]
    pub fn refresh_credentials(&self) -> ManagerPromise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let now = inner.now();
            let Some(i) = inner.ring.borrow().pick(now) else {
                return Err(inner.all_dead_error(None));
            };
            let key = inner.raw_key(i);
            match inner.client.portal_self(Some(&key)).await {
                Err(e) if e.kind == Kind::InvalidToken => {
                    let newly_dead = inner.mark_invalid(i);
                    let next = inner.ring.borrow().pick(now);
                    inner.save();
                    match next {
                        Some(j) => {
                            if newly_dead {
                                inner.announce_failover(i, j);
                            }
                            Ok(CredentialManager {
                                inner: inner.clone(),
                            }
                            .into())
                        }
                        None => Err(inner.all_dead_error(Some(&e))),
                    }
                }
                _ => Ok(CredentialManager {
                    inner: inner.clone(),
                }
                .into()),
            }
        })
        .unchecked_into()
    }

    /// Calls a portal or service URL with the best key; on `INVALID_TOKEN` retries once with the
    /// other key (emitting `failover`); never retries other errors. Resolves to the JSON answer;
    /// rejects with a `CredentialError`. Sharing API URLs always go as a form POST (the sharing
    /// API answers no CORS preflight); `options.method` applies to other services.
    ///
    /// ```js
    /// const style = await manager.request(`${portal}/sharing/rest/portals/self`);
    /// const geo = await manager.request(geocodeUrl, { SingleLine: "Redlands" });
    /// ```
    pub fn request(
        &self,
        url: &Str,
        params: Option<JsonObject>,
        options: Option<RequestOptionsType>,
    ) -> JsResult<AnyPromise> {
        let url = super::convert::req_string(url, "url")?;
        if crate::core::referrer::url::parse_url(&url).is_none_or(|u| !u.is_http()) {
            return Err(invalid_argument("url must be an absolute http(s) URL."));
        }
        let mut list = Vec::new();
        if let Some(p) = params {
            let p: JsValue = p.into();
            if !p.is_undefined() && !p.is_null() {
                let obj = p
                    .dyn_ref::<js_sys::Object>()
                    .filter(|_| !p.is_array())
                    .ok_or_else(|| invalid_argument("params must be an object."))?;
                for entry in js_sys::Object::entries(obj).iter() {
                    let pair = Array::from(&entry);
                    let k = pair.get(0).as_string().unwrap_or_default();
                    let v = pair.get(1);
                    if k == "token" {
                        return Err(invalid_argument(
                            "params must not carry a token: the manager adds the key.",
                        ));
                    }
                    let v = if let Some(s) = v.as_string() {
                        s
                    } else if v.is_object() {
                        js_sys::JSON::stringify(&v)
                            .ok()
                            .and_then(|s| s.as_string())
                            .unwrap_or_default()
                    } else if v.is_undefined() || v.is_null() {
                        continue;
                    } else {
                        String::from(js_sys::JsString::from(v))
                    };
                    list.push((k, v));
                }
            }
        }
        let o: RequestOptionsJs = options_or(options.map(JsValue::from))?;
        let method = match o.method.as_deref() {
            None => None,
            Some("GET") | Some("get") => Some(Method::Get),
            Some("POST") | Some("post") => Some(Method::Post),
            Some(_) => {
                return Err(invalid_argument(
                    "options.method must be \"GET\" or \"POST\".",
                ))
            }
        };
        Ok(future_to_promise(run_request(self.inner.clone(), url, list, method)).unchecked_into())
    }

    /// Asks the portal about every key (`portals/self` → `appInfo`): expiration, privileges,
    /// whether the portal accepts this page's referrer; updates the status and fires the
    /// expiry events.
    ///
    /// ```js
    /// for (const r of await manager.inspect()) console.log(r.slot, r.status.state, r.error?.code);
    /// ```
    pub fn inspect(&self) -> KeyReportsPromise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let n = inner.ring.borrow().entries().len();
            let mut reports = Vec::with_capacity(n);
            let referrer = page_context().and_then(|(href, policy, opaque)| {
                effective_referrer(&href, inner.client.root(), policy, opaque).ok()
            });
            for i in 0..n {
                reports.push((i, inner.probe(i).await.err()));
            }
            inner.save();
            inner.evaluate();
            let now = inner.now();
            let out = reports.into_iter().map(|(i, error)| {
                let ring = inner.ring.borrow();
                let Some(e) = ring.get(i) else {
                    return JsValue::NULL;
                };
                let st = key_status(e.expires_at, now, inner.thresholds, Some(!e.dead));
                let info = inner.app_info.borrow().get(i).cloned().flatten();
                let accepted = match &error {
                    Some(err) if err.kind == Kind::ReferrerNotAllowed => JsValue::FALSE,
                    Some(_) => JsValue::NULL,
                    None => JsValue::TRUE,
                };
                Obj::new()
                    .set("slot", JsValue::from_f64(f64::from(e.slot)))
                    .set("maskedKey", e.key.masked().as_str())
                    .set("status", status_obj(&st).build())
                    .set("dead", e.dead)
                    .set(
                        "appInfo",
                        info.map_or(JsValue::NULL, |a| {
                            Obj::new()
                                .set("appId", a.app_id.as_str())
                                .set("appTitle", a.app_title.as_str())
                                .set("itemId", a.item_id.as_str())
                                .set(
                                    "privileges",
                                    array(a.privileges.iter().map(|p| JsValue::from_str(p))),
                                )
                                .set(
                                    "expirationDate",
                                    opt_date_out(
                                        a.expiration_date
                                            .and_then(crate::core::time::millis_from_f64)
                                            .filter(|x| *x != -1),
                                    ),
                                )
                                .build()
                        }),
                    )
                    .set(
                        "referrer",
                        Obj::new()
                            .set(
                                "sent",
                                opt_str(referrer.as_ref().and_then(|r| r.referrer.as_deref())),
                            )
                            .set(
                                "noReferrerCause",
                                opt_str(
                                    referrer.as_ref().and_then(|r| r.cause.map(|c| c.as_str())),
                                ),
                            )
                            .set("acceptedByPortal", accepted)
                            .build(),
                    )
                    .set(
                        "error",
                        error.map_or(JsValue::NULL, |err| {
                            Obj::new()
                                .set("code", err.code())
                                .set("portalCode", opt_num(err.portal_code))
                                .set("message", err.to_string().as_str())
                                .build()
                        }),
                    )
                    .build()
            });
            Ok(array(out))
        })
        .unchecked_into()
    }

    /// Checks, before any request, whether a call to `requestUrl` can work: the referrer this page
    /// will send, the privilege the service needs (and any listed), and item access.
    ///
    /// ```js
    /// const p = await manager.preflight(geocodeUrl, { itemIds: [webMapId] });
    /// if (!p.ok) console.warn(p.problems);
    /// ```
    pub fn preflight(
        &self,
        #[wasm_bindgen(js_name = requestUrl)] request_url: &Str,
        options: Option<PreflightOptionsType>,
    ) -> JsResult<PreflightPromise> {
        let url = super::convert::req_string(request_url, "requestUrl")?;
        let o: PreflightOptionsJs = options_or(options.map(JsValue::from))?;
        let inner = self.inner.clone();
        Ok(future_to_promise(async move {
            let now = inner.now();
            let Some(i) = inner.ring.borrow().pick(now) else {
                return Err(inner.all_dead_error(None));
            };
            let mut portal_error: Option<PortalError> = None;
            if inner.app_info.borrow().get(i).is_none_or(|a| a.is_none()) {
                portal_error = inner.probe(i).await.err();
            }
            let granted: Vec<String> = inner
                .app_info
                .borrow()
                .get(i)
                .cloned()
                .flatten()
                .map(|a| a.privileges)
                .unwrap_or_default();
            let known = inner.app_info.borrow().get(i).is_some_and(|a| a.is_some());
            let mut problems: Vec<JsValue> = Vec::new();
            // Referrer.
            let prediction = page_context().and_then(|(href, policy, opaque)| {
                effective_referrer(&href, &url, policy, opaque).ok()
            });
            let sent = prediction.as_ref().and_then(|p| p.referrer.clone());
            let (ref_allowed, ref_reason) = match (&inner.http_referrers, &portal_error) {
                (Some(list), _) => match ReferrerRules::new(list, RulesOptions::default()) {
                    Ok(r) => {
                        let d = r.check(sent.as_deref());
                        (JsValue::from_bool(d.allowed), d.reason.as_str().to_string())
                    }
                    Err(_) => (JsValue::NULL, "UNKNOWN".to_string()),
                },
                (None, Some(e)) if e.kind == Kind::ReferrerNotAllowed => {
                    (JsValue::FALSE, "REFERRER_NOT_ALLOWED".to_string())
                }
                (None, Some(_)) => (JsValue::NULL, "UNKNOWN".to_string()),
                (None, None) => (JsValue::TRUE, "ACCEPTED_BY_PORTAL".to_string()),
            };
            if ref_allowed == JsValue::FALSE {
                problems.push(JsValue::from_str("REFERRER_NOT_ALLOWED"));
            }
            if let Some(e) = &portal_error {
                if e.kind != Kind::ReferrerNotAllowed {
                    problems.push(JsValue::from_str(e.code()));
                }
            }
            // Privileges.
            let mut wanted: Vec<String> = o.privileges.unwrap_or_default();
            if let Some((p, _)) = required_privilege(&url) {
                if !wanted.iter().any(|w| w == p) {
                    wanted.insert(0, p.to_string());
                }
            }
            let privs = wanted.iter().map(|p| {
                let ok = known && grants(&granted, p);
                if known && !ok {
                    problems.push(JsValue::from_str("MISSING_PRIVILEGE"));
                }
                grant_row("privilege", p, known, ok)
            });
            let privs = array(privs.collect::<Vec<_>>());
            let items = o.item_ids.unwrap_or_default().into_iter().map(|id| {
                let ok = known && granted.contains(&item_access_privilege(&id));
                if known && !ok {
                    problems.push(JsValue::from_str("MISSING_ITEM_ACCESS"));
                }
                grant_row("itemId", &id, known, ok)
            });
            let items = array(items.collect::<Vec<_>>());
            let (masked, slot) = inner.masked(i);
            let ok = problems.is_empty() && known;
            Ok(Obj::new()
                .set("ok", ok)
                .set("slot", JsValue::from_f64(f64::from(slot)))
                .set("maskedKey", masked.as_str())
                .set(
                    "referrer",
                    Obj::new()
                        .set("sent", opt_str(sent.as_deref()))
                        .set(
                            "noReferrerCause",
                            opt_str(
                                prediction
                                    .as_ref()
                                    .and_then(|p| p.cause.map(|c| c.as_str())),
                            ),
                        )
                        .set("allowed", ref_allowed)
                        .set("reason", ref_reason.as_str())
                        .build(),
                )
                .set("privileges", privs)
                .set("items", items)
                .set("problems", array(problems))
                .build())
        })
        .unchecked_into())
    }

    /// Usage per key: requests, failures by code, requests by service. Survives reloads when
    /// `storage` is on.
    ///
    /// ```js
    /// manager.usage()[0].failures.INVALID_TOKEN;
    /// ```
    pub fn usage(&self) -> UsageArray {
        let ring = self.inner.ring.borrow();
        let usage = self.inner.usage.borrow();
        let map = super::storage::counts_js;
        array(ring.entries().iter().zip(usage.iter()).map(|(e, u)| {
            Obj::new()
                .set("slot", JsValue::from_f64(f64::from(e.slot)))
                .set("maskedKey", e.key.masked().as_str())
                .set("dead", e.dead)
                .set("requests", JsValue::from_f64(u.requests as f64))
                .set("failures", map(&u.failures))
                .set("services", map(&u.services))
                .build()
        }))
        .unchecked_into()
    }

    /// The expiry status of each key now (no request).
    ///
    /// ```js
    /// manager.status().map((s) => `${s.slot}: ${s.state}`);
    /// ```
    pub fn status(&self) -> KeyStatusArray {
        let now = self.inner.now();
        let ring = self.inner.ring.borrow();
        array(ring.entries().iter().map(|e| {
            status_obj(&key_status(
                e.expires_at,
                now,
                self.inner.thresholds,
                Some(!e.dead),
            ))
            .set("slot", JsValue::from_f64(f64::from(e.slot)))
            .set("maskedKey", e.key.masked().as_str())
            .build()
        }))
        .unchecked_into()
    }

    /// `EventTarget.addEventListener`: events `expiring`, `critical`, `expired`, `invalid`,
    /// `failover`, `clockSkew`, `storageError` (a `CustomEvent`; the data is in `detail`).
    ///
    /// ```js
    /// manager.addEventListener("critical", (e) => banner(e.detail.message));
    /// ```
    // Typed in the curated part of the .d.ts (src/web/types.rs), with one overload per event.
    #[wasm_bindgen(js_name = addEventListener, skip_typescript)]
    pub fn add_event_listener(
        &self,
        kind: &Str,
        listener: &JsValue,
        options: Option<JsValue>,
    ) -> JsResult<()> {
        call_target(
            &self.inner.events,
            "addEventListener",
            kind,
            listener,
            options,
        )
    }

    /// `EventTarget.removeEventListener`.
    ///
    /// ```js
    /// manager.removeEventListener("failover", onFailover);
    /// ```
    // Typed in the curated part of the .d.ts (src/web/types.rs), with one overload per event.
    #[wasm_bindgen(js_name = removeEventListener, skip_typescript)]
    pub fn remove_event_listener(
        &self,
        kind: &Str,
        listener: &JsValue,
        options: Option<JsValue>,
    ) -> JsResult<()> {
        call_target(
            &self.inner.events,
            "removeEventListener",
            kind,
            listener,
            options,
        )
    }

    /// `EventTarget.dispatchEvent`.
    ///
    /// ```js
    /// manager.dispatchEvent(new CustomEvent("expiring", { detail }));
    /// ```
    #[wasm_bindgen(js_name = dispatchEvent)]
    pub fn dispatch_event(&self, event: &web_sys::Event) -> bool {
        self.inner.events.dispatch_event(event).unwrap_or(false)
    }

    /// A safe summary (keys masked).
    ///
    /// ```js
    /// JSON.stringify(manager); // keys masked
    /// ```
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> CredentialManagerJson {
        let ring = self.inner.ring.borrow();
        Obj::new()
            .set("type", "CredentialManager")
            .set("portal", self.inner.client.root())
            .set(
                "keys",
                array(ring.entries().iter().map(|e| {
                    Obj::new()
                        .set("slot", JsValue::from_f64(f64::from(e.slot)))
                        .set("maskedKey", e.key.masked().as_str())
                        .set("dead", e.dead)
                        .set("expiresAt", opt_date_out(e.expires_at))
                        .build()
                })),
            )
            .build()
            .unchecked_into()
    }

    /// `CredentialManager(<portal>: key 1 AAPT…e1HB, key 2 AAPT…x7Qa)` (keys masked).
    ///
    /// ```js
    /// String(manager); // "CredentialManager(https://…/sharing/rest: key 1 AAPT…e1HB)"
    /// ```
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        let ring = self.inner.ring.borrow();
        let keys: Vec<String> = ring
            .entries()
            .iter()
            .map(|e| format!("key {} {}", e.slot, e.key.masked()))
            .collect();
        format!(
            "CredentialManager({}: {})",
            self.inner.client.root(),
            keys.join(", ")
        )
    }
}

/// `{ <name>: value, granted }` (`granted: null` when the key's privileges are not known).
fn grant_row(name: &str, value: &str, known: bool, ok: bool) -> JsValue {
    let granted = if known {
        JsValue::from_bool(ok)
    } else {
        JsValue::NULL
    };
    Obj::new().set(name, value).set("granted", granted).build()
}

fn options_or<T: JsOptions>(v: Option<JsValue>) -> JsResult<T> {
    options(v.unwrap_or(JsValue::UNDEFINED), "options")
}

/// `EventTarget` method `method` on the manager's events, after checking the arguments the way
/// the library does everywhere (a `CredentialError`, not the platform's `TypeError`). A missing
/// listener is a no-op, as in the DOM.
fn call_target(
    target: &web_sys::EventTarget,
    method: &str,
    kind: &Str,
    listener: &JsValue,
    options: Option<JsValue>,
) -> JsResult<()> {
    let kind = super::convert::req_string(kind, "type")?;
    if listener.is_undefined() || listener.is_null() {
        return Ok(());
    }
    if !listener.is_function() && !listener.is_object() {
        return Err(invalid_argument(
            "listener must be a function or an object with a handleEvent method.",
        ));
    }
    let f: Function = Reflect::get(target, &JsValue::from_str(method))?.dyn_into()?;
    f.call3(
        target,
        &JsValue::from_str(&kind),
        listener,
        &options.unwrap_or(JsValue::UNDEFINED),
    )?;
    Ok(())
}
