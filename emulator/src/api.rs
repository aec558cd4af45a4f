//! The HTTP layer: the sharing REST API under `/portal/sharing/rest`, two location services
//! under `/arcgis/rest/services`, and a few emulator-only helpers under `/emulator`.
//!
//! The sharing API answers errors the way the portal does, with HTTP 200 and an `error` body; the
//! location services use real HTTP statuses (498/499→401/403), as the newer Esri hosts do. Both
//! styles therefore reach the clients under test.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State as AxState};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use apikey_credentials::core::keys::mask_key;
use apikey_credentials::core::privileges::{grants, item_access_privilege};
use apikey_credentials::core::referrer::{ReferrerRules, RulesOptions};

use crate::config::LogLevel;
use crate::log;
use crate::seed::SeededKey;
use crate::state::{
    comma_list, parse_list, App, Auth, Item, Millis, PortalError, State, User, ITEM_EXTRA_FIELDS,
};
use crate::store::Store;

/// Request bodies larger than this are refused (413).
pub const MAX_BODY: usize = 1024 * 1024;

/// Request counters (for the benchmarks: failover must cost exactly one extra round trip).
#[derive(Debug, Default)]
pub struct Stats {
    /// Every API request.
    pub total: AtomicU64,
    /// Requests that carried an API key.
    pub with_key: AtomicU64,
    /// Requests answered with an error.
    pub errors: AtomicU64,
    /// CORS preflights (`OPTIONS` with `Access-Control-Request-Method`), any path.
    pub preflights: AtomicU64,
}

/// What the handlers share.
pub struct Shared {
    /// The portal's data.
    pub state: Mutex<State>,
    /// Where it is persisted.
    pub store: Option<Store>,
    /// Added to the system clock.
    pub clock_offset_ms: i64,
    /// Log threshold.
    pub log: LogLevel,
    /// Seeded raw keys (memory only).
    pub seeded: Mutex<Vec<SeededKey>>,
    /// Counters.
    pub stats: Stats,
    /// The seeded owner's login, when seeded in this run (shown as a hint by the demo page).
    pub demo_login: Option<(String, String)>,
    /// The origins allowed to call `/emulator/*`: the emulator's own, and `--helper-origin`s.
    pub helper_origins: Vec<String>,
}

impl Shared {
    /// The emulator's clock.
    pub fn now(&self) -> Millis {
        chrono::Utc::now()
            .timestamp_millis()
            .saturating_add(self.clock_offset_ms)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another request panicked mid-way; the data is still the
        // last consistent state, since every operation validates before it writes.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn persist(&self, state: &State) -> Result<(), PortalError> {
        if let Some(store) = &self.store {
            store.save(state).map_err(|e| {
                log::line(
                    self.log,
                    LogLevel::Error,
                    &format!("event=persist_failed error={e:?}"),
                );
                PortalError::new(500, "Unable to save the change.")
            })?;
        }
        Ok(())
    }
}

/// A parsed request.
struct Req {
    method: Method,
    params: BTreeMap<String, String>,
    headers: HeaderMap,
}

impl Req {
    fn param(&self, k: &str) -> Option<&str> {
        self.params.get(k).map(String::as_str)
    }

    fn token(&self) -> Option<String> {
        if let Some(t) = self.param("token").filter(|t| !t.is_empty()) {
            return Some(t.to_string());
        }
        for h in ["x-esri-authorization", "authorization"] {
            if let Some(v) = self.headers.get(h).and_then(|v| v.to_str().ok()) {
                if let Some(t) = v
                    .strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
                {
                    return Some(t.trim().to_string());
                }
            }
        }
        None
    }

