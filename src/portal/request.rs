//! Request builders for the sharing REST API. Tokens travel as a form parameter on POST, and on
//! a GET as the `token` query parameter (both as Esri's clients send them), or in the
//! `X-Esri-Authorization: Bearer` header only where the caller asks for it (see
//! [`PortalRequest::token_in_header`]). This library logs no URL; a URL's query is dropped
//! wherever one is kept (dead marks, usage).
//!
//! Where Esri's own client (`@esri/arcgis-rest-js`, checked at 7e3424a) shows how a request is
//! shaped and the portal's documentation does not, this file follows the client, and says so
//! once, here:
//! - **Referer.** A user token from `generateToken` with `client=referer` is bound to the
//!   referer it was made for. In a browser the session signs in with the page's origin, which
//!   the browser itself sends as `Referer`; elsewhere (Node) it signs in with
//!   [`NODE_REFERER`] and sends that value as the `Referer` header on every request, as
//!   rest-js does with its own name (`request.ts`, `NODEJS_DEFAULT_REFERER_HEADER`).
//! - **Registered-app lists** (`privileges`, `httpReferrers`, `redirect_uris`) are JSON arrays,
//!   and `oauth2/apps/{id}/update` always carries both `privileges` and `httpReferrers`, the one
//!   not being changed re-sent as it is (`updateApiKey.ts`): what a portal does with an omitted
//!   list is undocumented.
//! - **Item list parameters** (`tags`, `typeKeywords`) are joined with commas
//!   (`utils/process-params.ts`).
//! - **The key on a GET** goes in the `token` query parameter, as rest-js and the Maps SDK send
//!   it (`request.ts`). From a page on another origin, a custom header (`X-Esri-Authorization`)
//!   makes the request non-simple: the browser sends a CORS preflight first, one extra round
//!   trip for each distinct URL (a geocode per search text), which roughly doubled the latency
//!   of location-service calls measured with 40 ms of round-trip time.

use crate::core::json::push_quoted;
use crate::core::time::Millis;

/// The referer a session outside a browser signs in with and sends (see the module docs).
pub const NODE_REFERER: &str = "apikey-credentials";

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET (token in the header).
    Get,
    /// POST, `application/x-www-form-urlencoded` (token in the body).
    Post,
}

/// A request ready for a transport.
#[derive(Clone, PartialEq, Eq)]
pub struct PortalRequest {
    /// Method.
    pub method: Method,
    /// Absolute URL (no token in it).
    pub url: String,
    /// Parameters: the query for GET, the form body for POST. Always includes `f=json`.
    pub params: Vec<(String, String)>,
    /// The token or key, placed by the transport per `method`.
    pub token: Option<String>,
    /// On a GET, send the token in the `X-Esri-Authorization` header instead of the query
    /// (keeps it out of URLs, but costs a CORS preflight cross-origin).
    pub token_in_header: bool,
    /// The `Referer` header to send, where the platform lets a script set it (Node).
    pub referer: Option<String>,
    /// When the whole operation this request belongs to must be over (the transport's clock,
    /// ms); `None`: the transport's own timeout.
    pub deadline: Option<Millis>,
}

impl core::fmt::Debug for PortalRequest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let params: Vec<(&str, &str)> = self
            .params
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str(),
                    if is_secret_param(k) {
                        "****"
                    } else {
                        v.as_str()
                    },
                )
            })
            .collect();
        f.debug_struct("PortalRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("params", &params)
            .field(
                "token",
                &self.token.as_deref().map(crate::core::keys::mask_key),
            )
            .field("referer", &self.referer)
            .field("deadline", &self.deadline)
            .finish()
    }
}

/// Parameters that carry secrets.
pub fn is_secret_param(name: &str) -> bool {
    matches!(
        name,
        "token" | "password" | "client_secret" | "access_token"
    )
}

/// Normalises a portal URL to its sharing REST root: `https://www.arcgis.com` →
/// `https://www.arcgis.com/sharing/rest`, `https://host/portal` →
/// `https://host/portal/sharing/rest`. A URL copied from the portal's pages or its REST API is
/// cut where that part starts: `…/home/…` (the portal's web pages) and `…/sharing/…`.
pub fn rest_root(portal: &str) -> Option<String> {
    let p = portal.trim();
    // A query or fragment (an item page's `?id=…`) is not part of the portal's address.
    let p = p.get(..p.find(['?', '#']).unwrap_or(p.len()))?;
    let p = p.trim_end_matches('/');
    if !(p.starts_with("https://") || p.starts_with("http://")) || p.len() <= "https://".len() {
        return None;
    }
    if p.contains(' ') {
        return None;
    }
    let path_start = p
        .get(8..)
        .and_then(|rest| rest.find('/'))
        .map_or(p.len(), |i| i + 8);
    let base = p.get(..path_start)?;
    let path = p.get(path_start..)?;
    let mut end = path.len();
    for marker in ["/sharing", "/home"] {
        if let Some(i) = segment_at(path, marker) {
            end = end.min(i);
        }
    }
    Some(format!("{base}{}/sharing/rest", path.get(..end)?))
}

