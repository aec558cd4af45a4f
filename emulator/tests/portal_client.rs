//! `src/portal` natively, over real HTTP against the emulator: request builders, decoding and
//! error mapping, through a reqwest transport.

use apikey_credentials::portal::client::{interpret, RawResponse};
use apikey_credentials::portal::request::{self, Method, PortalRequest};
use apikey_credentials::portal::types::PortalSelfJson;
use apikey_credentials::portal::{Kind, PortalClient, PortalError, Transport};
use portal_emulator::config::{Config, LogLevel};

#[derive(Clone)]
struct Http(reqwest::Client);

impl Transport for Http {
    type Json = serde_json::Value;

    async fn send(&self, req: &PortalRequest) -> Result<RawResponse, PortalError> {
        let mut rb = match req.method {
            Method::Get => {
                let mut rb = self.0.get(&req.url).query(&req.params);
                match &req.token {
                    Some(t) if req.token_in_header => {
                        rb = rb.header("X-Esri-Authorization", format!("Bearer {t}"));
                    }
                    Some(t) => rb = rb.query(&[("token", t)]),
                    None => {}
                }
                rb
            }
            Method::Post => {
                let mut form = req.params.clone();
                if let Some(t) = &req.token {
                    form.push(("token".into(), t.clone()));
                }
                self.0.post(&req.url).form(&form)
            }
        };
        if let Some(r) = &req.referer {
            rb = rb.header("Referer", r);
        }
        let resp = rb
            .send()
            .await
            .map_err(|e| PortalError::new(Kind::Network, e.to_string()))?;
        let status = resp.status().as_u16();
        let date = resp
            .headers()
            .get("date")
            .and_then(|d| d.to_str().ok())
            .map(str::to_string);
        let body = resp
            .text()
            .await
            .map_err(|e| PortalError::new(Kind::BadResponse, e.to_string()))?;
        Ok(RawResponse { status, body, date })
    }

    fn parse(&self, text: &str) -> Option<serde_json::Value> {
        serde_json::from_str(text).ok()
    }
}

/// A form POST of `params` (and `f=json`) with `token`, for calls the client has no builder for.
fn form(url: String, params: &[(&str, &str)], token: &str) -> PortalRequest {
    let mut p: Vec<(String, String)> = vec![("f".into(), "json".into())];
    p.extend(params.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    PortalRequest {
        method: Method::Post,
        url,
        params: p,
        token: Some(token.to_string()),
        token_in_header: false,
        referer: Some(REFERER.to_string()),
        deadline: None,
    }
}

/// The referer the tests sign in with (a user token is bound to it).
const REFERER: &str = "http://x/";

/// A seeded emulator on a free port, its owner login, and a client for its `/portal` URL.
async fn emulator() -> (portal_emulator::Running, String, String, PortalClient<Http>) {
    let running = portal_emulator::start(Config {
        port: 0,
        alt_port: None,
        log: LogLevel::Error,
        ..Config::default()
    })
    .await
    .unwrap();
    let (user, pass) = running.login.clone().unwrap();
    let client = PortalClient::new(
        Http(reqwest::Client::new()),
        &format!("{}/portal", running.url()),
    )
    .unwrap()
    .with_referer(Some(REFERER.to_string()));
    (running, user, pass, client)
}

#[tokio::test]
async fn the_portal_client_against_the_emulator() {
    let (running, user, pass, client) = emulator().await;
    assert_eq!(client.root(), running.rest());

    let bad = client
        .sign_in(&user, "nope", "http://x/")
        .await
        .unwrap_err();
    assert_eq!((bad.code(), bad.portal_code), ("BAD_REQUEST", Some(400)));
    let t = client.sign_in(&user, &pass, REFERER).await.unwrap();
    assert!(!format!("{t:?}").contains(&t.token));
    // The token is bound to the referer it was made for: without it, or with another, 498.
    let bare = PortalClient::new(
        Http(reqwest::Client::new()),
        &format!("{}/portal", running.url()),
    )
    .unwrap();
    assert_eq!(
        bare.community_self(&t.token).await.unwrap_err().code(),
        "INVALID_TOKEN"
    );
    let other = bare.clone().with_referer(Some("http://y/".into()));
    assert_eq!(
        other.community_self(&t.token).await.unwrap_err().code(),
        "INVALID_TOKEN"
    );
    let me = client.community_self(&t.token).await.unwrap();
    assert_eq!(me.user_license_type_id.as_deref(), Some("creatorUT"));
    let (portal, raw) = client.portal_self(Some(&t.token)).await.unwrap();
    assert!(portal.is_portal && raw.date.is_some());

    let app = client
        .create_credentials(
            &user,
            &t.token,
            "native",
            &["premium:user:basemaps".to_string()],
            &[],
        )
        .await
        .unwrap();
    assert!(
        format!("{app:?}").contains("****")
            && !format!("{app:?}").contains(app.client_secret.as_deref().unwrap())
    );
    let secret = app.client_secret.clone().unwrap();
    let k = client
        .generate_key(&app.client_id, &secret, 1, false)
        .await
        .unwrap();
    assert!(k.access_token.starts_with("AAPT") && k.expires_in > 300.0 * 86_400.0);
    let (selfk, _) = client.portal_self(Some(&k.access_token)).await.unwrap();
    assert_eq!(selfk.app_info.unwrap().item_id, app.item_id);
    client.revoke_key(&app.client_id, &secret, 1).await.unwrap();
    let dead = client.portal_self(Some(&k.access_token)).await.unwrap_err();
    assert_eq!(
        (dead.code(), dead.portal_code),
        ("INVALID_TOKEN", Some(498))
    );

    // Other error codes through the same mapping.
    let e = client
        .item("00000000000000000000000000000000", Some(&t.token))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "NOT_FOUND");
    let e = client.community_self("").await.unwrap_err();
    assert_eq!(e.code(), "TOKEN_REQUIRED");
    let e = client
        .registered_app_info("demo_viewer", &app.item_id, &t.token)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "FORBIDDEN");
    let e = client
        .update_app(&app.client_id, &t.token, &["x".repeat(3000)], &[])
        .await
        .unwrap_err();
    assert_eq!(e.code(), "BAD_REQUEST");

    // Service-style errors (real HTTP statuses) and bad bodies.
    let http = client.transport();
    let style = format!(
        "{}/arcgis/rest/services/styles/v2/styles/arcgis/navigation",
        running.url()
    );
    let r = http
        .send(&request::call(&style, vec![], &k.access_token, None, false))
        .await
        .unwrap();
    assert_eq!(r.status, 498);
    assert_eq!(
        interpret::<PortalSelfJson>(http, &r).unwrap_err().code(),
        "INVALID_TOKEN"
    );
    for (path, code) in [
        ("/emulator/not-json", "BAD_RESPONSE"),
        ("/emulator/truncated", "BAD_RESPONSE"),
        ("/emulator/status/503", "SERVER_ERROR"),
        ("/emulator/status/404", "NOT_FOUND"),
    ] {
        let r = http
            .send(&request::call(
                &format!("{}{path}", running.url()),
                vec![],
                "t",
                Some(Method::Get),
                false,
            ))
            .await
            .unwrap();
        assert_eq!(
            interpret::<PortalSelfJson>(http, &r).unwrap_err().code(),
            code,
            "{path}"
        );
    }
    running.stop().await;
}

