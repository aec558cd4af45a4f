//! Response shapes of the sharing REST API (only the fields this library reads; everything else
//! is ignored, so newer portals with more fields still parse).

use crate::core::credentials::{CredentialsData, KeySlot};
use crate::core::json::{Fields, FromJson, Json, ShapeError};
use crate::core::keys::ApiKey;

/// `content/items/{id}` (the fields API key credentials use).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemJson {
    /// Item id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Owner's username.
    pub owner: String,
    /// Item type (`Application` for API key credentials).
    pub item_type: String,
    /// Type keywords (`Registered App`, `APIToken`, …).
    pub type_keywords: Vec<String>,
    /// Key 1 expiration (epoch ms, `-1` when not set).
    pub api_token1_expiration_date: Option<f64>,
    /// Key 2 expiration (epoch ms, `-1` when not set).
    pub api_token2_expiration_date: Option<f64>,
    /// Created (epoch ms).
    pub created: Option<f64>,
    /// Modified (epoch ms).
    pub modified: Option<f64>,
}

/// `registeredAppInfo` / `oauth2/apps/{client_id}` (the "Registered App" JSON). The client
/// secret is kept (owner tools need it to generate keys) but never shown by `Debug`.
#[derive(Clone, Default, PartialEq)]
pub struct RegisteredAppJson {
    /// The item the registration belongs to.
    pub item_id: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret (owner only).
    pub client_secret: Option<String>,
    /// `apikey|browser|native|server|multiple`.
    pub app_type: String,
    /// Referrer restrictions.
    pub http_referrers: Vec<String>,
    /// Privileges, item access included.
    pub privileges: Vec<String>,
    /// Whether key 1 is active.
    pub api_token1_active: Option<bool>,
    /// Whether key 2 is active.
    pub api_token2_active: Option<bool>,
    /// Personal-scope credentials.
    pub is_personal_api_token: Option<bool>,
    /// Registered (epoch ms).
    pub registered: Option<f64>,
    /// Modified (epoch ms).
    pub modified: Option<f64>,
}

impl core::fmt::Debug for RegisteredAppJson {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RegisteredAppJson")
            .field("item_id", &self.item_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "****"),
            )
            .field("http_referrers", &self.http_referrers)
            .field("privileges", &self.privileges)
            .field("api_token1_active", &self.api_token1_active)
            .field("api_token2_active", &self.api_token2_active)
            .finish()
    }
}

/// A user (`community/self`, `portals/self` → `user`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserJson {
    /// Username.
    pub username: String,
    /// Display name.
    pub full_name: String,
    /// Role.
    pub role: String,
    /// Role privileges.
    pub privileges: Vec<String>,
    /// User type id.
    pub user_license_type_id: Option<String>,
}

/// `portals/self`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PortalSelfJson {
    /// Organisation id.
    pub id: String,
    /// Organisation name.
    pub name: String,
    /// `true` for ArcGIS Enterprise.
    pub is_portal: bool,
    /// REST API version.
    pub current_version: Option<String>,
    /// The signed-in user (user tokens and personal-scope keys).
    pub user: Option<UserJson>,
    /// What an API key learns about itself.
    pub app_info: Option<AppInfoJson>,
}

/// `generateToken`.
#[derive(Clone, Default, PartialEq)]
pub struct TokenJson {
    /// The user token.
    pub token: String,
    /// Expiry (epoch ms).
    pub expires: f64,
}

impl core::fmt::Debug for TokenJson {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TokenJson")
            .field("token", &"****")
            .field("expires", &self.expires)
            .finish()
    }
}

/// `oauth2/token` with `apiToken=1|2`.
#[derive(Clone, Default, PartialEq)]
pub struct KeyTokenJson {
    /// The API key.
    pub access_token: String,
    /// Seconds until it expires.
    pub expires_in: f64,
}

impl core::fmt::Debug for KeyTokenJson {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyTokenJson")
            .field(
                "access_token",
                &crate::core::keys::mask_key(&self.access_token),
            )
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// One page of `search` results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchJson {
    /// The items of this page.
    pub results: Vec<ItemJson>,
    /// Where the next page starts (1-based); `-1` (or absent) after the last page.
    pub next_start: f64,
}

