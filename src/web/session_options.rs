//! The option objects of `PortalSession`'s edits (`createCredentials`, and the confirmation that
//! privilege and item-access edits need), read with typed errors.

use wasm_bindgen::prelude::*;

use super::convert::JsOptions;
use crate::core::json::{Fields, ShapeError};

#[derive(Default)]
pub(super) struct ConfirmOptionsJs {
    pub(super) confirm_invalidates_keys: Option<bool>,
}

#[derive(Default)]
pub(super) struct CreateOptionsJs {
    pub(super) title: Option<String>,
    pub(super) privileges: Option<Vec<String>>,
    pub(super) http_referrers: Option<Vec<String>>,
}

impl JsOptions for CreateOptionsJs {
    const KEYS: &'static [&'static str] = &["title", "privileges", "httpReferrers"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(CreateOptionsJs {
            title: f.string("title")?,
            privileges: f.strings("privileges")?,
            http_referrers: f.strings("httpReferrers")?,
        })
    }
}

impl JsOptions for ConfirmOptionsJs {
    const KEYS: &'static [&'static str] = &["confirmInvalidatesKeys"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(ConfirmOptionsJs {
            confirm_invalidates_keys: f.boolean("confirmInvalidatesKeys")?,
        })
    }
}