    fn referer(&self) -> Option<String> {
        self.headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    fn require_post(&self) -> Result<(), PortalError> {
        if self.method != Method::POST {
            return Err(PortalError::new(405, "Method not supported.")
                .detail("This operation requires POST."));
        }
        Ok(())
    }
}

/// The JSON of an error.
pub fn error_json(e: &PortalError) -> Value {
    let mut inner = json!({ "code": e.code, "message": e.message, "details": e.details });
    if let Some(mc) = e.message_code {
        inner["messageCode"] = json!(mc);
    }
    json!({ "error": inner })
}

fn json_response(status: StatusCode, v: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

async fn parse_request(req: Request) -> Result<(Req, String), Response> {
    let (parts, body) = req.into_parts();
    let mut params = BTreeMap::new();
    if let Some(q) = parts.uri.query() {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            params.insert(k.into_owned(), v.into_owned());
        }
    }
    let path = parts.uri.path().to_string();
    if parts.method == Method::POST {
        let bytes = match to_bytes(body, MAX_BODY).await {
            Ok(b) => b,
            Err(_) => {
                let e = PortalError::new(413, "Request entity too large.")
                    .detail(format!("The body exceeds {MAX_BODY} bytes."));
                return Err(json_response(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &error_json(&e),
                ));
            }
        };
        let ctype = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ctype.starts_with("multipart/") {
            let e = PortalError::bad_request("multipart bodies are not supported by the emulator; send application/x-www-form-urlencoded.");
            return Err(json_response(StatusCode::OK, &error_json(&e)));
        }
        if !bytes.is_empty() {
            if std::str::from_utf8(&bytes).is_err() {
                let e = PortalError::bad_request("The request body is not valid UTF-8 form data.");
                return Err(json_response(StatusCode::OK, &error_json(&e)));
            }
            for (k, v) in form_urlencoded::parse(&bytes) {
                params.insert(k.into_owned(), v.into_owned());
            }
        }
    } else {
        drop(body);
    }
    Ok((
        Req {
            method: parts.method,
            params,
            headers: parts.headers,
        },
        path,
    ))
}

fn user_json(u: &User, portal_id: &str) -> Value {
    json!({
        "username": u.username,
        "fullName": u.full_name,
        "email": u.email,
        "orgId": portal_id,
        "role": u.role,
        "roleId": u.role,
        "privileges": u.privileges,
        "userLicenseTypeId": u.user_type,
        "userType": "arcgisonly",
        "level": "2",
        "created": u.created,
        "modified": u.created,
        "groups": [],
        "access": "org",
    })
}

fn public_user_json(u: &User) -> Value {
    json!({ "username": u.username, "fullName": u.full_name, "created": u.created, "access": "org" })
}

fn item_json(i: &Item, portal_id: &str) -> Value {
    let mut out = json!({
        "id": i.id,
        "owner": i.owner,
        "orgId": portal_id,
        "title": i.title,
        "type": i.item_type,
        "typeKeywords": i.type_keywords,
        "tags": i.tags,
        "snippet": i.snippet,
        "description": i.description,
        "access": i.access,
        "created": i.created,
        "modified": i.modified,
        "url": Value::Null,
        "culture": Value::Null,
        "size": 0,
        "numViews": 0,
        "apiToken1ExpirationDate": i.api_token1_expiration_date,
        "apiToken2ExpirationDate": i.api_token2_expiration_date,
    });
    if let Some(o) = out.as_object_mut() {
        for (k, v) in &i.extra {
            o.insert(k.clone(), v.clone());
        }
    }
    out
}

fn app_json(a: &App) -> Value {
    json!({
        "itemId": a.item_id,
        "client_id": a.client_id,
        "client_secret": a.client_secret,
        "appType": a.app_type,
        "redirect_uris": a.redirect_uris,
        "httpReferrers": a.http_referrers,
        "privileges": a.privileges,
        "registered": a.registered,
        "modified": a.modified,
        "apnsProdCert": Value::Null,
        "apnsSandboxCert": Value::Null,
        "gcmApiKey": Value::Null,
        "isBeta": false,
        "customAppLoginShowTriage": false,
        "isPersonalAPIToken": a.is_personal,
        "apiToken1Active": a.slots[0].active,
        "apiToken2Active": a.slots[1].active,
    })
}

fn portal_json(s: &State) -> Value {
    json!({
        "id": s.portal_id,
        "name": s.portal_name,
        "isPortal": true,
        "currentVersion": "11.4",
        "portalName": "ArcGIS Enterprise (emulated)",
        "supportsOAuth": true,
        "allSSL": false,
        "subscriptionInfo": { "id": s.portal_id, "type": "In House" },
    })
}

/// Checks an API key request the way the portal does: the app's referrer list against the
/// `Referer` header (never `Origin`).
fn check_referrer(app: &App, referer: Option<&str>) -> Result<(), PortalError> {
    // Compiled lists are kept per worker thread (a few dozen at most): compiling a list on every
    // request was a fifth of the time of a `portals/self` with a key.
    thread_local! {
        static COMPILED: std::cell::RefCell<Vec<(Vec<String>, ReferrerRules)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let allowed = COMPILED.with(|c| {
        let mut cache = c.borrow_mut();
        if let Some((_, rules)) = cache.iter().find(|(list, _)| *list == app.http_referrers) {
            return Ok(rules.allows(referer));
        }
        let rules = ReferrerRules::new(&app.http_referrers, RulesOptions::default())
            .map_err(|_| PortalError::forbidden())?;
        let allowed = rules.allows(referer);
        if cache.len() >= 64 {
            cache.remove(0);
        }
        cache.push((app.http_referrers.clone(), rules));
        Ok(allowed)
    })?;
    if allowed {
        Ok(())
    } else {
        // Choice: the real body for a referrer mismatch is undocumented; this is the portal's
        // generic 403 with a detail naming the cause.
        Err(PortalError::forbidden().detail("Referer not allowed for this API key."))
    }
}

/// The caller, with API keys checked for referrer.
fn authenticate(state: &State, req: &Req, now: Millis) -> Result<Auth, PortalError> {
    let token = req.token();
    let auth = state.resolve(token.as_deref(), req.referer().as_deref(), now)?;
    if let Auth::Key { client_id, .. } = &auth {
        let app = state
            .apps
            .get(client_id)
            .ok_or_else(PortalError::invalid_token)?;
        check_referrer(app, req.referer().as_deref())?;
    }
    Ok(auth)
}

fn require_user(auth: &Auth) -> Result<&str, PortalError> {
    match auth {
        Auth::User(u) => Ok(u),
        Auth::Anonymous => Err(PortalError::token_required()),
        // Choice: API keys cannot manage credentials (only the owner's user token can).
        Auth::Key { .. } => Err(PortalError::forbidden()),
    }
}

fn require_same_user<'a>(
    state: &State,
    auth: &'a Auth,
    path_user: &str,
) -> Result<&'a str, PortalError> {
    let u = require_user(auth)?;
    let admin = state.is_admin(u);
    if u != path_user && !admin {
        return Err(PortalError::forbidden());
    }
    Ok(u)
}