/// `addItem`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddItemJson {
    /// Whether it worked.
    pub success: bool,
    /// The new item's id.
    pub id: String,
}

/// `{ "success": true, ... }`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SuccessJson {
    /// Whether the operation succeeded.
    pub success: bool,
}

/// `portals/self` → `appInfo`, what a bare API key can learn about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppInfoJson {
    /// The registered app's client id.
    pub app_id: String,
    /// Title of the credentials item.
    pub app_title: String,
    /// The credentials item id.
    pub item_id: String,
    /// This key's expiration (epoch ms).
    pub expiration_date: Option<f64>,
    /// The key's privileges.
    pub privileges: Vec<String>,
}

fn ms(v: Option<f64>) -> Option<i64> {
    v.and_then(crate::core::time::millis_from_f64)
}

/// Builds the credentials data from the item and its registration.
pub fn credentials_from_portal(
    item: &ItemJson,
    app: &RegisteredAppJson,
    portal_url: &str,
) -> CredentialsData {
    CredentialsData {
        item_id: if item.id.is_empty() {
            app.item_id.clone()
        } else {
            item.id.clone()
        },
        title: item.title.clone(),
        owner: item.owner.clone(),
        portal_url: portal_url.to_string(),
        client_id: Some(app.client_id.clone()).filter(|c| !c.is_empty()),
        privileges: app.privileges.clone(),
        http_referrers: app.http_referrers.clone(),
        slots: [
            KeySlot {
                expires_at: ms(item.api_token1_expiration_date),
                active: app.api_token1_active,
                key: None,
            },
            KeySlot {
                expires_at: ms(item.api_token2_expiration_date),
                active: app.api_token2_active,
                key: None,
            },
        ],
        is_personal: app.is_personal_api_token,
    }
}

/// Builds the credentials data a bare key can see (`portals/self` → `appInfo`): the key sits in
/// the slot its tail names (slot 1 when it has none), active, with the reported expiration.
pub fn credentials_from_app_info(
    info: &AppInfoJson,
    key: ApiKey,
    portal_url: &str,
) -> CredentialsData {
    let slot = key.slot().unwrap_or(1);
    let filled = KeySlot {
        expires_at: ms(info.expiration_date),
        active: Some(true),
        key: Some(key),
    };
    let slots = if slot == 2 {
        [KeySlot::default(), filled]
    } else {
        [filled, KeySlot::default()]
    };
    CredentialsData {
        item_id: info.item_id.clone(),
        title: info.app_title.clone(),
        owner: String::new(),
        portal_url: portal_url.to_string(),
        client_id: Some(info.app_id.clone()).filter(|c| !c.is_empty()),
        privileges: info.privileges.clone(),
        http_referrers: Vec::new(),
        slots,
        is_personal: None,
    }
}

fn text<J: Json>(f: &Fields<'_, J>, key: &str) -> Result<String, ShapeError> {
    Ok(f.string(key)?.unwrap_or_default())
}

fn list<J: Json>(f: &Fields<'_, J>, key: &str) -> Result<Vec<String>, ShapeError> {
    Ok(f.strings(key)?.unwrap_or_default())
}

impl FromJson for ItemJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(ItemJson {
            id: text(&f, "id")?,
            title: text(&f, "title")?,
            owner: text(&f, "owner")?,
            item_type: text(&f, "type")?,
            type_keywords: list(&f, "typeKeywords")?,
            api_token1_expiration_date: f.number("apiToken1ExpirationDate")?,
            api_token2_expiration_date: f.number("apiToken2ExpirationDate")?,
            created: f.number("created")?,
            modified: f.number("modified")?,
        })
    }
}

impl FromJson for RegisteredAppJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(RegisteredAppJson {
            item_id: text(&f, "itemId")?,
            client_id: text(&f, "client_id")?,
            client_secret: f.string("client_secret")?,
            app_type: text(&f, "appType")?,
            http_referrers: list(&f, "httpReferrers")?,
            privileges: list(&f, "privileges")?,
            api_token1_active: f.boolean("apiToken1Active")?,
            api_token2_active: f.boolean("apiToken2Active")?,
            is_personal_api_token: f.boolean("isPersonalAPIToken")?,
            registered: f.number("registered")?,
            modified: f.number("modified")?,
        })
    }
}

