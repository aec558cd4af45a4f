//! A bounded load on loopback against `portals/self` with an API key (token lookup, referrer
//! check on every request): for each connection count, `connections × per_connection` requests;
//! prints requests/s, p50/p99 latency and errors as JSON lines.
//! Run: `cargo run --release -p portal-emulator --example load`.

use std::time::{Duration, Instant};

use portal_emulator::config::{Config, LogLevel};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let running = portal_emulator::start(Config {
        port: 0,
        alt_port: None,
        log: LogLevel::Error,
        ..Config::default()
    })
    .await
    .expect("emulator");
    let keys: serde_json::Value = reqwest::get(format!("{}/emulator/seeded-keys", running.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = keys["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["note"] == "healthy")
        .unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("{}/portals/self?f=json", running.rest());
    let referer = format!("{}/", running.url());
    let total = 4096usize;
    for conns in [1usize, 4, 16, 64] {
        let per = total / conns;
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(conns)
            .build()
            .unwrap();
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..conns {
            let (client, url, referer, key) =
                (client.clone(), url.clone(), referer.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Vec::with_capacity(per);
                let mut errors = 0usize;
                for _ in 0..per {
                    let t = Instant::now();
                    let ok = match client
                        .get(&url)
                        .header("X-Esri-Authorization", format!("Bearer {key}"))
                        .header("Referer", &referer)
                        .send()
                        .await
                    {
                        Ok(r) => r
                            .text()
                            .await
                            .map(|b| b.contains("appInfo"))
                            .unwrap_or(false),
                        Err(_) => false,
                    };
                    if !ok {
                        errors += 1;
                    }
                    lat.push(t.elapsed());
                }
                (lat, errors)
            }));
        }
        let mut all: Vec<Duration> = Vec::with_capacity(total);
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await.unwrap();
            all.extend(l);
            errors += e;
        }
        let secs = started.elapsed().as_secs_f64();
        all.sort();
        let p = |q: f64| all[((all.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1000.0;
        println!(
            "{{\"connections\":{conns},\"requests\":{},\"rps\":{:.0},\"p50Ms\":{:.3},\"p99Ms\":{:.3},\"errors\":{errors}}}",
            all.len(),
            all.len() as f64 / secs,
            p(0.5),
            p(0.99)
        );
    }
    running.stop().await;
}