/// Where `marker` (`/name`) starts as a whole path segment of `path`.
fn segment_at(path: &str, marker: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = path
        .get(from..)
        .and_then(|rest| crate::core::find_str(rest, marker))
    {
        let at = from + i;
        let after = path.as_bytes().get(at + marker.len());
        if after.is_none() || after == Some(&b'/') {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n), 16).map_or('0', |c| c.to_ascii_uppercase())
}

/// Percent-encodes a path segment (usernames and ids are usually plain, but not always).
pub fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 15));
        }
    }
    out
}

fn req(
    method: Method,
    url: String,
    params: &[(&str, String)],
    token: Option<&str>,
) -> PortalRequest {
    let mut p: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect();
    p.push(("f".into(), "json".into()));
    PortalRequest {
        method,
        url,
        params: p,
        token: token.map(str::to_string),
        token_in_header: false,
        referer: None,
        deadline: None,
    }
}

/// `generateToken` (as arcgis-rest-js signs in: `client=referer`).
pub fn generate_token(
    root: &str,
    username: &str,
    password: &str,
    referer: &str,
    minutes: u32,
) -> PortalRequest {
    req(
        Method::Post,
        format!("{root}/generateToken"),
        &[
            ("username", username.to_string()),
            ("password", password.to_string()),
            ("client", "referer".into()),
            ("referer", referer.to_string()),
            ("expiration", minutes.to_string()),
        ],
        None,
    )
}

/// `portals/self`.
pub fn portal_self(root: &str, token: Option<&str>) -> PortalRequest {
    req(Method::Post, format!("{root}/portals/self"), &[], token)
}

/// `community/self`.
pub fn community_self(root: &str, token: &str) -> PortalRequest {
    req(
        Method::Post,
        format!("{root}/community/self"),
        &[],
        Some(token),
    )
}

/// `content/items/{id}`.
pub fn item(root: &str, item_id: &str, token: Option<&str>) -> PortalRequest {
    req(
        Method::Post,
        format!("{root}/content/items/{}", segment(item_id)),
        &[],
        token,
    )
}

/// The `search` query for a user's API key credentials: items with the `APIToken` type keyword
/// (how the portal marks them), and legacy `API Key` items. Search covers every folder, which
/// `content/users/{user}` (the root folder only) does not.
pub fn credentials_query(username: &str) -> String {
    // Usernames are letters, digits and `_ . @ -`: nothing to escape inside the quotes, and a
    // quote is dropped rather than let it end the value.
    let user: String = username.chars().filter(|c| *c != '"').collect();
    format!(r#"owner:"{user}" AND (typekeywords:"APIToken" OR type:"API Key")"#)
}

/// `search`: one page of up to 100 results from `start` (1-based), oldest first. The explicit
/// order keeps paging stable: items created while the pages are read land after the last one,
/// instead of shifting the relevance order under the pages already read.
pub fn search(root: &str, query: &str, start: u32, token: &str) -> PortalRequest {
    req(
        Method::Post,
        format!("{root}/search"),
        &[
            ("q", query.to_string()),
            ("start", start.to_string()),
            ("num", "100".into()),
            ("sortField", "created".into()),
            ("sortOrder", "asc".into()),
        ],
        Some(token),
    )
}

/// `content/users/{user}/items/{id}/registeredAppInfo`.
pub fn registered_app_info(
    root: &str,
    username: &str,
    item_id: &str,
    token: &str,
) -> PortalRequest {
    req(
        Method::Post,
        format!(
            "{root}/content/users/{}/items/{}/registeredAppInfo",
            segment(username),
            segment(item_id)
        ),
        &[],
        Some(token),
    )
}

/// `oauth2/token` with `apiToken=slot`: generate (or regenerate) a key. The client secret is the
/// authentication (arcgis-rest-js PR #1196).
pub fn generate_key(
    root: &str,
    client_id: &str,
    client_secret: &str,
    slot: u8,
    regenerate: bool,
) -> PortalRequest {
    req(
        Method::Post,
        format!("{root}/oauth2/token"),
        &[
            ("client_id", client_id.to_string()),
            ("client_secret", client_secret.to_string()),
            ("grant_type", "client_credentials".into()),
            ("apiToken", slot.to_string()),
            ("regenerateApiToken", regenerate.to_string()),
        ],
        None,
    )
}

/// `oauth2/revokeToken` with `apiToken=slot` (as arcgis-rest-js `invalidateApiKey` sends it).
pub fn revoke_key(root: &str, client_id: &str, client_secret: &str, slot: u8) -> PortalRequest {
    req(
        Method::Post,
        format!("{root}/oauth2/revokeToken"),
        &[
            ("client_id", client_id.to_string()),
            ("client_secret", client_secret.to_string()),
            ("apiToken", slot.to_string()),
            ("grant_type", "client_credentials".into()),
            ("regenerateApiToken", "true".into()),
        ],
        None,
    )
}

/// A registered-app list parameter: a JSON array of strings.
fn json_list(items: &[String]) -> String {
    let mut s = String::from("[");
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        push_quoted(&mut s, it);
    }
    s.push(']');
    s
}

