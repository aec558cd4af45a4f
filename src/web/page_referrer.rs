//! What an app page sends as `Referer` (`effectiveReferrer`, the Referrer-Policy algorithm;
//! `checkPageReferrer`, for the current document). App package only: the owner's console checks
//! referrer lists, not the page it runs on.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{opt_str, opt_string, req_string, string_array};
use super::error::{from_core, invalid_argument, JsResult};
use super::referrer::decision_js;
use super::types::{OptStr, PageReferrerDecisionJs, Str, StringArray};
use crate::core::referrer::policy::{
    effective_referrer as predict, NoReferrerCause, ReferrerPolicy,
};
use crate::core::referrer::{ReferrerRules as CoreRules, RulesOptions};

fn policy_arg(v: Option<String>) -> JsResult<ReferrerPolicy> {
    match v {
        None => Ok(ReferrerPolicy::default()),
        Some(p) => ReferrerPolicy::parse(&p).ok_or_else(|| {
            invalid_argument("policy must be a Referrer-Policy value such as \"strict-origin-when-cross-origin\".")
        }),
    }
}

/// Predicts the `Referer` header a document at `pageUrl` sends with a request to `requestUrl`,
/// following the Referrer Policy spec; `null` when none is sent.
///
/// ```js
/// effectiveReferrer("https://app.example.com/map?x=1", "https://geocode-api.arcgis.com/...");
/// // "https://app.example.com/"
/// ```
#[wasm_bindgen(js_name = effectiveReferrer)]
pub fn effective_referrer(
    #[wasm_bindgen(js_name = pageUrl)] page_url: &Str,
    #[wasm_bindgen(js_name = requestUrl)] request_url: &Str,
    policy: Option<OptStr>,
    #[wasm_bindgen(js_name = opaqueOrigin)] opaque_origin: Option<bool>,
) -> JsResult<OptStr> {
    let page_url = req_string(page_url, "pageUrl")?;
    let request_url = req_string(request_url, "requestUrl")?;
    let policy = match policy {
        Some(p) => opt_string(&p, "policy")?,
        None => None,
    };
    let policy = policy_arg(policy)?;
    let p = predict(
        &page_url,
        &request_url,
        policy,
        opaque_origin.unwrap_or(false),
    )
    .map_err(from_core)?;
    Ok(opt_str(p.referrer.as_deref()).unchecked_into())
}

/// The current document's URL, referrer policy and opaque-origin flag, when there is a document.
pub fn page_context() -> Option<(String, ReferrerPolicy, bool)> {
    let window = web_sys::window()?;
    let document = window.document()?;
    let href = window.location().href().ok()?;
    let mut policy = ReferrerPolicy::default();
    if let Ok(metas) = document.query_selector_all("meta[name=\"referrer\" i]") {
        for i in 0..metas.length() {
            if let Some(el) = metas
                .item(i)
                .and_then(|n| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(n).ok())
            {
                if let Some(p) = el
                    .get_attribute("content")
                    .as_deref()
                    .and_then(ReferrerPolicy::from_meta)
                {
                    policy = p;
                }
            }
        }
    }
    let origin = js_sys::Reflect::get(&window, &JsValue::from_str("origin"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    Some((href, policy, origin == "null"))
}

/// Predicts, for the current document, the `Referer` a request to `requestUrl` will carry and
/// whether `allowed` lets it through. In Node (no document) the referrer is `null`.
///
/// ```js
/// const d = checkPageReferrer(["https://app.example.com"], "https://geocode-api.arcgis.com/");
/// if (!d.allowed) console.warn(d.reason, d.referrer);
/// ```
#[wasm_bindgen(js_name = checkPageReferrer)]
pub fn check_page_referrer(
    allowed: &StringArray,
    #[wasm_bindgen(js_name = requestUrl)] request_url: &Str,
) -> JsResult<PageReferrerDecisionJs> {
    let list = string_array(allowed, "allowed")?;
    let request_url = req_string(request_url, "requestUrl")?;
    let rules = CoreRules::new(&list, RulesOptions::default()).map_err(from_core)?;
    let (referrer, cause) = match page_context() {
        Some((href, policy, opaque)) => {
            let p = predict(&href, &request_url, policy, opaque).map_err(from_core)?;
            (p.referrer, p.cause)
        }
        None => (None, None),
    };
    let d = rules.check(referrer.as_deref());
    Ok(decision_js(&d)
        .set("referrer", opt_str(referrer.as_deref()))
        .set(
            "noReferrerCause",
            opt_str(cause.map(NoReferrerCause::as_str)),
        )
        .build()
        .unchecked_into())
}
