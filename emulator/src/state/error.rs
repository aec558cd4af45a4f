//! The portal's errors: code, message, messageCode and details, as its error bodies carry them.

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
    /// `error.error`, the OAuth 2.0 error code (`invalid_grant`, …) that `oauth2/token` and
    /// `oauth2/authorize` errors carry beside the portal's fields (with `error_description`,
    /// the message).
    pub oauth: Option<&'static str>,
}

impl PortalError {
    /// A plain error.
    pub fn new(code: u16, message: impl Into<String>) -> Self {
        PortalError {
            code,
            message: message.into(),
            message_code: None,
            details: Vec::new(),
            oauth: None,
        }
    }

    /// An OAuth 2.0 error (400): `error` is its code, `message` its description.
    pub fn oauth(error: &'static str, message: impl Into<String>) -> Self {
        PortalError {
            oauth: Some(error),
            ..PortalError::new(400, message)
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
            oauth: None,
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
            oauth: None,
        }
    }

    /// The item is unknown or not visible.
    pub fn item_not_found() -> Self {
        PortalError {
            code: 400,
            message: "Item does not exist or is inaccessible.".into(),
            message_code: Some("CONT_0001"),
            details: Vec::new(),
            oauth: None,
        }
    }
}

/// Result alias.
pub type Result<T> = std::result::Result<T, PortalError>;
