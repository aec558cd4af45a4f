//! The owner's operations on API key credentials, as sequences of portal requests: list them,
//! read one, generate, regenerate or invalidate a key, and replace referrers, privileges or item
//! access. Generic over the transport, so each sequence is tested natively; the `PortalSession`
//! class in `web::session` converts its arguments into an [`Op`] and the [`Outcome`] back.

use crate::core::credentials::{check_new_key, check_referrers, Credentials};
use crate::core::privileges::{
    check_item_access, check_privileges_edit, replace_item_access, replace_privileges,
};
use crate::core::time::Millis;
use crate::portal::client::{PortalClient, Transport};
use crate::portal::error::{Kind, PortalError};
use crate::portal::types::{credentials_from_portal, ItemJson, RegisteredAppJson};

/// At most this many pages of 100 search results are read (10,000 credentials).
pub const MAX_SEARCH_PAGES: usize = 100;

/// What an owner operation does to one credentials item once its registration is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Nothing: answer with the credentials.
    Read,
    /// Replace the referrers.
    Referrers(Vec<String>),
    /// Replace the privileges; the item access is kept.
    Privileges(Vec<String>),
    /// Replace the item access (item ids); the other privileges are kept.
    ItemAccess(Vec<String>),
    /// Generate a key into an empty or dead slot, or (`regenerate`) replace the slot's key.
    NewKey {
        /// 1 or 2.
        slot: u8,
        /// The key's expiration (epoch ms); `None`: the portal's default.
        expires_at: Option<Millis>,
        /// Replace an active key (it stops working).
        regenerate: bool,
    },
    /// Invalidate the key in a slot.
    Invalidate(u8),
}

impl Op {
    /// Replace the referrers, after checking each entry.
    pub fn referrers(list: Vec<String>) -> crate::core::error::Result<Op> {
        check_referrers(&list)?;
        Ok(Op::Referrers(list))
    }

    /// Replace the privileges (item access excluded: see [`Op::item_access`]).
    pub fn privileges(list: Vec<String>) -> crate::core::error::Result<Op> {
        check_privileges_edit(&list)?;
        Ok(Op::Privileges(list))
    }

    /// Replace the item access, after checking the ids.
    pub fn item_access(ids: Vec<String>) -> crate::core::error::Result<Op> {
        check_item_access(&ids)?;
        Ok(Op::ItemAccess(ids))
    }
}

/// What an operation produced.
#[derive(Clone, PartialEq)]
pub enum Outcome {
    /// The credentials as the portal now has them.
    Credentials(Box<Credentials>),
    /// A new key: shown to the caller once, never stored.
    NewKey {
        /// The raw key.
        key: String,
        /// Its slot.
        slot: u8,
        /// When it expires (epoch ms).
        expires_at: Millis,
    },
    /// The key in `slot` no longer works.
    Invalidated(u8),
}

impl core::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Outcome::Credentials(c) => f.debug_tuple("Credentials").field(c).finish(),
            Outcome::NewKey {
                key,
                slot,
                expires_at,
            } => f
                .debug_struct("NewKey")
                .field("key", &crate::core::keys::mask_key(key))
                .field("slot", slot)
                .field("expires_at", expires_at)
                .finish(),
            Outcome::Invalidated(slot) => f.debug_tuple("Invalidated").field(slot).finish(),
        }
    }
}

/// Why an owner operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum OwnerError {
    /// The portal refused or could not be reached (always `signed_in`: the token is the owner's).
    Portal(PortalError),
    /// The request or the portal's answer breaks a rule of the core.
    Core(crate::core::Error),
}

impl From<PortalError> for OwnerError {
    fn from(mut e: PortalError) -> Self {
        e.signed_in = true;
        OwnerError::Portal(e)
    }
}

impl From<crate::core::Error> for OwnerError {
    fn from(e: crate::core::Error) -> Self {
        OwnerError::Core(e)
    }
}

/// A signed-in owner: whose token, on which portal.
pub struct Owner<T: Transport> {
    /// The portal.
    pub client: PortalClient<T>,
    /// The owner's username.
    pub username: String,
    /// The owner's token (never shown).
    pub token: String,
}

impl<T: Transport> Owner<T> {
    /// The ids of the owner's API key credentials in every folder, in the portal's order (every
    /// page of the portal's `search`; `APIToken` applications and legacy `API Key` items).
    pub async fn credential_ids(
        &self,
        client: &PortalClient<T>,
    ) -> Result<Vec<String>, OwnerError> {
        let query = crate::portal::request::credentials_query(&self.username);
        let mut ids = Vec::new();
        let mut start = 1u32;
        for _ in 0..MAX_SEARCH_PAGES {
            let page = client.search(&query, start, &self.token).await?;
            let next = page.next_start;
            ids.extend(
                page.results
                    .into_iter()
                    .filter(ItemJson::is_api_key_credentials)
                    .map(|i| i.id),
            );
            // -1 after the last page; a portal that does not move forward ends it too.
            if !(next > f64::from(start) && next <= f64::from(u32::MAX)) {
                break;
            }
            start = next as u32;
        }
        Ok(ids)
    }

