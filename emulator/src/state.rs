//! The portal's data and the rules it enforces: users and their tokens, items, registered apps
//! and their two API key slots. Pure data and operations (time passed in); the HTTP layer maps
//! the errors to ArcGIS error bodies.
//!
//! Keys are random, shaped like real ones (`AAPT…` + `.AT1_`/`.AT2_` + 8 characters), and only
//! their SHA-256 is kept. Choices where the real portal's behaviour is not documented are marked
//! "Choice:" in these files and listed in the README.

mod apps;
mod error;
mod keygen;
mod model;
mod oauth;
mod rules;
mod users;

pub use error::{PortalError, Result};
pub use keygen::{new_key, sha256_hex};
pub use model::{
    comma_list, parse_list, App, Auth, Item, Slot, State, User, UserToken, ITEM_EXTRA_FIELDS,
};
pub use oauth::{pkce_s256, OAuthTokens, CODE_TTL_MS, REFRESH_TTL_MS};
pub use rules::{is_personal_privilege, referer_matches};

/// Milliseconds since the epoch.
pub type Millis = i64;

/// The state file's schema version.
pub const SCHEMA_VERSION: u32 = 1;

#[cfg(test)]
mod tests;
