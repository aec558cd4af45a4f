//! `PortalSession`: the owner's tools against the portal (sign in, prerequisites, list and read
//! credentials, generate / regenerate / invalidate keys, edit referrers, privileges and item
//! access), and `checkPrerequisites`. New keys are returned once, to the caller, and never
//! stored. Built with the `owner` feature only: the package `apikey-credentials-owner`.

use std::rc::Rc;

use super::future_to_promise;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{array, date_in, date_out, req_string, string_array, JsOptions, Obj};
use super::credentials::ApiKeyCredentials;
use super::error::{credential_error, from_core, from_portal, invalid_argument, JsResult};
use super::transport::FetchTransport;
use super::types::*;
use crate::core::credentials::{check_new_key, validate_expiration, Credentials};
use crate::core::json::{Fields, ShapeError};
use crate::core::keys::mask_key;
use crate::core::prerequisites::{check_prerequisites, AccountFacts};
use crate::core::privileges::{
    is_item_id, replace_item_access, replace_privileges, ITEM_ACCESS_PREFIX,
};
use crate::core::referrer::{ReferrerRules, RulesOptions};
use crate::portal::client::Typed;
use crate::portal::request::NODE_REFERER;
use crate::portal::types::{
    credentials_from_portal, ItemJson, PortalSelfJson, RegisteredAppJson, UserJson,
};
use crate::portal::PortalClient;

struct Inner {
    client: PortalClient<FetchTransport>,
    token: String,
    user: UserJson,
    portal: PortalSelfJson,
}

/// A signed-in portal owner.
///
/// ```js
/// const session = await PortalSession.signIn("https://www.arcgis.com", "owner", password);
/// const creds = await session.listCredentials();
/// const { key } = await session.generateKey(creds[0].itemId, 2, new Date("2027-06-30"));
/// ```
#[wasm_bindgen]
pub struct PortalSession {
    inner: Rc<Inner>,
}

#[derive(Default)]
struct ConfirmOptionsJs {
    confirm_invalidates_keys: Option<bool>,
}

#[derive(Default)]
struct CreateOptionsJs {
    title: Option<String>,
    privileges: Option<Vec<String>>,
    http_referrers: Option<Vec<String>>,
}

impl JsOptions for CreateOptionsJs {
    const KEYS: &'static [&'static str] = &["title", "privileges", "httpReferrers"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(CreateOptionsJs {
            title: f.string("title")?,
            privileges: f.strings("privileges")?,
            http_referrers: f.strings("httpReferrers")?,
        })
    }
}

impl JsOptions for ConfirmOptionsJs {
    const KEYS: &'static [&'static str] = &["confirmInvalidatesKeys"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(ConfirmOptionsJs {
            confirm_invalidates_keys: f.boolean("confirmInvalidatesKeys")?,
        })
    }
}

/// The referer to sign in with, and whether the transport must send it itself: a page's
/// origin, which the browser sends as `Referer` on its own; elsewhere (Node)
/// [`NODE_REFERER`], sent by the transport on every request (see `portal::request`).
fn referer() -> (String, bool) {
    match web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .filter(|o| o.starts_with("http"))
    {
        Some(origin) => (origin, false),
        None => (NODE_REFERER.to_string(), true),
    }
}

/// How long one owner call (all its portal requests together) may take.
const OWNER_TIMEOUT_MS: i64 = 20_000;

fn slot_arg(slot: f64) -> JsResult<u8> {
    if slot == 1.0 {
        Ok(1)
    } else if slot == 2.0 {
        Ok(2)
    } else {
        Err(from_core(crate::core::Error::InvalidSlot(slot as i64)))
    }
}

/// At most this many pages of 100 search results are read (10,000 credentials).
const MAX_SEARCH_PAGES: usize = 100;

impl Inner {
    /// The client for one owner call: its requests together settle within the owner timeout.
    fn call(&self) -> PortalClient<FetchTransport> {
        self.client
            .until(super::now_ms().saturating_add(OWNER_TIMEOUT_MS))
    }

