//! The portal's data and the rules it enforces: users and their tokens, items, registered apps
//! and their two API key slots. Pure data and operations (time passed in); the HTTP layer maps
//! the errors to ArcGIS error bodies.
//!
//! Keys are random, shaped like real ones (`AAPT…` + `.AT1_`/`.AT2_` + 8 characters), and only
//! their SHA-256 is kept. Choices where the real portal's behaviour is not documented are marked
//! "Choice:" below and listed in the README.

use std::collections::BTreeMap;

use apikey_credentials::core::credentials::latest_expiration;
use apikey_credentials::core::keys::mask_key;
use rand::distr::Alphanumeric;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Milliseconds since the epoch.
pub type Millis = i64;

/// The state file's schema version.
pub const SCHEMA_VERSION: u32 = 1;

/// A portal error: the numeric code, message, optional messageCode and details, as the real
/// error bodies carry them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalError {
    /// `error.code`
    pub code: u16,
    /// `error.message`
    pub message: String,
    /// `error.messageCode`
    pub message_code: Option<&'static str>,
    /// `error.details`
    pub details: Vec<String>,
}

impl PortalError {
    /// A plain error.
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        PortalError {
            code,
            message: message.into(),
            message_code: None,
            details: Vec::new(),
        }
    }

    /// Adds a detail line.
    pub fn detail(mut self, d: impl Into<String>) -> Self {
        self.details.push(d.into());
        self
    }

    /// 400 with a detail.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        PortalError::new(400, "Unable to complete operation.").detail(detail)
    }

    /// 498, as the sharing API words it.
    pub fn invalid_token() -> Self {
        PortalError::new(498, "Invalid token.")
    }

    /// 499, as the sharing API words it (rest-js mocks).
    pub fn token_required() -> Self {
        PortalError {
            code: 499,
            message: "Token Required".into(),
            message_code: Some("GWM_0003"),
            details: vec!["Token Required".into()],
        }
    }

    /// 403, as the sharing API words it (rest-js issue #444).
    pub fn forbidden() -> Self {
        PortalError {
            code: 403,
            message:
                "You do not have permissions to access this resource or perform this operation."
                    .into(),
            message_code: Some("GWM_0003"),
            details: Vec::new(),
        }
    }

    /// The item is unknown or not visible.
    pub fn item_not_found() -> Self {
        PortalError {
            code: 400,
            message: "Item does not exist or is inaccessible.".into(),
            message_code: Some("CONT_0001"),
            details: Vec::new(),
        }
    }
}

/// Result alias.
pub type Result<T> = std::result::Result<T, PortalError>;

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

/// Whether a request's `Referer` header (`sent`) fits the referer a token was bound to. Choice
/// (the portal's exact rule is undocumented): a bound URL matches any `Referer` with the same
/// origin (scheme, host and port, compared case-insensitively), as a browser sends the page's
/// origin or its full URL; any other bound value (a client's name, such as
/// `@esri/arcgis-rest-js`, which Node clients sign in with) must be sent exactly.
pub fn referer_matches(bound: &str, sent: Option<&str>) -> bool {
    fn origin(s: &str) -> Option<String> {
        let lower = s.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| lower.strip_prefix("http://").map(|r| ("http://", r)))?;
        let host = rest.1.split(['/', '?', '#']).next().unwrap_or("");
        (!host.is_empty()).then(|| format!("{}{host}", rest.0))
    }
    let Some(sent) = sent else { return false };
    match origin(bound) {
        Some(o) => origin(sent).as_deref() == Some(o.as_str()),
        None => sent == bound,
    }
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

