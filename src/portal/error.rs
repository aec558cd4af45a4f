//! Mapping portal and service responses to typed errors. Both error styles are handled: HTTP 200
//! with an `error` body (the sharing API and most ArcGIS Server services), and real HTTP statuses
//! (the newer location-service hosts).

use core::fmt;

use crate::core::json::Json;

/// The longest portal message kept, in characters; longer ones are cut with an ellipsis.
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// The most details kept (the first ones); the message says how many more there were.
pub const MAX_DETAILS: usize = 10;
/// The longest detail kept, in characters.
pub const MAX_DETAIL_CHARS: usize = 300;

use crate::core::cap_chars as capped;

/// The kind of failure; `code()` is the stable string JavaScript sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// 498: the key or token is invalid, expired or invalidated.
    InvalidToken,
    /// 499 (or HTTP 401): no token was sent where one is needed.
    TokenRequired,
    /// A 403 for which the local referrer check predicts a denial.
    ReferrerNotAllowed,
    /// Any other 403: a missing privilege or item access, or not the owner.
    Forbidden,
    /// 404, or an item that does not exist or is not visible.
    NotFound,
    /// 400 and other client errors.
    BadRequest,
    /// 5xx.
    ServerError,
    /// The request did not reach the server (offline, refused, CORS).
    Network,
    /// No answer within the timeout.
    Timeout,
    /// An answer that is not JSON, is truncated, or has the wrong shape.
    BadResponse,
}

impl Kind {
    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Kind::InvalidToken => "INVALID_TOKEN",
            Kind::TokenRequired => "TOKEN_REQUIRED",
            Kind::ReferrerNotAllowed => "REFERRER_NOT_ALLOWED",
            Kind::Forbidden => "FORBIDDEN",
            Kind::NotFound => "NOT_FOUND",
            Kind::BadRequest => "BAD_REQUEST",
            Kind::ServerError => "SERVER_ERROR",
            Kind::Network => "NETWORK",
            Kind::Timeout => "TIMEOUT",
            Kind::BadResponse => "BAD_RESPONSE",
        }
    }
}

/// A failed portal or service call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalError {
    /// What kind of failure.
    pub kind: Kind,
    /// The portal's numeric code (or the HTTP status), when there is one.
    pub portal_code: Option<i64>,
    /// The portal's message (or ours).
    pub message: String,
    /// The portal's details (at most [`MAX_DETAILS`], each at most [`MAX_DETAIL_CHARS`]).
    pub details: Vec<String>,
    /// How many more details the portal sent than were kept.
    pub details_dropped: usize,
    /// The call carried an owner's sign-in (a `PortalSession`), not an API key: a 498 then
    /// means "sign in again" and a 403 a missing permission (the codes are the same).
    pub signed_in: bool,
}

impl PortalError {
    /// An error of `kind` with our own message.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        PortalError {
            kind,
            portal_code: None,
            message: message.into(),
            details: Vec::new(),
            details_dropped: 0,
            signed_in: false,
        }
    }

    /// The stable code. An owner's sign-in that expired or was revoked (a 498 or 499 on a call
    /// made with it) is `SESSION_EXPIRED`, so that "sign in again" is told apart from "this API
    /// key is dead" (`INVALID_TOKEN`) without reading the message.
    pub fn code(&self) -> &'static str {
        match self.kind {
            Kind::InvalidToken | Kind::TokenRequired if self.signed_in => "SESSION_EXPIRED",
            k => k.code(),
        }
    }

    /// What to do about it, in one sentence.
    pub fn advice(&self) -> &'static str {
        match self.kind {
            Kind::InvalidToken | Kind::TokenRequired if self.signed_in => {
                "The sign-in has expired or was revoked: sign in again."
            }
            Kind::Forbidden | Kind::ReferrerNotAllowed if self.signed_in => {
                "Only the owner (or an administrator) may do this; see prerequisites()."
            }
            Kind::InvalidToken => "The API key is invalid, expired or was invalidated: deploy the other key or generate a new one.",
            Kind::TokenRequired => "The request carried no token: pass an API key.",
            Kind::ReferrerNotAllowed => "The request's origin (the page's, or the Referer a script sends outside a browser) is not in the key's referrer list: add it (scheme, host and port) to the API key credentials' referrers.",
            Kind::Forbidden => "The key lacks the privilege or item access this resource needs: add it to the API key credentials.",
            Kind::NotFound => "The resource does not exist or is not visible to this key: check the URL or item id.",
            Kind::BadRequest => "The portal refused the request parameters: check them against the portal's message.",
            Kind::ServerError => "The server failed: try again later.",
            Kind::Network => "The request did not reach the server: check the portal URL, the network and CORS.",
            Kind::Timeout => "No answer in time: check the network, or raise timeoutMs.",
            Kind::BadResponse => "The answer was not the JSON the portal sends: check that the URL points at a portal or ArcGIS service.",
        }
    }
}

