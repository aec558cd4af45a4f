//! The JSON shapes of the portal's answers: users, items, registered apps, the portal.

use serde_json::{json, Value};

use crate::state::{App, Item, State, User};

pub(super) fn user_json(u: &User, portal_id: &str) -> Value {
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

pub(super) fn public_user_json(u: &User) -> Value {
    json!({ "username": u.username, "fullName": u.full_name, "created": u.created, "access": "org" })
}

pub(super) fn item_json(i: &Item, portal_id: &str) -> Value {
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

pub(super) fn app_json(a: &App) -> Value {
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

pub(super) fn portal_json(s: &State) -> Value {
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
