//! # apikey-credentials
//!
//! Manage ArcGIS *API key credentials* from the page that uses them: know both keys of a
//! credentials item, predict whether the key's HTTP referrer list allows this page, warn before
//! a key expires, plan the rotation, and fail over from a dead key to the other slot.
//!
//! The crate has three layers:
//! - [`core`]: pure Rust rules (referrers, keys, expiry, rotation, privileges). It never reads a
//!   clock and never touches the browser, so every rule is testable natively.
//! - [`portal`]: the portal's REST contract (request builders, response types, error mapping)
//!   behind a small transport trait.
//! - `web` (wasm32 only): the JavaScript API, built with wasm-bindgen. It converts and delegates.
//!
//! Two cargo features pick what `web` exports, one per npm package: `manager` (the
//! `CredentialManager`, in `apikey-credentials`, for app pages) and `owner` (`PortalSession`, in
//! `apikey-credentials-owner`, for the owner's console). Both are on by default.
//!
//! ```
//! use apikey_credentials::core::keys::{key_slot, mask_key};
//! let key = "AAPTxy1234567890abcdefghijklmnopqrstuvwxyz.AT1_G1kye1HB";
//! assert_eq!(key_slot(key), Some(1));
//! assert_eq!(mask_key(key), "AAPT…e1HB");
//! ```
#![deny(missing_docs)]

pub mod core;
pub mod portal;

#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(not(target_arch = "wasm32"))]
pub mod native;

#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub mod fuzzing;

/// The full WHATWG URL parser behind the core's referrer rules, past their ASCII fast path: the
/// platform's `URL` in wasm (browser or Node), the `url` crate natively. This and the module list
/// above are the only places the crate chooses by target.
#[cfg(target_arch = "wasm32")]
pub type FullUrlParser = web::url::PlatformUrlParser;
/// The full WHATWG URL parser behind the core's referrer rules, past their ASCII fast path: the
/// platform's `URL` in wasm (browser or Node), the `url` crate natively. This and the module list
/// above are the only places the crate chooses by target.
#[cfg(not(target_arch = "wasm32"))]
pub type FullUrlParser = native::NativeUrlParser;

/// The version of this crate (and of the npm packages built from it).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
