//! `CredentialManager`: holds the app's keys, asks the portal about them, warns before they
//! expire, fails over from a dead key to the other slot, tracks usage, and plugs into Esri's
//! JavaScript client as its `authentication`.

use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{array, opt_date_out, Obj};
use super::error::{credential_error, from_core, from_portal, invalid_argument, JsResult};
use super::events::{slot_js, WebHost, CONSOLE_SEEN};
use super::future_to_promise;
use super::keys::{status_obj, thresholds};
use super::manager_options::{
    options_or, parse_keys, ranged, request_options, request_params, ManagerOptionsJs,
    PreflightOptionsJs,
};
use super::reports::{key_report_js, preflight_js, with_mark};
use super::storage::StorageArea;
use super::transport::FetchTransport;
use super::types::*;
use crate::core::keyring::DEFAULT_RETRY_WINDOW_MS;
use crate::core::time::Millis;
use crate::portal::manager::{
    self as m, Host as _, ManagerConfig, ManagerError, DEFAULT_TIMEOUT_MS,
};

type Inner = m::Manager<FetchTransport, WebHost>;

/// A `CredentialError` for a manager failure.
fn manager_error(e: ManagerError) -> JsValue {
    match e {
        ManagerError::Portal(e) => from_portal(&e),
        ManagerError::AllDead {
            message,
            portal_code,
        } => credential_error("INVALID_TOKEN", &message, portal_code, JsValue::UNDEFINED),
        ManagerError::Invalid(e) => from_core(e),
    }
}

