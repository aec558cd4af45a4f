//! The other ways an owner signs in: OAuth 2.0 with PKCE in the browser
//! (`PortalSession.signInWithOAuth`, `completeOAuth`), a token (`fromToken`), or a session that
//! exists (`fromSession`, e.g. rest-js's `ArcGISIdentityManager`). The OAuth flow itself is
//! browser glue (Web Crypto, the popup, sessionStorage, the address bar, the token exchange and
//! its renewal) in `oauth.js`; it ends in a session object that `fromSession` adopts.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{date_in, get, req_string};
use super::error::{credential_error_class, invalid_argument, JsResult};
use super::future_to_promise;
use super::session::{establish, PortalSession};
use super::task::JsFut;
use super::transport::FetchTransport;
use super::types::*;
use crate::portal::request::NODE_REFERER;
use crate::portal::PortalClient;

#[wasm_bindgen(module = "/src/web/oauth.js")]
extern "C" {
    #[wasm_bindgen(js_name = oauthSignIn, catch)]
    fn oauth_sign_in(
        root: &str,
        options: &JsValue,
        errors: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_name = oauthComplete, catch)]
    fn oauth_complete(
        root: &str,
        options: &JsValue,
        errors: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;
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
pub(super) const OWNER_TIMEOUT_MS: i64 = 20_000;

/// The client an owner session uses on `portal`, sending the referer it signs in with where the
/// platform lets a script set it (see [`referer`]).
pub(super) fn owner_client(portal: &str) -> JsResult<(PortalClient<FetchTransport>, String)> {
    let (referer, send_it) = referer();
    let base = PortalClient::new(FetchTransport { timeout_ms: 20_000 }, portal)
        .map_err(|e| invalid_argument(&e.message))?
        .with_referer(send_it.then(|| referer.clone()));
    Ok((base, referer))
}

/// The token an existing session gives for `url` (its `getToken(url)`, as rest-js calls it).
pub(super) async fn delegate_token(session: &JsValue, url: &str) -> Result<String, JsValue> {
    let get_token: js_sys::Function = get(session, "getToken")
        .dyn_into()
        .map_err(|_| invalid_argument("The session has no getToken(url) method."))?;
    let answer = get_token.call1(session, &JsValue::from_str(url))?;
    let token = JsFut::new(js_sys::Promise::resolve(&answer)).await?;
    token
        .as_string()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid_argument("The session's getToken(url) gave no token."))
}

/// Adopts `session` (anything with `getToken(url)`) on the portal at `portal`.
fn adopt(base: PortalClient<FetchTransport>, session: js_sys::Promise) -> js_sys::Promise {
    future_to_promise(async move {
        let session = JsFut::new(session).await?;
        // signInWithOAuth({ popup: false }) leaves the page; completeOAuth found nothing.
        if session.is_undefined() || session.is_null() {
            return Ok(session);
        }
        let token = delegate_token(&session, base.root()).await?;
        Ok(establish(base, token, Some(session)).await?.into())
    })
}

/// An OAuth flow of `oauth.js` (`oauthSignIn` or `oauthComplete`) on `portal`, its session
/// adopted.
fn oauth(
    portal: &Str,
    options: JsValue,
    flow: fn(&str, &JsValue, &JsValue) -> Result<js_sys::Promise, JsValue>,
) -> JsResult<js_sys::Promise> {
    let (base, _) = owner_client(&req_string(portal, "portal")?)?;
    let session = flow(base.root(), &options, &credential_error_class())?;
    Ok(adopt(base, session))
}

#[wasm_bindgen]
impl PortalSession {
    /// Signs in with OAuth 2.0 (authorization code with PKCE, S256), for accounts that sign in
    /// through SAML, social or enterprise logins. `clientId` is an OAuth app of the portal whose
    /// redirect URIs include `redirectUri` (a page of this origin). With `popup: true` (the
    /// default; call it from a click) it resolves to the session; with `popup: false` the page
    /// goes to the portal, and `completeOAuth` on the return page resolves to the session.
    /// `expiration`: the token's lifetime in minutes (default 120); it is renewed with the
    /// refresh token before it expires.
    ///
    /// ```js
    /// const session = await PortalSession.signInWithOAuth("https://www.arcgis.com",
    ///   { clientId: "abc123", redirectUri: `${location.origin}/oauth-callback.html` });
    /// ```
    #[wasm_bindgen(js_name = signInWithOAuth)]
    pub fn sign_in_with_oauth(
        portal: &Str,
        options: OAuthOptionsType,
    ) -> JsResult<MaybeSessionPromise> {
        Ok(oauth(portal, options.into(), oauth_sign_in)?.unchecked_into())
    }

    /// Completes a `signInWithOAuth({ popup: false })` on the return page: checks the state,
    /// exchanges the code, and removes `code` and `state` from the address bar. Resolves to `null`
    /// when the address carries no sign-in.
    ///
    /// ```js
    /// const session = await PortalSession.completeOAuth("https://www.arcgis.com",
    ///   { clientId: "abc123", redirectUri: `${location.origin}/oauth-callback.html` });
    /// ```
    #[wasm_bindgen(js_name = completeOAuth)]
    pub fn complete_oauth(
        portal: &Str,
        options: OAuthReturnOptionsType,
    ) -> JsResult<ReturnedSessionPromise> {
        Ok(oauth(portal, options.into(), oauth_complete)?.unchecked_into())
    }

    /// A session from an owner's token you already have (from `generateToken`, or a sign-in made
    /// elsewhere). It is not renewed: when it expires, calls fail with `SESSION_EXPIRED`.
    /// `username`, when given, must be the token's.
    ///
    /// ```js
    /// const session = await PortalSession.fromToken("https://www.arcgis.com", token, { username: "owner" });
    /// ```
    #[wasm_bindgen(js_name = fromToken)]
    pub fn from_token(
        portal: &Str,
        token: &Str,
        options: Option<TokenOptionsType>,
    ) -> JsResult<SessionPromise> {
        let portal = req_string(portal, "portal")?;
        let token = req_string(token, "token")?;
        let options = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
        if !options.is_undefined() && !options.is_object() {
            return Err(invalid_argument("options must be an object."));
        }
        let username = get(&options, "username").as_string();
        // Read for its type check only: the portal's own answers say when the token lapses.
        date_in(&get(&options, "expires"), "options.expires")?;
        let (base, _) = owner_client(&portal)?;
        Ok(future_to_promise(async move {
            let session = establish(base, token, None).await?;
            if username.is_some_and(|u| u != session.username()) {
                return Err(invalid_argument(
                    "The token belongs to another user than options.username.",
                ));
            }
            Ok(session.into())
        })
        .unchecked_into())
    }

    /// A session that uses an existing sign-in: anything with `portal` and `getToken(url)`, such
    /// as `@esri/arcgis-rest-request`'s `ArcGISIdentityManager`. Its `getToken` is asked before
    /// each call, so the existing session's own renewal keeps working.
    ///
    /// ```js
    /// const session = await PortalSession.fromSession(identityManager);
    /// ```
    #[wasm_bindgen(js_name = fromSession)]
    pub fn from_session(session: ExistingSessionType) -> JsResult<SessionPromise> {
        let session: JsValue = session.into();
        let portal = get(&session, "portal")
            .as_string()
            .ok_or_else(|| invalid_argument("The session has no portal URL (portal)."))?;
        let (base, _) = owner_client(&portal)?;
        Ok(adopt(base, js_sys::Promise::resolve(&session)).unchecked_into())
    }
}