/// `search` pages through all of an owner's credentials (100 a page, `nextStart` to the end),
/// finds only API key credentials (not an OAuth-style `Application` or another user's items),
/// and a query the portal cannot parse is a `BAD_REQUEST`.
#[tokio::test]
async fn search_pages_through_the_owners_credentials() {
    let (running, user, pass, client) = emulator().await;
    let t = client.sign_in(&user, &pass, REFERER).await.unwrap();
    let query = request::credentials_query(&user);

    let seeded = client.search(&query, 1, &t.token).await.unwrap();
    assert!(
        seeded.next_start < 0.0,
        "the seeded credentials fit one page"
    );
    let mut expected: Vec<String> = seeded.results.iter().map(|i| i.id.clone()).collect();
    for n in 0..150 {
        let app = client
            .create_credentials(&user, &t.token, &format!("paged {n}"), &[], &[])
            .await
            .unwrap();
        expected.push(app.item_id);
    }
    // An OAuth 2.0 style app: an Application item without the APIToken keyword.
    let http = client.transport();
    let r = http
        .send(&form(
            format!("{}/content/users/{user}/addItem", running.rest()),
            &[
                ("title", "an OAuth app"),
                ("type", "Application"),
                ("typeKeywords", "Registered App"),
            ],
            &t.token,
        ))
        .await
        .unwrap();
    assert_eq!(r.status, 200, "{}", r.body);

    let mut found = Vec::new();
    let mut created = Vec::new();
    let mut start = 1u32;
    let mut pages = 0;
    loop {
        let page = client.search(&query, start, &t.token).await.unwrap();
        pages += 1;
        assert!(page.results.len() <= 100);
        created.extend(page.results.iter().map(|i| i.created.unwrap_or(0.0)));
        found.extend(page.results.into_iter().map(|i| i.id));
        if page.next_start < 0.0 {
            break;
        }
        assert_eq!(page.next_start, f64::from(start) + 100.0);
        start = page.next_start as u32;
    }
    assert_eq!(pages, expected.len().div_ceil(100));
    assert!(created.windows(2).all(|w| w[0] <= w[1]), "oldest first");
    found.sort();
    expected.sort();
    assert_eq!(found, expected);

    // The order asked for: newest first by creation, or by title.
    for (field, order) in [("created", "desc"), ("title", "asc")] {
        let r = http
            .send(&form(
                format!("{}/search", running.rest()),
                &[
                    ("q", &query),
                    ("num", "100"),
                    ("sortField", field),
                    ("sortOrder", order),
                ],
                &t.token,
            ))
            .await
            .unwrap();
        let page: apikey_credentials::portal::types::SearchJson = interpret(http, &r).unwrap();
        let keys: Vec<String> = page
            .results
            .iter()
            .map(|i| match field {
                "title" => i.title.to_lowercase(),
                _ => format!("{:020}", i.created.unwrap_or(0.0) as u64),
            })
            .collect();
        let mut want = keys.clone();
        want.sort();
        if order == "desc" {
            want.reverse();
        }
        assert_eq!(keys, want, "{field} {order}");
    }

    // Another user sees none of them.
    let other = client
        .search(&request::credentials_query("demo_viewer"), 1, &t.token)
        .await
        .unwrap();
    assert!(other.results.is_empty());
    let e = client
        .search("owner:\"unterminated", 1, &t.token)
        .await
        .unwrap_err();
    assert_eq!((e.code(), e.portal_code), ("BAD_REQUEST", Some(400)));
    running.stop().await;
}