/// Holds an app's API keys (one or two), picks the right one, fails over on an invalid key,
/// warns before a key expires, and tracks usage. It is an `IAuthenticationManager`, so it can be
/// passed as `authentication` to `@esri/arcgis-rest-request`, and it honours any portal URL.
///
/// ```js
/// const manager = new CredentialManager({ portal: "https://www.arcgis.com", keys: [key1, key2] });
/// manager.addEventListener("expiring", (e) => banner.show(e.detail.message));
/// manager.addEventListener("failover", async () => { esriConfig.apiKey = await manager.getToken(); });
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
        let timeout_ms = ranged(
            o.timeout_ms,
            1.0..=600_000.0,
            f64::from(DEFAULT_TIMEOUT_MS),
            "options.timeoutMs must be between 1 and 600000.",
        )? as u32;
        let retry_window_ms = ranged(
            o.retry_window_ms,
            1_000.0..=86_400_000.0,
            DEFAULT_RETRY_WINDOW_MS as f64,
            "options.retryWindowMs must be between 1000 and 86400000.",
        )? as Millis;
        let root = crate::portal::request::rest_root(&portal).ok_or_else(|| {
            invalid_argument("The portal URL must be an absolute http(s) URL such as https://www.arcgis.com or https://host/portal.")
        })?;
        let storage = match o.storage.as_deref() {
            None => None,
            Some(area @ ("local" | "session")) => StorageArea::open(area, &root),
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
            Vec::new()
        } else {
            parse_keys(&o.keys)?
        };
        let events = web_sys::EventTarget::new()
            .map_err(|_| invalid_argument("EventTarget is not available in this environment."))?;
        let config = ManagerConfig {
            portal,
            keys,
            thresholds: thresholds(o.warn_days, o.critical_days)?,
            timeout_ms,
            retry_window_ms,
            http_referrers: o.http_referrers,
            persist_keys: o.persist_keys.unwrap_or(false),
        };
        let host = WebHost { events, storage };
        let seen = CONSOLE_SEEN.with(Rc::clone);
        let inner = Rc::new(
            m::Manager::new(
                FetchTransport { timeout_ms },
                host,
                config,
                stored.as_ref(),
                seen,
            )
            .map_err(manager_error)?,
        );
        if let Some(s) = &inner.host.storage {
            // Other tabs' changes (dead marks, successes, usage) arrive through `storage`.
            let weak = Rc::downgrade(&inner);
            s.listen(move |p| {
                if let Some(inner) = weak.upgrade() {
                    inner.apply_stored(&p);
                }
            });
        }
        // Listeners are attached after the constructor returns: report on the next tick.
        let later = inner.clone();
        let _ = future_to_promise(async move {
            if let Some(p) = problem {
                later.host.deliver(vec![crate::core::manager::Event::StorageError {
                    reason: p.as_str(),
                    message: "The stored state was unusable and has been replaced; other storage entries were not touched.",
                }]);
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
        self.inner.root().to_string()
    }

    /// The key to use now (`IAuthenticationManager.getToken`). When every key is marked dead,
    /// re-probes them once per retry window, then rejects with `INVALID_TOKEN`.
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
        // Known without a request (the common case): a settled promise, no task.
        match self.inner.token_now(url.as_deref()) {
            Some(Ok(key)) => Promise::resolve(&JsValue::from_str(&key)),
            Some(Err(e)) => Promise::reject(&manager_error(e)),
            None => {
                let inner = self.inner.clone();
                future_to_promise(async move {
                    inner
                        .token(url.as_deref())
                        .await
                        .map(|k| JsValue::from_str(&k))
                        .map_err(manager_error)
                })
            }
        }
        .unchecked_into()
    }

    /// The key to use now, synchronously: for a map library's `transformRequest`, which cannot
    /// wait for a promise. The key `getToken(url)` would give, or `undefined` when every key is
    /// marked dead (`getToken()` then re-probes them, once per retry window).
    /// With `url`, counts a request to that service in `usage()`, as `getToken(url)` does.
    ///
    /// ```js
    /// new maplibregl.Map({ transformRequest: (url) => ({ url: `${url}?token=${manager.currentKey(url)}` }) });
    /// ```
    #[wasm_bindgen(js_name = currentKey)]
    pub fn current_key(&self, url: Option<OptStr>) -> JsResult<Option<String>> {
        let url =
            super::convert::opt_string(&url.map_or(JsValue::UNDEFINED, JsValue::from), "url")?;
        Ok(self.inner.token_now(url.as_deref()).and_then(Result::ok))
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
            inner.refresh().await.map_err(manager_error)?;
            Ok(CredentialManager { inner }.into())
        })
        .unchecked_into()
    }

    /// Calls a portal or service URL with the best key; on `INVALID_TOKEN` retries once with the
    /// other key (emitting `failover`); never retries other errors. Resolves to the JSON answer;
    /// rejects with a `CredentialError`. Sharing API URLs always go as a form POST (the sharing
    /// API answers no CORS preflight); `options.method` applies to other services (GET by
    /// default). The key travels as Esri's clients send it, in the form body or the `token`
    /// query parameter, so a call from another origin needs no CORS preflight;
    /// `options.authHeader: true` puts it in `X-Esri-Authorization` instead, which costs one
    /// preflight round trip per distinct URL from another origin.
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
        let list = request_params(params.map_or(JsValue::UNDEFINED, JsValue::from))?;
        let how = request_options(options.map(JsValue::from))?;
        let inner = self.inner.clone();
        Ok(future_to_promise(
            async move { inner.request(&url, list, how).await.map_err(manager_error) },
        )
        .unchecked_into())
    }

    /// Asks the portal about every key (`portals/self` → `appInfo`), whatever their dead marks:
    /// expiration, privileges, whether the portal accepts this page's referrer. A key the
    /// portal accepts is no longer marked dead (`healed: true`); the status and expiry events
    /// are updated.
    ///
    /// ```js
    /// for (const r of await manager.inspect()) console.log(r.slot, r.status.state, r.error?.code);
    /// ```
    pub fn inspect(&self) -> KeyReportsPromise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let reports = inner.inspect().await;
            Ok(array(reports.into_iter().map(key_report_js)))
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
            let p = inner
                .preflight(
                    &url,
                    o.privileges.unwrap_or_default(),
                    o.item_ids.unwrap_or_default(),
                )
                .await
                .map_err(manager_error)?;
            Ok(preflight_js(p))
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
        let st = self.inner.state();
        let map = super::storage::counts_js;
        array(st.ring.entries().iter().zip(st.usage.iter()).map(|(e, u)| {
            Obj::new()
                .set("slot", slot_js(e.slot))
                .set("maskedKey", e.key.masked().as_str())
                .set("dead", e.is_dead())
                .set("requests", JsValue::from_f64(u.requests as f64))
                .set("failures", map(&u.failures))
                .set("services", map(&u.services))
                .build()
        }))
        .unchecked_into()
    }

    /// The status of each key now (no request): expiry state, legacy, and the dead mark
    /// (`dead`, `deadSince`, `deadUrl`) when the portal refused the key.
    ///
    /// ```js
    /// manager.status().map((s) => `${s.slot}: ${s.state}`);
    /// ```
    pub fn status(&self) -> KeyStatusArray {
        array(self.inner.status().into_iter().map(|r| {
            with_mark(status_obj(&r.status), r.dead.as_ref())
                .set("slot", slot_js(r.slot))
                .set("maskedKey", r.masked.as_str())
                .set("legacy", r.legacy)
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
            &self.inner.host.events,
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
            &self.inner.host.events,
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
        self.inner
            .host
            .events
            .dispatch_event(event)
            .unwrap_or(false)
    }

    /// A safe summary (keys masked).
    ///
    /// ```js
    /// JSON.stringify(manager); // keys masked
    /// ```
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> CredentialManagerJson {
        let st = self.inner.state();
        Obj::new()
            .set("type", "CredentialManager")
            .set("portal", self.inner.root())
            .set(
                "keys",
                array(st.ring.entries().iter().map(|e| {
                    Obj::new()
                        .set("slot", slot_js(e.slot))
                        .set("maskedKey", e.key.masked().as_str())
                        .set("dead", e.is_dead())
                        .set("expiresAt", opt_date_out(e.expires_at))
                        .build()
                })),
            )
            .build()
            .unchecked_into()
    }

    /// `CredentialManager(<portal>: API key 1 (AAPT…e1HB), API key 2 (AAPT…x7Qa))` (keys masked).
    ///
    /// ```js
    /// String(manager); // "CredentialManager(https://…/sharing/rest: API key 1 (AAPT…e1HB))"
    /// ```
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        let st = self.inner.state();
        let keys: Vec<String> = st.ring.entries().iter().map(|e| e.label()).collect();
        format!(
            "CredentialManager({}: {})",
            self.inner.root(),
            keys.join(", ")
        )
    }
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
