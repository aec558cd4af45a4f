//! `checkPrerequisites`: whether an account can create API key credentials, from facts the page
//! already has (the rules are `core::prerequisites`). Owner package only.

use wasm_bindgen::prelude::*;

use super::convert::{array, JsOptions, Obj};
use super::error::JsResult;
use super::types::*;
use crate::core::json::{Fields, ShapeError};
use crate::core::prerequisites::{check_prerequisites, AccountFacts};

#[derive(Default)]
struct FactsJs {
    user_type: Option<String>,
    privileges: Option<Vec<String>>,
    is_enterprise: Option<bool>,
    portal_version: Option<String>,
}

impl JsOptions for FactsJs {
    const KEYS: &'static [&'static str] =
        &["userType", "privileges", "isEnterprise", "portalVersion"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(FactsJs {
            user_type: f.string("userType")?,
            privileges: f.strings("privileges")?,
            is_enterprise: f.boolean("isEnterprise")?,
            portal_version: f.string("portalVersion")?,
        })
    }
}

/// Checks whether an account can create API key credentials: Creator (or higher) user type,
/// "Generate API keys", "Assign privileges to OAuth 2.0 applications", and ArcGIS Enterprise
/// 11.4+. Reports every requirement, met or not (package `apikey-credentials-owner`).
///
/// ```js
/// checkPrerequisites({ userType: "creatorUT", privileges: user.privileges, isEnterprise: true, portalVersion: "11.4" })
///   .filter(r => !r.ok).forEach(r => console.warn(r.message));
/// ```
#[wasm_bindgen(js_name = checkPrerequisites)]
pub fn check_account(facts: AccountFactsJs) -> JsResult<RequirementArray> {
    let f: FactsJs = super::convert::options(facts.into(), "facts")?;
    let facts = AccountFacts {
        user_type: f.user_type,
        privileges: f.privileges.unwrap_or_default(),
        is_enterprise: f.is_enterprise.unwrap_or(false),
        portal_version: f.portal_version,
    };
    Ok(requirements(&facts))
}

/// Each requirement for creating API key credentials, met or not, as `Requirement` objects.
pub(super) fn requirements(facts: &AccountFacts) -> RequirementArray {
    array(check_prerequisites(facts).into_iter().map(|r| {
        Obj::new()
            .set("id", r.id)
            .set("ok", r.ok)
            .set("message", r.message.as_str())
            .build()
    }))
    .unchecked_into()
}