    fn app<'a>(
        &self,
        client: &'a PortalClient<FetchTransport>,
        item_id: &str,
    ) -> Typed<'a, JsValue, RegisteredAppJson> {
        client.registered_app_info(&self.user.username, item_id, &self.token)
    }

    fn secret<'a>(&self, app: &'a RegisteredAppJson) -> Result<&'a str, JsValue> {
        app.client_secret.as_deref().filter(|s| !s.is_empty()).ok_or_else(|| {
            credential_error("FORBIDDEN", "The portal did not return the client secret: only the credentials' owner can manage its keys.", None, JsValue::UNDEFINED)
        })
    }

    /// Every operation on one credentials item, as one pipeline: read the registration, make
    /// the change `op` asks for, and answer with what it produced or with the credentials as
    /// the portal now has them. (One async body for all of them keeps one state machine in the
    /// module instead of one per method.)
    async fn run(&self, id: &str, op: Op) -> Result<JsValue, JsValue> {
        let client = self.call();
        let mut app = self.app(&client, id).await.map_err(owner_error)?;
        // An update always carries both lists, the one not changed as the portal has it.
        let (privileges, referrers) = match op {
            Op::Read => (None, None),
            Op::Referrers(list) => (Some(app.privileges.clone()), Some(list)),
            Op::Privileges(list) => (
                Some(replace_privileges(list, &app.privileges)),
                Some(app.http_referrers.clone()),
            ),
            Op::ItemAccess(ids) => (
                Some(replace_item_access(&ids, &app.privileges)),
                Some(app.http_referrers.clone()),
            ),
            Op::NewKey {
                slot,
                expires_at,
                regenerate,
            } => {
                let active = if slot == 1 {
                    app.api_token1_active
                } else {
                    app.api_token2_active
                };
                check_new_key(slot, active, regenerate).map_err(from_core)?;
                let secret = self.secret(&app)?;
                if let Some(exp) = expires_at {
                    client
                        .update_expiration(&self.user.username, id, &self.token, slot, exp)
                        .await
                        .map_err(owner_error)?;
                }
                let k = client
                    .generate_key(&app.client_id, secret, slot, true)
                    .await
                    .map_err(owner_error)?;
                let expires = expires_at.unwrap_or_else(|| {
                    super::now_ms().saturating_add((k.expires_in * 1000.0) as i64)
                });
                return Ok(Obj::new()
                    .set("key", k.access_token.as_str())
                    .set("slot", JsValue::from_f64(f64::from(slot)))
                    .set("maskedKey", mask_key(&k.access_token).as_str())
                    .set("expiresAt", date_out(expires))
                    .build());
            }
            Op::Invalidate(slot) => {
                let secret = self.secret(&app)?;
                client
                    .revoke_key(&app.client_id, secret, slot)
                    .await
                    .map_err(owner_error)?;
                return Ok(Obj::new()
                    .set("success", true)
                    .set("slot", JsValue::from_f64(f64::from(slot)))
                    .build());
            }
        };
        if let (Some(privileges), Some(referrers)) = (privileges, referrers) {
            client
                .update_app(&app.client_id, &self.token, &privileges, &referrers)
                .await
                .map_err(owner_error)?;
            app = self.app(&client, id).await.map_err(owner_error)?;
        }
        let item = client
            .item(id, Some(&self.token))
            .await
            .map_err(owner_error)?;
        let c = Credentials::new(credentials_from_portal(&item, &app, client.root()))
            .map_err(from_core)?;
        Ok(ApiKeyCredentials::from_core_model(c).into())
    }
}

/// What [`Inner::run`] does to the item once its registration is read.
enum Op {
    /// Nothing: answer with the credentials.
    Read,
    /// Replace the referrers.
    Referrers(Vec<String>),
    /// Replace the privileges; the item access is kept.
    Privileges(Vec<String>),
    /// Replace the item access (item ids); the other privileges are kept.
    ItemAccess(Vec<String>),
    /// Generate a key into an empty or dead slot, or (`regenerate`) replace the slot's key.
    NewKey {
        slot: u8,
        expires_at: Option<i64>,
        regenerate: bool,
    },
    /// Invalidate the key in a slot.
    Invalidate(u8),
}