/// SHA-256 as hex.
pub fn sha256_hex(data: &[u8]) -> String {
    let d = Sha256::digest(data);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

fn random_string(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

fn random_hex(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from_digit(rng.random_range(0..16), 16).unwrap_or('0'))
        .collect()
}

/// A new random key for `slot`, shaped like a real one.
pub fn new_key(slot: u8) -> String {
    const BODY: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    let body: String = (0..120)
        .map(|_| char::from(BODY[rng.random_range(0..BODY.len())]))
        .collect();
    format!("AAPT{body}.AT{slot}_{}", random_string(8))
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

impl State {
    /// An empty portal.
    pub fn new(portal_name: &str) -> Self {
        State {
            version: SCHEMA_VERSION,
            portal_id: random_string(16),
            portal_name: portal_name.to_string(),
            ..Default::default()
        }
    }

    /// Rebuilds the key index (after loading).
    pub fn reindex(&mut self) {
        self.key_index.clear();
        for app in self.apps.values() {
            for (i, s) in app.slots.iter().enumerate() {
                if let Some(h) = &s.key_hash {
                    self.key_index
                        .insert(h.clone(), (app.client_id.clone(), i as u8 + 1));
                }
            }
        }
    }

    /// `true` for an organisation administrator.
    pub fn is_admin(&self, user: &str) -> bool {
        self.users.get(user).is_some_and(|u| u.role == "org_admin")
    }

    /// Adds a user (password stored salted and hashed).
    #[allow(clippy::too_many_arguments)]
    pub fn add_user(
        &mut self,
        username: &str,
        password: &str,
        full_name: &str,
        user_type: &str,
        role: &str,
        privileges: Vec<String>,
        now: Millis,
    ) {
        let salt = random_hex(16);
        let password_hash = sha256_hex(format!("{salt}{password}").as_bytes());
        self.users.insert(
            username.to_string(),
            User {
                username: username.to_string(),
                full_name: full_name.to_string(),
                email: format!("{username}@example.invalid"),
                user_type: user_type.to_string(),
                role: role.to_string(),
                privileges,
                salt,
                password_hash,
                created: now,
            },
        );
    }

    /// `generateToken`: username + password → a user token valid `minutes` (default 60, at most
    /// two weeks, as rest-js asks for 20160).
    pub fn generate_token(
        &mut self,
        username: &str,
        password: &str,
        minutes: Option<i64>,
        referer: Option<&str>,
        now: Millis,
    ) -> Result<(String, Millis)> {
        let ok = self.users.get(username).is_some_and(|u| {
            sha256_hex(format!("{}{}", u.salt, password).as_bytes()) == u.password_hash
        });
        if !ok {
            return Err(PortalError::new(400, "Unable to generate token.")
                .detail("Invalid username or password."));
        }
        let minutes = minutes.unwrap_or(60).clamp(1, 20_160);
        let token = format!("{}.{}", random_string(64), random_string(16));
        let expires = now + minutes * 60_000;
        self.tokens.retain(|_, t| t.expires > now);
        self.tokens.insert(
            sha256_hex(token.as_bytes()),
            UserToken {
                username: username.to_string(),
                expires,
                referer: referer.map(str::to_string),
            },
        );
        Ok((token, expires))
    }

    /// Resolves a token sent with the `Referer` header `referer`: a user token (bound to the
    /// referer it was made for, if any), an API key (its slot must be active and unexpired),
    /// or an error (498).
    pub fn resolve(&self, token: Option<&str>, referer: Option<&str>, now: Millis) -> Result<Auth> {
        let Some(t) = token.filter(|t| !t.is_empty()) else {
            return Ok(Auth::Anonymous);
        };
        let h = sha256_hex(t.as_bytes());
        if let Some(u) = self.tokens.get(&h) {
            if u.expires <= now || !self.users.contains_key(&u.username) {
                return Err(PortalError::invalid_token());
            }
            if u.referer
                .as_deref()
                .is_some_and(|b| !referer_matches(b, referer))
            {
                return Err(PortalError::invalid_token()
                    .detail("The token was generated for another referer."));
            }
            return Ok(Auth::User(u.username.clone()));
        }
        let Some((client_id, slot)) = self.key_index.get(&h) else {
            return Err(PortalError::invalid_token());
        };
        let app = self
            .apps
            .get(client_id)
            .ok_or_else(PortalError::invalid_token)?;
        let s = app
            .slots
            .get(usize::from(*slot) - 1)
            .ok_or_else(PortalError::invalid_token)?;
        if !s.active || (s.expires != -1 && s.expires <= now) {
            return Err(PortalError::invalid_token());
        }
        Ok(Auth::Key {
            client_id: client_id.clone(),
            slot: *slot,
        })
    }

    /// The owner of an app's item.
    pub fn app_owner(&self, app: &App) -> Option<&User> {
        self.items
            .get(&app.item_id)
            .and_then(|i| self.users.get(&i.owner))
    }

    /// Adds an item owned by `owner`.
    #[allow(clippy::too_many_arguments)]
    pub fn add_item(
        &mut self,
        owner: &str,
        title: &str,
        item_type: &str,
        type_keywords: Vec<String>,
        tags: Vec<String>,
        snippet: &str,
        access: &str,
        now: Millis,
    ) -> Result<String> {
        if title.trim().is_empty() {
            return Err(PortalError::bad_request("'title' is required."));
        }
        if item_type.trim().is_empty() {
            return Err(PortalError::bad_request("'type' is required."));
        }
        let id = random_hex(32);
        self.items.insert(
            id.clone(),
            Item {
                id: id.clone(),
                owner: owner.to_string(),
                title: title.to_string(),
                item_type: item_type.to_string(),
                type_keywords,
                tags,
                snippet: snippet.to_string(),
                description: String::new(),
                access: access.to_string(),
                created: now,
                modified: now,
                api_token1_expiration_date: -1,
                api_token2_expiration_date: -1,
                extra: BTreeMap::new(),
            },
        );
        Ok(id)
    }

    /// The app registered for an item.
    pub fn app_for_item(&self, item_id: &str) -> Option<&App> {
        self.apps.values().find(|a| a.item_id == item_id)
    }

    /// `oauth2/registerApp`: item owner only; one registration per item.
    #[allow(clippy::too_many_arguments)]
    pub fn register_app(
        &mut self,
        user: &str,
        item_id: &str,
        app_type: &str,
        redirect_uris: Vec<String>,
        http_referrers: Vec<String>,
        privileges: Vec<String>,
        now: Millis,
    ) -> Result<App> {
        let item = self
            .items
            .get_mut(item_id)
            .ok_or_else(PortalError::item_not_found)?;
        if item.owner != user {
            return Err(PortalError::forbidden());
        }
        if item.item_type != "Application" && item.item_type != "API Key" {
            return Err(PortalError::bad_request(
                "Only items of type Application can be registered.",
            ));
        }
        if self.apps.values().any(|a| a.item_id == item_id) {
            return Err(PortalError::bad_request("The item is already registered."));
        }
        if !matches!(
            app_type,
            "apikey" | "browser" | "native" | "server" | "multiple"
        ) {
            return Err(PortalError::bad_request(
                "'appType' must be apikey, browser, native, server or multiple.",
            ));
        }
        check_lists(&http_referrers, &privileges)?;
        for kw in ["Registered App", "APIToken"] {
            if !item.type_keywords.iter().any(|k| k == kw) {
                item.type_keywords.push(kw.to_string());
            }
        }
        let is_personal = privileges.iter().any(|p| is_personal_privilege(p));
        let app = App {
            client_id: random_string(16),
            client_secret: random_hex(32),
            item_id: item_id.to_string(),
            app_type: app_type.to_string(),
            redirect_uris,
            http_referrers,
            privileges,
            registered: now,
            modified: now,
            is_personal,
            slots: Default::default(),
        };
        self.apps.insert(app.client_id.clone(), app.clone());
        Ok(app)
    }

    /// `oauth2/apps/{client_id}/update`: owner (or admin). Changing privileges invalidates both
    /// keys (documented); changing referrers does not (Choice: the docs say nothing).
    pub fn update_app(
        &mut self,
        user: &str,
        client_id: &str,
        privileges: Option<Vec<String>>,
        referrers: Option<Vec<String>>,
        redirect_uris: Option<Vec<String>>,
        now: Millis,
    ) -> Result<App> {
        self.check_app_owner(user, client_id)?;
        let app = self
            .apps
            .get_mut(client_id)
            .ok_or_else(|| PortalError::bad_request("Invalid client_id."))?;
        check_lists(
            referrers.as_ref().unwrap_or(&app.http_referrers),
            privileges.as_ref().unwrap_or(&app.privileges),
        )?;
        if let Some(p) = privileges {
            let changed = {
                let mut a = app.privileges.clone();
                let mut b = p.clone();
                a.sort();
                b.sort();
                a != b
            };
            if changed {
                for s in app.slots.iter_mut() {
                    s.active = false;
                    s.key_hash = None;
                }
            }
            app.is_personal = p.iter().any(|x| is_personal_privilege(x));
            app.privileges = p;
        }
        if let Some(r) = referrers {
            app.http_referrers = r;
        }
        if let Some(r) = redirect_uris {
            app.redirect_uris = r;
        }
        app.modified = now;
        let out = app.clone();
        self.reindex();
        Ok(out)
    }

    fn check_app_owner(&self, user: &str, client_id: &str) -> Result<()> {
        let app = self
            .apps
            .get(client_id)
            .ok_or_else(|| PortalError::bad_request("Invalid client_id."))?;
        let owner = self.items.get(&app.item_id).map(|i| i.owner.as_str());
        let is_admin = self.is_admin(user);
        if owner != Some(user) && !is_admin {
            return Err(PortalError::forbidden());
        }
        Ok(())
    }

    /// Item update: title/snippet and the key expiration dates. A date must be in the future and
    /// at most one year away, or `-1`. Changing the date of a slot that holds an active key
    /// invalidates that key (docs: an expiration cannot change without invalidating the key).
    pub fn update_item(
        &mut self,
        user: &str,
        item_id: &str,
        title: Option<String>,
        snippet: Option<String>,
        exp: [Option<Millis>; 2],
        now: Millis,
    ) -> Result<()> {
        let item = self
            .items
            .get(item_id)
            .ok_or_else(PortalError::item_not_found)?;
        let is_admin = self.is_admin(user);
        if item.owner != user && !is_admin {
            return Err(PortalError::forbidden());
        }
        let latest = latest_expiration(now).unwrap_or(now);
        for d in exp.iter().flatten() {
            if *d != -1 && (*d <= now || *d > latest) {
                return Err(PortalError::bad_request(
                    "API key expiration dates must be in the future and at most one year away.",
                ));
            }
        }
        let client = self.app_for_item(item_id).map(|a| a.client_id.clone());
        let item = self
            .items
            .get_mut(item_id)
            .ok_or_else(PortalError::item_not_found)?;
        if let Some(t) = title {
            item.title = t;
        }
        if let Some(s) = snippet {
            item.snippet = s;
        }
        let mut changed = [false, false];
        for (i, d) in exp.iter().enumerate() {
            if let Some(d) = d {
                let cur = if i == 0 {
                    &mut item.api_token1_expiration_date
                } else {
                    &mut item.api_token2_expiration_date
                };
                if *cur != *d {
                    *cur = *d;
                    changed[i] = true;
                }
            }
        }
        item.modified = now;
        if let Some(cid) = client {
            if let Some(app) = self.apps.get_mut(&cid) {
                for (i, s) in app.slots.iter_mut().enumerate() {
                    if changed[i] && s.active {
                        s.active = false;
                        s.key_hash = None;
                    }
                }
            }
            self.reindex();
        }
        Ok(())
    }

    fn app_by_secret(&self, client_id: &str, client_secret: &str) -> Result<&App> {
        match self.apps.get(client_id) {
            Some(a) if !client_secret.is_empty() && a.client_secret == client_secret => Ok(a),
            _ => Err(PortalError::new(400, "Invalid client_id or client_secret.")
                .detail("Invalid client_id or client_secret.")),
        }
    }

    /// `oauth2/token` with `apiToken=1|2`: generates (or regenerates) the slot's key. The
    /// client secret is the authentication. The key expires at the item's
    /// `apiTokenNExpirationDate`; Choice: when that is `-1`, one year from now (recorded on the
    /// item). Choice: `regenerateApiToken=false` on a slot that holds an active key is refused.
    pub fn generate_key(
        &mut self,
        client_id: &str,
        client_secret: &str,
        slot: u8,
        regenerate: bool,
        now: Millis,
    ) -> Result<(String, Millis)> {
        let item_id = self
            .app_by_secret(client_id, client_secret)?
            .item_id
            .clone();
        if slot != 1 && slot != 2 {
            return Err(PortalError::bad_request("'apiToken' must be 1 or 2."));
        }
        let idx = usize::from(slot) - 1;
        let item = self
            .items
            .get_mut(&item_id)
            .ok_or_else(PortalError::item_not_found)?;
        let date = if slot == 1 {
            item.api_token1_expiration_date
        } else {
            item.api_token2_expiration_date
        };
        let latest = latest_expiration(now).unwrap_or(now);
        let expires = if date == -1 {
            latest
        } else if date <= now {
            return Err(PortalError::bad_request(format!(
                "apiToken{slot}ExpirationDate is in the past: set a new expiration date first."
            )));
        } else {
            date.min(latest)
        };
        if slot == 1 {
            item.api_token1_expiration_date = expires;
        } else {
            item.api_token2_expiration_date = expires;
        }
        let app = self
            .apps
            .get_mut(client_id)
            .ok_or_else(|| PortalError::bad_request("Invalid client_id."))?;
        let s = app
            .slots
            .get_mut(idx)
            .ok_or_else(|| PortalError::bad_request("'apiToken' must be 1 or 2."))?;
        if s.active && !regenerate {
            return Err(PortalError::bad_request(format!(
                "API key {slot} already exists: pass regenerateApiToken=true to replace it."
            )));
        }
        let key = new_key(slot);
        s.key_hash = Some(sha256_hex(key.as_bytes()));
        s.active = true;
        s.expires = expires;
        s.generated_at = now;
        s.generation += 1;
        self.reindex();
        Ok((key, expires))
    }

    /// `oauth2/revokeToken` with `apiToken=1|2`: invalidates the slot; the item and the
    /// registration stay.
    pub fn revoke_key(&mut self, client_id: &str, client_secret: &str, slot: u8) -> Result<()> {
        self.app_by_secret(client_id, client_secret)?;
        let app = self
            .apps
            .get_mut(client_id)
            .ok_or_else(|| PortalError::bad_request("Invalid client_id."))?;
        let s = app
            .slots
            .get_mut(usize::from(slot).wrapping_sub(1))
            .ok_or_else(|| PortalError::bad_request("'apiToken' must be 1 or 2."))?;
        s.active = false;
        s.key_hash = None;
        self.reindex();
        Ok(())
    }

    /// `oauth2/apps/{client_id}/unregister`.
    pub fn unregister(&mut self, user: &str, client_id: &str) -> Result<String> {
        self.check_app_owner(user, client_id)?;
        let app = self
            .apps
            .remove(client_id)
            .ok_or_else(|| PortalError::bad_request("Invalid client_id."))?;
        self.reindex();
        Ok(app.item_id)
    }

    /// Item delete (unregisters its app too).
    pub fn delete_item(&mut self, user: &str, item_id: &str) -> Result<()> {
        let item = self
            .items
            .get(item_id)
            .ok_or_else(PortalError::item_not_found)?;
        let is_admin = self.is_admin(user);
        if item.owner != user && !is_admin {
            return Err(PortalError::forbidden());
        }
        self.items.remove(item_id);
        self.apps.retain(|_, a| a.item_id != item_id);
        self.reindex();
        Ok(())
    }

    /// A key's safe form for logs.
    pub fn masked(token: &str) -> String {
        mask_key(token)
    }
}

fn check_lists(referrers: &[String], privileges: &[String]) -> Result<()> {
    if referrers.len() > 100 {
        return Err(PortalError::bad_request(
            "At most 100 httpReferrers are allowed.",
        ));
    }
    let items = privileges
        .iter()
        .filter(|p| p.starts_with("portal:app:access:item:"))
        .count();
    if items > 100 {
        return Err(PortalError::bad_request(
            "Item access is limited to 100 items.",
        ));
    }
    if privileges.len() > 500 || referrers.iter().chain(privileges).any(|s| s.len() > 2048) {
        return Err(PortalError::bad_request("The list is too long."));
    }
    Ok(())
}

/// Personal-scope privileges (portal general/admin, analysis).
pub fn is_personal_privilege(p: &str) -> bool {
    use apikey_credentials::core::privileges::describe;
    describe(p).group.is_personal_scope()
        || p.starts_with("portal:user:")
        || p.starts_with("portal:admin:")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Millis = 1_767_225_600_000;
    const DAY: Millis = 86_400_000;

    fn setup() -> (State, App) {
        let mut s = State::new("t");
        s.add_user(
            "owner",
            "pw",
            "Owner",
            "creatorUT",
            "org_publisher",
            vec![],
            NOW,
        );
        let id = s
            .add_item(
                "owner",
                "Creds",
                "Application",
                vec![],
                vec![],
                "",
                "private",
                NOW,
            )
            .unwrap();
        let app = s
            .register_app(
                "owner",
                &id,
                "multiple",
                vec![],
                vec![],
                vec!["premium:user:basemaps".into()],
                NOW,
            )
            .unwrap();
        (s, app)
    }

    #[test]
    fn key_lifecycle() {
        let (mut s, app) = setup();
        let (k1, exp) = s
            .generate_key(&app.client_id, &app.client_secret, 1, false, NOW)
            .unwrap();
        assert!(k1.starts_with("AAPT") && k1.contains(".AT1_"));
        assert_eq!(exp, NOW + 365 * DAY);
        assert_eq!(
            s.resolve(Some(&k1), None, NOW).unwrap(),
            Auth::Key {
                client_id: app.client_id.clone(),
                slot: 1
            }
        );
        // Regenerate without the flag is refused; with it, the old key dies.
        assert!(s
            .generate_key(&app.client_id, &app.client_secret, 1, false, NOW)
            .is_err());
        let (k1b, _) = s
            .generate_key(&app.client_id, &app.client_secret, 1, true, NOW)
            .unwrap();
        assert_eq!(s.resolve(Some(&k1), None, NOW).unwrap_err().code, 498);
        assert!(s.resolve(Some(&k1b), None, NOW).is_ok());
        // Expired.
        assert_eq!(
            s.resolve(Some(&k1b), None, NOW + 366 * DAY)
                .unwrap_err()
                .code,
            498
        );
        // Revoke.
        s.revoke_key(&app.client_id, &app.client_secret, 1).unwrap();
        assert_eq!(s.resolve(Some(&k1b), None, NOW).unwrap_err().code, 498);
        // Bad secret.
        assert_eq!(
            s.generate_key(&app.client_id, "nope", 2, true, NOW)
                .unwrap_err()
                .code,
            400
        );
    }

    #[test]
    fn privilege_edit_invalidates_both_keys_referrer_edit_does_not() {
        let (mut s, app) = setup();
        let (k1, _) = s
            .generate_key(&app.client_id, &app.client_secret, 1, true, NOW)
            .unwrap();
        let (k2, _) = s
            .generate_key(&app.client_id, &app.client_secret, 2, true, NOW)
            .unwrap();
        s.update_app(
            "owner",
            &app.client_id,
            None,
            Some(vec!["https://a.example".into()]),
            None,
            NOW,
        )
        .unwrap();
        assert!(s.resolve(Some(&k1), None, NOW).is_ok());
        s.update_app(
            "owner",
            &app.client_id,
            Some(vec!["premium:user:geocode".into()]),
            None,
            None,
            NOW,
        )
        .unwrap();
        assert!(s.resolve(Some(&k1), None, NOW).is_err());
        assert!(s.resolve(Some(&k2), None, NOW).is_err());
        assert!(s
            .update_app("someone", &app.client_id, None, None, None, NOW)
            .is_err());
    }

    #[test]
    fn expiration_rules() {
        let (mut s, app) = setup();
        let id = app.item_id.clone();
        assert!(s
            .update_item("owner", &id, None, None, [Some(NOW + 366 * DAY), None], NOW)
            .is_err());
        assert!(s
            .update_item("owner", &id, None, None, [Some(NOW - 1), None], NOW)
            .is_err());
        s.update_item("owner", &id, None, None, [Some(NOW + 30 * DAY), None], NOW)
            .unwrap();
        let (k, exp) = s
            .generate_key(&app.client_id, &app.client_secret, 1, true, NOW)
            .unwrap();
        assert_eq!(exp, NOW + 30 * DAY);
        // Changing the date of a live key invalidates it.
        s.update_item("owner", &id, None, None, [Some(NOW + 60 * DAY), None], NOW)
            .unwrap();
        assert!(s.resolve(Some(&k), None, NOW).is_err());
    }

    #[test]
    fn tokens_bound_to_a_referer() {
        assert!(referer_matches(
            "http://127.0.0.1:8080",
            Some("http://127.0.0.1:8080/demo/")
        ));
        assert!(referer_matches("HTTP://Host:1/", Some("http://host:1")));
        assert!(!referer_matches(
            "http://127.0.0.1:8080",
            Some("http://127.0.0.1:8081/")
        ));
        assert!(!referer_matches(
            "https://a.example",
            Some("http://a.example/")
        ));
        assert!(!referer_matches("http://a.example", None));
        assert!(referer_matches(
            "@esri/arcgis-rest-js",
            Some("@esri/arcgis-rest-js")
        ));
        assert!(!referer_matches(
            "apikey-credentials",
            Some("http://apikey-credentials/")
        ));
        let (mut s, _) = setup();
        let (t, _) = s
            .generate_token("owner", "pw", None, Some("apikey-credentials"), NOW)
            .unwrap();
        assert!(s.resolve(Some(&t), Some("apikey-credentials"), NOW).is_ok());
        assert_eq!(s.resolve(Some(&t), None, NOW).unwrap_err().code, 498);
        assert_eq!(
            s.resolve(Some(&t), Some("other"), NOW).unwrap_err().code,
            498
        );
    }

    #[test]
    fn passwords_and_tokens() {
        let (mut s, _) = setup();
        assert_eq!(
            s.generate_token("owner", "bad", None, None, NOW)
                .unwrap_err()
                .code,
            400
        );
        let (t, exp) = s
            .generate_token("owner", "pw", Some(20160), None, NOW)
            .unwrap();
        assert_eq!(exp, NOW + 20160 * 60_000);
        assert_eq!(
            s.resolve(Some(&t), None, NOW).unwrap(),
            Auth::User("owner".into())
        );
        assert_eq!(s.resolve(Some(&t), None, exp).unwrap_err().code, 498);
        let json = serde_json::to_string(&s).unwrap();
        assert!(!json.contains(&t) && !json.contains("\"pw\""));
    }

    #[test]
    fn list_parameters() {
        assert_eq!(parse_list("x", r#"["a","b"]"#).unwrap(), vec!["a", "b"]);
        assert_eq!(parse_list("x", "").unwrap(), Vec::<String>::new());
        assert_eq!(parse_list("x", "a, b").unwrap(), vec!["a", "b"]);
        assert_eq!(parse_list("x", "[1,2]").unwrap_err().code, 400);
        assert_eq!(parse_list("x", "[\"a\"").unwrap_err().code, 400);
    }
}
