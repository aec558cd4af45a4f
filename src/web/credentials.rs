//! `ApiKeyCredentials`, the rotation plan and the calendar reminder for JavaScript.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{array, from_js, get, opt_date_out, opt_str, options, req_string, Obj};
use super::credentials_options::*;
use super::error::{from_core, invalid_argument, JsResult};
use super::keys::{now_or_clock, status_obj, thresholds};
use super::rotation::plan_js;
use super::types::*;
use crate::core::credentials::{Credentials, CredentialsData, KeySlot};
use crate::core::json::FromJson;
use crate::core::keys::ApiKey;
use crate::core::referrer::RulesOptions;
use crate::core::rotation::{PlanOptions, DEFAULT_DEPLOY_LEAD_DAYS};
use crate::portal::types::{credentials_from_app_info, AppInfoJson};

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
    /// const self = await (await fetch(`${portal}/sharing/rest/portals/self?f=json&token=${key}`)).json();
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
