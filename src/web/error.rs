//! `CredentialError`: the one error type thrown across the boundary, a real `Error` subclass.

use wasm_bindgen::prelude::*;

// The class is written in JavaScript so that it is a genuine `Error` subclass (`instanceof Error`,
// `stack`, `name`), which a Rust-exported class cannot be. The package entry re-exports it.
#[wasm_bindgen(inline_js = r#"
export class CredentialError extends Error {
  constructor(code, message, portalCode, details) {
    super(message);
    this.name = "CredentialError";
    this.code = code;
    if (portalCode !== undefined && portalCode !== null) this.portalCode = portalCode;
    if (details !== undefined && details !== null) this.details = details;
  }
  toJSON() {
    const out = { name: this.name, code: this.code, message: this.message };
    if (this.portalCode !== undefined) out.portalCode = this.portalCode;
    if (this.details !== undefined) out.details = this.details;
    return out;
  }
}
export function credentialErrorClass() { return CredentialError; }
"#)]
extern "C" {
    /// The JavaScript `CredentialError` class.
    #[wasm_bindgen(js_name = CredentialError)]
    pub type JsCredentialError;

    #[wasm_bindgen(constructor, js_class = "CredentialError")]
    fn new(code: &str, message: &str, portal_code: JsValue, details: JsValue) -> JsCredentialError;

    #[wasm_bindgen(js_name = credentialErrorClass)]
    pub(crate) fn credential_error_class() -> JsValue;
}

/// Builds a `CredentialError` value.
pub fn credential_error(
    code: &str,
    message: &str,
    portal_code: Option<i64>,
    details: JsValue,
) -> JsValue {
    let pc = portal_code.map_or(JsValue::UNDEFINED, |c| JsValue::from_f64(c as f64));
    JsCredentialError::new(code, message, pc, details).into()
}

/// An `INVALID_ARGUMENT` error.
pub fn invalid_argument(message: &str) -> JsValue {
    credential_error("INVALID_ARGUMENT", message, None, JsValue::UNDEFINED)
}

/// Converts a core error.
pub fn from_core(e: crate::core::Error) -> JsValue {
    let details = match &e {
        crate::core::Error::InvalidReferrers(list) => {
            let arr = js_sys::Array::new();
            for p in list {
                arr.push(&JsValue::from_str(p));
            }
            arr.into()
        }
        _ => JsValue::UNDEFINED,
    };
    credential_error(e.code(), &e.to_string(), None, details)
}

/// The `CredentialError` class itself (for `instanceof` checks in tests).
pub fn class() -> JsValue {
    credential_error_class()
}

/// Result alias for exported functions.
pub type JsResult<T> = Result<T, JsValue>;

/// Converts a portal error (code, portal code, message with advice).
pub fn from_portal(e: &crate::portal::PortalError) -> JsValue {
    let details = if e.details.is_empty() {
        JsValue::UNDEFINED
    } else {
        let arr = js_sys::Array::new();
        for d in &e.details {
            arr.push(&JsValue::from_str(d));
        }
        arr.into()
    };
    credential_error(e.code(), &e.to_string(), e.portal_code, details)
}