/// A portal error in the owner's terms: the token here is the owner's sign-in, not an API key.
fn owner_error(mut e: crate::portal::PortalError) -> JsValue {
    e.signed_in = true;
    from_portal(&e)
}

fn check_new_expiry(expires_at: &DateInputJs) -> JsResult<Option<i64>> {
    let exp = date_in(expires_at.as_ref(), "expiresAt")?;
    if let Some(e) = exp {
        validate_expiration(super::now_ms(), e).map_err(from_core)?;
    }
    Ok(exp)
}

#[wasm_bindgen]
impl PortalSession {
    /// Signs in with a username and password (`generateToken`), then reads the user and the
    /// portal. Rejects with a `CredentialError` (`BAD_REQUEST` for a wrong password, `NETWORK`, …).
    ///
    /// ```js
    /// const session = await PortalSession.signIn("https://host/portal", "owner", password);
    /// ```
    #[wasm_bindgen(js_name = signIn)]
    pub fn sign_in(portal: &Str, username: &Str, password: &Str) -> JsResult<SessionPromise> {
        let portal = req_string(portal, "portal")?;
        let username = req_string(username, "username")?;
        let password = req_string(password, "password")?;
        let (referer, send_it) = referer();
        let base = PortalClient::new(FetchTransport { timeout_ms: 20_000 }, &portal)
            .map_err(|e| invalid_argument(&e.message))?
            .with_referer(send_it.then(|| referer.clone()));
        Ok(future_to_promise(async move {
            let client = base.until(super::now_ms().saturating_add(OWNER_TIMEOUT_MS));
            let t = client
                .sign_in(&username, &password, &referer)
                .await
                .map_err(owner_error)?;
            let user = client.community_self(&t.token).await.map_err(owner_error)?;
            let (portal, _) = client
                .portal_self(Some(&t.token))
                .await
                .map_err(owner_error)?;
            Ok(PortalSession {
                inner: Rc::new(Inner {
                    client: base,
                    token: t.token,
                    user,
                    portal,
                }),
            }
            .into())
        })
        .unchecked_into())
    }

    /// The signed-in username.
    ///
    /// ```js
    /// session.username;
    /// ```
    #[wasm_bindgen(getter)]
    pub fn username(&self) -> String {
        self.inner.user.username.clone()
    }

    /// The portal's sharing REST root.
    ///
    /// ```js
    /// session.portal; // "https://host/portal/sharing/rest"
    /// ```
    #[wasm_bindgen(getter)]
    pub fn portal(&self) -> String {
        self.inner.client.root().to_string()
    }

    /// Whether this account can create API key credentials: each requirement, met or not.
    ///
    /// ```js
    /// session.prerequisites().filter(r => !r.ok).map(r => r.message);
    /// ```
    pub fn prerequisites(&self) -> RequirementArray {
        let facts = AccountFacts {
            user_type: self.inner.user.user_license_type_id.clone(),
            privileges: self.inner.user.privileges.clone(),
            is_enterprise: self.inner.portal.is_portal,
            portal_version: self.inner.portal.current_version.clone(),
        };
        requirements(&facts)
    }

