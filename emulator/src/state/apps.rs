//! Items, registered apps and their key slots: create, update, generate, revoke, delete.

use std::collections::BTreeMap;

use apikey_credentials::core::credentials::latest_expiration;
use apikey_credentials::core::keys::mask_key;

use super::keygen::{new_key, random_hex, random_string, sha256_hex};
use super::rules::{check_lists, is_personal_privilege};
use super::{App, Item, Millis, PortalError, Result, State, User};

impl State {
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
        // Every registered app is a "Registered App"; only those that hold API keys are
        // "APIToken" (Choice: an OAuth app registered as "browser" is not API key credentials).
        let keywords: &[&str] = if matches!(app_type, "multiple" | "apikey") {
            &["Registered App", "APIToken"]
        } else {
            &["Registered App"]
        };
        for kw in keywords {
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
        if owner != Some(user) && !self.is_admin(user) {
            return Err(PortalError::forbidden());
        }
        Ok(())
    }

    /// The item exists, and `user` owns it or administers the organisation.
    fn check_item_owner(&self, user: &str, item_id: &str) -> Result<()> {
        let item = self
            .items
            .get(item_id)
            .ok_or_else(PortalError::item_not_found)?;
        if item.owner != user && !self.is_admin(user) {
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
        self.check_item_owner(user, item_id)?;
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
        self.check_item_owner(user, item_id)?;
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