/// An item list parameter (`tags`, `typeKeywords`): the values joined with commas.
fn comma_list(items: &[&str]) -> String {
    items.join(",")
}

/// `oauth2/apps/{client_id}/update`: both lists, always, as JSON arrays (the one not being
/// changed is re-sent as the portal has it; see the module docs).
pub fn update_app(
    root: &str,
    client_id: &str,
    token: &str,
    privileges: &[String],
    referrers: &[String],
) -> PortalRequest {
    let params = [
        ("privileges", json_list(privileges)),
        ("httpReferrers", json_list(referrers)),
    ];
    req(
        Method::Post,
        format!("{root}/oauth2/apps/{}/update", segment(client_id)),
        &params,
        Some(token),
    )
}

/// Item update setting one slot's expiration (`-1`: not set).
pub fn update_expiration(
    root: &str,
    username: &str,
    item_id: &str,
    token: &str,
    slot: u8,
    expires_at: i64,
) -> PortalRequest {
    let name = if slot == 2 {
        "apiToken2ExpirationDate"
    } else {
        "apiToken1ExpirationDate"
    };
    req(
        Method::Post,
        format!(
            "{root}/content/users/{}/items/{}/update",
            segment(username),
            segment(item_id)
        ),
        &[(name, expires_at.to_string())],
        Some(token),
    )
}

/// `content/users/{user}/addItem` for an API key credentials item (as arcgis-rest-js
/// `createApiKey` does: type `Application`).
pub fn add_item(root: &str, username: &str, token: &str, title: &str) -> PortalRequest {
    req(
        Method::Post,
        format!("{root}/content/users/{}/addItem", segment(username)),
        &[
            ("title", title.to_string()),
            ("type", "Application".into()),
            ("typeKeywords", comma_list(&["API Key Credentials"])),
        ],
        Some(token),
    )
}

/// `oauth2/registerApp` with `appType=multiple` and the OOB redirect URI, as arcgis-rest-js does.
pub fn register_app(
    root: &str,
    token: &str,
    item_id: &str,
    privileges: &[String],
    referrers: &[String],
) -> PortalRequest {
    req(
        Method::Post,
        format!("{root}/oauth2/registerApp"),
        &[
            ("itemId", item_id.to_string()),
            ("appType", "multiple".into()),
            (
                "redirect_uris",
                json_list(&["urn:ietf:wg:oauth:2.0:oob".to_string()]),
            ),
            ("httpReferrers", json_list(referrers)),
            ("privileges", json_list(privileges)),
        ],
        Some(token),
    )
}