    /// The owner's API key credentials, in every folder (found with the portal's `search`:
    /// `APIToken` applications and legacy `API Key` items; on a real portal a just-created item
    /// may take a few seconds to appear).
    ///
    /// ```js
    /// for (const c of await session.listCredentials()) console.log(c.title, c.status());
    /// ```
    #[wasm_bindgen(js_name = listCredentials)]
    pub fn list_credentials(&self) -> CredentialsArrayPromise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            // Every page of the owner's credentials (search covers every folder).
            let query = crate::portal::request::credentials_query(&inner.user.username);
            let mut ids = Vec::new();
            let mut start = 1u32;
            let client = inner.call();
            for _ in 0..MAX_SEARCH_PAGES {
                let page = client
                    .search(&query, start, &inner.token)
                    .await
                    .map_err(owner_error)?;
                let next = page.next_start;
                ids.extend(
                    page.results
                        .into_iter()
                        .filter(ItemJson::is_api_key_credentials)
                        .map(|i| i.id),
                );
                // -1 after the last page; a portal that does not move forward ends it too.
                if !(next > f64::from(start) && next <= f64::from(u32::MAX)) {
                    break;
                }
                start = next as u32;
            }
            // Each item is read as getCredentials reads it (registration, then the item with its
            // expiration dates), all of them together, in the order of the list.
            let reads = js_sys::Array::new();
            for id in ids {
                let inner = inner.clone();
                reads.push(&future_to_promise(
                    async move { inner.run(&id, Op::Read).await },
                ));
            }
            super::task::JsFut::new(js_sys::Promise::all(&reads)).await
        })
        .unchecked_into()
    }

    /// Creates API key credentials (an `Application` item, registered with `appType`
    /// "multiple"); no key is generated yet. Refuses malformed referrers like `updateReferrers`.
    ///
    /// ```js
    /// const creds = await session.createCredentials({ title: "Store locator",
    ///   privileges: ["premium:user:basemaps"], httpReferrers: ["https://app.example.com"] });
    /// ```
    #[wasm_bindgen(js_name = createCredentials)]
    pub fn create_credentials(&self, options: CreateOptionsType) -> JsResult<CredentialsPromise> {
        let o: CreateOptionsJs = super::convert::options(options.into(), "options")?;
        let title = o
            .title
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| invalid_argument("options.title is required."))?;
        let privileges = o.privileges.unwrap_or_default();
        let referrers = o.http_referrers.unwrap_or_default();
        let problems = ReferrerRules::new(&referrers, RulesOptions::default())
            .map_err(from_core)?
            .entry_errors();
        if !problems.is_empty() {
            return Err(from_core(crate::core::Error::InvalidReferrers(problems)));
        }
        let inner = self.inner.clone();
        Ok(future_to_promise(async move {
            let app = inner
                .call()
                .create_credentials(
                    &inner.user.username,
                    &inner.token,
                    &title,
                    &privileges,
                    &referrers,
                )
                .await
                .map_err(owner_error)?;
            inner.run(&app.item_id, Op::Read).await
        })
        .unchecked_into())
    }

    /// One credentials item.
    ///
    /// ```js
    /// const creds = await session.getCredentials(itemId);
    /// ```
    #[wasm_bindgen(js_name = getCredentials)]
    pub fn get_credentials(
        &self,
        #[wasm_bindgen(js_name = itemId)] item_id: &Str,
    ) -> JsResult<CredentialsPromise> {
        let id = req_string(item_id, "itemId")?;
        let inner = self.inner.clone();
        Ok(future_to_promise(async move { inner.run(&id, Op::Read).await }).unchecked_into())
    }

    /// Generates a key in an empty or invalidated slot, valid until `expiresAt` (at most one
    /// year; refused client-side otherwise). Resolves to `{ key, slot, maskedKey, expiresAt }`:
    /// the only time the raw key is shown.
    ///
    /// ```js
    /// const { key, expiresAt } = await session.generateKey(itemId, 2, new Date("2027-06-30"));
    /// ```
    #[wasm_bindgen(js_name = generateKey)]
    pub fn generate_key(
        &self,
        #[wasm_bindgen(js_name = itemId)] item_id: &Str,
        slot: f64,
        #[wasm_bindgen(js_name = expiresAt)] expires_at: &DateInputJs,
    ) -> JsResult<NewKeyPromise> {
        self.key_op(item_id, slot, expires_at, false)
    }

    /// Regenerates the key in `slot`: the previous key in that slot stops working.
    ///
    /// ```js
    /// const fresh = await session.regenerateKey(itemId, 1, new Date("2027-06-30"));
    /// ```
    #[wasm_bindgen(js_name = regenerateKey)]
    pub fn regenerate_key(
        &self,
        #[wasm_bindgen(js_name = itemId)] item_id: &Str,
        slot: f64,
        #[wasm_bindgen(js_name = expiresAt)] expires_at: &DateInputJs,
    ) -> JsResult<NewKeyPromise> {
        self.key_op(item_id, slot, expires_at, true)
    }

    /// Invalidates the key in `slot` (the item and its registration stay).
    ///
    /// ```js
    /// await session.invalidateKey(itemId, 1);
    /// ```
    #[wasm_bindgen(js_name = invalidateKey)]
    pub fn invalidate_key(
        &self,
        #[wasm_bindgen(js_name = itemId)] item_id: &Str,
        slot: f64,
    ) -> JsResult<Promise> {
        let id = req_string(item_id, "itemId")?;
        let slot = slot_arg(slot)?;
        let inner = self.inner.clone();
        Ok(future_to_promise(async move {
            inner.run(&id, Op::Invalidate(slot)).await
        }))
    }

    /// Replaces the referrer list. Refused (`INVALID_REFERRER`, with the checker's diagnostics in
    /// `details`) if any entry is malformed.
    ///
    /// ```js
    /// await session.updateReferrers(itemId, ["https://app.example.com", "https://*.example.org"]);
    /// ```
    #[wasm_bindgen(js_name = updateReferrers)]
    pub fn update_referrers(
        &self,
        #[wasm_bindgen(js_name = itemId)] item_id: &Str,
        referrers: &StringArray,
    ) -> JsResult<CredentialsPromise> {
        let id = req_string(item_id, "itemId")?;
        let list = string_array(referrers, "referrers")?;
        if list.len() > crate::core::credentials::MAX_REFERRERS {
            return Err(from_core(crate::core::Error::InputTooLarge {
                what: "referrer list",
                limit: crate::core::credentials::MAX_REFERRERS,
            }));
        }
        let problems = ReferrerRules::new(&list, RulesOptions::default())
            .map_err(from_core)?
            .entry_errors();
        if !problems.is_empty() {
            return Err(from_core(crate::core::Error::InvalidReferrers(problems)));
        }
        let inner = self.inner.clone();
        Ok(
            future_to_promise(async move { inner.run(&id, Op::Referrers(list)).await })
                .unchecked_into(),
        )
    }

    /// Replaces the privileges (item access is kept). This invalidates both keys, so it needs
    /// `{ confirmInvalidatesKeys: true }`.
    ///
    /// ```js
    /// await session.updatePrivileges(itemId, ["premium:user:basemaps"], { confirmInvalidatesKeys: true });
    /// ```
    #[wasm_bindgen(js_name = updatePrivileges)]
    pub fn update_privileges(
        &self,
        #[wasm_bindgen(js_name = itemId)] item_id: &Str,
        privileges: &StringArray,
        options: Option<ConfirmOptionsType>,
    ) -> JsResult<CredentialsPromise> {
        let id = req_string(item_id, "itemId")?;
        let list = string_array(privileges, "privileges")?;
        if list.iter().any(|p| p.starts_with(ITEM_ACCESS_PREFIX)) {
            return Err(invalid_argument(
                "privileges must not contain item access; use updateItemAccess.",
            ));
        }
        self.replace_privileges(id, options, Op::Privileges(list))
    }

    /// Replaces the item access (up to 100 item ids). Item access is part of the privileges, so
    /// this invalidates both keys and needs `{ confirmInvalidatesKeys: true }`.
    ///
    /// ```js
    /// await session.updateItemAccess(itemId, [webMapId], { confirmInvalidatesKeys: true });
    /// ```
    #[wasm_bindgen(js_name = updateItemAccess)]
    pub fn update_item_access(
        &self,
        #[wasm_bindgen(js_name = itemId)] item_id: &Str,
        #[wasm_bindgen(js_name = itemIds)] item_ids: &StringArray,
        options: Option<ConfirmOptionsType>,
    ) -> JsResult<CredentialsPromise> {
        let id = req_string(item_id, "itemId")?;
        let ids = string_array(item_ids, "itemIds")?;
        if ids.len() > crate::core::privileges::MAX_ITEM_ACCESS {
            return Err(from_core(crate::core::Error::InputTooLarge {
                what: "item access list",
                limit: crate::core::privileges::MAX_ITEM_ACCESS,
            }));
        }
        if let Some(bad) = ids.iter().find(|i| !is_item_id(i)) {
            return Err(invalid_argument(&format!(
                "\"{bad}\" is not an item id (32 hexadecimal characters)."
            )));
        }
        self.replace_privileges(id, options, Op::ItemAccess(ids))
    }

    /// A safe summary (no token).
    ///
    /// ```js
    /// JSON.stringify(session); // no token
    /// ```
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> PortalSessionJson {
        Obj::new()
            .set("type", "PortalSession")
            .set("portal", self.inner.client.root())
            .set("username", self.inner.user.username.as_str())
            .build()
            .unchecked_into()
    }

    /// `PortalSession(<username> @ <portal>)`.
    ///
    /// ```js
    /// String(session); // "PortalSession(owner @ https://…/sharing/rest)"
    /// ```
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!(
            "PortalSession({} @ {})",
            self.inner.user.username,
            self.inner.client.root()
        )
    }
}

