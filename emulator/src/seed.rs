//! The demo data: an owner, a viewer, and API key credentials whose keys show every state at once
//! (healthy, expiring within 7 days, expired, invalidated, never generated).

use rand::distr::Alphanumeric;
use rand::Rng;

use crate::state::{Millis, State};

const DAY: Millis = 86_400_000;

/// A seeded key, kept in memory only (never in the state file) so the demo page can offer it.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeededKey {
    /// The credentials item.
    pub item_id: String,
    /// Its title.
    pub title: String,
    /// 1 or 2.
    pub slot: u8,
    /// The raw key (demo data; fetched only by the demo page on request).
    pub key: String,
    /// What the seed made of it.
    pub note: String,
}

/// The seeded accounts' passwords (printed at start-up).
pub struct Seeded {
    /// The owner's username.
    pub owner: String,
    /// The owner's password.
    pub owner_password: String,
    /// The viewer's password.
    pub viewer_password: String,
    /// The seeded keys.
    pub keys: Vec<SeededKey>,
    /// The client id of the demo's OAuth app (redirect URIs: each demo origin's `/` and
    /// `/oauth-callback.html`).
    pub oauth_client_id: String,
}

fn password() -> String {
    let s: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(12)
        .map(char::from)
        .collect();
    format!("demo-{s}")
}

/// Fills an empty state with the demo data. `origins` are the origins the seeded referrers
/// allow (the demo's main origin), never the second origin.
pub fn seed(
    state: &mut State,
    origins: &[String],
    oauth_origins: &[String],
    owner_password: Option<String>,
    now: Millis,
) -> Seeded {
    let owner = "demo_owner".to_string();
    let owner_password = owner_password.unwrap_or_else(password);
    let viewer_password = password();
    state.add_user(
        &owner,
        &owner_password,
        "Demo Owner",
        "creatorUT",
        "org_publisher",
        [
            "portal:user:createItem",
            "portal:user:shareToGroup",
            "portal:user:generateApiTokens",
            "portal:user:assignPrivilegesToApps",
            "premium:user:basemaps",
            "premium:user:geocode",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
        now,
    );
    state.add_user(
        "demo_viewer",
        &viewer_password,
        "Demo Viewer",
        "viewerUT",
        "org_user",
        vec![],
        now,
    );

    // Content the credentials can be granted access to.
    let map = state
        .add_item(
            &owner,
            "City parks web map",
            "Web Map",
            vec![],
            vec!["demo".into()],
            "A map the store locator may open.",
            "private",
            now,
        )
        .unwrap_or_default();
    let _other = state
        .add_item(
            &owner,
            "Internal survey layer",
            "Feature Service",
            vec![],
            vec!["demo".into()],
            "Not shared with any key.",
            "private",
            now,
        )
        .unwrap_or_default();

    let referrers: Vec<String> = origins.to_vec();
    let mut keys = Vec::new();
    let mut make = |state: &mut State,
                    title: &str,
                    snippet: &str,
                    privileges: Vec<String>,
                    slots: [(Option<Millis>, &str); 2]| {
        let id = state
            .add_item(
                &owner,
                title,
                "Application",
                vec!["API Key Credentials".into()],
                vec!["demo".into()],
                snippet,
                "private",
                now,
            )
            .unwrap_or_default();
        let Ok(app) = state.register_app(
            &owner,
            &id,
            "multiple",
            vec!["urn:ietf:wg:oauth:2.0:oob".into()],
            referrers.clone(),
            privileges,
            now,
        ) else {
            return;
        };
        for (i, (offset_days, what)) in slots.iter().enumerate() {
            let slot = i as u8 + 1;
            let Some(days) = offset_days else { continue };
            let Ok((key, _)) =
                state.generate_key(&app.client_id, &app.client_secret, slot, true, now)
            else {
                continue;
            };
            // Backdate or shorten to the wanted state, as if generated earlier.
            let expires = now + days * DAY;
            if let Some(a) = state.apps.get_mut(&app.client_id) {
                if let Some(s) = a.slots.get_mut(i) {
                    s.expires = expires;
                    s.generated_at = expires - 365 * DAY;
                    if *what == "invalidated" {
                        s.active = false;
                        s.key_hash = None;
                    }
                }
            }
            if let Some(item) = state.items.get_mut(&id) {
                if slot == 1 {
                    item.api_token1_expiration_date = expires;
                } else {
                    item.api_token2_expiration_date = expires;
                }
            }
            keys.push(SeededKey {
                item_id: id.clone(),
                title: title.to_string(),
                slot,
                key,
                note: what.to_string(),
            });
        }
        state.reindex();
    };
    make(
        state,
        "Store locator (key 1 about to expire)",
        "Key 1 is about to expire; key 2 is healthy: rotate, then invalidate key 1.",
        vec![
            "premium:user:basemaps".into(),
            "premium:user:geocode".into(),
            format!("portal:app:access:item:{map}"),
        ],
        [(Some(5), "critical"), (Some(300), "healthy")],
    );
    make(
        state,
        "Field app (key 2 never generated)",
        "Key 1 is healthy; slot 2 is empty.",
        vec!["premium:user:basemaps".into()],
        [(Some(200), "healthy"), (None, "")],
    );
    make(
        state,
        "Old dashboard (expired and invalidated)",
        "Key 1 expired ten days ago; key 2 was invalidated.",
        vec![
            "premium:user:basemaps".into(),
            "premium:user:geocode".into(),
        ],
        [(Some(-10), "expired"), (Some(120), "invalidated")],
    );
    // The demo's OAuth app: owners sign in to the demo with OAuth 2.0 and PKCE.
    let console = state
        .add_item(
            &owner,
            "apikey-credentials demo console",
            "Application",
            vec![],
            vec!["demo".into()],
            "The OAuth app the demo page signs owners in with.",
            "private",
            now,
        )
        .unwrap_or_default();
    let redirects = oauth_origins
        .iter()
        .flat_map(|o| [format!("{o}/"), format!("{o}/oauth-callback.html")])
        .collect();
    let oauth_client_id = state
        .register_app(&owner, &console, "browser", redirects, vec![], vec![], now)
        .map(|a| a.client_id)
        .unwrap_or_default();
    Seeded {
        owner,
        owner_password,
        viewer_password,
        keys,
        oauth_client_id,
    }
}
