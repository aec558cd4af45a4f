//! The privileges API key credentials can carry, grouped as the ArcGIS documentation groups
//! them, and the privilege each well-known ArcGIS service needs.
//!
//! The strings come from `shared/reference/arcgis-rest-facts.md` §6 (arcgis-rest-js v1 enum,
//! jf990, the Python API). The list is not exhaustive: unknown strings are kept as they are and
//! grouped as [`PrivilegeGroup::Other`].

/// The documentation's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrivilegeGroup {
    /// Basemaps, geocoding, places, routing, elevation, enrichment (standard scope).
    LocationServices,
    /// Access to specific items (`portal:app:access:item:<id>`, standard scope).
    ItemAccess,
    /// General portal operations (personal scope).
    GeneralPortal,
    /// Administrative portal operations (personal scope).
    AdministrativePortal,
    /// Feature and raster analysis (personal scope).
    SpatialAnalysis,
    /// A string this catalog does not know; kept, never dropped.
    Other,
}

impl PrivilegeGroup {
    /// The name JavaScript sees.
    pub fn as_str(self) -> &'static str {
        match self {
            PrivilegeGroup::LocationServices => "locationServices",
            PrivilegeGroup::ItemAccess => "itemAccess",
            PrivilegeGroup::GeneralPortal => "generalPortal",
            PrivilegeGroup::AdministrativePortal => "administrativePortal",
            PrivilegeGroup::SpatialAnalysis => "spatialAnalysis",
            PrivilegeGroup::Other => "other",
        }
    }

    /// `true` for personal-scope groups (tokens that can read the owner's account data).
    pub fn is_personal_scope(self) -> bool {
        matches!(
            self,
            PrivilegeGroup::GeneralPortal
                | PrivilegeGroup::AdministrativePortal
                | PrivilegeGroup::SpatialAnalysis
        )
    }
}

use PrivilegeGroup::*;

/// `(privilege, group, label)` for every known privilege.
pub const CATALOG: &[(&str, PrivilegeGroup, &str)] = &[
    ("premium:user:basemaps", LocationServices, "Basemap styles"),
    (
        "premium:user:staticbasemaptiles",
        LocationServices,
        "Static basemap tiles (beta)",
    ),
    (
        "premium:user:staticMaps",
        LocationServices,
        "Static maps (beta)",
    ),
    ("premium:user:places", LocationServices, "Places"),
    ("premium:user:geocode", LocationServices, "Geocoding"),
    (
        "premium:user:geocode:temporary",
        LocationServices,
        "Geocoding (not stored)",
    ),
    (
        "premium:user:geocode:stored",
        LocationServices,
        "Geocoding (stored)",
    ),
    ("premium:user:elevation", LocationServices, "Elevation"),
    (
        "premium:user:geoenrichment",
        LocationServices,
        "GeoEnrichment",
    ),
    (
        "premium:user:demographics",
        LocationServices,
        "Demographics",
    ),
    (
        "premium:user:featurereport",
        LocationServices,
        "Feature reports",
    ),
    (
        "premium:user:networkanalysis",
        LocationServices,
        "Network analysis (all)",
    ),
    (
        "premium:user:networkanalysis:routing",
        LocationServices,
        "Routing",
    ),
    (
        "premium:user:networkanalysis:optimizedrouting",
        LocationServices,
        "Optimized routing",
    ),
    (
        "premium:user:networkanalysis:servicearea",
        LocationServices,
        "Service areas",
    ),
    (
        "premium:user:networkanalysis:closestfacility",
        LocationServices,
        "Closest facility",
    ),
    (
        "premium:user:networkanalysis:origindestinationcostmatrix",
        LocationServices,
        "Origin-destination cost matrix",
    ),
    (
        "premium:user:networkanalysis:locationallocation",
        LocationServices,
        "Location-allocation",
    ),
    (
        "premium:user:networkanalysis:vehiclerouting",
        LocationServices,
        "Vehicle routing",
    ),
    (
        "premium:user:networkanalysis:snaptoroads",
        LocationServices,
        "Snap to roads",
    ),
    (
        "premium:user:networkanalysis:lastmiledelivery",
        LocationServices,
        "Last-mile delivery",
    ),
    (
        "portal:apikey:basemaps",
        LocationServices,
        "Basemaps (legacy)",
    ),
    (
        "premium:user:spatialanalysis",
        SpatialAnalysis,
        "Spatial analysis",
    ),
    (
        "premium:publisher:rasteranalysis",
        SpatialAnalysis,
        "Raster analysis",
    ),
    (
        "premium:publisher:geoanalytics",
        SpatialAnalysis,
        "GeoAnalytics",
    ),
    (
        "portal:user:createItem",
        GeneralPortal,
        "Create, update and delete content",
    ),
    (
        "portal:user:shareToGroup",
        GeneralPortal,
        "Share with groups",
    ),
    ("portal:user:joinGroup", GeneralPortal, "Join groups"),
    ("portal:user:createGroup", GeneralPortal, "Create groups"),
    (
        "portal:user:allowBetaAccess",
        GeneralPortal,
        "Use beta apps and features",
    ),
    (
        "portal:user:viewOrgItems",
        GeneralPortal,
        "View organization content",
    ),
    (
        "portal:user:viewOrgUsers",
        GeneralPortal,
        "View organization members",
    ),
    (
        "portal:user:viewOrgGroups",
        GeneralPortal,
        "View organization groups",
    ),
    (
        "portal:admin:viewUsers",
        AdministrativePortal,
        "View all members",
    ),
    (
        "portal:admin:updateUsers",
        AdministrativePortal,
        "Update members",
    ),
    (
        "portal:admin:deleteUsers",
        AdministrativePortal,
        "Delete members",
    ),
    (
        "portal:admin:inviteUsers",
        AdministrativePortal,
        "Invite members (Online only)",
    ),
    (
        "portal:admin:disableUsers",
        AdministrativePortal,
        "Disable members",
    ),
    (
        "portal:admin:changeUserRoles",
        AdministrativePortal,
        "Change member roles",
    ),
    (
        "portal:admin:viewItems",
        AdministrativePortal,
        "View all content",
    ),
    (
        "portal:admin:viewGroups",
        AdministrativePortal,
        "View all groups",
    ),
];