impl PortalSession {
    /// Generate (`regenerate == false`: only into an empty or dead slot) or regenerate a key.
    fn key_op(
        &self,
        item_id: &Str,
        slot: f64,
        expires_at: &DateInputJs,
        regenerate: bool,
    ) -> JsResult<NewKeyPromise> {
        let id = req_string(item_id, "itemId")?;
        let slot = slot_arg(slot)?;
        let exp = check_new_expiry(expires_at)?;
        let inner = self.inner.clone();
        let op = Op::NewKey {
            slot,
            expires_at: exp,
            regenerate,
        };
        Ok(future_to_promise(async move { inner.run(&id, op).await }).unchecked_into())
    }

    /// Privileges or item access (`op`), after the confirmation that both keys will stop working.
    fn replace_privileges(
        &self,
        id: String,
        options: Option<ConfirmOptionsType>,
        op: Op,
    ) -> JsResult<CredentialsPromise> {
        let o: ConfirmOptionsJs = super::convert::options(
            options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED),
            "options",
        )?;
        if o.confirm_invalidates_keys != Some(true) {
            return Err(from_core(crate::core::Error::ConfirmationRequired(
                "Changing privileges or item access invalidates both API keys of these credentials.",
            )));
        }
        let inner = self.inner.clone();
        Ok(future_to_promise(async move { inner.run(&id, op).await }).unchecked_into())
    }
}

