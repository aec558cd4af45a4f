//! The state file survives kill -9 during heavy writes, and a restart with `--state` shows the
//! same keys and expirations.

mod common;

use common::post;

use std::time::Duration;

use common::spawn as spawn_with;
use reqwest::Client;
use serde_json::Value;

fn spawn(state: &std::path::Path) -> common::Proc {
    spawn_with(&["--state", state.to_str().expect("utf-8 path")])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn survives_kill_9_and_restarts_with_the_same_keys() {
    let dir = std::env::temp_dir().join(format!("emu-persist-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let state = dir.join("state.json");
    let _ = std::fs::remove_file(&state);

    let mut p = spawn(&state);
    let (user, pass) = p.login.clone().expect("seeded on first start");
    let c = Client::new();
    let token = common::sign_in(&c, &p.rest, &user, &pass).await;
    let (id, cid, secret) =
        common::create_credentials(&c, &p.rest, &user, &token, "Persisted").await;

    // Heavy concurrent writes: key regenerations and sign-ins, then kill -9 in the middle.
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (c, rest, cid, secret, user, pass) = (
            c.clone(),
            p.rest.clone(),
            cid.clone(),
            secret.clone(),
            user.clone(),
            pass.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in 0..200 {
                let slot = if (t + i) % 2 == 0 { "1" } else { "2" };
                let r = if i % 3 == 0 {
                    c.post(format!("{rest}/generateToken"))
                        .form(&[
                            ("username", user.as_str()),
                            ("password", pass.as_str()),
                            ("f", "json"),
                        ])
                        .send()
                        .await
                } else {
                    c.post(format!("{rest}/oauth2/token"))
                        .form(&[
                            ("client_id", cid.as_str()),
                            ("client_secret", secret.as_str()),
                            ("grant_type", "client_credentials"),
                            ("apiToken", slot),
                            ("regenerateApiToken", "true"),
                            ("f", "json"),
                        ])
                        .send()
                        .await
                };
                if r.is_err() {
                    break; // killed
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    p.child.kill().unwrap(); // SIGKILL
    let _ = p.child.wait();
    for t in tasks {
        let _ = t.await;
    }
    assert!(std::fs::read(&state).is_ok());

    // Restart: the file loads (never torn), the item is there.
    let mut p = spawn(&state);
    assert!(
        p.login.is_none(),
        "a restart from state does not seed again"
    );
    let token = common::sign_in(&c, &p.rest, &user, &pass).await;
    let info: Value = c
        .get(format!(
            "{}/content/users/{user}/items/{id}/registeredAppInfo?f=json&token={token}",
            p.rest
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["client_id"], cid.as_str());

    // Generate both keys, kill -9 right after the responses, restart: same keys, same dates.
    let mut keys = Vec::new();
    for slot in ["1", "2"] {
        let v = post(
            &c,
            &format!("{}/oauth2/token", p.rest),
            &[
                ("client_id", &cid),
                ("client_secret", &secret),
                ("grant_type", "client_credentials"),
                ("apiToken", slot),
                ("regenerateApiToken", "true"),
            ],
        )
        .await;
        keys.push(v["access_token"].as_str().unwrap().to_string());
    }
    let item_before: Value = c
        .get(format!(
            "{}/content/items/{id}?f=json&token={token}",
            p.rest
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    p.child.kill().unwrap();
    let _ = p.child.wait();

    let mut p = spawn(&state);
    for (i, k) in keys.iter().enumerate() {
        let me: Value = c
            .get(format!("{}/portals/self?f=json&token={k}", p.rest))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            me["appInfo"]["itemId"],
            id.as_str(),
            "key {} after restart: {me}",
            i + 1
        );
    }
    let token = common::sign_in(&c, &p.rest, &user, &pass).await;
    let item_after: Value = c
        .get(format!(
            "{}/content/items/{id}?f=json&token={token}",
            p.rest
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        item_before["apiToken1ExpirationDate"],
        item_after["apiToken1ExpirationDate"]
    );
    assert_eq!(
        item_before["apiToken2ExpirationDate"],
        item_after["apiToken2ExpirationDate"]
    );
    // The file holds hashes only.
    let text = std::fs::read_to_string(&state).unwrap();
    assert!(keys.iter().all(|k| !text.contains(k.as_str())));
    assert!(!text.contains(&pass));
    p.child.kill().unwrap();
    let _ = p.child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