impl fmt::Display for PortalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The portal's details often say what its message does not ("Unable to generate
        // token." / "Invalid username or password."), so they are part of the text. Message
        // and details are capped when read (`Envelope::read`), so this is bounded: each of at
        // most 10 details is compared with the portal's message alone. The whole text, code
        // and advice included, is then cut to MAX_MESSAGE_CHARS.
        let mut said = self.message.clone();
        for d in self.details.iter().take(MAX_DETAILS) {
            if d.len() > self.message.len() || crate::core::find_str(&self.message, d).is_none() {
                // Each part a sentence: "Invalid token" + "Token expired." reads as two.
                if !said.is_empty() && !said.ends_with(['.', '!', '?', ':']) {
                    said.push('.');
                }
                said.push(' ');
                said.push_str(d);
            }
        }
        let code = match self.portal_code {
            Some(c) => format!("{} ({c}: ", self.code()),
            None => format!("{} (", self.code()),
        };
        let dropped = if self.details_dropped > 0 {
            format!(" (and {} more details)", self.details_dropped)
        } else {
            String::new()
        };
        let advice = self.advice();
        let frame = code.chars().count() + dropped.chars().count() + advice.chars().count() + 3;
        let said = capped(&said, MAX_MESSAGE_CHARS.saturating_sub(frame));
        write!(f, "{code}{said}{dropped}). {advice}")
    }
}

impl std::error::Error for PortalError {}

/// The `error` object of an ArcGIS error body.
#[derive(Debug, Clone, Default)]
pub struct ErrorBody {
    /// Numeric code (sometimes a string on old servers; both are read).
    pub code: Option<CodeValue>,
    /// Message.
    pub message: Option<String>,
    /// `messageCode`, e.g. `GWM_0003`, `CONT_0001`.
    pub message_code: Option<String>,
    /// `details`: the portal's explanation lines ("Invalid username or password."), the
    /// first [`MAX_DETAILS`], each capped.
    pub details: Vec<String>,
    /// How many details were left out.
    pub details_dropped: usize,
}

/// A code given as a number or a string.
#[derive(Debug, Clone)]
pub enum CodeValue {
    /// `498`
    Num(f64),
    /// `"498"`
    Text(String),
}

impl CodeValue {
    fn as_i64(&self) -> Option<i64> {
        match self {
            CodeValue::Num(n) if n.is_finite() => Some(*n as i64),
            CodeValue::Text(t) => t.trim().parse().ok(),
            CodeValue::Num(_) => None,
        }
    }

    fn read<J: Json>(v: Option<J>) -> Option<Self> {
        let v = v?;
        v.as_f64()
            .map(CodeValue::Num)
            .or_else(|| v.as_str().map(CodeValue::Text))
    }
}

/// What every response is first read as: an error envelope (either style).
#[derive(Debug, Clone, Default)]
pub struct Envelope {
    /// `{"error": {...}}`
    pub error: Option<ErrorBody>,
    /// A top-level `code` (billing errors).
    pub code: Option<CodeValue>,
    /// A top-level `message`.
    pub message: Option<String>,
    /// `status: "failed"` (jobs).
    pub status: Option<String>,
}

