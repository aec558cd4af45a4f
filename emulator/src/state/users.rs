//! Users, sign-in tokens and what a token turns out to be.

use super::keygen::{random_hex, random_string, sha256_hex};
use super::rules::referer_matches;
use super::{Auth, Millis, PortalError, Result, State, User, UserToken, SCHEMA_VERSION};

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
        if !self.password_ok(username, password) {
            return Err(PortalError::new(400, "Unable to generate token.")
                .detail("Invalid username or password."));
        }
        Ok(self.issue_token(username, minutes, referer, now))
    }

    /// Whether `password` is `username`'s.
    pub fn password_ok(&self, username: &str, password: &str) -> bool {
        self.users.get(username).is_some_and(|u| {
            sha256_hex(format!("{}{}", u.salt, password).as_bytes()) == u.password_hash
        })
    }

    /// A new user token for `username`, valid `minutes` (default 60, at most two weeks), bound
    /// to `referer` when given.
    pub fn issue_token(
        &mut self,
        username: &str,
        minutes: Option<i64>,
        referer: Option<&str>,
        now: Millis,
    ) -> (String, Millis) {
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
        (token, expires)
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
}