/// Whether the caller may see `item` (its owner, an administrator, the org for `org` items,
/// anyone for `public` ones, a key with item access to it or a personal key of its owner).
fn item_visible(state: &State, auth: &Auth, item: &Item) -> bool {
    match auth {
        _ if item.access == "public" => true,
        Auth::User(u) => *u == item.owner || state.is_admin(u) || item.access == "org",
        Auth::Key { client_id, .. } => state.apps.get(client_id).is_some_and(|a| {
            a.privileges.contains(&item_access_privilege(&item.id))
                || (a.is_personal
                    && item.owner
                        == state
                            .app_owner(a)
                            .map(|o| o.username.clone())
                            .unwrap_or_default())
        }),
        Auth::Anonymous => false,
    }
}

/// `start` (1-based, default 1) and `num` (default 10, at most 100), as the portal pages
/// `search` and user content.
fn paging(req: &Req) -> Result<(usize, usize), PortalError> {
    let read = |name: &str, default: usize| -> Result<usize, PortalError> {
        match req.param(name) {
            None | Some("") => Ok(default),
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|_| PortalError::bad_request(format!("'{name}' must be a whole number."))),
        }
    };
    Ok((read("start", 1)?.max(1), read("num", 10)?.min(100)))
}

/// Items in a stable order: oldest first, then by id.
fn sorted<'a>(items: impl Iterator<Item = &'a Item>) -> Vec<&'a Item> {
    let mut v: Vec<&Item> = items.collect();
    v.sort_by(|a, b| a.created.cmp(&b.created).then_with(|| a.id.cmp(&b.id)));
    v
}

/// The page of `items` that `start`/`num` ask for, as the portal answers a paged call: `total`,
/// `start`, `num`, `nextStart` (-1 after the last page) and the page's items under `list`.
fn paged(
    req: &Req,
    items: &[&Item],
    portal_id: &str,
    list: &str,
) -> Result<serde_json::Map<String, Value>, PortalError> {
    let (start, num) = paging(req)?;
    let total = items.len();
    let from = (start - 1).min(total);
    let to = from.saturating_add(num).min(total);
    let next = if to < total { (to + 1) as i64 } else { -1 };
    let page: Vec<Value> = items
        .get(from..to)
        .unwrap_or(&[])
        .iter()
        .map(|i| item_json(i, portal_id))
        .collect();
    let mut answer = serde_json::Map::new();
    answer.insert("total".into(), json!(total));
    answer.insert("start".into(), json!(start));
    answer.insert("num".into(), json!(num));
    answer.insert("nextStart".into(), json!(next));
    answer.insert(list.into(), Value::Array(page));
    Ok(answer)
}

fn slot_param(req: &Req) -> Result<u8, PortalError> {
    match req.param("apiToken") {
        Some("1") => Ok(1),
        Some("2") => Ok(2),
        _ => Err(PortalError::bad_request("'apiToken' must be 1 or 2.")),
    }
}

