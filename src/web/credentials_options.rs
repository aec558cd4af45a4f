//! The option objects of `ApiKeyCredentials` (its constructor, `status`, `rotationPlan`), read
//! with typed errors.

use wasm_bindgen::prelude::*;

use super::convert::*;
use super::error::*;
use crate::core::credentials::KeySlot;
use crate::core::json::{Fields, ShapeError};
use crate::core::keys::ApiKey;

#[derive(Default)]
pub(super) struct SlotOptionsJs {
    pub(super) expires_at: JsValue,
    pub(super) active: Option<bool>,
    pub(super) key: Option<String>,
}

impl JsOptions for SlotOptionsJs {
    const KEYS: &'static [&'static str] = &["expiresAt", "active", "key"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(SlotOptionsJs {
            expires_at: f.raw("expiresAt").unwrap_or(JsValue::UNDEFINED),
            active: f.boolean("active")?,
            key: f.string("key")?,
        })
    }
}

#[derive(Default)]
pub(super) struct CredentialsOptionsJs {
    pub(super) item_id: Option<String>,
    pub(super) title: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) portal_url: Option<String>,
    pub(super) client_id: Option<String>,
    pub(super) privileges: Option<Vec<String>>,
    pub(super) http_referrers: Option<Vec<String>>,
    pub(super) key1: Option<SlotOptionsJs>,
    pub(super) key2: Option<SlotOptionsJs>,
    pub(super) is_personal_api_token: Option<bool>,
}

impl JsOptions for CredentialsOptionsJs {
    const KEYS: &'static [&'static str] = &[
        "itemId",
        "title",
        "owner",
        "portalUrl",
        "clientId",
        "privileges",
        "httpReferrers",
        "key1",
        "key2",
        "isPersonalAPIToken",
    ];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(CredentialsOptionsJs {
            item_id: f.string("itemId")?,
            title: f.string("title")?,
            owner: f.string("owner")?,
            portal_url: f.string("portalUrl")?,
            client_id: f.string("clientId")?,
            privileges: f.strings("privileges")?,
            http_referrers: f.strings("httpReferrers")?,
            key1: nested(f, "key1")?,
            key2: nested(f, "key2")?,
            is_personal_api_token: f.boolean("isPersonalAPIToken")?,
        })
    }
}

#[derive(Default)]
pub(super) struct PlanOptionsJs {
    pub(super) now: JsValue,
    pub(super) warn_days: Option<f64>,
    pub(super) critical_days: Option<f64>,
    pub(super) deploy_lead_days: Option<f64>,
    pub(super) in_use: Option<u8>,
}

impl JsOptions for PlanOptionsJs {
    const KEYS: &'static [&'static str] =
        &["now", "warnDays", "criticalDays", "deployLeadDays", "inUse"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        let in_use = match f.number("inUse")? {
            None => None,
            Some(n) if n == 1.0 || n == 2.0 => Some(n as u8),
            Some(_) => return Err(ShapeError::new("options.inUse", "1 or 2")),
        };
        Ok(PlanOptionsJs {
            now: f.raw("now").unwrap_or(JsValue::UNDEFINED),
            warn_days: f.number("warnDays")?,
            critical_days: f.number("criticalDays")?,
            deploy_lead_days: f.number("deployLeadDays")?,
            in_use,
        })
    }
}

#[derive(Default)]
pub(super) struct ThresholdOptionsJs {
    pub(super) warn_days: Option<f64>,
    pub(super) critical_days: Option<f64>,
}

impl JsOptions for ThresholdOptionsJs {
    const KEYS: &'static [&'static str] = &["warnDays", "criticalDays"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(ThresholdOptionsJs {
            warn_days: f.number("warnDays")?,
            critical_days: f.number("criticalDays")?,
        })
    }
}

pub(super) fn slot_from(o: Option<SlotOptionsJs>, what: &str) -> JsResult<KeySlot> {
    let Some(o) = o else {
        return Ok(KeySlot::default());
    };
    let key = match o.key {
        Some(k) => Some(ApiKey::new(k).map_err(from_core)?),
        None => None,
    };
    Ok(KeySlot {
        expires_at: date_in(&o.expires_at, what)?,
        active: o.active,
        key,
    })
}
