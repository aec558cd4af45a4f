//! Pure Rust rules: keys, expiry, rotation, referrers, privileges and errors.
//!
//! Nothing here touches the browser or reads a clock: time comes in as an argument (epoch
//! milliseconds, the unit the portal and JavaScript use), so every rule is testable natively.
#![forbid(unsafe_code)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod credentials;
pub mod error;
pub mod expiry;
pub mod ics;
pub mod json;
pub mod keyring;
pub mod keys;
pub mod persist;
pub mod prerequisites;
pub mod privileges;
pub mod referrer;
pub mod rotation;
pub mod time;

pub use error::Error;