fn list_param(req: &Req, name: &str) -> Result<Option<Vec<String>>, PortalError> {
    req.param(name).map(|v| parse_list(name, v)).transpose()
}

fn date_param(req: &Req, name: &str) -> Result<Option<Millis>, PortalError> {
    match req.param(name) {
        None | Some("") => Ok(None),
        Some(v) => v
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(|f| Some(f as Millis))
            .ok_or_else(|| {
                PortalError::bad_request(format!(
                    "'{name}' must be a number of milliseconds since 1970, or -1."
                ))
            }),
    }
}

fn auth_tag(auth: &Option<Auth>, token: Option<&str>) -> String {
    match (auth, token) {
        (Some(Auth::User(u)), _) => format!("user:{u}"),
        (Some(Auth::Key { slot, .. }), Some(t)) => format!("key{slot}:{}", mask_key(t)),
        (_, Some(t)) => format!("token:{}", mask_key(t)),
        _ => "anonymous".to_string(),
    }
}

/// `/portal/sharing/rest/...`
pub async fn sharing(AxState(shared): AxState<std::sync::Arc<Shared>>, req: Request) -> Response {
    let started = std::time::Instant::now();
    let (req, path) = match parse_request(req).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    shared.stats.total.fetch_add(1, Ordering::Relaxed);
    let rest = path
        .strip_prefix("/portal/sharing/rest")
        .unwrap_or("")
        .trim_matches('/');
    let segs: Vec<&str> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split('/').collect()
    };
    let mut auth_seen = None;
    let result = handle_sharing(&shared, &req, &segs, &mut auth_seen);
    let token = req.token();
    if matches!(auth_seen, Some(Auth::Key { .. })) {
        shared.stats.with_key.fetch_add(1, Ordering::Relaxed);
    }
    let (body, code) = match result {
        Ok(v) => (v, 200),
        Err(e) => {
            shared.stats.errors.fetch_add(1, Ordering::Relaxed);
            let c = e.code;
            (error_json(&e), c)
        }
    };
    log::line(
        shared.log,
        LogLevel::Info,
        &format!(
            "method={} path=/portal/sharing/rest/{} result={} auth={} ms={}",
            req.method,
            rest,
            code,
            auth_tag(&auth_seen, token.as_deref()),
            started.elapsed().as_millis()
        ),
    );
    json_response(StatusCode::OK, &body)
}

