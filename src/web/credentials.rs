//! `ApiKeyCredentials`, the rotation plan and the calendar reminder for JavaScript.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{
    array, date_in, date_out, from_js, get, nested, opt_date_out, opt_str, options, req_string,
    JsOptions, Obj,
};
use super::error::{from_core, invalid_argument, JsResult};
use super::keys::{now_or_clock, status_obj, thresholds};
use super::types::*;
use crate::core::credentials::{Credentials, CredentialsData, KeySlot};
#[cfg(feature = "owner")]
use crate::core::ics::{rotation_reminder_ics as core_ics, Reminder, ReminderContext};
use crate::core::json::{Fields, FromJson, ShapeError};
use crate::core::keys::ApiKey;
use crate::core::referrer::RulesOptions;
use crate::core::rotation::{PlanOptions, RotationPlan, DEFAULT_DEPLOY_LEAD_DAYS};
use crate::portal::types::{credentials_from_app_info, AppInfoJson};

#[derive(Default)]
struct SlotOptionsJs {
    expires_at: JsValue,
    active: Option<bool>,
    key: Option<String>,
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
struct CredentialsOptionsJs {
    item_id: Option<String>,
    title: Option<String>,
    owner: Option<String>,
    portal_url: Option<String>,
    client_id: Option<String>,
    privileges: Option<Vec<String>>,
    http_referrers: Option<Vec<String>>,
    key1: Option<SlotOptionsJs>,
    key2: Option<SlotOptionsJs>,
    is_personal_api_token: Option<bool>,
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
struct PlanOptionsJs {
    now: JsValue,
    warn_days: Option<f64>,
    critical_days: Option<f64>,
    deploy_lead_days: Option<f64>,
    in_use: Option<u8>,
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
struct ThresholdOptionsJs {
    warn_days: Option<f64>,
    critical_days: Option<f64>,
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

fn slot_from(o: Option<SlotOptionsJs>, what: &str) -> JsResult<KeySlot> {
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

/// API key credentials: an item holding up to two keys, with privileges, item access and
/// referrer restrictions.
///
/// ```js
/// const creds = ApiKeyCredentials.fromAppInfo(portalSelf, key);
/// creds.status()[0].state;        // "expiring"
/// creds.rotationPlan().action;    // "generateSecondary"
/// ```
#[wasm_bindgen]
pub struct ApiKeyCredentials {
    inner: Credentials,
}

impl ApiKeyCredentials {
    /// The core model.
    pub fn core(&self) -> &Credentials {
        &self.inner
    }

    /// Wraps a core model.
    pub fn from_core_model(inner: Credentials) -> Self {
        ApiKeyCredentials { inner }
    }
}

fn json_arg<T: FromJson>(v: &JsValue, what: &str) -> JsResult<T> {
    if !v.is_object() || v.is_array() {
        return Err(invalid_argument(&format!(
            "{what} must be the portal's JSON object."
        )));
    }
    from_js(v, what)
}

#[wasm_bindgen]
impl ApiKeyCredentials {
    /// Builds credentials from plain options.
    ///
    /// ```js
    /// new ApiKeyCredentials({ itemId, privileges: ["premium:user:basemaps"],
    ///   key1: { expiresAt: new Date("2027-01-31"), active: true } });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(options: ApiKeyCredentialsOptionsJs) -> JsResult<ApiKeyCredentials> {
        let o: CredentialsOptionsJs = super::convert::options(options.into(), "options")?;
        let item_id = o
            .item_id
            .ok_or_else(|| invalid_argument("options.itemId is required."))?;
        let data = CredentialsData {
            item_id,
            title: o.title.unwrap_or_default(),
            owner: o.owner.unwrap_or_default(),
            portal_url: o.portal_url.unwrap_or_default(),
            client_id: o.client_id,
            privileges: o.privileges.unwrap_or_default(),
            http_referrers: o.http_referrers.unwrap_or_default(),
            slots: [
                slot_from(o.key1, "key1.expiresAt")?,
                slot_from(o.key2, "key2.expiresAt")?,
            ],
            is_personal: o.is_personal_api_token,
        };
        Ok(ApiKeyCredentials {
            inner: Credentials::new(data).map_err(from_core)?,
        })
    }

    /// Builds credentials from the portal's item JSON (`content/items/{id}`) and its
    /// `registeredAppInfo` JSON, which only the owner can read (package
    /// `apikey-credentials-owner`).
    ///
    /// ```js
    /// const creds = ApiKeyCredentials.fromPortal(itemJson, appJson, "https://www.arcgis.com/sharing/rest");
    /// ```
    #[cfg(feature = "owner")]
    #[wasm_bindgen(js_name = fromPortal)]
    pub fn from_portal(
        item: &JsonObject,
        #[wasm_bindgen(js_name = registeredAppInfo)] registered_app_info: &JsonObject,
        #[wasm_bindgen(js_name = portalUrl)] portal_url: Option<OptStr>,
    ) -> JsResult<ApiKeyCredentials> {
        let item: crate::portal::types::ItemJson = json_arg(item.as_ref(), "item")?;
        let app: crate::portal::types::RegisteredAppJson =
            json_arg(registered_app_info.as_ref(), "registeredAppInfo")?;
        let portal = match portal_url {
            Some(p) => super::convert::opt_string(&p, "portalUrl")?.unwrap_or_default(),
            None => String::new(),
        };
        let data = crate::portal::types::credentials_from_portal(&item, &app, &portal);
        Ok(ApiKeyCredentials {
            inner: Credentials::new(data).map_err(from_core)?,
        })
    }

    /// Builds what a bare key can see of its credentials, from `portals/self` (its `appInfo`).
    ///
    /// ```js
    /// const self = await (await fetch(`${portal}/sharing/rest/portals/self?f=json`, ...)).json();
    /// const creds = ApiKeyCredentials.fromAppInfo(self, key);
    /// ```
    #[wasm_bindgen(js_name = fromAppInfo)]
    pub fn from_app_info(
        #[wasm_bindgen(js_name = portalSelf)] portal_self: &JsonObject,
        key: &Str,
        #[wasm_bindgen(js_name = portalUrl)] portal_url: Option<OptStr>,
    ) -> JsResult<ApiKeyCredentials> {
        let info_v = get(portal_self.as_ref(), "appInfo");
        let info: AppInfoJson = json_arg(&info_v, "portalSelf.appInfo")?;
        let key = ApiKey::new(req_string(key, "key")?).map_err(from_core)?;
        let portal = match portal_url {
            Some(p) => super::convert::opt_string(&p, "portalUrl")?.unwrap_or_default(),
            None => String::new(),
        };
        let data = credentials_from_app_info(&info, key, &portal);
        Ok(ApiKeyCredentials {
            inner: Credentials::new(data).map_err(from_core)?,
        })
    }

    /// The credentials item's id.
    ///
    /// ```js
    /// creds.itemId;
    /// ```
    #[wasm_bindgen(getter, js_name = itemId)]
    pub fn item_id(&self) -> String {
        self.inner.data().item_id.clone()
    }

    /// The item title.
    ///
    /// ```js
    /// creds.title;
    /// ```
    #[wasm_bindgen(getter)]
    pub fn title(&self) -> String {
        self.inner.data().title.clone()
    }

    /// The item owner.
    ///
    /// ```js
    /// creds.owner; // "owner_username"
    /// ```
    #[wasm_bindgen(getter)]
    pub fn owner(&self) -> String {
        self.inner.data().owner.clone()
    }

    /// The portal URL given when the credentials were built.
    ///
    /// ```js
    /// creds.portalUrl;
    /// ```
    #[wasm_bindgen(getter, js_name = portalUrl)]
    pub fn portal_url(&self) -> String {
        self.inner.data().portal_url.clone()
    }

    /// The registered app's client id, when known.
    ///
    /// ```js
    /// creds.clientId; // the registered app's client id
    /// ```
    #[wasm_bindgen(getter, js_name = clientId)]
    pub fn client_id(&self) -> Option<String> {
        self.inner.data().client_id.clone()
    }

    /// All privileges, item access included.
    ///
    /// ```js
    /// creds.privileges; // ["premium:user:basemaps", …]
    /// ```
    #[wasm_bindgen(getter)]
    pub fn privileges(&self) -> StringArray {
        array(
            self.inner
                .data()
                .privileges
                .iter()
                .map(|p| JsValue::from_str(p)),
        )
        .unchecked_into()
    }

    /// The item ids the keys can access.
    ///
    /// ```js
    /// creds.itemAccess; // ["0123456789abcdef0123456789abcdef"]
    /// ```
    #[wasm_bindgen(getter, js_name = itemAccess)]
    pub fn item_access(&self) -> StringArray {
        array(
            self.inner
                .item_access()
                .iter()
                .map(|p| JsValue::from_str(p)),
        )
        .unchecked_into()
    }

    /// The referrer restrictions (empty: unrestricted).
    ///
    /// ```js
    /// creds.httpReferrers; // ["https://app.example.com"]
    /// ```
    #[wasm_bindgen(getter, js_name = httpReferrers)]
    pub fn http_referrers(&self) -> StringArray {
        array(
            self.inner
                .data()
                .http_referrers
                .iter()
                .map(|p| JsValue::from_str(p)),
        )
        .unchecked_into()
    }

    /// Personal-scope credentials (`isPersonalAPIToken`), when known.
    ///
    /// ```js
    /// creds.isPersonalAPIToken; // false for standard-scope keys
    /// ```
    #[wasm_bindgen(getter, js_name = isPersonalAPIToken)]
    pub fn is_personal(&self) -> Option<bool> {
        self.inner.data().is_personal
    }

    /// Every privilege with its documentation group and label.
    ///
    /// ```js
    /// creds.privilegeDetails.filter(p => p.group === "locationServices");
    /// ```
    #[wasm_bindgen(getter, js_name = privilegeDetails)]
    pub fn privilege_details(&self) -> PrivilegeInfoArray {
        array(
            self.inner
                .describe_privileges()
                .iter()
                .map(super::privileges::info_js),
        )
        .unchecked_into()
    }

    /// Both slots' status at `now` (default: the current time).
    ///
    /// ```js
    /// const [k1, k2] = creds.status();
    /// k1.state; k1.daysLeft; k2.generated;
    /// ```
    pub fn status(
        &self,
        now: Option<OptDateInput>,
        options: Option<ThresholdOptionsType>,
    ) -> JsResult<SlotStatusPair> {
        let now = now_or_clock(&now.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
        let o: ThresholdOptionsJs = options_or_default(options.map(JsValue::from))?;
        let t = thresholds(o.warn_days, o.critical_days)?;
        let st = self.inner.status(now, t);
        let out = st.iter().enumerate().map(|(i, s)| {
            let slot = self.inner.data().slots.get(i);
            status_obj(s)
                .set("slot", JsValue::from_f64((i + 1) as f64))
                .set("generated", slot.is_some_and(KeySlot::generated))
                .set(
                    "maskedKey",
                    opt_str(
                        slot.and_then(|s| s.key.as_ref())
                            .map(|k| k.masked())
                            .as_deref(),
                    ),
                )
                .build()
        });
        Ok(array(out).unchecked_into())
    }

    /// `true` when the privileges grant `privilege`.
    ///
    /// ```js
    /// creds.hasPrivilege("premium:user:geocode");
    /// ```
    #[wasm_bindgen(js_name = hasPrivilege)]
    pub fn has_privilege(&self, privilege: &Str) -> JsResult<bool> {
        Ok(self
            .inner
            .has_privilege(&req_string(privilege, "privilege")?))
    }

    /// `true` when item access includes `itemId`.
    ///
    /// ```js
    /// creds.canAccessItem(webMapId); // true when portal:app:access:item:<id> is granted
    /// ```
    #[wasm_bindgen(js_name = canAccessItem)]
    pub fn can_access_item(
        &self,
        #[wasm_bindgen(js_name = itemId)] item_id: &Str,
    ) -> JsResult<bool> {
        Ok(self.inner.can_access_item(&req_string(item_id, "itemId")?))
    }

    /// `true` when the referrer restrictions allow this `Referer` value (`null`: none sent).
    ///
    /// ```js
    /// creds.allowsReferrer("https://app.example.com/"); // true or false
    /// ```
    #[wasm_bindgen(js_name = allowsReferrer)]
    pub fn allows_referrer(&self, referrer: Option<OptStr>) -> JsResult<bool> {
        let r = match referrer {
            Some(r) => super::convert::opt_string(&r, "referrer")?,
            None => None,
        };
        let rules = self
            .inner
            .referrer_rules(RulesOptions::default())
            .map_err(from_core)?;
        Ok(rules.allows(r.as_deref()))
    }

    /// The rotation plan: which slot to use now and the next step with its date.
    ///
    /// ```js
    /// const plan = creds.rotationPlan({ inUse: 1 });
    /// plan.action; plan.actBy;
    /// ```
    #[wasm_bindgen(js_name = rotationPlan)]
    pub fn rotation_plan(
        &self,
        options: Option<RotationPlanOptionsJs>,
    ) -> JsResult<RotationPlanJs> {
        let o: PlanOptionsJs = options_or_default(options.map(JsValue::from))?;
        let now = now_or_clock(&o.now)?;
        let t = thresholds(o.warn_days, o.critical_days)?;
        let lead = o.deploy_lead_days.unwrap_or(DEFAULT_DEPLOY_LEAD_DAYS);
        if !lead.is_finite() || lead < 0.0 {
            return Err(invalid_argument(
                "deployLeadDays must be a finite number of days, zero or more.",
            ));
        }
        let plan = self.inner.rotation_plan(PlanOptions {
            now,
            thresholds: t,
            deploy_lead_days: lead,
            in_use: o.in_use,
        });
        Ok(plan_js(
            &plan,
            Some(&self.inner.data().item_id),
            Some(&self.inner.data().title),
        )
        .unchecked_into())
    }

    /// The raw key held in `slot`, or `null`. This is the one call that reveals a key: never
    /// log or display its result.
    ///
    /// ```js
    /// const key = creds.rawKey(1); // the raw key held in slot 1, or null
    /// ```
    #[wasm_bindgen(js_name = rawKey)]
    pub fn raw_key(&self, slot: u8) -> JsResult<OptStr> {
        let s = self.inner.slot(slot).map_err(from_core)?;
        Ok(opt_str(s.key.as_ref().map(|k| k.expose())).unchecked_into())
    }

    /// A safe summary (keys masked).
    ///
    /// ```js
    /// JSON.stringify(creds); // keys masked
    /// ```
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> ApiKeyCredentialsJson {
        let d = self.inner.data();
        let slot = |s: &KeySlot| {
            Obj::new()
                .set("expiresAt", opt_date_out(s.expires_at))
                .set("active", s.active.map_or(JsValue::NULL, JsValue::from_bool))
                .set(
                    "maskedKey",
                    opt_str(s.key.as_ref().map(|k| k.masked()).as_deref()),
                )
                .build()
        };
        let [a, b] = &d.slots;
        Obj::new()
            .set("itemId", d.item_id.as_str())
            .set("title", d.title.as_str())
            .set("owner", d.owner.as_str())
            .set(
                "privileges",
                array(d.privileges.iter().map(|p| JsValue::from_str(p))),
            )
            .set(
                "httpReferrers",
                array(d.http_referrers.iter().map(|p| JsValue::from_str(p))),
            )
            .set("key1", slot(a))
            .set("key2", slot(b))
            .build()
            .unchecked_into()
    }

    /// `ApiKeyCredentials(<itemId>: key 1 AAPT…x7Qa, key 2 none)` (keys masked).
    ///
    /// ```js
    /// String(creds); // "ApiKeyCredentials(<itemId>: key 1 AAPT…e1HB, key 2 none)"
    /// ```
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        let d = self.inner.data();
        let k = |s: &KeySlot| {
            s.key
                .as_ref()
                .map_or_else(|| "none".to_string(), |k| k.masked())
        };
        let [a, b] = &d.slots;
        format!(
            "ApiKeyCredentials({}: key 1 {}, key 2 {})",
            d.item_id,
            k(a),
            k(b)
        )
    }
}

fn options_or_default<T: super::convert::JsOptions>(v: Option<JsValue>) -> JsResult<T> {
    options(v.unwrap_or(JsValue::UNDEFINED), "options")
}

/// The plan as a JavaScript object.
pub fn plan_js(p: &RotationPlan, item_id: Option<&str>, title: Option<&str>) -> JsValue {
    Obj::new()
        .set("now", date_out(p.now))
        .set(
            "useSlot",
            p.use_slot
                .map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
        )
        .set("action", p.action.as_str())
        .set(
            "actionSlot",
            p.action_slot
                .map_or(JsValue::NULL, |s| JsValue::from_f64(f64::from(s))),
        )
        .set("actBy", opt_date_out(p.act_by))
        .set("reason", p.reason.as_str())
        .set(
            "slots",
            array(p.slots.iter().map(|s| status_obj(s).build())),
        )
        .set("itemId", opt_str(item_id))
        .set("title", opt_str(title))
        .build()
}

/// An RFC 5545 calendar file (`.ics`) with one event at the plan's act-by date and a reminder
/// the day before, for the owner's calendar (package `apikey-credentials-owner`).
///
/// ```js
/// const ics = rotationReminderIcs(creds.rotationPlan());
/// download(new Blob([ics], { type: "text/calendar" }), "rotate-api-key.ics");
/// ```
#[cfg(feature = "owner")]
#[wasm_bindgen(js_name = rotationReminderIcs)]
pub fn rotation_reminder_ics(plan: &RotationPlanJs) -> JsResult<String> {
    let p: &JsValue = plan.as_ref();
    if !p.is_object() {
        return Err(invalid_argument("plan must be a RotationPlan object."));
    }
    let now = date_in(&get(p, "now"), "plan.now")?
        .ok_or_else(|| invalid_argument("plan.now is required."))?;
    let act_by = date_in(&get(p, "actBy"), "plan.actBy")?;
    let action = get(p, "action")
        .as_string()
        .and_then(|a| crate::core::rotation::RotationAction::parse(&a))
        .ok_or_else(|| invalid_argument("plan.action is not a rotation action."))?;
    let action_slot = get(p, "actionSlot")
        .as_f64()
        .filter(|s| *s == 1.0 || *s == 2.0)
        .map(|s| s as u8);
    let reason = get(p, "reason").as_string().unwrap_or_default();
    let reminder = Reminder {
        now,
        act_by,
        action,
        action_slot,
        reason,
    };
    let ctx = ReminderContext {
        title: get(p, "title").as_string(),
        item_id: get(p, "itemId").as_string(),
        url: None,
    };
    core_ics(&reminder, &ctx).map_err(from_core)
}
