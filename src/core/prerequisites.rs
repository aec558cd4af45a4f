//! Can this account create API key credentials? The documented requirements: a Creator (or
//! higher) user type, the privileges "Generate API keys" and "Assign privileges to OAuth 2.0
//! applications", and, on ArcGIS Enterprise, version 11.4 or later.
//!
//! Unconfirmed facts, chosen here and kept in one place each:
//! - privilege strings `portal:user:generateApiTokens` and `portal:user:assignPrivilegesToApps`
//!   (the ArcGIS API for Python's privilege enum);
//! - the user types that count as "Creator or higher" ([`CREATOR_OR_HIGHER`]);
//! - the Enterprise version is read from `portals/self` → `currentVersion`, either as the product
//!   version (`"11.4"`) or as the portal REST API version (`"2024.2"` and later count as 11.4+).

/// The privilege behind "Generate API keys".
pub const GENERATE_API_KEYS: &str = "portal:user:generateApiTokens";
/// The privilege behind "Assign privileges to OAuth 2.0 applications".
pub const ASSIGN_PRIVILEGES: &str = "portal:user:assignPrivilegesToApps";

/// User type ids that are Creator or higher.
pub const CREATOR_OR_HIGHER: &[&str] = &[
    "creatorUT",
    "GISProfessionalBasicUT",
    "GISProfessionalStdUT",
    "GISProfessionalAdvUT",
    "professionalUT",
    "professionalPlusUT",
    "advancedUT",
];

/// The account facts the check needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountFacts {
    /// The user's `userLicenseTypeId` (e.g. `"creatorUT"`).
    pub user_type: Option<String>,
    /// The user's privileges.
    pub privileges: Vec<String>,
    /// `true` for ArcGIS Enterprise, `false` for ArcGIS Online.
    pub is_enterprise: bool,
    /// The portal's `currentVersion`.
    pub portal_version: Option<String>,
}

/// One requirement and whether it is met.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Stable id: `userType`, `generateApiKeys`, `assignPrivileges`, `portalVersion`.
    pub id: &'static str,
    /// Whether it is met.
    pub ok: bool,
    /// What was found, and what to do when it is not met.
    pub message: String,
}

/// Parses `"11.4"` / `"2024.2"` into (major, minor).
fn version(v: &str) -> Option<(u32, u32)> {
    let mut parts = v.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

/// `true` when a portal `currentVersion` means Enterprise 11.4 or later.
pub fn enterprise_version_ok(current_version: &str) -> bool {
    match version(current_version) {
        Some((major, minor)) if major >= 2000 => (major, minor) >= (2024, 2),
        Some((major, minor)) => (major, minor) >= (11, 4),
        None => false,
    }
}

/// Checks every requirement and reports each, met or not.
pub fn check_prerequisites(facts: &AccountFacts) -> Vec<Requirement> {
    let ut = facts.user_type.as_deref().unwrap_or("");
    let ut_ok = CREATOR_OR_HIGHER.contains(&ut);
    let has = |p: &str| facts.privileges.iter().any(|x| x == p);
    let mut out = vec![
        Requirement {
            id: "userType",
            ok: ut_ok,
            message: if ut_ok {
                format!("User type {ut} is Creator or higher.")
            } else if ut.is_empty() {
                "The user type is unknown: a Creator (or higher) user type is required.".to_string()
            } else {
                format!("User type {ut} cannot create API key credentials: ask an administrator for a Creator (or higher) user type.")
            },
        },
        Requirement {
            id: "generateApiKeys",
            ok: has(GENERATE_API_KEYS),
            message: if has(GENERATE_API_KEYS) {
                "The role grants \"Generate API keys\".".to_string()
            } else {
                "The role lacks \"General privileges > Content > Generate API keys\": ask an administrator for a custom role with it.".to_string()
            },
        },
        Requirement {
            id: "assignPrivileges",
            ok: has(ASSIGN_PRIVILEGES),
            message: if has(ASSIGN_PRIVILEGES) {
                "The role grants \"Assign privileges to OAuth 2.0 applications\".".to_string()
            } else {
                "The role lacks \"General privileges > Content > Assign privileges to OAuth 2.0 applications\": ask an administrator for a custom role with it.".to_string()
            },
        },
    ];
    let v = facts.portal_version.as_deref().unwrap_or("");
    let v_ok = !facts.is_enterprise || enterprise_version_ok(v);
    out.push(Requirement {
        id: "portalVersion",
        ok: v_ok,
        message: if !facts.is_enterprise {
            "ArcGIS Online supports API key credentials.".to_string()
        } else if v_ok {
            format!("ArcGIS Enterprise version {v} supports API key credentials (11.4 or later).")
        } else {
            format!(
                "ArcGIS Enterprise version {v} is too old: API key credentials need 11.4 or later."
            )
        },
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_each_requirement() {
        let ok = AccountFacts {
            user_type: Some("creatorUT".into()),
            privileges: vec![GENERATE_API_KEYS.into(), ASSIGN_PRIVILEGES.into()],
            is_enterprise: true,
            portal_version: Some("11.4".into()),
        };
        assert!(check_prerequisites(&ok).iter().all(|r| r.ok));
        let bad = AccountFacts {
            user_type: Some("viewerUT".into()),
            privileges: vec![],
            is_enterprise: true,
            portal_version: Some("11.3".into()),
        };
        let r = check_prerequisites(&bad);
        assert_eq!(r.len(), 4);
        assert!(r.iter().all(|r| !r.ok));
    }

    #[test]
    fn versions() {
        assert!(enterprise_version_ok("11.4"));
        assert!(enterprise_version_ok("12.0"));
        assert!(!enterprise_version_ok("11.3"));
        assert!(!enterprise_version_ok("10.9.1"));
        assert!(enterprise_version_ok("2024.2"));
        assert!(enterprise_version_ok("2025.1"));
        assert!(!enterprise_version_ok("2024.1"));
        assert!(!enterprise_version_ok("abc"));
        assert!(!enterprise_version_ok(""));
    }
}