fn handle_sharing(
    shared: &Shared,
    req: &Req,
    segs: &[&str],
    auth_seen: &mut Option<Auth>,
) -> Result<Value, PortalError> {
    let now = shared.now();
    let mut state = shared.lock();
    // Token-less operations first.
    match segs {
        [] => return Ok(json!({ "currentVersion": "11.4" })),
        ["generateToken"] => {
            req.require_post()?;
            let username = req.param("username").unwrap_or("");
            let password = req.param("password").unwrap_or("");
            let minutes = req.param("expiration").and_then(|e| e.parse::<i64>().ok());
            // `client=referer`: the token works only with requests from that referer.
            let referer = match req.param("client") {
                Some("referer") => Some(
                    req.param("referer")
                        .filter(|r| !r.is_empty())
                        .ok_or_else(|| {
                            PortalError::bad_request("'referer' is required with client=referer.")
                        })?,
                ),
                _ => None,
            };
            let (token, expires) =
                state.generate_token(username, password, minutes, referer, now)?;
            shared.persist(&state)?;
            *auth_seen = Some(Auth::User(username.to_string()));
            return Ok(json!({ "token": token, "expires": expires, "ssl": false }));
        }
        ["oauth2", "token"] => {
            req.require_post()?;
            if req.param("grant_type") != Some("client_credentials") {
                return Err(PortalError::bad_request(
                    "'grant_type' must be client_credentials.",
                ));
            }
            let slot = slot_param(req)?;
            let regenerate = req.param("regenerateApiToken") == Some("true");
            let (key, expires) = state.generate_key(
                req.param("client_id").unwrap_or(""),
                req.param("client_secret").unwrap_or(""),
                slot,
                regenerate,
                now,
            )?;
            shared.persist(&state)?;
            let expires_in = ((expires - now) / 1000).max(0);
            return Ok(json!({ "access_token": key, "expires_in": expires_in }));
        }
        ["oauth2", "revokeToken"] => {
            req.require_post()?;
            let slot = slot_param(req)?;
            state.revoke_key(
                req.param("client_id").unwrap_or(""),
                req.param("client_secret").unwrap_or(""),
                slot,
            )?;
            shared.persist(&state)?;
            return Ok(json!({ "success": true }));
        }
        _ => {}
    }

    let auth = authenticate(&state, req, now)?;
    *auth_seen = Some(auth.clone());
    match segs {
        ["portals", "self"] => {
            let mut out = portal_json(&state);
            match &auth {
                Auth::User(u) => {
                    if let Some(user) = state.users.get(u) {
                        out["user"] = user_json(user, &state.portal_id);
                    }
                }
                Auth::Key { client_id, slot } => {
                    if let Some(app) = state.apps.get(client_id) {
                        let title = state
                            .items
                            .get(&app.item_id)
                            .map(|i| i.title.clone())
                            .unwrap_or_default();
                        let expires = app
                            .slots
                            .get(usize::from(*slot) - 1)
                            .map_or(-1, |s| s.expires);
                        out["appInfo"] = json!({
                            "appId": app.client_id,
                            "appTitle": title,
                            "itemId": app.item_id,
                            "expirationDate": expires,
                            "privileges": app.privileges,
                        });
                        if app.is_personal {
                            if let Some(owner) = state.app_owner(app) {
                                out["user"] = user_json(owner, &state.portal_id);
                            }
                        }
                    }
                }
                Auth::Anonymous => {}
            }
            Ok(out)
        }
        ["community", "self"] => match &auth {
            Auth::User(u) => state
                .users
                .get(u)
                .map(|x| user_json(x, &state.portal_id))
                .ok_or_else(PortalError::invalid_token),
            Auth::Key { client_id, .. } => {
                let app = state
                    .apps
                    .get(client_id)
                    .ok_or_else(PortalError::invalid_token)?;
                match (app.is_personal, state.app_owner(app)) {
                    (true, Some(owner)) => Ok(user_json(owner, &state.portal_id)),
                    _ => Err(PortalError::forbidden()),
                }
            }
            Auth::Anonymous => Err(PortalError::token_required()),
        },
        ["community", "users", username] => {
            let u = state.users.get(*username).ok_or_else(|| {
                PortalError::new(400, "User not found.")
                    .detail(format!("User '{username}' does not exist."))
            })?;
            Ok(match &auth {
                Auth::User(me) if me == username => user_json(u, &state.portal_id),
                _ => public_user_json(u),
            })
        }
        ["content", "items", id] => {
            let item = state
                .items
                .get(*id)
                .ok_or_else(PortalError::item_not_found)?;
            if !item_visible(&state, &auth, item) {
                return Err(match auth {
                    Auth::Anonymous => PortalError::token_required(),
                    _ => PortalError::forbidden(),
                });
            }
            Ok(item_json(item, &state.portal_id))
        }
        ["content", "users", user] => {
            require_same_user(&state, &auth, user)?;
            let items = sorted(state.items.values().filter(|i| i.owner == *user));
            let mut answer = paged(req, &items, &state.portal_id, "items")?;
            answer.insert("username".into(), json!(user));
            answer.insert("currentFolder".into(), Value::Null);
            answer.insert("folders".into(), json!([]));
            Ok(Value::Object(answer))
        }
        ["search"] => {
            let q = req.param("q").unwrap_or("");
            let query = crate::search::parse(q)
                .map_err(|e| PortalError::bad_request(format!("Invalid query: {e}.")))?;
            let mut items =
                sorted(state.items.values().filter(|i| {
                    item_visible(&state, &auth, i) && crate::search::matches(&query, i)
                }));
            match req
                .param("sortField")
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("modified") => items.sort_by_key(|i| i.modified),
                Some("title") => items.sort_by_key(|i| i.title.to_lowercase()),
                // `created`, and relevance (which the emulator does not rank): oldest first.
                _ => {}
            }
            if req
                .param("sortOrder")
                .is_some_and(|o| o.eq_ignore_ascii_case("desc"))
            {
                items.reverse();
            }
            let mut answer = paged(req, &items, &state.portal_id, "results")?;
            answer.insert("query".into(), json!(q));
            Ok(Value::Object(answer))
        }
        ["content", "users", user, "addItem"] => {
            req.require_post()?;
            let owner = require_same_user(&state, &auth, user)?.to_string();
            let kw = comma_list(req.param("typeKeywords").unwrap_or(""));
            let tags = comma_list(req.param("tags").unwrap_or(""));
            let id = state.add_item(
                &owner,
                req.param("title").unwrap_or(""),
                req.param("type").unwrap_or(""),
                kw,
                tags,
                req.param("snippet").unwrap_or(""),
                "private",
                now,
            )?;
            if let Some(item) = state.items.get_mut(&id) {
                item.description = req.param("description").unwrap_or("").to_string();
                for field in ITEM_EXTRA_FIELDS {
                    let Some(v) = req.param(field) else { continue };
                    let value = match field {
                        "categories" => json!(comma_list(v)),
                        "properties" | "extent" | "spatialReference" => {
                            serde_json::from_str(v).unwrap_or_else(|_| json!(v))
                        }
                        _ => json!(v),
                    };
                    item.extra.insert(field.to_string(), value);
                }
            }
            shared.persist(&state)?;
            Ok(json!({ "success": true, "id": id, "folder": Value::Null }))
        }
        ["content", "users", user, "items", id, "registeredAppInfo"] => {
            require_same_user(&state, &auth, user)?;
            let item = state
                .items
                .get(*id)
                .ok_or_else(PortalError::item_not_found)?;
            if item.owner != *user {
                return Err(PortalError::item_not_found());
            }
            state
                .app_for_item(id)
                .map(app_json)
                .ok_or_else(|| PortalError::bad_request("The item is not a registered app."))
        }
        ["content", "users", user, "items", id, "update"] => {
            req.require_post()?;
            let u = require_same_user(&state, &auth, user)?.to_string();
            let exp = [
                date_param(req, "apiToken1ExpirationDate")?,
                date_param(req, "apiToken2ExpirationDate")?,
            ];
            state.update_item(
                &u,
                id,
                req.param("title").map(str::to_string),
                req.param("snippet").map(str::to_string),
                exp,
                now,
            )?;
            shared.persist(&state)?;
            Ok(json!({ "success": true, "id": id }))
        }
        ["content", "users", user, "items", id, "delete"] => {
            req.require_post()?;
            let u = require_same_user(&state, &auth, user)?.to_string();
            state.delete_item(&u, id)?;
            shared.persist(&state)?;
            Ok(json!({ "success": true, "itemId": id }))
        }
        ["oauth2", "registerApp"] => {
            req.require_post()?;
            let u = require_user(&auth)?.to_string();
            let app = state.register_app(
                &u,
                req.param("itemId").unwrap_or(""),
                req.param("appType").unwrap_or("multiple"),
                list_param(req, "redirect_uris")?.unwrap_or_default(),
                list_param(req, "httpReferrers")?.unwrap_or_default(),
                list_param(req, "privileges")?.unwrap_or_default(),
                now,
            )?;
            shared.persist(&state)?;
            Ok(app_json(&app))
        }
        ["oauth2", "apps", client_id] => {
            let u = require_user(&auth)?;
            let app = state
                .apps
                .get(*client_id)
                .ok_or_else(|| PortalError::bad_request("Invalid client_id."))?;
            let owner = state.items.get(&app.item_id).map(|i| i.owner.as_str());
            if owner != Some(u) && !state.is_admin(u) {
                return Err(PortalError::forbidden());
            }
            Ok(app_json(app))
        }
        ["oauth2", "apps", client_id, "update"] => {
            req.require_post()?;
            let u = require_user(&auth)?.to_string();
            // Choice: what a portal does with an omitted list is undocumented (it may clear it,
            // removing every referrer restriction on a privileges edit). Esri's `updateApiKey`
            // always sends both, so the emulator refuses an update that does not, and a client
            // that sends one list fails here instead of on a portal.
            for name in ["privileges", "httpReferrers"] {
                if req.param(name).is_none() {
                    return Err(PortalError::bad_request(format!(
                        "'{name}' is required: send both privileges and httpReferrers."
                    )));
                }
            }
            let app = state.update_app(
                &u,
                client_id,
                list_param(req, "privileges")?,
                list_param(req, "httpReferrers")?,
                list_param(req, "redirect_uris")?,
                now,
            )?;
            shared.persist(&state)?;
            Ok(app_json(&app))
        }
        ["oauth2", "apps", client_id, "unregister"] => {
            req.require_post()?;
            let u = require_user(&auth)?.to_string();
            let item_id = state.unregister(&u, client_id)?;
            shared.persist(&state)?;
            Ok(json!({ "success": true, "itemId": item_id }))
        }
        _ => Err(PortalError::new(404, "Resource not found.")
            .detail("The emulator does not implement this endpoint.")),
    }
}

