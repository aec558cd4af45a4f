//! The JavaScript API (wasm32 only). It converts values and delegates to `core` and `portal`;
//! it decides nothing itself. `manager`, `storage` and `page_referrer` exist with the `manager`
//! feature (the package `apikey-credentials`); `session`, `sign_in` and `credentials` with the
//! `owner` feature (`apikey-credentials-owner`).

use wasm_bindgen::prelude::*;

pub mod convert;
#[cfg(feature = "owner")]
pub mod credentials;
#[cfg(feature = "owner")]
mod credentials_options;
pub mod error;
#[cfg(feature = "manager")]
pub mod events;
pub mod keys;
#[cfg(feature = "manager")]
pub mod manager;
#[cfg(feature = "manager")]
mod manager_options;
#[cfg(feature = "manager")]
pub mod page_referrer;
#[cfg(feature = "owner")]
pub mod prerequisites;
pub mod privileges;
pub mod referrer;
#[cfg(feature = "manager")]
mod reports;
#[cfg(feature = "owner")]
pub mod rotation;
#[cfg(feature = "owner")]
pub mod session;
#[cfg(feature = "owner")]
mod session_options;
#[cfg(feature = "owner")]
mod sign_in;
#[cfg(feature = "manager")]
pub mod storage;
mod task;
pub mod transport;
pub mod types;
#[cfg(feature = "manager")]
mod types_manager;
#[cfg(feature = "owner")]
mod types_owner;
pub mod url;

/// The module's allocator (see Cargo.toml). Single-threaded wasm only, which is what this
/// package builds for.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

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
pub fn credential_error_class() -> types::CredentialErrorClass {
    wasm_bindgen::JsCast::unchecked_into(error::class())
}

/// Turns a future into a `Promise`: a task of the package's executor (`task.rs`), boxed so
/// that there is one copy of the task machinery in the module, not one per async method.
pub(crate) fn future_to_promise(
    f: impl core::future::Future<Output = Result<JsValue, JsValue>> + 'static,
) -> js_sys::Promise {
    task::spawn(Box::pin(f))
}