    /// Runs `op` on the credentials item `id`: reads the registration, makes the change, and
    /// answers with what it produced or with the credentials as the portal now has them. `now`
    /// dates a new key whose expiration the portal chose. (One async body for every operation
    /// keeps one state machine in the module instead of one per method.)
    pub async fn run(
        &self,
        client: &PortalClient<T>,
        id: &str,
        op: Op,
        now: Millis,
    ) -> Result<Outcome, OwnerError> {
        let mut app = self.app(client, id).await?;
        // An update always carries both lists, the one not changed as the portal has it.
        let (privileges, referrers) = match op {
            Op::Read => (None, None),
            Op::Referrers(list) => (Some(app.privileges.clone()), Some(list)),
            Op::Privileges(list) => (
                Some(replace_privileges(list, &app.privileges)),
                Some(app.http_referrers.clone()),
            ),
            Op::ItemAccess(ids) => (
                Some(replace_item_access(&ids, &app.privileges)),
                Some(app.http_referrers.clone()),
            ),
            Op::NewKey {
                slot,
                expires_at,
                regenerate,
            } => {
                let active = if slot == 1 {
                    app.api_token1_active
                } else {
                    app.api_token2_active
                };
                check_new_key(slot, active, regenerate)?;
                let secret = secret(&app)?;
                if let Some(exp) = expires_at {
                    client
                        .update_expiration(&self.username, id, &self.token, slot, exp)
                        .await?;
                }
                let k = client
                    .generate_key(&app.client_id, secret, slot, true)
                    .await?;
                let expires_at = expires_at
                    .unwrap_or_else(|| now.saturating_add((k.expires_in * 1000.0) as i64));
                return Ok(Outcome::NewKey {
                    key: k.access_token,
                    slot,
                    expires_at,
                });
            }
            Op::Invalidate(slot) => {
                let secret = secret(&app)?;
                client.revoke_key(&app.client_id, secret, slot).await?;
                return Ok(Outcome::Invalidated(slot));
            }
        };
        if let (Some(privileges), Some(referrers)) = (privileges, referrers) {
            client
                .update_app(&app.client_id, &self.token, &privileges, &referrers)
                .await?;
            app = self.app(client, id).await?;
        }
        let item = client.item(id, Some(&self.token)).await?;
        let c = Credentials::new(credentials_from_portal(&item, &app, client.root()))?;
        Ok(Outcome::Credentials(Box::new(c)))
    }

    async fn app(
        &self,
        client: &PortalClient<T>,
        id: &str,
    ) -> Result<RegisteredAppJson, OwnerError> {
        Ok(client
            .registered_app_info(&self.username, id, &self.token)
            .await?)
    }
}