/// Services: `(path marker, privilege)`.
fn service_privilege(path: &str) -> Option<&'static str> {
    // The core's catalogue (`required_privilege`), for the two services the emulator serves.
    let served = path.starts_with("/arcgis/rest/services/styles/v2/styles/")
        || path == "/arcgis/rest/services/World/GeocodeServer/findAddressCandidates";
    served
        .then(|| apikey_credentials::core::privileges::required_privilege(path))
        .flatten()
        .map(|(privilege, _)| privilege)
}

/// A service error with a real HTTP status (location-service style).
fn service_error(e: &PortalError) -> Response {
    let status = match e.code {
        499 => StatusCode::UNAUTHORIZED,
        498 => StatusCode::from_u16(498).unwrap_or(StatusCode::UNAUTHORIZED),
        c => StatusCode::from_u16(c).unwrap_or(StatusCode::BAD_REQUEST),
    };
    json_response(status, &error_json(e))
}

/// The tiny gazetteer behind the geocoding service.
const GAZETTEER: &[(&str, f64, f64)] = &[
    (
        "380 New York St, Redlands, California, 92373",
        -117.1956,
        34.0564,
    ),
    ("Redlands, California", -117.1825, 34.0556),
    ("Palm Springs, California", -116.5453, 33.8303),
    ("Los Angeles, California", -118.2437, 34.0522),
    ("San Diego, California", -117.1611, 32.7157),
    ("Zurich, Switzerland", 8.5417, 47.3769),
    ("Berlin, Germany", 13.4050, 52.5200),
    ("Paris, France", 2.3522, 48.8566),
    ("London, United Kingdom", -0.1276, 51.5072),
    ("Tokyo, Japan", 139.6917, 35.6895),
];

