//! Every endpoint over real HTTP, with each error code the emulator promises.

use portal_emulator::config::{Config, LogLevel};
use portal_emulator::{start, Running};
use reqwest::{Client, StatusCode};
use serde_json::Value;

async fn emulator(offset_days: f64) -> Running {
    let config = Config {
        port: 0,
        alt_port: None,
        clock_offset_ms: (offset_days * 86_400_000.0) as i64,
        log: LogLevel::Error,
        ..Config::default()
    };
    start(config).await.expect("emulator starts")
}

struct Api {
    c: Client,
    rest: String,
    origin: String,
    /// The owner's token from `sign_in`: bound to this origin, so calls with it send the
    /// `Referer` a page on this origin sends (unless a test names another).
    user_token: std::sync::Mutex<Option<String>>,
}

impl Api {
    fn new(r: &Running) -> Self {
        Api {
            c: Client::new(),
            rest: r.rest(),
            origin: r.url(),
            user_token: std::sync::Mutex::new(None),
        }
    }

    /// The `Referer` to send: the one given, or this origin's for the owner's token.
    fn referer_for(&self, token: Option<&str>, referer: Option<&str>) -> Option<String> {
        let user = self.user_token.lock().unwrap().clone();
        referer.map(str::to_string).or_else(|| {
            (token.is_some() && token.map(str::to_string) == user).then(|| self.referer())
        })
    }

    async fn get(&self, path: &str, token: Option<&str>, referer: Option<&str>) -> Value {
        let mut q = vec![("f", "json".to_string())];
        if let Some(t) = token {
            q.push(("token", t.to_string()));
        }
        let mut rb = self.c.get(format!("{}/{path}", self.rest)).query(&q);
        if let Some(r) = self.referer_for(token, referer) {
            rb = rb.header("Referer", r);
        }
        let resp = rb.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        resp.json().await.unwrap()
    }

    async fn post(&self, path: &str, form: &[(&str, &str)], referer: Option<&str>) -> Value {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        f.push(("f", "json"));
        let mut rb = self.c.post(format!("{}/{path}", self.rest)).form(&f);
        let token = form.iter().find(|(k, _)| *k == "token").map(|(_, v)| *v);
        if let Some(r) = self.referer_for(token, referer) {
            rb = rb.header("Referer", r);
        }
        let resp = rb.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        resp.json().await.unwrap()
    }

    async fn sign_in(&self, r: &Running) -> String {
        let (u, p) = r.login.clone().unwrap();
        let v = self
            .post(
                "generateToken",
                &[
                    ("username", &u),
                    ("password", &p),
                    ("client", "referer"),
                    ("referer", &self.origin),
                ],
                None,
            )
            .await;
        let token = v["token"].as_str().unwrap().to_string();
        *self.user_token.lock().unwrap() = Some(token.clone());
        token
    }

    fn referer(&self) -> String {
        format!("{}/", self.origin)
    }
}

fn code(v: &Value) -> i64 {
    v["error"]["code"].as_i64().unwrap_or(0)
}

#[tokio::test]
async fn sign_in_and_identity() {
    let r = emulator(0.0).await;
    let api = Api::new(&r);
    let bad = api
        .post(
            "generateToken",
            &[("username", "demo_owner"), ("password", "wrong")],
            None,
        )
        .await;
    assert_eq!(code(&bad), 400);
    assert_eq!(bad["error"]["details"][0], "Invalid username or password.");
    let token = api.sign_in(&r).await;
    let me = api.get("community/self", Some(&token), None).await;
    assert_eq!(me["username"], "demo_owner");
    assert_eq!(me["userLicenseTypeId"], "creatorUT");
    assert_eq!(code(&api.get("community/self", None, None).await), 499);
    assert_eq!(
        code(&api.get("community/self", Some("garbage"), None).await),
        498
    );
    let anon = api.get("portals/self", None, None).await;
    assert!(anon.get("user").is_none() && anon["isPortal"] == true);
    let selfu = api.get("portals/self", Some(&token), None).await;
    assert_eq!(selfu["user"]["username"], "demo_owner");
    let other = api
        .get("community/users/demo_viewer", Some(&token), None)
        .await;
    assert_eq!(other["username"], "demo_viewer");
    assert!(other.get("privileges").is_none());
    assert_eq!(
        code(&api.get("community/users/nobody", None, None).await),
        400
    );
    // GET on a POST-only operation.
    assert_eq!(code(&api.get("generateToken", None, None).await), 405);
    assert_eq!(code(&api.get("no/such/endpoint", None, None).await), 404);
    r.stop().await;
}