/// The registration's client secret, which only the owner is given.
fn secret(app: &RegisteredAppJson) -> Result<&str, OwnerError> {
    app.client_secret
        .as_deref()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            OwnerError::from(PortalError::new(
                Kind::Forbidden,
                "The portal did not return the client secret: only the credentials' owner can manage its keys.",
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::client::RawResponse;
    use crate::portal::request::PortalRequest;
    use std::cell::RefCell;
    use std::rc::Rc;

    const ITEM: &str = "0123456789abcdef0123456789abcdef";
    const OTHER: &str = "fedcba9876543210fedcba9876543210";
    const KEY: &str = "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT2_bbbbbbbb";

    /// A portal that answers by the URL's last path segment; every request is logged as
    /// `(segment, params)`.
    #[derive(Clone, Default)]
    struct Portal {
        app: Rc<RefCell<String>>,
        search: Rc<RefCell<Vec<String>>>,
        log: Rc<RefCell<Vec<Sent>>>,
    }

    /// A request as logged: the URL's last segment and the parameters.
    type Sent = (String, Vec<(String, String)>);

    impl Portal {
        fn with_app(app: &str) -> Self {
            let p = Portal::default();
            *p.app.borrow_mut() = app.to_string();
            p
        }
        fn sent(&self) -> Vec<String> {
            self.log.borrow().iter().map(|(s, _)| s.clone()).collect()
        }
        fn param(&self, segment: &str, name: &str) -> Option<String> {
            let log = self.log.borrow();
            let (_, params) = log.iter().find(|(s, _)| s == segment)?;
            params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    impl Transport for Portal {
        type Json = serde_json::Value;

        async fn send(&self, req: &PortalRequest) -> Result<RawResponse, PortalError> {
            let segment = req.url.rsplit('/').next().unwrap_or_default().to_string();
            self.log
                .borrow_mut()
                .push((segment.clone(), req.params.clone()));
            let body = match segment.as_str() {
                "registeredAppInfo" => self.app.borrow().clone(),
                "update" => r#"{"success":true}"#.to_string(),
                "token" => format!(r#"{{"access_token":"{KEY}","expires_in":86400}}"#),
                "revokeToken" => r#"{"success":true}"#.to_string(),
                "search" => self.search.borrow_mut().remove(0),
                s if s == ITEM => format!(
                    r#"{{"id":"{ITEM}","title":"Store locator","owner":"owner","type":"Application","typeKeywords":["Registered App","APIToken"]}}"#
                ),
                _ => r#"{"error":{"code":400,"message":"Unexpected.","details":[]}}"#.to_string(),
            };
            Ok(RawResponse {
                status: 200,
                body,
                date: None,
            })
        }

        fn parse(&self, text: &str) -> Option<serde_json::Value> {
            serde_json::from_str(text).ok()
        }
    }

    fn app(active2: bool, secret: bool) -> String {
        format!(
            r#"{{"itemId":"{ITEM}","client_id":"cid",{}"appType":"multiple","httpReferrers":["https://a.example"],
               "privileges":["premium:user:basemaps","portal:app:access:item:{OTHER}"],
               "apiToken1Active":true,"apiToken2Active":{active2}}}"#,
            if secret {
                r#""client_secret":"s3cret","#
            } else {
                ""
            }
        )
    }

    fn owner(p: &Portal) -> (Owner<Portal>, PortalClient<Portal>) {
        let client = PortalClient::new(p.clone(), "https://p.example/portal").unwrap();
        let o = Owner {
            client: client.clone(),
            username: "owner".into(),
            token: "owner-token".into(),
        };
        (o, client)
    }

    use crate::portal::testing::run;

    /// A list parameter as sent (a JSON array, as Esri's client sends them).
    fn list(json: Option<String>) -> Vec<String> {
        serde_json::from_str(&json.expect("the parameter was sent")).expect("a JSON array")
    }

    #[test]
    fn a_referrers_edit_sends_both_lists_and_reads_back_the_credentials() {
        let p = Portal::with_app(&app(false, true));
        let (o, c) = owner(&p);
        let op = Op::referrers(vec!["https://b.example".into()]).unwrap();
        let out = run(o.run(&c, ITEM, op, 0)).unwrap();
        assert!(matches!(out, Outcome::Credentials(_)));
        assert_eq!(
            p.sent(),
            ["registeredAppInfo", "update", "registeredAppInfo", ITEM]
        );
        let privileges = p.param("update", "privileges").expect("privileges sent");
        assert!(privileges.contains("premium:user:basemaps"), "{privileges}");
        assert!(privileges.contains(OTHER), "item access kept: {privileges}");
        assert!(p
            .param("update", "httpReferrers")
            .unwrap()
            .contains("https://b.example"));
    }

    #[test]
    fn privilege_and_item_access_edits_each_keep_the_other_kind() {
        let p = Portal::with_app(&app(false, true));
        let (o, c) = owner(&p);
        let op = Op::privileges(vec!["premium:user:geocode".into()]).unwrap();
        run(o.run(&c, ITEM, op, 0)).unwrap();
        let sent = p.param("update", "privileges").unwrap();
        assert!(
            sent.contains("premium:user:geocode") && sent.contains(OTHER),
            "{sent}"
        );
        assert!(!sent.contains("premium:user:basemaps"), "{sent}");
        assert!(p
            .param("update", "httpReferrers")
            .unwrap()
            .contains("https://a.example"));

        let p = Portal::with_app(&app(false, true));
        let (o, c) = owner(&p);
        run(o.run(&c, ITEM, Op::item_access(vec![ITEM.into()]).unwrap(), 0)).unwrap();
        let sent = p.param("update", "privileges").unwrap();
        assert!(
            sent.contains("premium:user:basemaps") && sent.contains(ITEM),
            "{sent}"
        );
        assert!(!sent.contains(OTHER), "{sent}");
        assert_eq!(
            list(p.param("update", "httpReferrers")),
            ["https://a.example"]
        );
    }

    #[test]
    fn edits_are_checked_before_anything_is_sent() {
        let e = Op::referrers(vec!["https://*.".into()]).unwrap_err();
        assert_eq!(e.code(), "INVALID_REFERRER");
        let e = Op::referrers(vec!["https://a.example".into(); 101]).unwrap_err();
        assert_eq!(e.code(), "INPUT_TOO_LARGE");
        let e = Op::privileges(vec![format!("portal:app:access:item:{ITEM}")]).unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        let e = Op::item_access(vec!["not-an-id".into()]).unwrap_err();
        assert_eq!(e.code(), "INVALID_ARGUMENT");
        let e = Op::item_access(vec![ITEM.into(); 101]).unwrap_err();
        assert_eq!(e.code(), "INPUT_TOO_LARGE");
    }

    #[test]
    fn a_new_key_goes_into_an_empty_slot_and_is_dated() {
        let p = Portal::with_app(&app(false, true));
        let (o, c) = owner(&p);
        let op = Op::NewKey {
            slot: 2,
            expires_at: None,
            regenerate: false,
        };
        let out = run(o.run(&c, ITEM, op, 1_000)).unwrap();
        let Outcome::NewKey {
            key,
            slot,
            expires_at,
        } = &out
        else {
            panic!("not a new key: {out:?}");
        };
        assert_eq!(
            (key.as_str(), *slot, *expires_at),
            (KEY, 2, 1_000 + 86_400_000)
        );
        assert!(!format!("{out:?}").contains(KEY), "Debug masks the key");
        assert_eq!(p.sent(), ["registeredAppInfo", "token"]);
        assert_eq!(p.param("token", "apiToken").as_deref(), Some("2"));
    }

    #[test]
    fn a_new_key_over_an_active_one_is_refused_unless_regenerating() {
        let p = Portal::with_app(&app(true, true));
        let (o, c) = owner(&p);
        let op = |regenerate| Op::NewKey {
            slot: 2,
            expires_at: Some(5_000),
            regenerate,
        };
        let e = run(o.run(&c, ITEM, op(false), 0)).unwrap_err();
        assert!(
            matches!(&e, OwnerError::Core(c) if c.code() == "INVALID_ARGUMENT"),
            "{e:?}"
        );
        assert_eq!(
            p.sent(),
            ["registeredAppInfo"],
            "nothing changed on the portal"
        );
        run(o.run(&c, ITEM, op(true), 0)).unwrap();
        assert_eq!(
            p.sent(),
            ["registeredAppInfo", "registeredAppInfo", "update", "token"]
        );
        assert_eq!(
            p.param("update", "apiToken2ExpirationDate").as_deref(),
            Some("5000")
        );
    }

    #[test]
    fn without_the_client_secret_keys_cannot_be_managed() {
        let p = Portal::with_app(&app(false, false));
        let (o, c) = owner(&p);
        let e = run(o.run(&c, ITEM, Op::Invalidate(1), 0)).unwrap_err();
        let OwnerError::Portal(e) = e else {
            panic!("{e:?}")
        };
        assert_eq!((e.kind, e.signed_in), (Kind::Forbidden, true));
        assert_eq!(p.sent(), ["registeredAppInfo"]);
    }

    #[test]
    fn portal_errors_are_the_owners() {
        let p =
            Portal::with_app(r#"{"error":{"code":498,"message":"Invalid token.","details":[]}}"#);
        let (o, c) = owner(&p);
        let OwnerError::Portal(e) = run(o.run(&c, ITEM, Op::Read, 0)).unwrap_err() else {
            panic!("not a portal error")
        };
        assert!(e.signed_in);
        assert_eq!(e.code(), "SESSION_EXPIRED");
    }

    #[test]
    fn every_search_page_is_read_and_only_credentials_are_kept() {
        let p = Portal::default();
        let hit = |id: &str, ty: &str, kw: &str| {
            format!(
                r#"{{"id":"{id}","title":"t","owner":"owner","type":"{ty}","typeKeywords":[{kw}]}}"#
            )
        };
        *p.search.borrow_mut() = vec![
            format!(
                r#"{{"results":[{},{}],"nextStart":3}}"#,
                hit("a", "Application", r#""Registered App","APIToken""#),
                hit("b", "Application", r#""Registered App""#)
            ),
            format!(
                r#"{{"results":[{}],"nextStart":3}}"#,
                hit("c", "API Key", "")
            ),
        ];
        let (o, c) = owner(&p);
        let ids = run(o.credential_ids(&c)).unwrap();
        assert_eq!(ids, ["a", "c"], "an OAuth app is not API key credentials");
        assert_eq!(
            p.sent(),
            ["search", "search"],
            "a page that does not move forward ends it"
        );
        assert_eq!(p.param("search", "start").as_deref(), Some("1"));
    }
}