/// `/arcgis/rest/services/...`: the basemap style and geocoding services.
pub async fn service(AxState(shared): AxState<std::sync::Arc<Shared>>, req: Request) -> Response {
    let (req, path) = match parse_request(req).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    shared.stats.total.fetch_add(1, Ordering::Relaxed);
    let now = shared.now();
    let token = req.token();
    let result = (|| -> Result<Value, PortalError> {
        let privilege =
            service_privilege(&path).ok_or_else(|| PortalError::new(404, "Service not found."))?;
        let state = shared.lock();
        let auth = match state.resolve(token.as_deref(), req.referer().as_deref(), now) {
            Ok(a) => a,
            Err(_) => {
                return Err(PortalError::new(498, "Token Invalid.")
                    .detail("The required authentication information is invalid. The token is either invalid or has expired."))
            }
        };
        let granted = match &auth {
            Auth::Anonymous => {
                return Err(PortalError::new(499, "Token Required.")
                    .detail("The required authentication information is missing."))
            }
            Auth::User(u) => state
                .users
                .get(u)
                .map(|x| x.privileges.clone())
                .unwrap_or_default(),
            Auth::Key { client_id, .. } => {
                shared.stats.with_key.fetch_add(1, Ordering::Relaxed);
                let app = state
                    .apps
                    .get(client_id)
                    .ok_or_else(PortalError::invalid_token)?;
                check_referrer(app, req.referer().as_deref())?;
                app.privileges.clone()
            }
        };
        if !grants(&granted, privilege) {
            return Err(PortalError::forbidden()
                .detail(format!("The API key lacks the privilege {privilege}.")));
        }
        Ok(if privilege == "premium:user:basemaps" {
            let name = path.rsplit('/').next().unwrap_or("navigation");
            json!({
                "version": 8,
                "name": format!("arcgis/{name}"),
                "metadata": { "emulated": true },
                "sources": {},
                "layers": [{ "id": "background", "type": "background", "paint": { "background-color": "#e8e4d8" } }],
            })
        } else {
            let q = req
                .param("SingleLine")
                .or(req.param("singleLine"))
                .unwrap_or("")
                .trim()
                .to_lowercase();
            let candidates: Vec<Value> = if q.is_empty() {
                Vec::new()
            } else {
                GAZETTEER
                    .iter()
                    .filter(|(name, _, _)| name.to_lowercase().contains(&q))
                    .map(|(name, x, y)| json!({ "address": name, "location": { "x": x, "y": y }, "score": 100, "attributes": {} }))
                    .collect()
            };
            json!({ "spatialReference": { "wkid": 4326, "latestWkid": 4326 }, "candidates": candidates })
        })
    })();
    let (resp, code) = match result {
        Ok(v) => (json_response(StatusCode::OK, &v), 200),
        Err(e) => {
            shared.stats.errors.fetch_add(1, Ordering::Relaxed);
            (service_error(&e), e.code)
        }
    };
    log::line(
        shared.log,
        LogLevel::Info,
        &format!(
            "method={} path={} result={} auth={}",
            req.method,
            path,
            code,
            auth_tag(&None, token.as_deref())
        ),
    );
    resp
}