impl FromJson for UserJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(UserJson {
            username: text(&f, "username")?,
            full_name: text(&f, "fullName")?,
            role: text(&f, "role")?,
            privileges: list(&f, "privileges")?,
            user_license_type_id: f.string("userLicenseTypeId")?,
        })
    }
}

impl FromJson for PortalSelfJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(PortalSelfJson {
            id: text(&f, "id")?,
            name: text(&f, "name")?,
            is_portal: f.boolean("isPortal")?.unwrap_or_default(),
            current_version: f.string("currentVersion")?,
            user: f.object("user")?,
            app_info: f.object("appInfo")?,
        })
    }
}

impl FromJson for TokenJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(TokenJson {
            token: text(&f, "token")?,
            expires: f.number("expires")?.unwrap_or_default(),
        })
    }
}

impl FromJson for KeyTokenJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(KeyTokenJson {
            access_token: text(&f, "access_token")?,
            expires_in: f.number("expires_in")?.unwrap_or_default(),
        })
    }
}

impl FromJson for SearchJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(SearchJson {
            results: f.list("results")?.unwrap_or_default(),
            next_start: f.number("nextStart")?.unwrap_or(-1.0),
        })
    }
}

impl FromJson for AddItemJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(AddItemJson {
            success: f.boolean("success")?.unwrap_or_default(),
            id: text(&f, "id")?,
        })
    }
}

impl FromJson for SuccessJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(SuccessJson {
            success: f.boolean("success")?.unwrap_or_default(),
        })
    }
}

impl FromJson for AppInfoJson {
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
        let f = Fields::of(v, path)?;
        Ok(AppInfoJson {
            app_id: text(&f, "appId")?,
            app_title: text(&f, "appTitle")?,
            item_id: text(&f, "itemId")?,
            expiration_date: f.number("expirationDate")?,
            privileges: list(&f, "privileges")?,
        })
    }
}

impl ItemJson {
    /// Whether the item is API key credentials: an `Application` with the `APIToken` type
    /// keyword (an OAuth 2.0 app is an `Application` with only `Registered App`), or a legacy
    /// `API Key` item.
    pub fn is_api_key_credentials(&self) -> bool {
        self.item_type == "Application" && self.type_keywords.iter().any(|k| k == "APIToken")
            || self.item_type == "API Key"
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn which_items_are_api_key_credentials() {
        let item = |ty: &str, kw: &[&str]| ItemJson {
            item_type: ty.into(),
            type_keywords: kw.iter().map(|k| k.to_string()).collect(),
            ..Default::default()
        };
        assert!(item("Application", &["Registered App", "APIToken"]).is_api_key_credentials());
        assert!(item("API Key", &[]).is_api_key_credentials());
        assert!(
            !item("Application", &["Registered App"]).is_api_key_credentials(),
            "an OAuth app"
        );
        assert!(!item("Web Map", &["APIToken"]).is_api_key_credentials());
    }

    use super::*;

    #[test]
    fn parses_real_shapes() {
        let item: ItemJson = crate::native::from_str(
            r#"{"id":"abc","title":"My key","owner":"me","type":"Application","typeKeywords":["Registered App","APIToken"],
                "apiToken1ExpirationDate":1767225600000,"apiToken2ExpirationDate":-1,"extra":{"x":1}}"#,
        )
        .unwrap();
        let app: RegisteredAppJson = crate::native::from_str(
            r#"{"itemId":"abc","client_id":"cid","client_secret":"s","appType":"multiple","redirect_uris":[],
                "httpReferrers":["https://example.com"],"privileges":["premium:user:basemaps"],
                "apiToken1Active":true,"apiToken2Active":false,"isPersonalAPIToken":false,"registered":1,"modified":2}"#,
        )
        .unwrap();
        let d = credentials_from_portal(&item, &app, "https://www.arcgis.com/sharing/rest");
        assert_eq!(d.slots[0].expires_at, Some(1_767_225_600_000));
        assert_eq!(d.slots[1].expires_at, Some(-1));
        assert_eq!(d.slots[1].active, Some(false));
        assert_eq!(d.client_id.as_deref(), Some("cid"));
        let c = crate::core::credentials::Credentials::new(d).unwrap();
        assert!(!c.slot(2).unwrap().generated());
    }
}
