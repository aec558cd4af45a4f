//! The core layer's error type: one variant per failure, each with a stable machine code.

use core::fmt;

/// Why a core operation refused its input. `code()` is stable and is what the JavaScript
/// `CredentialError.code` carries; the `Display` text says what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// An argument is missing, of the wrong shape, or out of range.
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// What is wrong with it and what is expected instead.
        detail: String,
    },
    /// An input is larger than the bound this library accepts.
    InputTooLarge {
        /// Which input.
        what: &'static str,
        /// The limit that was exceeded.
        limit: usize,
    },
    /// A key slot other than 1 or 2 was named.
    InvalidSlot(i64),
    /// A credentials item would hold more than two keys.
    TooManyKeys,
    /// A key expiration further than one year from its generation.
    ExpiryTooFar {
        /// The requested expiration (epoch ms).
        requested: i64,
        /// The latest allowed expiration (epoch ms).
        latest: i64,
    },
    /// An expiration that is not after the moment of generation.
    ExpiryInPast,
    /// An operation that destroys keys was asked for without the explicit confirmation.
    ConfirmationRequired(&'static str),
    /// A referrer list has malformed entries; the list of problems is attached.
    InvalidReferrers(Vec<String>),
}

impl Error {
    /// The stable machine-readable code, e.g. `"INVALID_ARGUMENT"`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument { .. } => "INVALID_ARGUMENT",
            Error::InputTooLarge { .. } => "INPUT_TOO_LARGE",
            Error::InvalidSlot(_) => "INVALID_SLOT",
            Error::TooManyKeys => "TOO_MANY_KEYS",
            Error::ExpiryTooFar { .. } => "EXPIRY_TOO_FAR",
            Error::ExpiryInPast => "EXPIRY_IN_PAST",
            Error::ConfirmationRequired(_) => "CONFIRMATION_REQUIRED",
            Error::InvalidReferrers(_) => "INVALID_REFERRER",
        }
    }

    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(what: &'static str, detail: impl Into<String>) -> Self {
        Error::InvalidArgument {
            what,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidArgument { what, detail } => write!(f, "Invalid {what}: {detail}"),
            Error::InputTooLarge { what, limit } => {
                write!(f, "The {what} is too large (the limit is {limit}); pass a smaller value.")
            }
            Error::InvalidSlot(n) => write!(
                f,
                "Key slot {n} does not exist: API key credentials have slot 1 and slot 2."
            ),
            Error::TooManyKeys => f.write_str(
                "API key credentials hold at most two keys (slot 1 and slot 2); regenerate or invalidate one instead.",
            ),
            Error::ExpiryTooFar { .. } => f.write_str(
                "An API key is valid for at most one year: choose an expiration date within a year of today.",
            ),
            Error::ExpiryInPast => {
                f.write_str("The expiration date must be in the future; choose a later date.")
            }
            Error::ConfirmationRequired(what) => write!(
                f,
                "{what} Pass the confirmation option to proceed."
            ),
            Error::InvalidReferrers(problems) => {
                f.write_str("The referrer list has malformed entries, fix them first: ")?;
                f.write_str(&problems.join("; "))
            }
        }
    }
}

impl std::error::Error for Error {}

/// Result alias for the core layer.
pub type Result<T> = core::result::Result<T, Error>;
