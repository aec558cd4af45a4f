//! Privilege catalog, service requirements and the prerequisites check for JavaScript.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{array, req_string, Obj};
use super::error::JsResult;
use super::types::*;
use crate::core::privileges::{self, PrivilegeInfo};

/// A `PrivilegeInfo` object.
pub fn info_js(i: &PrivilegeInfo) -> JsValue {
    Obj::new()
        .set("privilege", i.privilege.as_str())
        .set("group", i.group.as_str())
        .set("label", i.label.as_str())
        .set("known", i.known)
        .build()
}

/// Describes a privilege string: its documentation group and a human label. Unknown strings
/// come back in group `"other"`, never dropped.
///
/// ```js
/// describePrivilege("premium:user:geocode"); // { group: "locationServices", label: "Geocoding", ... }
/// ```
#[wasm_bindgen(js_name = describePrivilege)]
pub fn describe_privilege(privilege: &Str) -> JsResult<PrivilegeInfoJs> {
    Ok(info_js(&privileges::describe(&req_string(privilege, "privilege")?)).unchecked_into())
}

/// Every privilege this library knows, with group and label.
///
/// ```js
/// privilegeCatalog().filter(p => p.group === "locationServices");
/// ```
#[wasm_bindgen(js_name = privilegeCatalog)]
pub fn privilege_catalog() -> PrivilegeInfoArray {
    array(
        privileges::CATALOG
            .iter()
            .map(|(p, _, _)| info_js(&privileges::describe(p))),
    )
    .unchecked_into()
}

/// The privilege a well-known ArcGIS service URL needs (basemap styles, geocoding, places,
/// routing, elevation, …), or `null` when the URL is not one this library knows.
///
/// ```js
/// requiredPrivilege("https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer/findAddressCandidates");
/// // { privilege: "premium:user:geocode", service: "Geocoding service" }
/// ```
#[wasm_bindgen(js_name = requiredPrivilege)]
pub fn required_privilege(url: &Str) -> JsResult<ServicePrivilegeJs> {
    let url = req_string(url, "url")?;
    Ok(match privileges::required_privilege(&url) {
        Some((p, name)) => Obj::new()
            .set("privilege", p)
            .set("service", name)
            .build()
            .unchecked_into(),
        None => JsValue::NULL.unchecked_into(),
    })
}
