//! The emulator under hostile input and load: huge bodies, path traversal, header floods and
//! malformed forms get a JSON error or a refusal and the server keeps serving; 64 concurrent
//! clients generating, regenerating and invalidating keys leave a consistent state, which a
//! kill -9 and a restart from the state file preserve.

mod common;

use common::post;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::{Client, StatusCode};
use serde_json::Value;

async fn alive(c: &Client, rest: &str) {
    let v: Value = c
        .get(format!("{rest}/portals/self?f=json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v.get("id").is_some(), "still serving");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_requests_are_refused_and_the_server_keeps_serving() {
    let www = std::env::temp_dir().join(format!("emu-www-{}", std::process::id()));
    std::fs::create_dir_all(&www).unwrap();
    std::fs::write(www.join("index.html"), "<p>ok</p>").unwrap();
    std::fs::write(
        www.parent().unwrap().join("secret-outside-www.txt"),
        "TOP SECRET",
    )
    .unwrap();
    let mut p = common::spawn(&["--www", www.to_str().unwrap()]);
    let c = Client::new();

    // 10 MB body.
    let resp = c
        .post(format!("{}/generateToken", p.rest))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 10 * 1024 * 1024])
        .send()
        .await;
    match resp {
        Ok(r) => assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"), // refused mid-upload
    }
    alive(&c, &p.rest).await;

    // Path traversal out of --www.
    for path in [
        "/../secret-outside-www.txt",
        "/%2e%2e/secret-outside-www.txt",
        "/..%2fsecret-outside-www.txt",
        "/%2e%2e%2fsecret-outside-www.txt",
        "/....//secret-outside-www.txt",
    ] {
        let r = c.get(format!("{}{path}", p.url)).send().await.unwrap();
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(
            !body.contains("TOP SECRET"),
            "{path} escaped --www ({status})"
        );
    }
    assert_eq!(
        c.get(format!("{}/", p.url))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "<p>ok</p>"
    );

    // Header flood.
    let mut rb = c.get(format!("{}/portals/self?f=json", p.rest));
    for i in 0..300 {
        rb = rb.header(format!("x-flood-{i}"), "v".repeat(512));
    }
    if let Ok(r) = rb.send().await {
        assert!(r.status().is_client_error(), "{}", r.status());
    }
    alive(&c, &p.rest).await;

    // Malformed forms and parameters.
    let r: Value = c
        .post(format!("{}/generateToken", p.rest))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("username=%ZZ&&=&password")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["error"]["code"], 400);
    let (u, pw) = p.login.clone().unwrap();
    let token = common::sign_in(&c, &p.rest, &u, &pw).await;
    for bad in ["[", "[1,2]", "{\"a\":1}", "[\"ok\", null]"] {
        let v = post(
            &c,
            &format!("{}/oauth2/registerApp", p.rest),
            &[("itemId", "x"), ("privileges", bad), ("token", &token)],
        )
        .await;
        assert_eq!(v["error"]["code"], 400, "{bad}");
    }
    let v = post(
        &c,
        &format!("{}/oauth2/token", p.rest),
        &[("grant_type", "client_credentials"), ("apiToken", "7")],
    )
    .await;
    assert_eq!(v["error"]["code"], 400);
    let v: Value = c
        .delete(format!("{}/portals/self", p.rest))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v.get("id").is_some() || v.get("error").is_some());
    alive(&c, &p.rest).await;
    p.kill9();
    let _ = std::fs::remove_dir_all(&www);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_key_churn_stays_consistent_across_kill_9() {
    let dir = std::env::temp_dir().join(format!("emu-churn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let _ = std::fs::remove_file(&state);
    let mut p = common::spawn(&["--state", state.to_str().unwrap()]);
    let c = Client::new();
    let (u, pw) = p.login.clone().unwrap();
    let token = common::sign_in(&c, &p.rest, &u, &pw).await;
    let (id, cid, secret) = common::create_credentials(&c, &p.rest, &u, &token, "churn").await;

    // 64 clients × 12 operations: generate/regenerate or invalidate a random slot.
    let generated: Arc<Mutex<HashMap<u8, Vec<String>>>> = Arc::default();
    let started = std::time::Instant::now();
    let mut tasks = Vec::new();
    for t in 0..64u32 {
        let (c, rest, cid, secret, generated) = (
            c.clone(),
            p.rest.clone(),
            cid.clone(),
            secret.clone(),
            generated.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in 0..12u32 {
                let slot: u8 = if (t * 7 + i) % 2 == 0 { 1 } else { 2 };
                let s = slot.to_string();
                if (t + i) % 5 == 0 {
                    let v = post(
                        &c,
                        &format!("{rest}/oauth2/revokeToken"),
                        &[
                            ("client_id", &cid),
                            ("client_secret", &secret),
                            ("apiToken", &s),
                        ],
                    )
                    .await;
                    assert_eq!(v["success"], true, "{v}");
                } else {
                    let v = post(
                        &c,
                        &format!("{rest}/oauth2/token"),
                        &[
                            ("client_id", &cid),
                            ("client_secret", &secret),
                            ("grant_type", "client_credentials"),
                            ("apiToken", &s),
                            ("regenerateApiToken", "true"),
                        ],
                    )
                    .await;
                    let key = v["access_token"]
                        .as_str()
                        .unwrap_or_else(|| panic!("{v}"))
                        .to_string();
                    generated.lock().unwrap().entry(slot).or_default().push(key);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    eprintln!("churn: 768 operations from 64 clients in {elapsed:?}");

    // Per slot: at most one generated key works (the last one), and it works exactly when the
    // portal reports the slot active.
    async fn working(c: &Client, rest: &str, keys: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for k in keys {
            let v: Value = c
                .get(format!("{rest}/portals/self?f=json&token={k}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if v.get("appInfo").is_some() {
                out.push(k.clone());
            }
        }
        out
    }
    let all = generated.lock().unwrap().clone();
    let info = |rest: String, token: String| {
        let (c, u, id) = (c.clone(), u.clone(), id.clone());
        async move {
            let v: Value = c
                .get(format!(
                    "{rest}/content/users/{u}/items/{id}/registeredAppInfo?f=json&token={token}"
                ))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v
        }
    };
    let before = info(p.rest.clone(), token.clone()).await;
    let mut live_before = HashMap::new();
    for slot in [1u8, 2] {
        let keys = all.get(&slot).cloned().unwrap_or_default();
        let w = working(&c, &p.rest, &keys).await;
        assert!(w.len() <= 1, "slot {slot}: {} keys work", w.len());
        assert_eq!(
            before[format!("apiToken{slot}Active")].as_bool().unwrap(),
            w.len() == 1,
            "slot {slot}"
        );
        if let Some(k) = w.first() {
            // It is the last key generated in that slot that the server acknowledged… or a later
            // one: it must at least be one the clients received.
            assert!(keys.contains(k));
        }
        live_before.insert(slot, w);
    }

    // kill -9, restart from the state file: the same keys work, the same flags are reported.
    p.kill9();
    let p2 = common::spawn(&["--state", state.to_str().unwrap()]);
    let token2 = common::sign_in(&c, &p2.rest, &u, &pw).await;
    let after = info(p2.rest.clone(), token2).await;
    for slot in [1u8, 2] {
        let keys = all.get(&slot).cloned().unwrap_or_default();
        assert_eq!(
            working(&c, &p2.rest, &keys).await,
            live_before[&slot],
            "slot {slot} after restart"
        );
        let k = format!("apiToken{slot}Active");
        assert_eq!(before[&k], after[&k]);
    }
    let mut p2 = p2;
    p2.kill9();
    let _ = std::fs::remove_dir_all(&dir);
}