/// The prefix of item-access privileges.
pub const ITEM_ACCESS_PREFIX: &str = "portal:app:access:item:";

/// At most this many items can be granted to one credentials item (the registered-app docs).
pub const MAX_ITEM_ACCESS: usize = 100;

/// Information about one privilege string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegeInfo {
    /// The privilege as given.
    pub privilege: String,
    /// Its group.
    pub group: PrivilegeGroup,
    /// A human label ("Geocoding", "Access to item 1a2b…").
    pub label: String,
    /// `false` for strings this catalog does not know.
    pub known: bool,
}

/// Describes a privilege string; unknown strings come back as [`PrivilegeGroup::Other`].
pub fn describe(privilege: &str) -> PrivilegeInfo {
    if let Some(id) = privilege.strip_prefix(ITEM_ACCESS_PREFIX) {
        return PrivilegeInfo {
            privilege: privilege.to_string(),
            group: ItemAccess,
            label: format!("Access to item {id}"),
            known: is_item_id(id),
        };
    }
    match CATALOG.iter().find(|(p, _, _)| *p == privilege) {
        Some((_, group, label)) => PrivilegeInfo {
            privilege: privilege.to_string(),
            group: *group,
            label: (*label).to_string(),
            known: true,
        },
        None => PrivilegeInfo {
            privilege: privilege.to_string(),
            group: Other,
            label: privilege.to_string(),
            known: false,
        },
    }
}

/// `true` for a plausible portal item id (32 hex digits).
pub fn is_item_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The item-access privilege for an item id.
pub fn item_access_privilege(item_id: &str) -> String {
    format!("{ITEM_ACCESS_PREFIX}{item_id}")
}

/// The item ids granted through item-access privileges.
pub fn item_access_ids(privileges: &[String]) -> Vec<String> {
    privileges
        .iter()
        .filter_map(|p| p.strip_prefix(ITEM_ACCESS_PREFIX))
        .map(str::to_string)
        .collect()
}