#[derive(Default)]
struct FactsJs {
    user_type: Option<String>,
    privileges: Option<Vec<String>>,
    is_enterprise: Option<bool>,
    portal_version: Option<String>,
}

impl JsOptions for FactsJs {
    const KEYS: &'static [&'static str] =
        &["userType", "privileges", "isEnterprise", "portalVersion"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(FactsJs {
            user_type: f.string("userType")?,
            privileges: f.strings("privileges")?,
            is_enterprise: f.boolean("isEnterprise")?,
            portal_version: f.string("portalVersion")?,
        })
    }
}

/// Checks whether an account can create API key credentials: Creator (or higher) user type,
/// "Generate API keys", "Assign privileges to OAuth 2.0 applications", and ArcGIS Enterprise
/// 11.4+. Reports every requirement, met or not (package `apikey-credentials-owner`).
///
/// ```js
/// checkPrerequisites({ userType: "creatorUT", privileges: user.privileges, isEnterprise: true, portalVersion: "11.4" })
///   .filter(r => !r.ok).forEach(r => console.warn(r.message));
/// ```
#[wasm_bindgen(js_name = checkPrerequisites)]
pub fn check_account(facts: AccountFactsJs) -> JsResult<RequirementArray> {
    let f: FactsJs = super::convert::options(facts.into(), "facts")?;
    let facts = AccountFacts {
        user_type: f.user_type,
        privileges: f.privileges.unwrap_or_default(),
        is_enterprise: f.is_enterprise.unwrap_or(false),
        portal_version: f.portal_version,
    };
    Ok(requirements(&facts))
}

/// Each requirement for creating API key credentials, met or not, as `Requirement` objects.
fn requirements(facts: &AccountFacts) -> RequirementArray {
    array(check_prerequisites(facts).into_iter().map(|r| {
        Obj::new()
            .set("id", r.id)
            .set("ok", r.ok)
            .set("message", r.message.as_str())
            .build()
    }))
    .unchecked_into()
}
