//! The portal's data: users, items, registered apps with their two key slots, tokens.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Millis, PortalError, Result};

/// A portal member.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Username.
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// E-mail.
    pub email: String,
    /// `userLicenseTypeId` (`creatorUT`, `viewerUT`, …).
    pub user_type: String,
    /// `org_admin`, `org_publisher`, `org_user` or a custom role id.
    pub role: String,
    /// Role privileges.
    pub privileges: Vec<String>,
    /// Salt for the password hash.
    pub salt: String,
    /// SHA-256 of salt + password.
    pub password_hash: String,
    /// Created (epoch ms).
    pub created: Millis,
}

/// A portal item.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    /// 32 hex digits.
    pub id: String,
    /// Owner's username.
    pub owner: String,
    /// Title.
    pub title: String,
    /// Item type.
    pub item_type: String,
    /// Type keywords.
    pub type_keywords: Vec<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Summary.
    pub snippet: String,
    /// Description.
    pub description: String,
    /// `private`, `org` or `public`.
    pub access: String,
    /// Created (epoch ms).
    pub created: Millis,
    /// Modified (epoch ms).
    pub modified: Millis,
    /// Key 1 expiration (`-1`: not set).
    pub api_token1_expiration_date: Millis,
    /// Key 2 expiration (`-1`: not set).
    pub api_token2_expiration_date: Millis,
    /// The other item fields `addItem` takes and the item answers with, as given (Esri's
    /// `createApiKey` passes `categories`, `culture`, `documentation`, `extent`, `properties`,
    /// `spatialReference` and `url` through; see [`ITEM_EXTRA_FIELDS`]).
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// The `addItem` fields kept in [`Item::extra`]: `categories` is an item list (commas),
/// `properties`, `extent` and `spatialReference` are JSON, the rest text.
pub const ITEM_EXTRA_FIELDS: [&str; 7] = [
    "categories",
    "culture",
    "documentation",
    "extent",
    "properties",
    "spatialReference",
    "url",
];

/// An item list parameter (`tags`, `typeKeywords`, `categories`): comma-separated, as Esri's
/// client sends them and the portal reads them. A JSON array is not parsed: its brackets and
/// quotes stay in the values, as they would on a portal.
pub fn comma_list(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// One API key slot of a registered app.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    /// SHA-256 of the current key (none: never generated or invalidated).
    pub key_hash: Option<String>,
    /// `apiTokenNActive`.
    pub active: bool,
    /// Expiration of the current key (`-1`: none).
    pub expires: Millis,
    /// When the current key was generated.
    pub generated_at: Millis,
    /// How many keys this slot has had (each generation increments it).
    pub generation: u64,
}

/// A registered app (the OAuth registration of an API key credentials item).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct App {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// The item.
    pub item_id: String,
    /// `multiple` for API key credentials.
    pub app_type: String,
    /// Redirect URIs.
    pub redirect_uris: Vec<String>,
    /// Referrer restrictions.
    pub http_referrers: Vec<String>,
    /// Privileges (item access included).
    pub privileges: Vec<String>,
    /// Registered (epoch ms).
    pub registered: Millis,
    /// Modified (epoch ms).
    pub modified: Millis,
    /// `isPersonalAPIToken`.
    pub is_personal: bool,
    /// Slot 1 and slot 2.
    pub slots: [Slot; 2],
}

/// A signed-in user's token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UserToken {
    /// Whose.
    pub username: String,
    /// Expires (epoch ms).
    pub expires: Millis,
    /// The referer the token was generated for (`client=referer`): it works only with requests
    /// from there (see [`referer_matches`]).
    #[serde(default)]
    pub referer: Option<String>,
}

/// Everything the portal knows.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// Schema version.
    pub version: u32,
    /// Organisation id.
    pub portal_id: String,
    /// Organisation name.
    pub portal_name: String,
    /// Users by username.
    pub users: BTreeMap<String, User>,
    /// Items by id.
    pub items: BTreeMap<String, Item>,
    /// Registered apps by client id.
    pub apps: BTreeMap<String, App>,
    /// User tokens by SHA-256.
    pub tokens: BTreeMap<String, UserToken>,
    /// OAuth authorization codes waiting for their exchange, by SHA-256.
    #[serde(default)]
    pub oauth_codes: BTreeMap<String, super::oauth::PendingCode>,
    /// OAuth refresh tokens, by SHA-256.
    #[serde(default)]
    pub refresh_tokens: BTreeMap<String, super::oauth::RefreshGrant>,
    /// Key hash → (client id, slot); rebuilt on load, not stored.
    #[serde(skip)]
    pub key_index: BTreeMap<String, (String, u8)>,
}

/// What a token turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    /// No token.
    Anonymous,
    /// A user token.
    User(String),
    /// An API key of this app and slot.
    Key {
        /// The registered app.
        client_id: String,
        /// 1 or 2.
        slot: u8,
    },
}

/// Parses a JSON-array parameter (`["a","b"]`), as the portal takes arrays. An empty string is
/// an empty list; a comma-separated list is accepted too (Choice: the portal's exact leniency is
/// unknown).
pub fn parse_list(name: &str, value: &str) -> Result<Vec<String>> {
    let v = value.trim();
    if v.is_empty() {
        return Ok(Vec::new());
    }
    if v.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(v).map_err(|_| {
            PortalError::bad_request(format!("'{name}' must be a JSON array of strings."))
        });
    }
    Ok(v.split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect())
}
