//! The objects `CredentialManager` answers with: `inspect()`'s key reports, `preflight()`'s
//! verdict, and the dead-mark fields of a key's status. Built from the portal layer's reports.

use wasm_bindgen::prelude::*;

use super::convert::{array, opt_date_out, opt_str, Obj};
use super::events::slot_js;
use super::keys::status_obj;
use crate::core::keyring::DeadMark;
use crate::portal::manager::{KeyReport, Preflight};

/// `{ deadSince, deadUrl }` of a key's mark (`null`s when it has none).
pub fn with_mark(o: Obj, dead: Option<&DeadMark>) -> Obj {
    o.set("dead", dead.is_some())
        .set("deadSince", opt_date_out(dead.map(|d| d.since)))
        .set("deadUrl", opt_str(dead.map(|d| d.url.as_str())))
}

/// One `KeyReport` of `inspect()`.
pub fn key_report_js(r: KeyReport) -> JsValue {
    let info = r.app_info.map_or(JsValue::NULL, |a| {
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
    });
    let referrer = Obj::new()
        .set("sent", opt_str(r.referrer_sent.as_deref()))
        .set("noReferrerCause", opt_str(r.no_referrer_cause))
        .set(
            "acceptedByPortal",
            r.accepted_by_portal
                .map_or(JsValue::NULL, JsValue::from_bool),
        )
        .build();
    let error = r.error.map_or(JsValue::NULL, |err| {
        Obj::new()
            .set("code", err.code())
            .set("portalCode", super::convert::opt_num(err.portal_code))
            .set("message", err.to_string().as_str())
            .build()
    });
    let k = &r.key;
    with_mark(Obj::new(), k.dead.as_ref())
        .set("slot", slot_js(k.slot))
        .set("maskedKey", k.masked.as_str())
        .set("legacy", k.legacy)
        .set(
            "status",
            status_obj(&k.status).set("legacy", k.legacy).build(),
        )
        .set("healed", r.healed)
        .set("appInfo", info)
        .set("referrer", referrer)
        .set("error", error)
        .build()
}

/// `preflight()`'s `PreflightReport`.
pub fn preflight_js(p: Preflight) -> JsValue {
    let rows = |name: &str, list: Vec<(String, Option<bool>)>| {
        array(list.into_iter().map(|(v, granted)| {
            Obj::new()
                .set(name, v.as_str())
                .set("granted", granted.map_or(JsValue::NULL, JsValue::from_bool))
                .build()
        }))
    };
    Obj::new()
        .set("ok", p.ok)
        .set("slot", slot_js(p.slot))
        .set("maskedKey", p.masked.as_str())
        .set(
            "referrer",
            Obj::new()
                .set("sent", opt_str(p.referrer.sent.as_deref()))
                .set("noReferrerCause", opt_str(p.referrer.no_referrer_cause))
                .set(
                    "allowed",
                    p.referrer.allowed.map_or(JsValue::NULL, JsValue::from_bool),
                )
                .set("reason", p.referrer.reason.as_str())
                .build(),
        )
        .set("privileges", rows("privilege", p.privileges))
        .set("items", rows("itemId", p.items))
        .set(
            "problems",
            array(p.problems.into_iter().map(JsValue::from_str)),
        )
        .build()
}
