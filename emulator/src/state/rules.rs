//! The portal's rules on what a request may send: token referers and list limits.

use super::{PortalError, Result};

/// Whether a request's `Referer` header (`sent`) fits the referer a token was bound to. Choice
/// (the portal's exact rule is undocumented): a bound URL matches any `Referer` with the same
/// origin (scheme, host and port, compared case-insensitively), as a browser sends the page's
/// origin or its full URL; any other bound value (a client's name, such as
/// `@esri/arcgis-rest-js`, which Node clients sign in with) must be sent exactly.
pub fn referer_matches(bound: &str, sent: Option<&str>) -> bool {
    fn origin(s: &str) -> Option<String> {
        let lower = s.to_ascii_lowercase();
        let rest = lower
            .strip_prefix("https://")
            .map(|r| ("https://", r))
            .or_else(|| lower.strip_prefix("http://").map(|r| ("http://", r)))?;
        let host = rest.1.split(['/', '?', '#']).next().unwrap_or("");
        (!host.is_empty()).then(|| format!("{}{host}", rest.0))
    }
    let Some(sent) = sent else { return false };
    match origin(bound) {
        Some(o) => origin(sent).as_deref() == Some(o.as_str()),
        None => sent == bound,
    }
}

pub(crate) fn check_lists(referrers: &[String], privileges: &[String]) -> Result<()> {
    if referrers.len() > 100 {
        return Err(PortalError::bad_request(
            "At most 100 httpReferrers are allowed.",
        ));
    }
    let items = privileges
        .iter()
        .filter(|p| p.starts_with("portal:app:access:item:"))
        .count();
    if items > 100 {
        return Err(PortalError::bad_request(
            "Item access is limited to 100 items.",
        ));
    }
    if privileges.len() > 500 || referrers.iter().chain(privileges).any(|s| s.len() > 2048) {
        return Err(PortalError::bad_request("The list is too long."));
    }
    Ok(())
}

/// Personal-scope privileges (portal general/admin, analysis).
pub fn is_personal_privilege(p: &str) -> bool {
    use apikey_credentials::core::privileges::describe;
    describe(p).group.is_personal_scope()
        || p.starts_with("portal:user:")
        || p.starts_with("portal:admin:")
}
