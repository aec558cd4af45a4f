//! The embedded Public Suffix List trie against the list it was generated from, vendored at a
//! recorded version in `tests/vectors/public_suffix_list.dat` (`.source` beside it says which;
//! `scripts/refresh-psl.sh` moves both; `PSL_LIST=/path` checks against another list).
//!
//! Both directions: every rule of the list gives the answer it must (a public suffix, a wildcard
//! parent, an exception that is not a suffix), and every rule stored in the trie is in the list.
//! The generator leaves single-label rules out (the implicit `*` rule covers them); this test is
//! what shows that leaving them out changes no answer.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;

use apikey_credentials::core::referrer::psl::{
    has_wildcard_children, is_public_suffix, stored_rules,
};

fn list_path() -> String {
    std::env::var("PSL_LIST").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/public_suffix_list.dat"
        )
        .to_string()
    })
}

/// A rule's labels in punycode, as the WHATWG URL parser (and the generator) write them.
fn ascii(name: &str) -> String {
    if name.is_ascii() {
        return name.to_ascii_lowercase();
    }
    let url = url::Url::parse(&format!("http://{name}/")).expect("a PSL rule is a valid host");
    url.host_str().expect("host").to_string()
}

fn read_rules() -> Vec<String> {
    let path = list_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{path}: {e} (the vendored list is tests/vectors/public_suffix_list.dat)")
    });
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//"))
        .filter_map(|l| l.split_whitespace().next())
        .map(|rule| match rule.strip_prefix('!') {
            Some(r) => format!("!{}", ascii(r)),
            None => match rule.strip_prefix("*.") {
                Some(r) => format!("*.{}", ascii(r)),
                None => ascii(rule),
            },
        })
        .collect()
}

#[test]
fn every_rule_of_the_list_answers_as_the_list_says() {
    let rules = read_rules();
    assert!(rules.len() > 9000, "{} rules read", rules.len());
    let wildcard_parents: HashSet<&str> =
        rules.iter().filter_map(|r| r.strip_prefix("*.")).collect();
    let mut checked = 0;
    for rule in &rules {
        if let Some(name) = rule.strip_prefix('!') {
            assert!(
                !is_public_suffix(name),
                "exception {rule}: {name} is not a suffix"
            );
        } else if let Some(parent) = rule.strip_prefix("*.") {
            assert!(has_wildcard_children(parent), "{rule}");
            assert!(is_public_suffix(&format!("anything.{parent}")), "{rule}");
        } else {
            assert!(is_public_suffix(rule), "{rule} is a public suffix");
            // One label more is a registrable domain, unless a wildcard rule covers it.
            if !wildcard_parents.contains(rule.as_str()) {
                let below = format!("zz-not-listed.{rule}");
                assert!(!is_public_suffix(&below), "{below} is not a public suffix");
            }
        }
        checked += 1;
    }
    assert_eq!(checked, rules.len());
}

#[test]
fn every_stored_rule_is_in_the_list() {
    let rules: HashSet<String> = read_rules().into_iter().collect();
    let stored = stored_rules();
    assert!(stored.len() > 8000, "{} stored rules", stored.len());
    for rule in &stored {
        assert!(rules.contains(rule), "{rule} is stored but not in the list");
    }
    // And the only rules left out are single labels.
    let stored: HashSet<&str> = stored.iter().map(String::as_str).collect();
    for rule in &rules {
        if !stored.contains(rule.as_str()) {
            assert!(!rule.contains('.'), "{rule} is missing from the trie");
        }
    }
}
