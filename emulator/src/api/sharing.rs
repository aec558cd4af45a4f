//! The sharing REST API under `/portal/sharing/rest`: its routes, one per operation.

use std::sync::atomic::Ordering;

use axum::extract::{Request, State as AxState};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};

use crate::config::LogLevel;
use crate::log;
use crate::state::{comma_list, Auth, PortalError, ITEM_EXTRA_FIELDS};

use super::auth::*;
use super::http::*;
use super::params::*;
use super::shapes::*;
use super::Shared;

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
    // The sign-in page of OAuth 2.0 answers HTML, not JSON.
    if segs == ["oauth2", "authorize"] {
        let resp = super::oauth::authorize(&shared, &req);
        log::line(
            shared.log,
            LogLevel::Info,
            &format!(
                "method={} path=/portal/sharing/rest/oauth2/authorize result={} ms={}",
                req.method,
                resp.status().as_u16(),
                started.elapsed().as_millis()
            ),
        );
        return resp;
    }
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

pub(super) fn handle_sharing(
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
            let client_id = req.param("client_id").unwrap_or("");
            let signed_in = match req.param("grant_type") {
                Some("authorization_code") => Some(state.exchange_code(
                    client_id,
                    req.param("redirect_uri").unwrap_or(""),
                    req.param("code").unwrap_or(""),
                    req.param("code_verifier").unwrap_or(""),
                    now,
                )?),
                Some("refresh_token") => {
                    Some(state.refresh(client_id, req.param("refresh_token").unwrap_or(""), now)?)
                }
                Some("client_credentials") => None,
                _ => return Err(PortalError::oauth(
                    "unsupported_grant_type",
                    "Invalid grant_type: authorization_code, refresh_token or client_credentials.",
                )),
            };
            if let Some(t) = signed_in {
                shared.persist(&state)?;
                *auth_seen = Some(Auth::User(t.username.clone()));
                let mut v = json!({ "access_token": t.access_token, "expires_in": t.expires_in, "username": t.username, "ssl": false });
                if let (Some(r), Some(rin)) = (t.refresh_token, t.refresh_token_expires_in) {
                    v["refresh_token"] = json!(r);
                    v["refresh_token_expires_in"] = json!(rin);
                }
                return Ok(v);
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
