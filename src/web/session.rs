//! `PortalSession`: the owner's tools against the portal (sign in, prerequisites, list and read
//! credentials, generate / regenerate / invalidate keys, edit referrers, privileges and item
//! access), and `checkPrerequisites`. New keys are returned once, to the caller, and never
//! stored. Built with the `owner` feature only: the package `apikey-credentials-owner`.

use std::rc::Rc;

use super::future_to_promise;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{date_in, date_out, req_string, string_array, Obj};
use super::credentials::ApiKeyCredentials;
use super::error::{from_core, from_portal, invalid_argument, JsResult};
use super::session_options::{ConfirmOptionsJs, CreateOptionsJs};
use super::sign_in::{owner_client, OWNER_TIMEOUT_MS};
use super::transport::FetchTransport;
use super::types::*;
use crate::core::credentials::{check_referrers, validate_expiration};
use crate::core::keys::mask_key;
use crate::core::prerequisites::AccountFacts;
use crate::portal::owner::{Op, Outcome, Owner, OwnerError};
use crate::portal::types::{PortalSelfJson, UserJson};
use crate::portal::PortalClient;

pub(super) struct Inner {
    /// The portal (no deadline: each call sets its own).
    client: PortalClient<FetchTransport>,
    /// The owner's token (a password sign-in's, or `fromToken`'s).
    token: String,
    /// An existing session (`fromSession`, an OAuth sign-in): its `getToken(url)` is asked for
    /// the token before each call, so its own renewal keeps the session alive.
    delegate: Option<JsValue>,
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

/// A session for `token` (or for `delegate`'s tokens, `token` its first): reads the owner and
/// the portal.
pub(super) async fn establish(
    base: PortalClient<FetchTransport>,
    token: String,
    delegate: Option<JsValue>,
) -> Result<PortalSession, JsValue> {
    let client = base.until(super::now_ms().saturating_add(OWNER_TIMEOUT_MS));
    let user = client.community_self(&token).await.map_err(owner_error)?;
    let (portal, _) = client
        .portal_self(Some(&token))
        .await
        .map_err(owner_error)?;
    Ok(PortalSession {
        inner: Rc::new(Inner {
            client: base,
            token,
            delegate,
            user,
            portal,
        }),
    })
}

fn slot_arg(slot: f64) -> JsResult<u8> {
    if slot == 1.0 {
        Ok(1)
    } else if slot == 2.0 {
        Ok(2)
    } else {
        Err(from_core(crate::core::Error::InvalidSlot(slot as i64)))
    }
}

impl Inner {
    /// The client for one owner call: its requests together settle within the owner timeout.
    fn call(&self) -> PortalClient<FetchTransport> {
        self.client
            .until(super::now_ms().saturating_add(OWNER_TIMEOUT_MS))
    }

    /// The owner with a token for the next call: the delegate's (asked now), or the sign-in's.
    async fn owner(
        &self,
        client: &PortalClient<FetchTransport>,
    ) -> Result<Owner<FetchTransport>, JsValue> {
        let token = match &self.delegate {
            Some(d) => super::sign_in::delegate_token(d, client.root()).await?,
            None => self.token.clone(),
        };
        Ok(Owner {
            client: self.client.clone(),
            username: self.user.username.clone(),
            token,
        })
    }

    /// Runs `op` on the credentials item `id` (see `portal::owner`).
    async fn run(&self, id: &str, op: Op) -> Result<JsValue, JsValue> {
        let client = self.call();
        let out = self
            .owner(&client)
            .await?
            .run(&client, id, op, super::now_ms())
            .await
            .map_err(owner_error)?;
        Ok(match out {
            Outcome::Credentials(c) => ApiKeyCredentials::from_core_model(*c).into(),
            Outcome::NewKey {
                key,
                slot,
                expires_at,
            } => Obj::new()
                .set("key", key.as_str())
                .set("slot", JsValue::from_f64(f64::from(slot)))
                .set("maskedKey", mask_key(&key).as_str())
                .set("expiresAt", date_out(expires_at))
                .build(),
            Outcome::Invalidated(slot) => Obj::new()
                .set("success", true)
                .set("slot", JsValue::from_f64(f64::from(slot)))
                .build(),
        })
    }
}

/// An owner operation's error as a `CredentialError`.
fn owner_error(e: impl Into<OwnerError>) -> JsValue {
    match e.into() {
        OwnerError::Portal(e) => from_portal(&e),
        OwnerError::Core(e) => from_core(e),
    }
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
        let (base, referer) = owner_client(&portal)?;
        Ok(future_to_promise(async move {
            let client = base.until(super::now_ms().saturating_add(OWNER_TIMEOUT_MS));
            let t = client
                .sign_in(&username, &password, &referer)
                .await
                .map_err(owner_error)?;
            Ok(establish(base, t.token, None).await?.into())
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
        super::prerequisites::requirements(&facts)
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
            let client = inner.call();
            let ids = inner
                .owner(&client)
                .await?
                .credential_ids(&client)
                .await
                .map_err(owner_error)?;
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
        check_referrers(&referrers).map_err(from_core)?;
        let inner = self.inner.clone();
        Ok(future_to_promise(async move {
            let client = inner.call();
            let owner = inner.owner(&client).await?;
            let app = client
                .create_credentials(
                    &owner.username,
                    &owner.token,
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
        let op = Op::referrers(string_array(referrers, "referrers")?).map_err(from_core)?;
        let inner = self.inner.clone();
        Ok(future_to_promise(async move { inner.run(&id, op).await }).unchecked_into())
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
        let op = Op::privileges(string_array(privileges, "privileges")?).map_err(from_core)?;
        self.replace_privileges(id, options, op)
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
        let op = Op::item_access(string_array(item_ids, "itemIds")?).map_err(from_core)?;
        self.replace_privileges(id, options, op)
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
