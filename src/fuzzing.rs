//! The fuzz targets' bodies, shared by `fuzz/` (cargo-fuzz) and the regression test that replays
//! kept inputs in `make test`. Each must return without panicking for any input.
#![allow(missing_docs)]

use crate::core::keys::{is_legacy_key, key_kind, key_slot, mask_key, ApiKey};
use crate::core::persist::validate;
use crate::core::referrer::policy::{effective_referrer, ReferrerPolicy};
use crate::core::referrer::{pattern::parse_entry, ReferrerRules, RulesOptions, WildcardDepth};
use crate::portal::client::{interpret, RawResponse};
use crate::portal::types::*;
use crate::portal::{PortalError, Transport};

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Referrer entries: parse each line; compile the list; check a referrer taken from the input.
pub fn referrer_pattern(data: &[u8]) {
    let t = text(data);
    let mut parts = t.splitn(2, '\u{0}');
    let list_text = parts.next().unwrap_or("");
    let referrer = parts.next();
    let entries: Vec<String> = list_text.lines().take(64).map(str::to_string).collect();
    for e in &entries {
        let p = parse_entry(e);
        if let Some(pat) = p.pattern {
            let _ = pat.matches(true, "a.example.com", None, "/", WildcardDepth::Multi);
        }
    }
    for depth in [WildcardDepth::Multi, WildcardDepth::Single] {
        if let Ok(rules) = ReferrerRules::new(
            &entries,
            RulesOptions {
                wildcard_depth: depth,
            },
        ) {
            let d = rules.check(referrer);
            assert_eq!(
                d.allowed,
                rules.allows(referrer),
                "check and allows disagree"
            );
        }
    }
}

/// Referrer/URL parsing with the Referrer-Policy prediction.
pub fn referrer_policy(data: &[u8]) {
    let t = text(data);
    let mut parts = t.split('\u{0}');
    let page = parts.next().unwrap_or("");
    let request = parts
        .next()
        .unwrap_or("https://basemapstyles-api.arcgis.com/x");
    let policy = ReferrerPolicy::from_header(parts.next().unwrap_or("")).unwrap_or_default();
    let opaque = parts.next().is_some_and(|s| s.starts_with('1'));
    if let Ok(p) = effective_referrer(page, request, policy, opaque) {
        if let Ok(rules) = ReferrerRules::new(&[page.to_string()], RulesOptions::default()) {
            let _ = rules.check(p.referrer.as_deref());
        }
    }
    let _ = crate::core::referrer::url::parse_url(page);
}

struct Json;

impl Transport for Json {
    type Json = serde_json::Value;

    async fn send(
        &self,
        _req: &crate::portal::request::PortalRequest,
    ) -> Result<RawResponse, PortalError> {
        Err(PortalError::new(crate::portal::Kind::Network, "not used"))
    }

    fn parse(&self, text: &str) -> Option<serde_json::Value> {
        serde_json::from_str(text).ok()
    }
}

/// Portal JSON decoding: every response type, both error styles.
pub fn portal_json(data: &[u8]) {
    let (status, body) = match data.split_first() {
        Some((s, rest)) => (u16::from(*s) * 3, text(rest)),
        None => (200, String::new()),
    };
    let r = RawResponse {
        status,
        body,
        date: None,
    };
    let _ = interpret::<ItemJson>(&Json, &r);
    let _ = interpret::<RegisteredAppJson>(&Json, &r);
    let _ = interpret::<PortalSelfJson>(&Json, &r);
    let _ = interpret::<UserJson>(&Json, &r);
    let _ = interpret::<TokenJson>(&Json, &r);
    let _ = interpret::<KeyTokenJson>(&Json, &r);
    let _ = interpret::<SearchJson>(&Json, &r);
    let _ = interpret::<SuccessJson>(&Json, &r);
    let _ = interpret::<AddItemJson>(&Json, &r);
    if let Ok(item) = crate::native::from_str::<ItemJson>(&r.body) {
        let app = crate::native::from_str::<RegisteredAppJson>(&r.body).unwrap_or_default();
        let _ = crate::core::credentials::Credentials::new(credentials_from_portal(
            &item,
            &app,
            "https://p",
        ));
    }
}

/// Persisted state decoding and validation.
pub fn persisted_state(data: &[u8]) {
    let t = text(data);
    let (decoded, obj) =
        crate::core::persist::decode(serde_json::from_str::<serde_json::Value>(&t).ok().as_ref());
    let _ = validate(t.len(), decoded, obj, "https://p/sharing/rest");
}

/// Key-string helpers.
pub fn key_strings(data: &[u8]) {
    let t = text(data);
    let _ = key_slot(&t);
    let _ = key_kind(&t);
    let _ = is_legacy_key(&t);
    let m = mask_key(&t);
    if t.chars().count() >= 12 {
        assert!(m.chars().count() <= 9, "mask too long");
    }
    if let Ok(k) = ApiKey::new(t.clone()) {
        // The middle of a long key (18+ characters) can never fit in the 17-character Debug form.
        let chars: Vec<char> = t.chars().collect();
        if chars.len() >= 26 {
            let middle: String = chars.iter().skip(4).take(chars.len() - 8).collect();
            assert!(!format!("{k:?}").contains(&middle), "Debug shows the key");
        }
    }
}
