//! Who is calling: tokens and API keys (with their referrer check), and what they may see.

use apikey_credentials::core::keys::mask_key;
use apikey_credentials::core::privileges::item_access_privilege;
use apikey_credentials::core::referrer::{ReferrerRules, RulesOptions};

use crate::state::{App, Auth, Item, Millis, PortalError, State};

use super::http::*;

/// Checks an API key request the way the portal does: the app's referrer list against the
/// `Referer` header (never `Origin`).
pub(super) fn check_referrer(app: &App, referer: Option<&str>) -> Result<(), PortalError> {
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
pub(super) fn authenticate(state: &State, req: &Req, now: Millis) -> Result<Auth, PortalError> {
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

pub(super) fn require_user(auth: &Auth) -> Result<&str, PortalError> {
    match auth {
        Auth::User(u) => Ok(u),
        Auth::Anonymous => Err(PortalError::token_required()),
        // Choice: API keys cannot manage credentials (only the owner's user token can).
        Auth::Key { .. } => Err(PortalError::forbidden()),
    }
}

pub(super) fn require_same_user<'a>(
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
pub(super) fn item_visible(state: &State, auth: &Auth, item: &Item) -> bool {
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

pub(super) fn auth_tag(auth: &Option<Auth>, token: Option<&str>) -> String {
    match (auth, token) {
        (Some(Auth::User(u)), _) => format!("user:{u}"),
        (Some(Auth::Key { slot, .. }), Some(t)) => format!("key{slot}:{}", mask_key(t)),
        (_, Some(t)) => format!("token:{}", mask_key(t)),
        _ => "anonymous".to_string(),
    }
}