/// `true` when `granted` satisfies `required`: the same string, or the umbrella
/// `premium:user:networkanalysis` for any of its `:…` sub-privileges, or `premium:user:geocode`
/// for its `:temporary` / `:stored` variants.
pub fn grants(granted: &[String], required: &str) -> bool {
    granted.iter().any(|g| {
        g == required
            || (required.len() > g.len()
                && required.starts_with(g.as_str())
                && required.as_bytes().get(g.len()) == Some(&b':')
                && (g == "premium:user:networkanalysis" || g == "premium:user:geocode"))
    })
}

/// How a service URL is recognised: by a path marker (the emulator mirrors the real paths).
const SERVICES: &[(&str, &str, &str)] = &[
    (
        "/styles/v2/",
        "premium:user:basemaps",
        "Basemap styles service",
    ),
    (
        "/arcgis/rest/services/styles/",
        "premium:user:basemaps",
        "Basemap styles service",
    ),
    (
        "/static-map-tiles/",
        "premium:user:staticbasemaptiles",
        "Static basemap tiles service",
    ),
    (
        "/beta/tiles/",
        "premium:user:staticbasemaptiles",
        "Static basemap tiles service",
    ),
    (
        "/GeocodeServer",
        "premium:user:geocode",
        "Geocoding service",
    ),
    ("/places-service/", "premium:user:places", "Places service"),
    ("/places/", "premium:user:places", "Places service"),
    (
        "/World/Route/",
        "premium:user:networkanalysis:routing",
        "Routing service",
    ),
    (
        "/World/ServiceAreas/",
        "premium:user:networkanalysis:servicearea",
        "Service area service",
    ),
    (
        "/World/ClosestFacility/",
        "premium:user:networkanalysis:closestfacility",
        "Closest facility service",
    ),
    (
        "/World/OriginDestinationCostMatrix/",
        "premium:user:networkanalysis:origindestinationcostmatrix",
        "Origin-destination cost matrix service",
    ),
    (
        "/World/LocationAllocation/",
        "premium:user:networkanalysis:locationallocation",
        "Location-allocation service",
    ),
    (
        "/World/VehicleRoutingProblem",
        "premium:user:networkanalysis:vehiclerouting",
        "Vehicle routing service",
    ),
    (
        "/World/SnapToRoads",
        "premium:user:networkanalysis:snaptoroads",
        "Snap to roads service",
    ),
    (
        "/World/LastMileDelivery",
        "premium:user:networkanalysis:lastmiledelivery",
        "Last-mile delivery service",
    ),
    ("/elevation/", "premium:user:elevation", "Elevation service"),
    (
        "/GeoEnrichment/enrich",
        "premium:user:geoenrichment",
        "GeoEnrichment service",
    ),
    (
        "/GeoEnrichment/Demographics",
        "premium:user:demographics",
        "Demographics service",
    ),
    (
        "/GeoEnrichment/standardgeographyquery",
        "premium:user:geoenrichment",
        "GeoEnrichment service",
    ),
];

/// The privilege a well-known ArcGIS service URL needs, and the service's name. Matching is on
/// the URL's path (host independent), case-sensitive as ArcGIS paths are written.
pub fn required_privilege(url: &str) -> Option<(&'static str, &'static str)> {
    let path_start = crate::core::find_str(url, "://")
        .and_then(|i| {
            url.get(i + 3..)
                .and_then(|rest| rest.find('/').map(|j| i + 3 + j))
        })
        .unwrap_or(0);
    let end = url.find(['?', '#']).unwrap_or(url.len());
    let path = url.get(path_start..end.max(path_start))?;
    SERVICES
        .iter()
        .find(|(marker, _, _)| crate::core::find_str(path, marker).is_some())
        .map(|(_, p, name)| (*p, *name))
}

/// Whether `privileges` may replace an item's privileges: item access is not among them (it is
/// edited on its own, with [`check_item_access`]).
pub fn check_privileges_edit(privileges: &[String]) -> crate::core::error::Result<()> {
    if privileges.iter().any(|p| p.starts_with(ITEM_ACCESS_PREFIX)) {
        return Err(crate::core::Error::invalid(
            "privileges",
            "item access is edited with updateItemAccess, not with the privileges.",
        ));
    }
    Ok(())
}

