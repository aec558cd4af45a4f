//! The JavaScript API (wasm32 only). It converts values and delegates to `core` and `portal`;
//! it decides nothing itself.

use wasm_bindgen::prelude::*;

pub mod convert;
pub mod credentials;
pub mod error;
pub mod keys;
pub mod manager;
pub mod privileges;
pub mod referrer;
pub mod session;
pub mod storage;
pub mod transport;
pub mod types;
pub mod url;

/// Installs the platform's WHATWG `URL` as the core's full URL parser when the module starts.
///
/// ```js
/// // Runs by itself when the module is initialised (installs the platform URL parser).
/// ```
#[wasm_bindgen(start)]
pub fn start() {
    crate::core::referrer::url::install_full_parser(&url::PLATFORM_URL);
}

/// The current time from the JavaScript clock.
pub(crate) fn now_ms() -> crate::core::time::Millis {
    js_sys::Date::now() as crate::core::time::Millis
}

/// The package version.
///
/// ```js
/// import init, { version } from "apikey-credentials";
/// await init();
/// console.log(version()); // "0.1.0"
/// ```
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}

/// The `CredentialError` class (also exported by the package entry as `CredentialError`).
///
/// ```js
/// credentialErrorClass() === CredentialError; // true
/// ```
#[wasm_bindgen(js_name = credentialErrorClass)]
pub fn credential_error_class() -> JsValue {
    error::class()
}