/// A call to any portal or service URL with a key. Sharing API URLs always go as a form POST with
/// the token in the body, whatever `method` asks: the sharing API answers no CORS preflight, which
/// a GET with the key in a header would need in a browser (arcgis-rest-js forces browsers to POST
/// for the same reason), and it accepts every operation as POST. Other services go as `method`
/// (GET by default) with the key in the `token` query parameter, or in `X-Esri-Authorization`
/// with `header` (a CORS preflight per distinct URL from another origin).
pub fn call(
    url: &str,
    params: Vec<(String, String)>,
    token: &str,
    method: Option<Method>,
    header: bool,
) -> PortalRequest {
    let method = if crate::core::find_str(url, "/sharing/rest").is_some() {
        Method::Post
    } else {
        method.unwrap_or(Method::Get)
    };
    let mut p = params;
    if !p.iter().any(|(k, _)| k == "f") {
        p.push(("f".into(), "json".into()));
    }
    PortalRequest {
        method,
        url: url.to_string(),
        params: p,
        token: Some(token.to_string()),
        token_in_header: header && method == Method::Get,
        referer: None,
        deadline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharing_calls_are_form_posts_whatever_the_method() {
        let sharing = "https://www.arcgis.com/sharing/rest/portals/self";
        let service = "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer/findAddressCandidates";
        for asked in [None, Some(Method::Get), Some(Method::Post)] {
            assert_eq!(call(sharing, vec![], "k", asked, true).method, Method::Post);
        }
        assert_eq!(call(service, vec![], "k", None, false).method, Method::Get);
        assert_eq!(
            call(service, vec![], "k", Some(Method::Get), false).method,
            Method::Get
        );
        assert_eq!(
            call(service, vec![], "k", Some(Method::Post), false).method,
            Method::Post
        );
        let r = call(
            sharing,
            vec![("f".into(), "pjson".into())],
            "k",
            None,
            false,
        );
        assert_eq!(r.params, vec![("f".to_string(), "pjson".to_string())]);
        assert_eq!(r.token.as_deref(), Some("k"));
        // The key goes in the header only on a GET, and only when asked.
        assert!(!call(service, vec![], "k", None, false).token_in_header);
        assert!(call(service, vec![], "k", None, true).token_in_header);
        assert!(!call(service, vec![], "k", Some(Method::Post), true).token_in_header);
        assert!(!call(sharing, vec![], "k", Some(Method::Get), true).token_in_header);
    }

    #[test]
    fn rest_roots() {
        assert_eq!(
            rest_root("https://www.arcgis.com").as_deref(),
            Some("https://www.arcgis.com/sharing/rest")
        );
        assert_eq!(
            rest_root("https://host/portal/").as_deref(),
            Some("https://host/portal/sharing/rest")
        );
        assert_eq!(
            rest_root("https://host/portal/sharing/rest").as_deref(),
            Some("https://host/portal/sharing/rest")
        );
        assert_eq!(
            rest_root("https://host/portal/sharing").as_deref(),
            Some("https://host/portal/sharing/rest")
        );
        // Copied from the portal's pages or its REST API.
        for (copied, root) in [
            (
                "https://www.arcgis.com/home",
                "https://www.arcgis.com/sharing/rest",
            ),
            (
                "https://org.maps.arcgis.com/home/index.html",
                "https://org.maps.arcgis.com/sharing/rest",
            ),
            (
                "https://host/portal/home/item.html?id=1",
                "https://host/portal/sharing/rest",
            ),
            (
                "https://host/portal/home/",
                "https://host/portal/sharing/rest",
            ),
            (
                "https://host/portal/sharing/rest/portals/self",
                "https://host/portal/sharing/rest",
            ),
            (
                "https://host/portal/sharing/rest/",
                "https://host/portal/sharing/rest",
            ),
            // Only whole segments count, and never the host.
            (
                "https://home.example.com/homes",
                "https://home.example.com/homes/sharing/rest",
            ),
            (
                "https://host/sharingportal",
                "https://host/sharingportal/sharing/rest",
            ),
            (
                "http://127.0.0.1:8080/portal",
                "http://127.0.0.1:8080/portal/sharing/rest",
            ),
        ] {
            assert_eq!(rest_root(copied).as_deref(), Some(root), "{copied}");
        }
        assert_eq!(rest_root("host/portal"), None);
        assert_eq!(rest_root("https://"), None);
        assert_eq!(rest_root("https://h/p a"), None);
        assert_eq!(rest_root("https://?x"), None);
    }

    #[test]
    fn secrets_never_in_debug() {
        let r = generate_token("https://h/sharing/rest", "u", "hunter2", "https://a/", 60);
        let d = format!("{r:?}");
        assert!(!d.contains("hunter2"));
        let r = generate_key("https://h/sharing/rest", "cid", "s3cr3t", 1, true);
        assert!(!format!("{r:?}").contains("s3cr3t"));
        let r = call(
            "https://h/x",
            vec![],
            "AAPTsecretsecretsecret.AT1_abcdefgh",
            None,
            false,
        );
        assert!(!format!("{r:?}").contains("secretsecret"));
        assert_eq!(r.method, Method::Get);
    }

    #[test]
    fn lists_are_json() {
        assert_eq!(
            json_list(&["a\"b".into(), "c\\d".into()]),
            r#"["a\"b","c\\d"]"#
        );
        let r = update_app("https://h/sharing/rest", "c i", "t", &["p".into()], &[]);
        assert!(r.url.ends_with("/oauth2/apps/c%20i/update"));
        // Both lists, always: the unchanged one is re-sent.
        let names: Vec<&str> = r.params.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["privileges", "httpReferrers", "f"]);
        assert_eq!(r.params[1].1, "[]");
        // Item lists are comma-joined.
        let r = add_item("https://h/sharing/rest", "u", "t", "title");
        assert!(r
            .params
            .contains(&("typeKeywords".into(), "API Key Credentials".into())));
        assert_eq!(comma_list(&["a", "b c"]), "a,b c");
    }
}