/// `/emulator/seeded-keys`: the demo's seeded keys (emulator only, memory only: gone after a
/// restart from a state file, since only hashes are stored).
pub async fn seeded_keys(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    let keys = shared.seeded.lock().map(|k| k.clone()).unwrap_or_default();
    json_response(StatusCode::OK, &json!({ "keys": keys }))
}

/// `/emulator/demo-login`: the seeded demo owner's username and password, so the demo page can
/// show them as a hint (emulator only; 404 when the data was not seeded in this run).
pub async fn demo_login(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    match &shared.demo_login {
        Some((u, p)) => json_response(StatusCode::OK, &json!({ "username": u, "password": p })),
        None => json_response(
            StatusCode::NOT_FOUND,
            &json!({ "error": "not seeded in this run" }),
        ),
    }
}

/// `/emulator/stats`: request counters.
pub async fn stats(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    let s = &shared.stats;
    json_response(
        StatusCode::OK,
        &json!({
            "total": s.total.load(Ordering::Relaxed),
            "withKey": s.with_key.load(Ordering::Relaxed),
            "errors": s.errors.load(Ordering::Relaxed),
            "preflights": s.preflights.load(Ordering::Relaxed),
            "now": shared.now(),
        }),
    )
}

/// `POST /emulator/expire-sign-ins`: every user token issued so far stops working, as when a
/// sign-in reaches its expiration (API keys are not affected). For tests of expired sessions.
pub async fn expire_sign_ins(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    let dropped = {
        let mut state = shared.lock();
        let n = state.tokens.len();
        state.tokens.clear();
        n
    };
    json_response(StatusCode::OK, &json!({ "expired": dropped }))
}

/// `/emulator/slow?ms=N` (at most 30 s): answers `{}` after a delay, for timeout tests.
pub async fn slow(req: Request) -> Response {
    let ms: u64 = req
        .uri()
        .query()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "ms")
                .and_then(|(_, v)| v.parse().ok())
        })
        .unwrap_or(1000)
        .min(30_000);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    json_response(StatusCode::OK, &json!({ "slept": ms }))
}

/// `/emulator/not-json`: an HTML page where JSON is expected, for fault tests.
pub async fn not_json() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body>Gateway login</body></html>",
    )
        .into_response()
}

/// `/emulator/truncated`: a JSON body cut off mid-way, for fault tests.
/// Hostile error bodies (HTTP 200, as the sharing API answers errors), for the tests that
/// the library stays bounded: `long` (a 400 KB message and one 200 KB detail), `many` (30,000
/// details of 45 characters), `huge` (an 8 MB message).
pub async fn error_body(axum::extract::Path(kind): axum::extract::Path<String>) -> Response {
    let body = match kind.as_str() {
        "long" => {
            json!({"error": {"code": 400, "message": "m".repeat(400_000), "details": ["d".repeat(200_000)]}})
        }
        "many" => {
            let details: Vec<String> = (0..30_000)
                .map(|i| format!("detail {i:05} of a body far too long to read"))
                .collect();
            json!({"error": {"code": 400, "message": "Bad request.", "details": details}})
        }
        "huge" => json!({"error": {"code": 500, "message": "x".repeat(8 * 1024 * 1024)}}),
        _ => return not_found(),
    };
    json_response(StatusCode::OK, &body)
}

/// [`error_body`] for any path below it.
pub async fn error_body_anywhere(
    axum::extract::Path((kind, _)): axum::extract::Path<(String, String)>,
) -> Response {
    error_body(axum::extract::Path(kind)).await
}

pub async fn truncated() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"id":"abc","name":"trunc"#,
    )
        .into_response()
}

/// `/emulator/status/{code}`: an empty answer with that HTTP status (e.g. 503), for fault tests.
pub async fn status(axum::extract::Path(code): axum::extract::Path<u16>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, [(header::CONTENT_TYPE, "text/plain")], "").into_response()
}

/// Sets `Date` from the emulator's clock (which `--clock-offset-days` shifts), so clients see
/// the portal's time.
pub fn date_header(now: Millis) -> HeaderValue {
    let dt = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now).unwrap_or_default();
    HeaderValue::from_str(&dt.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

/// A body for 404s of unknown non-portal paths handled here.
pub fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Body::from("Not found")).into_response()
}