/// Whether `item_ids` may become an item's item access: at most [`MAX_ITEM_ACCESS`] ids, each
/// an item id.
pub fn check_item_access(item_ids: &[String]) -> crate::core::error::Result<()> {
    if item_ids.len() > MAX_ITEM_ACCESS {
        return Err(crate::core::Error::InputTooLarge {
            what: "item access list",
            limit: MAX_ITEM_ACCESS,
        });
    }
    if let Some(bad) = item_ids.iter().find(|i| !is_item_id(i)) {
        return Err(crate::core::Error::invalid(
            "itemIds",
            format!("\"{bad}\" is not an item id (32 hexadecimal characters)."),
        ));
    }
    Ok(())
}

/// A privileges edit: `new` replaces the privileges, and the item access of `current` is kept
/// (item access is edited on its own, with [`replace_item_access`]).
pub fn replace_privileges(new: Vec<String>, current: &[String]) -> Vec<String> {
    let mut out = new;
    out.extend(
        current
            .iter()
            .filter(|p| p.starts_with(ITEM_ACCESS_PREFIX))
            .cloned(),
    );
    out
}

/// An item-access edit: access to each of `item_ids` replaces the item access of `current`,
/// and its other privileges are kept.
pub fn replace_item_access(item_ids: &[String], current: &[String]) -> Vec<String> {
    let mut out: Vec<String> = current
        .iter()
        .filter(|p| !p.starts_with(ITEM_ACCESS_PREFIX))
        .cloned()
        .collect();
    out.extend(item_ids.iter().map(|i| item_access_privilege(i)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_edit_keeps_the_other_kind() {
        let id = "0123456789abcdef0123456789abcdef";
        let current = vec![
            "premium:user:basemaps".to_string(),
            item_access_privilege(id),
        ];
        assert_eq!(
            replace_privileges(vec!["premium:user:geocode".into()], &current),
            [
                "premium:user:geocode".to_string(),
                item_access_privilege(id)
            ]
        );
        let other = "fedcba9876543210fedcba9876543210".to_string();
        assert_eq!(
            replace_item_access(std::slice::from_ref(&other), &current),
            [
                "premium:user:basemaps".to_string(),
                item_access_privilege(&other)
            ]
        );
        assert_eq!(
            replace_item_access(&[], &current),
            ["premium:user:basemaps"]
        );
    }

    #[test]
    fn known_unknown_and_items() {
        assert_eq!(describe("premium:user:geocode").group, LocationServices);
        let o = describe("portal:custom:thing");
        assert_eq!(o.group, Other);
        assert!(!o.known);
        let i = describe("portal:app:access:item:0123456789abcdef0123456789abcdef");
        assert_eq!(i.group, ItemAccess);
        assert!(i.known);
    }

    #[test]
    fn services_need_privileges() {
        let u = "https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation";
        assert_eq!(
            required_privilege(u).map(|p| p.0),
            Some("premium:user:basemaps")
        );
        let g = "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer/findAddressCandidates?f=json";
        assert_eq!(
            required_privilege(g).map(|p| p.0),
            Some("premium:user:geocode")
        );
        let r = "https://route-api.arcgis.com/arcgis/rest/services/World/Route/NAServer/Route_World/solve";
        assert_eq!(
            required_privilege(r).map(|p| p.0),
            Some("premium:user:networkanalysis:routing")
        );
        assert_eq!(
            required_privilege("https://example.com/x?q=/styles/v2/"),
            None
        );
        assert_eq!(required_privilege("not a url"), None);
    }

    #[test]
    fn umbrella_privileges() {
        let g = vec!["premium:user:networkanalysis".to_string()];
        assert!(grants(&g, "premium:user:networkanalysis:routing"));
        assert!(!grants(&g, "premium:user:networkanalysisX"));
        let g = vec!["premium:user:basemaps".to_string()];
        assert!(!grants(&g, "premium:user:basemaps:extra"));
        assert!(grants(&g, "premium:user:basemaps"));
    }
}
