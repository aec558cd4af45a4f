//! Key helpers and expiry status for JavaScript.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{date_in, opt_date_out, opt_num, Obj};
use super::error::{from_core, JsResult};
use super::types::{DateInputJs, KeyStatusJs, KeyStatusOptionsJs, SlotOrNull, Str};
use crate::core::expiry::{
    key_status as core_status, KeyStatus, Thresholds, DEFAULT_CRITICAL_DAYS, DEFAULT_WARN_DAYS,
};
use crate::core::json::{Fields, ShapeError};
use crate::core::keys;
use crate::core::time::Millis;

/// `KeyStatusOptions` as read from JavaScript.
#[derive(Default)]
pub struct StatusOptionsJs {
    /// `Date | number`, default: now.
    pub now: JsValue,
    /// Warning window in days.
    pub warn_days: Option<f64>,
    /// Critical window in days.
    pub critical_days: Option<f64>,
    /// The portal's active flag.
    pub active: Option<bool>,
    /// The key itself: a legacy `AAPK` key counts down to Esri's retirement of legacy keys.
    pub key: Option<String>,
}

impl super::convert::JsOptions for StatusOptionsJs {
    const KEYS: &'static [&'static str] = &["now", "warnDays", "criticalDays", "active", "key"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(StatusOptionsJs {
            now: f.raw("now").unwrap_or(JsValue::UNDEFINED),
            warn_days: f.number("warnDays")?,
            critical_days: f.number("criticalDays")?,
            active: f.boolean("active")?,
            key: f.string("key")?,
        })
    }
}

/// Thresholds from optional day counts (defaults 30 and 7).
pub fn thresholds(warn: Option<f64>, critical: Option<f64>) -> JsResult<Thresholds> {
    Thresholds::new(
        warn.unwrap_or(DEFAULT_WARN_DAYS),
        critical.unwrap_or(DEFAULT_CRITICAL_DAYS),
    )
    .map_err(from_core)
}

/// `now` from an option, or the clock.
pub fn now_or_clock(v: &JsValue) -> JsResult<Millis> {
    Ok(date_in(v, "now")?.unwrap_or_else(super::now_ms))
}

/// A `KeyStatus` object.
pub fn status_obj(s: &KeyStatus) -> Obj {
    Obj::new()
        .set("state", s.state.as_str())
        .set("expiresAt", opt_date_out(s.expires_at))
        .set("msLeft", opt_num(s.ms_left))
        .set("daysLeft", opt_num(s.days_left))
}

/// The status of a key expiring at `expiresAt`: `"invalidated"` if `active === false`,
/// `"unknown"` without a date (or -1), then `"expired"`, `"critical"` (≤ criticalDays, default 7),
/// `"expiring"` (≤ warnDays, default 30), else `"active"`. With `options.key` a legacy `AAPK…`
/// key reports `legacy: true` and counts down to Esri's retirement of legacy keys (June 2026):
/// `expired` after it, whatever `expiresAt` says.
///
/// ```js
/// keyStatus(new Date("2026-12-01"), { now: new Date("2026-11-26") }).state; // "critical"
/// keyStatus(null, { key: legacyKey }).legacy; // true
/// ```
#[wasm_bindgen(js_name = keyStatus)]
pub fn key_status(
    #[wasm_bindgen(js_name = expiresAt)] expires_at: &DateInputJs,
    options: Option<KeyStatusOptionsJs>,
) -> JsResult<KeyStatusJs> {
    let expires = date_in(expires_at.as_ref(), "expiresAt")?;
    let o: StatusOptionsJs = super::convert::options(
        options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED),
        "options",
    )?;
    let t = thresholds(o.warn_days, o.critical_days)?;
    let now = now_or_clock(&o.now)?;
    let legacy = o.key.as_deref().is_some_and(keys::is_legacy_key);
    let status = if legacy {
        crate::core::expiry::legacy_key_status(now, t)
    } else {
        core_status(expires, now, t, o.active)
    };
    Ok(status_obj(&status)
        .set("legacy", legacy)
        .build()
        .unchecked_into())
}

/// The slot (1 or 2) a key belongs to, from its `.AT1_` / `.AT2_` tail; `null` for legacy keys.
///
/// ```js
/// keySlot("AAPT…AT2_WilXzfTa"); // 2
/// ```
#[wasm_bindgen(js_name = keySlot)]
pub fn key_slot(key: &Str) -> JsResult<SlotOrNull> {
    let slot = keys::key_slot(&super::convert::req_string(key, "key")?);
    Ok(slot
        .map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s)))
        .unchecked_into())
}

/// `true` for legacy API keys (`AAPK…`), which have no slot and no expiry.
///
/// ```js
/// isLegacyKey("AAPK1234…"); // true
/// ```
#[wasm_bindgen(js_name = isLegacyKey)]
pub fn is_legacy_key(key: &Str) -> JsResult<bool> {
    Ok(keys::is_legacy_key(&super::convert::req_string(
        key, "key",
    )?))
}

/// A display form of a key: the first and last four characters (`AAPT…e1HB`); keys shorter than
/// 12 characters are fully masked (`****`).
///
/// ```js
/// maskKey(apiKey); // "AAPT…e1HB"
/// ```
#[wasm_bindgen(js_name = maskKey)]
pub fn mask_key(key: &Str) -> JsResult<String> {
    Ok(keys::mask_key(&super::convert::req_string(key, "key")?))
}