impl Envelope {
    /// Reads the envelope of any parsed body. Lenient: fields of another type are ignored
    /// (a body that is not an object has no envelope fields). Bounded: the message is cut to
    /// [`MAX_MESSAGE_CHARS`], and only the first [`MAX_DETAILS`] details are kept, each cut to
    /// [`MAX_DETAIL_CHARS`], so the work is linear in the body whatever the portal sends.
    pub fn read<J: Json>(v: &J) -> Envelope {
        let text = |o: &J, k: &str| o.get(k).and_then(|x| x.as_str_capped(MAX_MESSAGE_CHARS));
        if !v.is_object() {
            return Envelope::default();
        }
        Envelope {
            error: v.get("error").filter(Json::is_object).map(|e| {
                let items = e.get("details").and_then(|d| d.items()).unwrap_or_default();
                let mut details = Vec::new();
                let mut dropped = 0;
                for l in &items {
                    if details.len() < MAX_DETAILS {
                        details.extend(l.as_str_capped(MAX_DETAIL_CHARS));
                    } else {
                        dropped += 1;
                    }
                }
                ErrorBody {
                    code: CodeValue::read(e.get("code")),
                    message: text(&e, "message"),
                    message_code: text(&e, "messageCode"),
                    details,
                    details_dropped: dropped,
                }
            }),
            code: CodeValue::read(v.get("code")),
            message: text(v, "message"),
            status: text(v, "status"),
        }
    }
}

fn kind_for(code: i64, message_code: Option<&str>) -> Kind {
    match code {
        498 => Kind::InvalidToken,
        499 | 401 => Kind::TokenRequired,
        403 => Kind::Forbidden,
        404 => Kind::NotFound,
        400 if message_code == Some("CONT_0001") => Kind::NotFound,
        c if c >= 500 => Kind::ServerError,
        _ => Kind::BadRequest,
    }
}

