//! The shared referrer vectors, table-driven, against the native build.
//!
//! Runs `tests/vectors/referrer-vectors.json` (a copy of the shared reference file). Point
//! `REFERRER_VECTORS=/path/to/other.json` at another file in the same format to check more
//! vectors written from the same rules.
#![cfg(not(target_arch = "wasm32"))]

use apikey_credentials::core::referrer::policy::{effective_referrer, ReferrerPolicy};
use apikey_credentials::core::referrer::{check_referrer, Code, RulesOptions, Severity};
use serde_json::Value;

/// The vector file's wording of a decision reason → our code. Reasons this table does not know
/// are only checked through the decision itself.
fn reason_code(model_reason: &str) -> Option<Code> {
    Some(match model_reason {
        "matched" => Code::Matched,
        "no pattern matched" => Code::NoMatch,
        "no Referer header" => Code::NoReferrer,
        "empty Referer" => Code::EmptyReferrer,
        "Referer not an absolute URL" => Code::ReferrerNotUrl,
        "Referer scheme not http/https" => Code::ReferrerScheme,
        "no restrictions configured" => Code::Unrestricted,
        r if r.starts_with("Referer too long") => Code::ReferrerTooLong,
        r if r.starts_with("no valid pattern") => Code::NoValidEntry,
        _ => return None,
    })
}

/// The vector file's wording of an entry error → our code.
fn entry_error_code(text: &str) -> Option<Code> {
    Some(match text {
        t if t.starts_with("scheme missing or not http/https") => Code::MalformedScheme,
        "port out of range" => Code::InvalidPort,
        t if t.starts_with("wildcard only allowed as the whole leftmost label") => {
            Code::WildcardPosition
        }
        t if t.starts_with("wildcard over a public suffix") => Code::PublicSuffixWildcard,
        "whitespace or control character inside pattern" => Code::WhitespaceInside,
        "userinfo not allowed" => Code::Userinfo,
        _ => return None,
    })
}

pub struct Outcome {
    pub failures: Vec<String>,
    pub count: usize,
}

fn run(path: &str) -> Outcome {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("vectors are JSON");
    let default_request = doc["defaultRequestUrl"]
        .as_str()
        .expect("defaultRequestUrl")
        .to_string();
    let vectors = doc["vectors"].as_array().expect("vectors array");
    let mut failures = Vec::new();
    for v in vectors {
        let id = &v["id"];
        let allowed: Vec<String> = v["allowed"]
            .as_array()
            .expect("allowed")
            .iter()
            .map(|s| s.as_str().expect("string entry").to_string())
            .collect();
        let input = &v["input"];
        // The referrer: given directly, or predicted from the page.
        let referrer: Option<String> = if let Some(page) = input.get("page").and_then(Value::as_str)
        {
            let request = input
                .get("request")
                .and_then(Value::as_str)
                .unwrap_or(&default_request);
            let policy = input.get("policy").and_then(Value::as_str).unwrap_or("");
            let policy = ReferrerPolicy::parse(policy).expect("known policy");
            let opaque = input
                .get("opaque")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let p = effective_referrer(page, request, policy, opaque).expect("valid URLs");
            p.referrer
        } else {
            input.get("ref").and_then(Value::as_str).map(str::to_string)
        };
        let expected_ref = v.get("effectiveReferrer").and_then(Value::as_str);
        if v.get("effectiveReferrer").is_some() && referrer.as_deref() != expected_ref {
            failures.push(format!(
                "#{id}: effective referrer {referrer:?}, expected {expected_ref:?}"
            ));
        }
        let decision = check_referrer(&allowed, referrer.as_deref(), RulesOptions::default())
            .expect("bounded list");
        let expect_allow = v["expect"].as_str() == Some("allow");
        if decision.allowed != expect_allow {
            failures.push(format!(
                "#{id}: allowed={} expected {}: {:?}",
                decision.allowed, v["expect"], decision.reason
            ));
        }
        if let Some(reason) = v["modelReason"].as_str() {
            if let Some(code) = reason_code(reason) {
                if decision.reason != code {
                    failures.push(format!(
                        "#{id}: reason {:?}, expected {code:?} ({reason})",
                        decision.reason
                    ));
                }
            }
            // "no valid pattern (X)": X must be among the entry errors.
            if let Some(inner) = reason
                .strip_prefix("no valid pattern (")
                .and_then(|r| r.strip_suffix(')'))
            {
                check_entry_error(&mut failures, id, &decision.diagnostics, inner);
            }
        }
        for pe in v["patternErrors"].as_array().into_iter().flatten() {
            let text = pe.as_str().unwrap_or("");
            check_entry_error(&mut failures, id, &decision.diagnostics, text);
        }
    }
    Outcome {
        failures,
        count: vectors.len(),
    }
}

fn check_entry_error(
    failures: &mut Vec<String>,
    id: &Value,
    diags: &[apikey_credentials::core::referrer::Diagnostic],
    text: &str,
) {
    let errors: Vec<Code> = diags
        .iter()
        .filter(|d| d.entry.is_some() && d.code.severity() == Severity::Error)
        .map(|d| d.code)
        .collect();
    match entry_error_code(text) {
        Some(code) if !errors.contains(&code) => failures.push(format!(
            "#{id}: entry error {code:?} ({text}) missing from {errors:?}"
        )),
        None if errors.is_empty() => {
            failures.push(format!("#{id}: expected an entry error ({text}), got none"))
        }
        _ => {}
    }
}

#[test]
fn shared_referrer_vectors() {
    let path = std::env::var("REFERRER_VECTORS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/referrer-vectors.json"
        )
        .to_string()
    });
    let out = run(&path);
    assert!(out.count > 0, "no vectors in {path}");
    assert!(
        out.failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        out.failures.len(),
        out.count,
        out.failures.join("\n")
    );
}
