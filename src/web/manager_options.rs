//! What `CredentialManager` reads from JavaScript: its options, the keys, and a request's
//! parameters and options, each checked into a typed Rust value (`CredentialError` otherwise).

use js_sys::Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{date_in, get, options, JsOptions};
use super::error::{credential_error, from_core, invalid_argument, JsResult};
use crate::core::json::{Fields, ShapeError};
use crate::core::keys::ApiKey;
use crate::core::time::Millis;
use crate::portal::manager::Sending;
use crate::portal::request::Method;

#[derive(Default)]
pub struct ManagerOptionsJs {
    pub portal: Option<String>,
    pub keys: JsValue,
    pub warn_days: Option<f64>,
    pub critical_days: Option<f64>,
    pub timeout_ms: Option<f64>,
    pub storage: Option<String>,
    pub persist_keys: Option<bool>,
    pub http_referrers: Option<Vec<String>>,
    pub retry_window_ms: Option<f64>,
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
        "retryWindowMs",
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
            retry_window_ms: f.number("retryWindowMs")?,
        })
    }
}

#[derive(Default)]
pub struct RequestOptionsJs {
    pub method: Option<String>,
    pub auth_header: Option<bool>,
}

impl JsOptions for RequestOptionsJs {
    const KEYS: &'static [&'static str] = &["method", "authHeader"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(RequestOptionsJs {
            method: f.string("method")?,
            auth_header: f.boolean("authHeader")?,
        })
    }
}

#[derive(Default)]
pub struct PreflightOptionsJs {
    pub privileges: Option<Vec<String>>,
    pub item_ids: Option<Vec<String>>,
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

/// A number option within `range`, or its default. (The message is given whole: formatting a
/// float would bring Rust's float printing into the module, about 10 KB gzip.)
pub fn ranged(
    v: Option<f64>,
    range: core::ops::RangeInclusive<f64>,
    default: f64,
    message: &str,
) -> JsResult<f64> {
    match v {
        None => Ok(default),
        Some(t) if range.contains(&t) => Ok(t),
        Some(_) => Err(invalid_argument(message)),
    }
}

pub fn parse_keys(v: &JsValue) -> JsResult<Vec<(ApiKey, Option<Millis>)>> {
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

/// The options object of a call (`undefined` → the defaults).
pub fn options_or<T: JsOptions>(v: Option<JsValue>) -> JsResult<T> {
    options(v.unwrap_or(JsValue::UNDEFINED), "options")
}

/// A request's parameters: an object's entries as form pairs (objects as JSON, `null` and
/// `undefined` left out). A `token` is refused: the manager adds the key.
pub fn request_params(params: JsValue) -> JsResult<Vec<(String, String)>> {
    let mut list = Vec::new();
    if params.is_undefined() || params.is_null() {
        return Ok(list);
    }
    let obj = params
        .dyn_ref::<js_sys::Object>()
        .filter(|_| !params.is_array())
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
    Ok(list)
}

/// How a request sends the key, from its options.
pub fn request_options(options: Option<JsValue>) -> JsResult<Sending> {
    let o: RequestOptionsJs = options_or(options)?;
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
    Ok(Sending {
        method,
        header: o.auth_header.unwrap_or(false),
    })
}
