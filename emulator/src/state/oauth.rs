//! OAuth 2.0 sign-in for apps: the authorization code grant with PKCE (S256), and refresh tokens.
//!
//! Choices where the portal's behaviour is not documented: a code waits at most
//! [`CODE_TTL_MS`] (OAuth 2.0, RFC 6749 §4.1.2, recommends at most ten minutes) and is
//! single-use; a refresh token lasts [`REFRESH_TTL_MS`] (two weeks, what rest-js asks
//! for) and is not rotated by a refresh; PKCE is required and S256 the only method; a
//! `redirect_uri` must equal a registered one exactly; errors carry the OAuth `error` code and
//! `error_description` beside the portal's `code` and `message` (400).

use serde::{Deserialize, Serialize};

use super::keygen::{random_string, sha256_hex};
use super::{Millis, PortalError, Result, State};

/// How long an authorization code may wait for its exchange.
pub const CODE_TTL_MS: Millis = 10 * 60_000;
/// How long a refresh token lasts.
pub const REFRESH_TTL_MS: Millis = 14 * 86_400_000;

/// An authorization code waiting for its exchange.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PendingCode {
    /// The app it was issued to.
    pub client_id: String,
    /// The redirect URI it was sent to (the exchange must name the same).
    pub redirect_uri: String,
    /// The PKCE challenge (base64url SHA-256 of the verifier).
    pub challenge: String,
    /// Who signed in.
    pub username: String,
    /// Until when it may be exchanged.
    pub expires: Millis,
    /// The token lifetime asked for (`expiration`, minutes).
    pub minutes: Option<i64>,
}

/// A refresh token's grant.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RefreshGrant {
    /// The app it was issued to.
    pub client_id: String,
    /// Whose.
    pub username: String,
    /// Until when.
    pub expires: Millis,
    /// The token lifetime of each refreshed token (minutes).
    pub minutes: Option<i64>,
}

/// What `oauth2/token` answers.
#[derive(Clone, PartialEq)]
pub struct OAuthTokens {
    /// The user token.
    pub access_token: String,
    /// Its lifetime in seconds.
    pub expires_in: i64,
    /// Whose.
    pub username: String,
    /// A refresh token (only from the code exchange).
    pub refresh_token: Option<String>,
    /// Its lifetime in seconds.
    pub refresh_token_expires_in: Option<i64>,
}

impl std::fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("username", &self.username)
            .field("expires_in", &self.expires_in)
            .finish_non_exhaustive()
    }
}

/// The S256 PKCE challenge of `verifier`: base64url (no padding) of its SHA-256.
pub fn pkce_s256(verifier: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = Sha256::digest(verifier.as_bytes());
    let mut out = String::new();
    for chunk in digest.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

impl State {
    /// Checks an `oauth2/authorize` request before the sign-in page is shown: a registered app,
    /// a redirect URI registered for it, `response_type=code` and an S256 challenge.
    pub fn check_authorize(
        &self,
        client_id: &str,
        redirect_uri: &str,
        response_type: &str,
        challenge: &str,
        method: &str,
    ) -> Result<()> {
        let app = self
            .apps
            .get(client_id)
            .ok_or_else(|| PortalError::oauth("invalid_request", "Invalid client_id"))?;
        if !app.redirect_uris.iter().any(|r| r == redirect_uri) {
            return Err(PortalError::oauth(
                "invalid_request",
                "Invalid redirect_uri",
            ));
        }
        if response_type != "code" {
            return Err(PortalError::oauth(
                "unsupported_response_type",
                "Invalid response_type: this portal signs apps in with response_type=code and PKCE",
            ));
        }
        if challenge.is_empty() || method != "S256" {
            return Err(PortalError::oauth(
                "invalid_request",
                "A code_challenge with code_challenge_method=S256 is required",
            ));
        }
        Ok(())
    }

    /// The sign-in of an `oauth2/authorize` request: checks it again with the password, and
    /// answers with a new authorization code.
    #[allow(clippy::too_many_arguments)]
    pub fn authorize(
        &mut self,
        client_id: &str,
        redirect_uri: &str,
        challenge: &str,
        username: &str,
        password: &str,
        minutes: Option<i64>,
        now: Millis,
    ) -> Result<String> {
        self.check_authorize(client_id, redirect_uri, "code", challenge, "S256")?;
        if !self.password_ok(username, password) {
            return Err(PortalError::oauth(
                "access_denied",
                "Invalid username or password.",
            ));
        }
        let code = random_string(48);
        self.oauth_codes.retain(|_, c| c.expires > now);
        self.oauth_codes.insert(
            sha256_hex(code.as_bytes()),
            PendingCode {
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                challenge: challenge.to_string(),
                username: username.to_string(),
                expires: now + CODE_TTL_MS,
                minutes,
            },
        );
        Ok(code)
    }

    /// `oauth2/token` with `grant_type=authorization_code`: the code (once, in time, from the
    /// same app and redirect URI) and the PKCE verifier for a user token and a refresh token.
    pub fn exchange_code(
        &mut self,
        client_id: &str,
        redirect_uri: &str,
        code: &str,
        verifier: &str,
        now: Millis,
    ) -> Result<OAuthTokens> {
        // Taken out whatever happens next: a code is tried once.
        let pending = self
            .oauth_codes
            .remove(&sha256_hex(code.as_bytes()))
            .filter(|c| c.expires > now)
            .ok_or_else(|| PortalError::oauth("invalid_grant", "Invalid authorization code"))?;
        if pending.client_id != client_id {
            return Err(PortalError::oauth("invalid_client", "Invalid client_id"));
        }
        if pending.redirect_uri != redirect_uri {
            return Err(PortalError::oauth("invalid_grant", "Invalid redirect_uri"));
        }
        if verifier.is_empty() || pkce_s256(verifier) != pending.challenge {
            return Err(PortalError::oauth("invalid_grant", "Invalid code_verifier"));
        }
        let (access_token, expires) =
            self.issue_token(&pending.username, pending.minutes, None, now);
        let refresh = random_string(48);
        self.refresh_tokens.retain(|_, r| r.expires > now);
        self.refresh_tokens.insert(
            sha256_hex(refresh.as_bytes()),
            RefreshGrant {
                client_id: client_id.to_string(),
                username: pending.username.clone(),
                expires: now + REFRESH_TTL_MS,
                minutes: pending.minutes,
            },
        );
        Ok(OAuthTokens {
            access_token,
            expires_in: (expires - now) / 1000,
            username: pending.username,
            refresh_token: Some(refresh),
            refresh_token_expires_in: Some(REFRESH_TTL_MS / 1000),
        })
    }

    /// `oauth2/token` with `grant_type=refresh_token`: a new user token for a refresh token of
    /// the same app.
    pub fn refresh(
        &mut self,
        client_id: &str,
        refresh_token: &str,
        now: Millis,
    ) -> Result<OAuthTokens> {
        let grant = self
            .refresh_tokens
            .get(&sha256_hex(refresh_token.as_bytes()))
            .filter(|g| {
                g.expires > now && g.client_id == client_id && self.users.contains_key(&g.username)
            })
            .cloned()
            .ok_or_else(|| PortalError::oauth("invalid_grant", "Invalid refresh_token"))?;
        let (access_token, expires) = self.issue_token(&grant.username, grant.minutes, None, now);
        Ok(OAuthTokens {
            access_token,
            expires_in: (expires - now) / 1000,
            username: grant.username,
            refresh_token: None,
            refresh_token_expires_in: None,
        })
    }
}
