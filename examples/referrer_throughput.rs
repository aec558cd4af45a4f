//! Native throughput of `ReferrerRules::allows` (the same 10 entries and referrers as the JS
//! benchmark). Prints JSON. Run: `cargo run --release --example referrer_throughput`.

use std::time::Instant;

use apikey_credentials::core::referrer::{ReferrerRules, RulesOptions};

fn main() {
    let entries: Vec<String> = [
        "https://app.example.com",
        "https://*.example.org",
        "http://localhost:3000",
        "https://www.example.net:8443",
        "https://*.maps.example.com",
        "http://127.0.0.1:8080",
        "https://example.io/app/*",
        "https://shop.example.co.uk",
        "https://*.cdn.example.com",
        "https://admin.example.com",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let referrers = [
        Some("https://app.example.com/"),
        Some("https://a.b.example.org/"),
        Some("http://localhost:3000/"),
        Some("https://www.example.net:8443/"),
        Some("https://x.maps.example.com/"),
        Some("https://evil.example/"),
        Some("https://example.org/"),
        Some("http://app.example.com/"),
        Some("https://www.example.net/"),
        Some("https://app.example.com.evil.com/"),
        Some("https://shop.example.co.uk/"),
        None,
    ];
    let rules = match ReferrerRules::new(&entries, RulesOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut best = 0.0f64;
    let mut allowed = 0u64;
    for _ in 0..3 {
        let n = 3_000_000u64;
        let t = Instant::now();
        for i in 0..n {
            if rules.allows(referrers[(i % referrers.len() as u64) as usize]) {
                allowed += 1;
            }
        }
        best = best.max(n as f64 / t.elapsed().as_secs_f64());
    }
    println!(
        "{{\"nativeOpsPerSec\":{},\"allowedSeen\":{allowed}}}",
        best.round()
    );
}
