//! Property tests of the core rules: nothing panics on any input; canonically equal referrers get
//! the same answer; adding an entry never turns an allow into a deny; masks never reveal a key.
#![cfg(not(target_arch = "wasm32"))]

use apikey_credentials::core::expiry::{key_status, KeyState, Thresholds};
use apikey_credentials::core::keys::{key_slot, mask_key};
use apikey_credentials::core::referrer::policy::{effective_referrer, ReferrerPolicy};
use apikey_credentials::core::referrer::{pattern::parse_entry, ReferrerRules, RulesOptions};
use apikey_credentials::core::rotation::{plan_rotation, PlanOptions, SlotInput};
use proptest::prelude::*;

fn rules(list: &[String]) -> ReferrerRules {
    ReferrerRules::new(list, RulesOptions::default()).expect("bounded list")
}

/// Entries and referrers drawn from a small alphabet, so that matches actually happen.
fn host() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a",
            "b",
            "example",
            "com",
            "org",
            "co",
            "uk",
            "xn--mnchen-3ya",
            "127",
            "0",
            "1",
        ]),
        1..4,
    )
    .prop_map(|labels| labels.join("."))
}

fn entry() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["http://", "https://", "HTTPS://", "", "ftp://", "//"]),
        prop::option::of(Just("*.")),
        host(),
        prop::option::of(prop::sample::select(vec![
            ":80", ":443", ":8080", ":", ":*", ":99999",
        ])),
        prop::option::of(prop::sample::select(vec![
            "/", "/app", "/app/*", "/*", "/a b", "?q=1", "#f",
        ])),
    )
        .prop_map(|(s, w, h, p, path)| {
            format!(
                "{s}{}{h}{}{}",
                w.unwrap_or(""),
                p.unwrap_or(""),
                path.unwrap_or("")
            )
        })
}

fn referrer() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["http://", "https://"]),
        host(),
        prop::option::of(prop::sample::select(vec![":80", ":443", ":8080"])),
        prop::sample::select(vec!["/", "/app/x", "/app", ""]),
    )
        .prop_map(|(s, h, p, path)| format!("{s}{h}{}{path}", p.unwrap_or("")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nothing_panics_on_any_string(list in prop::collection::vec(any::<String>(), 0..6), r in prop::option::of(any::<String>())) {
        for e in &list {
            let _ = parse_entry(e);
        }
        let rs = rules(&list);
        let d = rs.check(r.as_deref());
        prop_assert_eq!(d.allowed, rs.allows(r.as_deref()));
        let _ = effective_referrer(r.as_deref().unwrap_or(""), "https://api.example/", ReferrerPolicy::default(), false);
        let _ = key_slot(r.as_deref().unwrap_or(""));
    }

    #[test]
    fn canonically_equal_referrers_get_the_same_answer(list in prop::collection::vec(entry(), 0..5), r in referrer()) {
        let rs = rules(&list);
        let base = rs.allows(Some(&r));
        // The same URL with an upper-case scheme and host, an explicit default port, a query and
        // a fragment is the same referrer.
        let (scheme, rest) = r.split_once("://").unwrap();
        let (hostport, path) = match rest.find('/') { Some(i) => rest.split_at(i), None => (rest, "") };
        let default = if scheme == "https" { ":443" } else { ":80" };
        let explicit = if hostport.contains(':') { hostport.to_string() } else { format!("{hostport}{default}") };
        let variants = [
            format!("{}://{}{path}", scheme.to_uppercase(), hostport.to_uppercase()),
            format!("{scheme}://{explicit}{path}"),
            format!("{r}{}?x=1#frag", if path.is_empty() { "/" } else { "" }),
        ];
        for v in &variants {
            prop_assert_eq!(rs.allows(Some(v)), base, "{} vs {}", v, r);
        }
    }

    #[test]
    fn adding_an_entry_never_turns_allow_into_deny(list in prop::collection::vec(entry(), 1..5), extra in entry(), r in prop::option::of(referrer())) {
        let before = rules(&list).allows(r.as_deref());
        let mut more = list.clone();
        more.push(extra);
        let after = rules(&more).allows(r.as_deref());
        prop_assert!(!before || after, "adding an entry denied {:?}", r);
    }

    #[test]
    fn expiry_and_rotation_never_panic(e1 in any::<Option<i64>>(), e2 in any::<Option<i64>>(), a1 in any::<Option<bool>>(), a2 in any::<Option<bool>>(), g1 in any::<bool>(), g2 in any::<bool>(), now in any::<i64>(), warn in 0.0f64..1e6, crit in 0.0f64..1e6, lead in 0.0f64..1e6, in_use in any::<Option<u8>>()) {
        let t = Thresholds::new(warn, crit).unwrap();
        let s = key_status(e1, now, t, a1);
        prop_assert_eq!(s.ms_left.is_none(), e1.is_none() || e1 == Some(-1));
        if a1 == Some(false) { prop_assert_eq!(s.state, KeyState::Invalidated); }
        let plan = plan_rotation(
            [SlotInput { expires_at: e1, active: a1, generated: g1 }, SlotInput { expires_at: e2, active: a2, generated: g2 }],
            PlanOptions { now, thresholds: t, deploy_lead_days: lead, in_use },
        );
        if let Some(slot) = plan.use_slot { prop_assert!(slot == 1 || slot == 2); }
    }

    #[test]
    fn masks_never_reveal_more_than_eight_characters(k in any::<String>()) {
        let m = mask_key(&k);
        let n = k.chars().count();
        if n < 12 { prop_assert_eq!(m, "****"); } else { prop_assert_eq!(m.chars().count(), 9); }
    }
}

/// URL-ish strings around the fast path's edges: hosts of digits and letters (IPv4-like or not,
/// leading zeros, too many parts, trailing dots), ports, paths, queries.
fn urlish() -> impl Strategy<Value = String> {
    let part = prop::sample::select(vec![
        "0", "00", "1", "01", "10", "127", "255", "256", "999", "0x7f", "a", "example", "com", "",
    ]);
    (
        prop::sample::select(vec!["http://", "https://", "HTTP://", "https:/", "ftp://"]),
        prop::collection::vec(part, 1..6),
        prop::option::of(prop::sample::select(vec![
            ":", ":0", ":80", ":443", ":08080", ":65536",
        ])),
        prop::sample::select(vec![
            "", "/", "/a/b", "/a/../b", "/%41", "/a b", "?q=1", "/x?y#z", ".",
        ]),
    )
        .prop_map(|(s, parts, port, tail)| {
            format!("{s}{}{}{tail}", parts.join("."), port.unwrap_or(""))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]
    /// Whenever the fast path answers, it answers what the full WHATWG parser does.
    #[test]
    fn fast_path_agrees_with_the_full_parser(u in urlish()) {
        use apikey_credentials::core::referrer::url::{parse_fast, UrlParser};
        use apikey_credentials::native::NativeUrlParser;
        if let Some(fast) = parse_fast(&u) {
            prop_assert_eq!(Some(fast), NativeUrlParser.parse(&u), "{}", u);
        }
    }
}
