//! Starting the emulator binary for tests that need a real process (kill -9, restarts).
// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct Proc {
    pub child: Child,
    pub url: String,
    pub rest: String,
    pub login: Option<(String, String)>,
}

impl Proc {
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns `portal-emulator` with `args` (plus free ports) and waits until it serves.
pub fn spawn(args: &[&str]) -> Proc {
    let mut child = Command::new(env!("CARGO_BIN_EXE_portal-emulator"))
        .args(["--port", "0", "--alt-port", "none", "--log", "error"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn emulator");
    let out = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(out).lines();
    let mut login = None;
    let mut url = String::new();
    let rest = loop {
        let line = lines.next().expect("emulator output").expect("utf-8");
        if let Some(rest) = line.strip_prefix("username: demo_owner  password: ") {
            login = Some(("demo_owner".to_string(), rest.trim().to_string()));
        }
        if let Some(u) = line.strip_prefix("Demo:") {
            url = u.trim().trim_end_matches('/').to_string();
        }
        if let Some(r) = line.strip_prefix("Portal: ") {
            break r.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Proc {
        child,
        url,
        rest,
        login,
    }
}

/// A form POST with `f=json`, answered as JSON.
pub async fn post(c: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> serde_json::Value {
    let mut f = form.to_vec();
    f.push(("f", "json"));
    c.post(url)
        .form(&f)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON answer")
}

/// Signs in with `generateToken` and returns the user token.
pub async fn sign_in(c: &reqwest::Client, rest: &str, user: &str, pass: &str) -> String {
    let v = post(
        c,
        &format!("{rest}/generateToken"),
        &[("username", user), ("password", pass)],
    )
    .await;
    v["token"].as_str().expect("a token").to_string()
}

/// Creates and registers an unrestricted credentials item: `(item id, client id, client secret)`.
pub async fn create_credentials(
    c: &reqwest::Client,
    rest: &str,
    user: &str,
    token: &str,
    title: &str,
) -> (String, String, String) {
    let add = post(
        c,
        &format!("{rest}/content/users/{user}/addItem"),
        &[("title", title), ("type", "Application"), ("token", token)],
    )
    .await;
    let id = add["id"].as_str().expect("an item id").to_string();
    let app = post(
        c,
        &format!("{rest}/oauth2/registerApp"),
        &[
            ("itemId", &id),
            ("appType", "multiple"),
            ("privileges", "[]"),
            ("token", token),
        ],
    )
    .await;
    let cid = app["client_id"].as_str().expect("a client id").to_string();
    let secret = app["client_secret"]
        .as_str()
        .expect("a client secret")
        .to_string();
    (id, cid, secret)
}