#[tokio::test]
async fn credentials_lifecycle_and_key_checks() {
    let r = emulator(0.0).await;
    let api = Api::new(&r);
    let token = api.sign_in(&r).await;
    let referer = api.referer();
    let add = api
        .post(
            "content/users/demo_owner/addItem",
            &[
                ("title", "Test creds"),
                ("type", "Application"),
                ("token", &token),
            ],
            None,
        )
        .await;
    let id = add["id"].as_str().unwrap().to_string();
    assert_eq!(add["success"], true);
    // API keys and anonymous callers cannot manage content.
    assert_eq!(
        code(
            &api.post(
                "content/users/demo_owner/addItem",
                &[("title", "x"), ("type", "Application")],
                None
            )
            .await
        ),
        499
    );
    let app = api
        .post(
            "oauth2/registerApp",
            &[
                ("itemId", &id),
                ("appType", "multiple"),
                ("redirect_uris", r#"["urn:ietf:wg:oauth:2.0:oob"]"#),
                ("httpReferrers", &format!(r#"["{}"]"#, r.url())),
                ("privileges", r#"["premium:user:basemaps"]"#),
                ("token", &token),
            ],
            None,
        )
        .await;
    let cid = app["client_id"].as_str().unwrap().to_string();
    let secret = app["client_secret"].as_str().unwrap().to_string();
    assert_eq!(app["apiToken1Active"], false);
    assert_eq!(
        code(
            &api.post(
                "oauth2/registerApp",
                &[("itemId", &id), ("privileges", "[1"), ("token", &token)],
                None
            )
            .await
        ),
        400
    );
    let info = api
        .get(
            &format!("content/users/demo_owner/items/{id}/registeredAppInfo"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(info["client_id"], cid.as_str());
    let same = api
        .get(&format!("oauth2/apps/{cid}"), Some(&token), None)
        .await;
    assert_eq!(same["itemId"], id.as_str());
    // Expiration: more than a year is refused.
    let far = (chrono::Utc::now().timestamp_millis() + 400 * 86_400_000).to_string();
    let up = api
        .post(
            &format!("content/users/demo_owner/items/{id}/update"),
            &[("apiToken1ExpirationDate", &far), ("token", &token)],
            None,
        )
        .await;
    assert_eq!(code(&up), 400);
    let soon = (chrono::Utc::now().timestamp_millis() + 30 * 86_400_000).to_string();
    let up = api
        .post(
            &format!("content/users/demo_owner/items/{id}/update"),
            &[("apiToken1ExpirationDate", &soon), ("token", &token)],
            None,
        )
        .await;
    assert_eq!(up["success"], true);
    // Generate both keys (the client secret is the authentication).
    let gen = |slot: &'static str, regen: &'static str| {
        let (api, cid, secret) = (&api, cid.clone(), secret.clone());
        async move {
            api.post(
                "oauth2/token",
                &[
                    ("client_id", &cid),
                    ("client_secret", &secret),
                    ("grant_type", "client_credentials"),
                    ("apiToken", slot),
                    ("regenerateApiToken", regen),
                ],
                None,
            )
            .await
        }
    };
    let k1 = gen("1", "true").await;
    let key1 = k1["access_token"].as_str().unwrap().to_string();
    assert!(key1.starts_with("AAPT") && key1[key1.len() - 13..].starts_with(".AT1_"));
    let days = k1["expires_in"].as_i64().unwrap() / 86_400;
    assert!((29..=30).contains(&days), "{days}");
    let key2 = gen("2", "false").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        code(&gen("2", "false").await),
        400,
        "no silent regeneration"
    );
    let bad_secret = api
        .post(
            "oauth2/token",
            &[
                ("client_id", &cid),
                ("client_secret", "x"),
                ("grant_type", "client_credentials"),
                ("apiToken", "1"),
            ],
            None,
        )
        .await;
    assert_eq!(code(&bad_secret), 400);
    // The key works with the right Referer and reports its appInfo.
    let me = api.get("portals/self", Some(&key1), Some(&referer)).await;
    assert_eq!(me["appInfo"]["itemId"], id.as_str());
    assert_eq!(me["appInfo"]["appId"], cid.as_str());
    assert_eq!(me["appInfo"]["privileges"][0], "premium:user:basemaps");
    assert_eq!(
        me["appInfo"]["expirationDate"]
            .as_i64()
            .unwrap()
            .to_string(),
        soon
    );
    // Referrer: missing or other origin → 403; the Origin header never stands in.
    assert_eq!(code(&api.get("portals/self", Some(&key1), None).await), 403);
    assert_eq!(
        code(
            &api.get("portals/self", Some(&key1), Some("http://127.0.0.1:1/"))
                .await
        ),
        403
    );
    let with_origin = api
        .c
        .get(format!("{}/portals/self?f=json&token={key1}", api.rest))
        .header("Origin", r.url())
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(code(&with_origin), 403);
    // The header form of the token works too.
    let hdr = api
        .c
        .get(format!("{}/portals/self?f=json", api.rest))
        .header("X-Esri-Authorization", format!("Bearer {key1}"))
        .header("Referer", &referer)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(hdr["appInfo"]["itemId"], id.as_str());
    // A standard-scope key cannot read the owner's account.
    assert_eq!(
        code(&api.get("community/self", Some(&key1), Some(&referer)).await),
        403
    );
    // Regenerate: the old key dies.
    let key1b = gen("1", "true").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        code(&api.get("portals/self", Some(&key1), Some(&referer)).await),
        498
    );
    assert!(api
        .get("portals/self", Some(&key1b), Some(&referer))
        .await
        .get("error")
        .is_none());
    // An update must carry both lists (an omitted one is refused, not cleared or kept).
    let partial = api
        .post(
            &format!("oauth2/apps/{cid}/update"),
            &[
                ("privileges", r#"["premium:user:geocode"]"#),
                ("token", &token),
            ],
            None,
        )
        .await;
    assert_eq!(code(&partial), 400);
    assert!(
        partial["error"].to_string().contains("httpReferrers"),
        "{partial}"
    );
    // Referrer edits keep keys; privilege edits kill both.
    let upd = api
        .post(
            &format!("oauth2/apps/{cid}/update"),
            &[
                (
                    "httpReferrers",
                    &format!(r#"["{}","https://x.example"]"#, r.url()),
                ),
                ("privileges", r#"["premium:user:basemaps"]"#),
                ("token", &token),
            ],
            None,
        )
        .await;
    assert_eq!(upd["httpReferrers"][1], "https://x.example");
    assert!(api
        .get("portals/self", Some(&key1b), Some(&referer))
        .await
        .get("error")
        .is_none());
    let upd = api
        .post(
            &format!("oauth2/apps/{cid}/update"),
            &[
                ("privileges", r#"["premium:user:geocode"]"#),
                (
                    "httpReferrers",
                    &format!(r#"["{}","https://x.example"]"#, r.url()),
                ),
                ("token", &token),
            ],
            None,
        )
        .await;
    assert_eq!(upd["apiToken1Active"], false);
    assert_eq!(upd["apiToken2Active"], false);
    assert_eq!(
        code(&api.get("portals/self", Some(&key1b), Some(&referer)).await),
        498
    );
    assert_eq!(
        code(&api.get("portals/self", Some(&key2), Some(&referer)).await),
        498
    );
    // Invalidate: revoke the regenerated key 2.
    let key2b = gen("2", "true").await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let rv = api
        .post(
            "oauth2/revokeToken",
            &[
                ("client_id", &cid),
                ("client_secret", &secret),
                ("apiToken", "2"),
                ("grant_type", "client_credentials"),
                ("regenerateApiToken", "true"),
            ],
            None,
        )
        .await;
    assert_eq!(rv["success"], true);
    assert_eq!(
        code(&api.get("portals/self", Some(&key2b), Some(&referer)).await),
        498
    );
    let info = api
        .get(
            &format!("content/users/demo_owner/items/{id}/registeredAppInfo"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(info["apiToken2Active"], false);
    // Unregister and delete.
    let un = api
        .post(
            &format!("oauth2/apps/{cid}/unregister"),
            &[("token", &token)],
            None,
        )
        .await;
    assert_eq!(un["itemId"], id.as_str());
    let del = api
        .post(
            &format!("content/users/demo_owner/items/{id}/delete"),
            &[("token", &token)],
            None,
        )
        .await;
    assert_eq!(del["success"], true);
    assert_eq!(
        code(
            &api.get(&format!("content/items/{id}"), Some(&token), None)
                .await
        ),
        400
    );
    r.stop().await;
}

#[tokio::test]
async fn items_services_and_privileges() {
    let r = emulator(0.0).await;
    let api = Api::new(&r);
    let token = api.sign_in(&r).await;
    let referer = api.referer();
    let keys: Value = api
        .c
        .get(format!("{}/emulator/seeded-keys", r.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let find = |note: &str| {
        keys["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["note"] == note)
            .unwrap()["key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let critical = find("critical");
    let expired = find("expired");
    let invalidated = find("invalidated");
    assert_eq!(
        code(
            &api.get("portals/self", Some(&expired), Some(&referer))
                .await
        ),
        498
    );
    assert_eq!(
        code(
            &api.get("portals/self", Some(&invalidated), Some(&referer))
                .await
        ),
        498
    );
    // Item access: the store locator's key may read the web map, not the survey layer.
    let list = api
        .get("content/users/demo_owner", Some(&token), None)
        .await;
    let item = |t: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["title"].as_str().unwrap().starts_with(t))
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let map = item("City parks");
    let survey = item("Internal survey");
    assert_eq!(
        api.get(
            &format!("content/items/{map}"),
            Some(&critical),
            Some(&referer)
        )
        .await["title"],
        "City parks web map"
    );
    assert_eq!(
        code(
            &api.get(
                &format!("content/items/{survey}"),
                Some(&critical),
                Some(&referer)
            )
            .await
        ),
        403
    );
    assert_eq!(
        code(
            &api.get(&format!("content/items/{survey}"), None, None)
                .await
        ),
        499
    );
    assert_eq!(
        code(
            &api.get(
                "content/items/00000000000000000000000000000000",
                Some(&token),
                None
            )
            .await
        ),
        400
    );
    assert_eq!(
        code(
            &api.get("content/users/demo_viewer", Some(&token), None)
                .await
        ),
        403
    );
    let creds = item("Store locator");
    let got = api
        .get(&format!("content/items/{creds}"), Some(&token), None)
        .await;
    assert!(got["apiToken1ExpirationDate"].as_i64().unwrap() > 0);

    // Services answer with real HTTP statuses.
    let svc = |path: &str, key: Option<&str>, referer: Option<&str>| {
        let mut rb = api.c.get(format!("{}{path}", r.url()));
        if let Some(k) = key {
            rb = rb.query(&[("token", k)]);
        }
        if let Some(rf) = referer {
            rb = rb.header("Referer", rf);
        }
        rb.send()
    };
    let style = "/arcgis/rest/services/styles/v2/styles/arcgis/navigation";
    let ok = svc(style, Some(&critical), Some(&referer)).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let style_json: Value = ok.json().await.unwrap();
    assert_eq!(style_json["version"], 8);
    // The style's raster tiles, on this server, behind the same checks as the style.
    let template = style_json["sources"]["esri"]["tiles"][0].as_str().unwrap();
    let tile = template
        .strip_prefix(r.url().as_str())
        .unwrap()
        .replace("{z}/{y}/{x}", "2/1/3");
    let png = svc(&tile, Some(&critical), Some(&referer)).await.unwrap();
    assert_eq!(png.status(), StatusCode::OK);
    assert_eq!(png.headers()["content-type"], "image/png");
    assert!(png.bytes().await.unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
    for (key, from, status) in [
        (None, referer.as_str(), 401),
        (Some(expired.as_str()), referer.as_str(), 498),
        (Some(critical.as_str()), "https://evil.example/", 403),
    ] {
        let got = svc(&tile, key, Some(from)).await.unwrap();
        assert_eq!(got.status().as_u16(), status, "{key:?} from {from}");
    }
    // Its sprite, under the same checks.
    let sprite = style_json["sprite"]
        .as_str()
        .unwrap()
        .strip_prefix(r.url().as_str())
        .unwrap()
        .to_string();
    let index: Value = svc(
        &format!("{sprite}@2x.json"),
        Some(&critical),
        Some(&referer),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(index["place"]["pixelRatio"], 2);
    let image = svc(&format!("{sprite}.png"), Some(&critical), Some(&referer))
        .await
        .unwrap();
    assert_eq!(image.headers()["content-type"], "image/png");
    assert_eq!(
        svc(&format!("{sprite}.png"), None, Some(&referer))
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    let outside = tile.replace("2/1/3", "2/4/0");
    assert_eq!(
        svc(&outside, Some(&critical), Some(&referer))
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        svc(style, None, Some(&referer)).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        svc(style, Some(&expired), Some(&referer))
            .await
            .unwrap()
            .status()
            .as_u16(),
        498
    );
    assert_eq!(
        svc(style, Some(&critical), Some("https://evil.example/"))
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let geo = svc("/arcgis/rest/services/World/GeocodeServer/findAddressCandidates?SingleLine=redlands&f=json", Some(&critical), Some(&referer))
        .await
        .unwrap();
    let g: Value = geo.json().await.unwrap();
    assert!(g["candidates"].as_array().unwrap().len() >= 2, "{g}");
    // The field app's key lacks the geocode privilege.
    let field = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["title"].as_str().unwrap().starts_with("Field"))
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let denied = svc(
        "/arcgis/rest/services/World/GeocodeServer/findAddressCandidates?SingleLine=x",
        Some(&field),
        Some(&referer),
    )
    .await
    .unwrap();
    assert_eq!(denied.status(), StatusCode::FORBIDDEN);
    r.stop().await;
}

#[tokio::test]
async fn bad_input_gets_json_errors_and_the_server_keeps_serving() {
    let r = emulator(0.0).await;
    let api = Api::new(&r);
    let big = "a".repeat(2 * 1024 * 1024);
    let resp = api
        .c
        .post(format!("{}/generateToken", api.rest))
        .body(big)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(resp.json::<Value>().await.unwrap()["error"]["code"], 413);
    let resp = api
        .c
        .post(format!("{}/generateToken", api.rest))
        .body(vec![0xff, 0xfe, 0x3d])
        .send()
        .await
        .unwrap();
    assert_eq!(code(&resp.json::<Value>().await.unwrap()), 400);
    let resp = api
        .c
        .post(format!("{}/generateToken", api.rest))
        .header("Content-Type", "multipart/form-data; boundary=x")
        .body("--x--")
        .send()
        .await
        .unwrap();
    assert_eq!(code(&resp.json::<Value>().await.unwrap()), 400);
    let token = api.sign_in(&r).await;
    let bad = api
        .post(
            "content/users/demo_owner/items/abc/update",
            &[("apiToken1ExpirationDate", "soon"), ("token", &token)],
            None,
        )
        .await;
    assert_eq!(code(&bad), 400);
    // CORS preflight for a header-token request from another origin: the sharing API takes no
    // part in preflights (no allow headers, so a browser refuses the request); the services do.
    let preflight = |url: String| {
        api.c
            .request(reqwest::Method::OPTIONS, url)
            .header("Origin", "http://127.0.0.1:9")
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "x-esri-authorization")
            .send()
    };
    let pre = preflight(format!("{}/portals/self", api.rest))
        .await
        .unwrap();
    assert!(pre.headers().get("access-control-allow-origin").is_none());
    assert!(pre.headers().get("access-control-allow-headers").is_none());
    let origin = api.rest.trim_end_matches("/portal/sharing/rest");
    let pre = preflight(format!(
        "{origin}/arcgis/rest/services/styles/v2/styles/arcgis/navigation"
    ))
    .await
    .unwrap();
    assert!(pre.status().is_success());
    assert_eq!(
        pre.headers()["access-control-allow-origin"],
        "http://127.0.0.1:9"
    );
    assert!(pre.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("x-esri-authorization"));
    // Still serving.
    assert!(api
        .get("portals/self", None, None)
        .await
        .get("id")
        .is_some());
    r.stop().await;
}

#[tokio::test]
async fn clock_offset_moves_expiry_and_the_date_header() {
    let r = emulator(6.0).await;
    let api = Api::new(&r);
    let keys: Value = api
        .c
        .get(format!("{}/emulator/seeded-keys", r.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Seeded relative to the emulator's clock: the critical key still has 5 days.
    let critical = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["note"] == "critical")
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let resp = api
        .c
        .get(format!("{}/portals/self?f=json&token={critical}", api.rest))
        .header("Referer", api.referer())
        .send()
        .await
        .unwrap();
    let date = resp.headers()["date"].to_str().unwrap().to_string();
    let parsed = chrono::DateTime::parse_from_rfc2822(&date.replace("GMT", "+0000")).unwrap();
    let skew = parsed.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    assert!((skew - 6 * 86_400_000).abs() < 60_000, "{date}");
    let v: Value = resp.json().await.unwrap();
    let left = v["appInfo"]["expirationDate"].as_i64().unwrap() - parsed.timestamp_millis();
    assert!((4 * 86_400_000..=5 * 86_400_000 + 60_000).contains(&left));
    r.stop().await;
}

/// What a portal refuses and the emulator used to let through: a user token used from another
/// referer, item fields it dropped, item lists sent as JSON, a body declared too large, slow
/// request heads, and its helpers called from other origins.
#[tokio::test]
async fn as_strict_as_a_portal() {
    let r = emulator(0.0).await;
    let api = Api::new(&r);
    let token = api.sign_in(&r).await;
    // A token made with client=referer works only from that referer.
    assert_eq!(
        api.get("community/self", Some(&token), None).await["username"],
        "demo_owner"
    );
    for other in ["http://127.0.0.1:1/", "apikey-credentials"] {
        assert_eq!(
            code(&api.get("community/self", Some(&token), Some(other)).await),
            498,
            "{other}"
        );
    }
    let plain = api
        .c
        .get(format!("{}/community/self?f=json&token={token}", api.rest))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(&plain.json::<Value>().await.unwrap()),
        498,
        "no Referer at all"
    );

    // addItem keeps what Esri's createApiKey sends; item lists are comma-separated.
    let added = api
        .post(
            "content/users/demo_owner/addItem",
            &[
                ("title", "Esri-shaped"),
                ("type", "Application"),
                ("description", "<p>What it is for</p>"),
                ("snippet", "short"),
                ("tags", "a,b c"),
                ("typeKeywords", r#"["API Key Credentials"]"#),
                ("culture", "en-us"),
                ("properties", r#"{"x":1}"#),
                ("categories", "/Categories/One,/Categories/Two"),
                ("token", &token),
            ],
            None,
        )
        .await;
    let id = added["id"].as_str().unwrap().to_string();
    let item = api
        .get(&format!("content/items/{id}"), Some(&token), None)
        .await;
    assert_eq!(item["description"], "<p>What it is for</p>");
    assert_eq!(item["snippet"], "short");
    assert_eq!(item["tags"], serde_json::json!(["a", "b c"]));
    assert_eq!(item["culture"], "en-us");
    assert_eq!(item["properties"]["x"], 1);
    assert_eq!(
        item["categories"],
        serde_json::json!(["/Categories/One", "/Categories/Two"])
    );
    assert_eq!(
        item["typeKeywords"],
        serde_json::json!(["[\"API Key Credentials\"]"]),
        "a JSON array is not an item list: it stays one literal value, as on a portal"
    );

    // A body declared over the limit is refused at once, before it is sent.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let started = std::time::Instant::now();
    let mut tcp = tokio::net::TcpStream::connect(r.addr).await.unwrap();
    tcp.write_all(b"POST /portal/sharing/rest/generateToken HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 99999999999\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read(&mut buf))
        .await
        .expect("answered without waiting for the body")
        .unwrap();
    let head = String::from_utf8_lossy(&buf[..n]);
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));

    // The helpers answer the emulator's own origins (and callers without an Origin), no other.
    let helper = |origin: Option<&str>| {
        let mut rb = api.c.get(format!("{}/emulator/demo-login", r.url()));
        if let Some(o) = origin {
            rb = rb.header("Origin", o);
        }
        rb.send()
    };
    let own = helper(Some(&r.url())).await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert_eq!(
        own.headers()["access-control-allow-origin"],
        r.url().as_str()
    );
    let alt = format!("http://localhost:{}", r.addr.port());
    assert_eq!(helper(Some(&alt)).await.unwrap().status(), StatusCode::OK);
    assert_eq!(helper(None).await.unwrap().status(), StatusCode::OK);
    let foreign = helper(Some("http://evil.example")).await.unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert!(foreign
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    assert!(!foreign.text().await.unwrap().contains("password"));
    let post = api
        .c
        .post(format!("{}/emulator/expire-sign-ins", r.url()))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        post.status(),
        StatusCode::FORBIDDEN,
        "no state change from elsewhere"
    );
    assert_eq!(
        api.get("community/self", Some(&token), None).await["username"],
        "demo_owner"
    );
    r.stop().await;
}

/// Slow clients: 200 connections that never finish their request head are closed by the
/// emulator after its 30 s head timeout, and it keeps serving everyone else meanwhile.
#[tokio::test]
async fn half_sent_requests_are_dropped_after_30_s() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let r = emulator(0.0).await;
    let api = Api::new(&r);
    let started = std::time::Instant::now();
    let mut idle = Vec::new();
    for _ in 0..200 {
        let mut tcp = tokio::net::TcpStream::connect(r.addr).await.unwrap();
        tcp.write_all(b"GET /portal/sharing/rest/portals/self HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            .await
            .unwrap();
        idle.push(tcp);
    }
    // Meanwhile the emulator answers others.
    assert!(api
        .get("portals/self", None, None)
        .await
        .get("id")
        .is_some());
    let mut closed = 0;
    for mut tcp in idle {
        let mut buf = [0u8; 512];
        // Closed (EOF, or a 408 then EOF) within the timeout plus a margin.
        let deadline = std::time::Duration::from_secs(45).saturating_sub(started.elapsed());
        if let Ok(read) = tokio::time::timeout(deadline, async {
            loop {
                match tcp.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => continue,
                }
            }
        })
        .await
        {
            let () = read;
            closed += 1;
        }
    }
    assert_eq!(closed, 200);
    let took = started.elapsed();
    assert!(
        took >= std::time::Duration::from_secs(29),
        "closed too early: {took:?}"
    );
    r.stop().await;
}