/// The error an envelope or HTTP status describes, if any.
pub fn classify(status: u16, envelope: Option<Envelope>) -> Option<PortalError> {
    if let Some(env) = envelope {
        if let Some(e) = env.error {
            let code = e
                .code
                .as_ref()
                .and_then(CodeValue::as_i64)
                .unwrap_or(i64::from(status));
            let mut err = PortalError::new(
                kind_for(code, e.message_code.as_deref()),
                e.message
                    .clone()
                    .unwrap_or_else(|| "The portal returned an error.".to_string()),
            );
            err.portal_code = Some(code);
            err.details = e.details;
            err.details_dropped = e.details_dropped;
            return Some(err);
        }
        if let Some(code) = env
            .code
            .as_ref()
            .and_then(CodeValue::as_i64)
            .filter(|c| *c >= 400)
        {
            let mut err = PortalError::new(
                kind_for(code, None),
                env.message.clone().unwrap_or_default(),
            );
            err.portal_code = Some(code);
            return Some(err);
        }
        if env.status.as_deref() == Some("failed") {
            return Some(PortalError::new(Kind::BadRequest, "The job failed."));
        }
    }
    if !(200..300).contains(&status) {
        let mut err = PortalError::new(kind_for(i64::from(status), None), format!("HTTP {status}"));
        err.portal_code = Some(i64::from(status));
        return Some(err);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(json: &str) -> Envelope {
        Envelope::read(&serde_json::from_str::<serde_json::Value>(json).unwrap())
    }

    #[test]
    fn details_are_kept_and_said() {
        let e = classify(
            200,
            Some(env(
                r#"{"error":{"code":400,"message":"Unable to generate token.","details":["Invalid username or password.", 7]}}"#,
            )),
        )
        .unwrap();
        assert_eq!(e.details, ["Invalid username or password."]);
        assert_eq!(
            e.to_string(),
            "BAD_REQUEST (400: Unable to generate token. Invalid username or password.). The portal refused the request parameters: check them against the portal's message."
        );
        // A detail that repeats the message is not said twice.
        let e = classify(
            200,
            Some(env(
                r#"{"error":{"code":498,"message":"Invalid token.","details":["Invalid token."]}}"#,
            )),
        )
        .unwrap();
        let mut owner = e.clone();
        owner.signed_in = true;
        assert_eq!(owner.code(), "SESSION_EXPIRED");
        assert_eq!(e.code(), "INVALID_TOKEN");
        assert_eq!(
            owner.to_string(),
            "SESSION_EXPIRED (498: Invalid token.). The sign-in has expired or was revoked: sign in again."
        );
        assert!(e.to_string().contains("API key"));
        // A message without a full stop and its detail read as two sentences.
        let e = classify(
            200,
            Some(env(
                r#"{"error":{"code":403,"message":"You do not have permissions","details":["Referer not allowed for this API key."],"messageCode":"GWM_0003"}}"#,
            )),
        )
        .unwrap();
        assert!(
            e.to_string()
                .contains("You do not have permissions. Referer not allowed"),
            "{e}"
        );
    }

    /// The three bodies that froze the page: a 400 KB message with one 200 KB detail, 30,000
    /// details of 45 characters, and an 8 MB message. Each is read and said in bounded time and
    /// size, keeping the first details and saying how many were dropped.
    #[test]
    fn hostile_error_bodies_are_bounded() {
        let big = serde_json::json!({"error": {"code": 400, "message": "m".repeat(400_000), "details": ["d".repeat(200_000)]}});
        let many: Vec<String> = (0..30_000)
            .map(|i| format!("detail number {i:05} of thirty thousand…"))
            .collect();
        let many = serde_json::json!({"error": {"code": 400, "message": "Bad.", "details": many}});
        let huge =
            serde_json::json!({"error": {"code": 500, "message": "x".repeat(8 * 1024 * 1024)}});
        for body in [big, many, huge] {
            let started = std::time::Instant::now();
            let e = classify(200, Some(Envelope::read(&body))).unwrap();
            let text = e.to_string();
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "took {:?}",
                started.elapsed()
            );
            assert!(
                text.chars().count() <= MAX_MESSAGE_CHARS + 1,
                "{} chars",
                text.chars().count()
            );
            assert!(e.details.len() <= MAX_DETAILS);
            assert!(e
                .details
                .iter()
                .all(|d| d.chars().count() <= MAX_DETAIL_CHARS + 1));
        }
        let many: Vec<String> = (0..30_000).map(|i| format!("d{i}")).collect();
        let e = classify(
            200,
            Some(env(
                &serde_json::json!({"error": {"code": 400, "message": "Bad.", "details": many}})
                    .to_string(),
            )),
        )
        .unwrap();
        assert_eq!(
            e.details.first().map(String::as_str),
            Some("d0"),
            "the first ones are kept"
        );
        assert_eq!(e.details_dropped, 30_000 - MAX_DETAILS);
        assert!(e.to_string().contains("and 29990 more details"), "{e}");
        let cut = capped(&"é".repeat(2_000), MAX_MESSAGE_CHARS);
        assert_eq!(cut.chars().count(), MAX_MESSAGE_CHARS + 1);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn both_error_styles() {
        let e = classify(
            200,
            Some(env(
                r#"{"error":{"code":498,"message":"Invalid token.","details":[]}}"#,
            )),
        )
        .unwrap();
        assert_eq!((e.code(), e.portal_code), ("INVALID_TOKEN", Some(498)));
        let e = classify(
            200,
            Some(env(
                r#"{"error":{"code":499,"message":"Token Required","messageCode":"GWM_0003"}}"#,
            )),
        )
        .unwrap();
        assert_eq!(e.code(), "TOKEN_REQUIRED");
        let e = classify(200, Some(env(r#"{"error":{"code":400,"messageCode":"CONT_0001","message":"Item does not exist or is inaccessible."}}"#))).unwrap();
        assert_eq!(e.code(), "NOT_FOUND");
        let e = classify(
            498,
            Some(env(r#"{"error":{"code":498,"message":"Token Invalid."}}"#)),
        )
        .unwrap();
        assert_eq!(e.code(), "INVALID_TOKEN");
        let e = classify(401, None).unwrap();
        assert_eq!(e.code(), "TOKEN_REQUIRED");
        let e = classify(503, None).unwrap();
        assert_eq!(e.code(), "SERVER_ERROR");
        let e = classify(200, Some(env(r#"{"code":403,"message":"billing"}"#))).unwrap();
        assert_eq!(e.code(), "FORBIDDEN");
        let e = classify(200, Some(env(r#"{"error":{"code":"498"}}"#))).unwrap();
        assert_eq!(e.code(), "INVALID_TOKEN");
        assert!(classify(200, Some(env(r#"{"id":"x"}"#))).is_none());
        assert!(e.to_string().contains("INVALID_TOKEN"));
    }
}
