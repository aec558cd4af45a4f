//! Boundary tests shared by the Node and the browser suites: errors are `CredentialError`
//! instances with the right `code`, dates go in as `Date` or number and come out as `Date`,
//! options are validated, and the shared referrer vectors pass through the JS API.

use apikey_credentials::web::{credentials, error, keys, page_referrer, referrer, types};
use js_sys::{Array, Date, Function, Object, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const NOW: f64 = 1_767_225_600_000.0; // 2026-01-01T00:00:00Z
const DAY: f64 = 86_400_000.0;

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap()
}

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn strings(list: &[&str]) -> types::StringArray {
    let a = Array::new();
    for s in list {
        a.push(&JsValue::from_str(s));
    }
    a.unchecked_into()
}

/// Asserts `err` is a real `Error` and a `CredentialError` with `code`.
fn assert_credential_error(err: &JsValue, code: &str) {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "not an Error: {err:?}"
    );
    let class: Function = error::class().unchecked_into();
    let proto = get(&class, "prototype");
    let is = Reflect::get_prototype_of(err)
        .map(|p| JsValue::from(p) == proto)
        .unwrap_or(false);
    assert!(is, "not a CredentialError: {err:?}");
    assert_eq!(
        get(err, "name").as_string().as_deref(),
        Some("CredentialError")
    );
    assert_eq!(
        get(err, "code").as_string().as_deref(),
        Some(code),
        "{err:?}"
    );
    assert!(get(err, "stack").as_string().is_some_and(|s| !s.is_empty()));
    let msg = get(err, "message").as_string().unwrap_or_default();
    assert!(msg.len() > 10, "message should say what to do: {msg}");
}

#[wasm_bindgen_test]
fn key_status_takes_date_or_number_and_returns_date() {
    let opts: types::KeyStatusOptionsJs =
        obj(&[("now", Date::new(&NOW.into()).into())]).unchecked_into();
    let by_date: types::DateInputJs =
        JsValue::from(Date::new(&(NOW + 10.0 * DAY).into())).unchecked_into();
    let s: JsValue = keys::key_status(&by_date, Some(opts)).unwrap().into();
    assert_eq!(get(&s, "state").as_string().as_deref(), Some("expiring"));
    assert_eq!(get(&s, "daysLeft").as_f64(), Some(10.0));
    let exp = get(&s, "expiresAt");
    assert!(exp.is_instance_of::<Date>());
    assert_eq!(exp.unchecked_ref::<Date>().get_time(), NOW + 10.0 * DAY);

    let opts: types::KeyStatusOptionsJs = obj(&[("now", NOW.into())]).unchecked_into();
    let by_num: types::DateInputJs = JsValue::from_f64(NOW + 7.0 * DAY).unchecked_into();
    let s: JsValue = keys::key_status(&by_num, Some(opts)).unwrap().into();
    assert_eq!(get(&s, "state").as_string().as_deref(), Some("critical"));

    let unknown: types::DateInputJs = JsValue::from_f64(-1.0).unchecked_into();
    let s: JsValue = keys::key_status(&unknown, None).unwrap().into();
    assert_eq!(get(&s, "state").as_string().as_deref(), Some("unknown"));
    assert!(get(&s, "expiresAt").is_null());
}

#[wasm_bindgen_test]
fn bad_arguments_are_credential_errors() {
    let invalid_date: types::DateInputJs =
        JsValue::from(Date::new(&JsValue::from_str("not a date"))).unchecked_into();
    assert_credential_error(
        &keys::key_status(&invalid_date, None).err().unwrap(),
        "INVALID_ARGUMENT",
    );
    let s: types::DateInputJs = JsValue::from_str("2026-01-01").unchecked_into();
    assert_credential_error(
        &keys::key_status(&s, None).err().unwrap(),
        "INVALID_ARGUMENT",
    );
    let neg: types::KeyStatusOptionsJs =
        obj(&[("warnDays", JsValue::from_f64(-1.0))]).unchecked_into();
    let d: types::DateInputJs = JsValue::from_f64(NOW).unchecked_into();
    assert_credential_error(
        &keys::key_status(&d, Some(neg)).err().unwrap(),
        "INVALID_ARGUMENT",
    );
    let unknown_key: types::KeyStatusOptionsJs =
        obj(&[("warn_days", JsValue::from_f64(1.0))]).unchecked_into();
    assert_credential_error(
        &keys::key_status(&d, Some(unknown_key)).err().unwrap(),
        "INVALID_ARGUMENT",
    );

    let not_array: types::StringArray = JsValue::from_str("https://example.com").unchecked_into();
    assert_credential_error(
        &referrer::check_referrer(&not_array, None, None)
            .err()
            .unwrap(),
        "INVALID_ARGUMENT",
    );
    let mixed = Array::new();
    mixed.push(&JsValue::from_str("https://example.com"));
    mixed.push(&JsValue::from_f64(3.0));
    let mixed: types::StringArray = JsValue::from(mixed).unchecked_into();
    assert_credential_error(
        &referrer::check_referrer(&mixed, None, None).err().unwrap(),
        "INVALID_ARGUMENT",
    );
    let bad_depth: types::ReferrerOptionsJs =
        obj(&[("wildcardDepth", "deep".into())]).unchecked_into();
    assert_credential_error(
        &referrer::check_referrer(&strings(&[]), None, Some(bad_depth))
            .err()
            .unwrap(),
        "INVALID_ARGUMENT",
    );
    let page: types::Str = JsValue::from_str("not a url").unchecked_into();
    let req: types::Str = JsValue::from_str("https://example.com/").unchecked_into();
    assert_credential_error(
        &page_referrer::effective_referrer(&page, &req, None, None)
            .err()
            .unwrap(),
        "INVALID_ARGUMENT",
    );
    let num: types::Str = JsValue::from_f64(1.0).unchecked_into();
    assert_credential_error(
        &page_referrer::effective_referrer(&num, &req, None, None)
            .err()
            .unwrap(),
        "INVALID_ARGUMENT",
    );
    let key: types::Str = JsValue::NULL.unchecked_into();
    assert_credential_error(&keys::mask_key(&key).err().unwrap(), "INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
fn key_helpers() {
    let k: types::Str =
        JsValue::from_str("AAPTxy1234567890abcdefghijklmnopqrstuvwxyzOU.AT2_G1kye1HB")
            .unchecked_into();
    assert_eq!(
        JsValue::from(keys::key_slot(&k).unwrap()).as_f64(),
        Some(2.0)
    );
    let legacy: types::Str = JsValue::from_str("AAPKlegacy1234567890").unchecked_into();
    assert!(JsValue::from(keys::key_slot(&legacy).unwrap()).is_null());
    assert_eq!(keys::mask_key(&k).unwrap(), "AAPT…e1HB");
    assert!(!keys::is_legacy_key(&k).unwrap());
}

#[wasm_bindgen_test]
fn credentials_rules_through_js() {
    let opts = obj(&[
        ("itemId", "0123456789abcdef0123456789abcdef".into()),
        ("title", "Demo".into()),
        ("privileges", strings(&["premium:user:basemaps"]).into()),
        (
            "httpReferrers",
            strings(&["https://app.example.com"]).into(),
        ),
        (
            "key1",
            obj(&[
                ("expiresAt", Date::new(&(NOW + 20.0 * DAY).into()).into()),
                ("active", true.into()),
                (
                    "key",
                    "AAPTxy1234567890abcdefghijklmnopqrstuvwxyzOU.AT1_G1kye1HB".into(),
                ),
            ]),
        ),
    ]);
    let c = credentials::ApiKeyCredentials::new(opts.unchecked_into()).unwrap();
    let now: types::OptDateInput = JsValue::from_f64(NOW).unchecked_into();
    let st: JsValue = c.status(Some(now), None).unwrap().into();
    let k1 = Array::from(&st).get(0);
    let k2 = Array::from(&st).get(1);
    assert_eq!(get(&k1, "state").as_string().as_deref(), Some("expiring"));
    assert_eq!(
        get(&k1, "maskedKey").as_string().as_deref(),
        Some("AAPT…e1HB")
    );
    assert_eq!(get(&k2, "generated").as_bool(), Some(false));
    let plan_opts: types::RotationPlanOptionsJs = obj(&[("now", NOW.into())]).unchecked_into();
    let plan = c.rotation_plan(Some(plan_opts)).unwrap();
    let pv: &JsValue = plan.as_ref();
    assert_eq!(
        get(pv, "action").as_string().as_deref(),
        Some("generateSecondary")
    );
    assert!(get(pv, "actBy").is_instance_of::<Date>());
    let ics = apikey_credentials::web::rotation::rotation_reminder_ics(&plan).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    let r: types::OptStr = JsValue::from_str("https://app.example.com/").unchecked_into();
    assert!(c.allows_referrer(Some(r)).unwrap());
    // Secrets: toString and toJSON never carry the raw key.
    let json = JSON::stringify(&c.to_json()).unwrap().as_string().unwrap();
    assert!(
        !json.contains("G1kye1HB.") && !json.contains("abcdefghijklmnop"),
        "{json}"
    );
    assert!(!c.to_string_js().contains("abcdefghijklmnop"));
    // Bad construction is a CredentialError.
    let bad = obj(&[("title", "no id".into())]);
    assert_credential_error(
        &credentials::ApiKeyCredentials::new(bad.unchecked_into())
            .err()
            .unwrap(),
        "INVALID_ARGUMENT",
    );
    let too_far = obj(&[
        ("itemId", "x".into()),
        (
            "key1",
            obj(&[("key", "AAPTxy12345678.AT2_G1kye1HB".into())]),
        ),
    ]);
    assert_credential_error(
        &credentials::ApiKeyCredentials::new(too_far.unchecked_into())
            .err()
            .unwrap(),
        "INVALID_ARGUMENT",
    );
}

/// `ReferrerRules.allows` remembers recent referrers; it must agree with `check` whatever the
/// order, repetition or number of distinct referrers (more than the 16 it remembers).
#[wasm_bindgen_test]
fn fast_path_cache_agrees_with_check() {
    let rules = referrer::ReferrerRules::new(
        &strings(&["https://*.example.com", "http://localhost:3000"]),
        None,
    )
    .unwrap();
    let mut refs: Vec<JsValue> = (0..40)
        .map(|i| match i % 4 {
            0 => JsValue::from_str(&format!("https://h{i}.example.com/")),
            1 => JsValue::from_str(&format!("https://h{i}.example.org/")),
            2 => JsValue::from_str("http://localhost:3000/"),
            _ => JsValue::from_str("https://example.com/"),
        })
        .collect();
    refs.push(JsValue::NULL);
    refs.push(JsValue::from_f64(3.0));
    for round in 0..3 {
        for (i, r) in refs.iter().enumerate() {
            let want = if r.is_string() || r.is_null() {
                let d: JsValue = rules
                    .check(Some(r.clone().unchecked_into()))
                    .unwrap()
                    .into();
                get(&d, "allowed").as_bool().unwrap()
            } else {
                false
            };
            assert_eq!(
                rules.allows(Some(r.clone().unchecked_into())),
                want,
                "round {round}, #{i}"
            );
        }
        refs.reverse();
    }
}

/// `allowsMany` answers exactly what `allows` does, value by value, for the values its one-string
/// encoding has to mark: no header, non-strings, newlines, marker characters, the empty string.
#[wasm_bindgen_test]
fn allows_many_agrees_with_allows() {
    for list in [
        vec!["https://*.example.com", "http://localhost:3000"],
        vec![],
    ] {
        let rules = referrer::ReferrerRules::new(&strings(&list), None).unwrap();
        let values: Vec<JsValue> = vec![
            JsValue::from_str("https://a.example.com/"),
            JsValue::NULL,
            JsValue::UNDEFINED,
            JsValue::from_f64(7.0),
            JsValue::from_str(""),
            JsValue::from_str("https://a.exa\nmple.com/"),
            JsValue::from_str("\u{1}"),
            JsValue::from_str("\u{3}https://b.example.com/"),
            JsValue::from_str("http://localhost:3000/x"),
            JsValue::from_str("https://example.com/"),
            JsValue::from_str("https://ex\u{e4}mple.example.com/"),
        ];
        let arr = Array::new();
        for v in &values {
            arr.push(v);
        }
        let many = rules
            .allows_many(&JsValue::from(arr).unchecked_into())
            .unwrap();
        assert_eq!(many.len(), values.len());
        for (i, v) in values.iter().enumerate() {
            let one = rules.allows(Some(v.clone().unchecked_into()));
            assert_eq!(many[i] == 1, one, "{list:?} #{i}: {v:?}");
        }
        let empty = rules
            .allows_many(&JsValue::from(Array::new()).unchecked_into())
            .unwrap();
        assert!(empty.is_empty());
    }
    let rules = referrer::ReferrerRules::new(&strings(&["https://a.example.com"]), None).unwrap();
    let err = rules
        .allows_many(&JsValue::from_str("https://a.example.com/").unchecked_into())
        .unwrap_err();
    assert_credential_error(&err, "INVALID_ARGUMENT");
}

/// The shared referrer vectors through the JS API.
#[wasm_bindgen_test]
fn shared_referrer_vectors_through_js() {
    let doc = JSON::parse(include_str!("../vectors/referrer-vectors.json")).unwrap();
    let default_request = get(&doc, "defaultRequestUrl");
    let vectors = Array::from(&get(&doc, "vectors"));
    let mut failures = Vec::new();
    for v in vectors.iter() {
        let id = get(&v, "id").as_f64().unwrap_or(-1.0);
        let input = get(&v, "input");
        let referrer: JsValue = if get(&input, "page").is_string() {
            let page: types::Str = get(&input, "page").unchecked_into();
            let req = get(&input, "request");
            let req: types::Str = if req.is_string() {
                req
            } else {
                default_request.clone()
            }
            .unchecked_into();
            let policy: Option<types::OptStr> = get(&input, "policy")
                .as_string()
                .map(|p| JsValue::from_str(&p).unchecked_into());
            let opaque = get(&input, "opaque").as_bool();
            match page_referrer::effective_referrer(&page, &req, policy, opaque) {
                Ok(r) => r.into(),
                Err(e) => {
                    failures.push(format!("#{id}: effectiveReferrer threw {e:?}"));
                    continue;
                }
            }
        } else {
            get(&input, "ref")
        };
        let expected_ref = get(&v, "effectiveReferrer");
        if expected_ref.as_string() != referrer.as_string() {
            failures.push(format!(
                "#{id}: referrer {referrer:?}, expected {expected_ref:?}"
            ));
        }
        let allowed: types::StringArray = get(&v, "allowed").unchecked_into();
        let r: Option<types::OptStr> = Some(referrer.clone().unchecked_into());
        let d: JsValue = match referrer::check_referrer(&allowed, r, None) {
            Ok(d) => d.into(),
            Err(e) => {
                failures.push(format!("#{id}: checkReferrer threw {e:?}"));
                continue;
            }
        };
        let want = get(&v, "expect").as_string() == Some("allow".to_string());
        if get(&d, "allowed").as_bool() != Some(want) {
            failures.push(format!(
                "#{id}: allowed {:?}, expected {want}",
                get(&d, "allowed")
            ));
        }
        // The compiled fast path agrees with the decision.
        let rules = referrer::ReferrerRules::new(&allowed, None).unwrap();
        if rules.allows(Some(referrer.unchecked_into())) != want {
            failures.push(format!("#{id}: ReferrerRules.allows disagrees"));
        }
        // Every listed pattern error is reported as an entry error.
        let errors = Array::from(&get(&d, "diagnostics"))
            .iter()
            .filter(|x| get(x, "severity").as_string().as_deref() == Some("error"))
            .count();
        let listed = Array::from(&get(&v, "patternErrors")).length() as usize;
        if errors < listed {
            failures.push(format!(
                "#{id}: {errors} entry errors, expected at least {listed}"
            ));
        }
    }
    assert!(vectors.length() > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The module's global allocator (talc) under a mixed load: blocks of many sizes (up to 1 MiB,
/// so the memory must grow), every other one freed, survivors grown and shrunk in place or
/// moved, then more blocks; every byte of every live block must still hold its pattern.
#[wasm_bindgen_test]
fn allocator_keeps_every_block_intact() {
    let mut seed: u32 = 0x9e37_79b9;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let fill = |i: usize, len: usize| -> Vec<u8> { (0..len).map(|j| (i * 31 + j) as u8).collect() };
    let check = |i: usize, b: &[u8]| {
        assert!(
            b.iter().enumerate().all(|(j, x)| *x == (i * 31 + j) as u8),
            "block {i} ({} bytes) was overwritten",
            b.len()
        );
    };
    let size = |r: u32| -> usize {
        match r % 10 {
            0 => (r as usize >> 4) % (1 << 20), // up to 1 MiB
            1..=3 => (r as usize >> 4) % 4096,
            _ => (r as usize >> 4) % 64,
        }
    };
    let mut blocks: Vec<Option<Vec<u8>>> = (0..600).map(|i| Some(fill(i, size(next())))).collect();
    for (i, b) in blocks.iter_mut().enumerate() {
        if i % 2 == 1 {
            *b = None;
        }
    }
    for (i, b) in blocks.iter_mut().enumerate() {
        if let Some(v) = b {
            check(i, v);
            let len = size(next());
            // Grow or shrink, keeping the pattern: the prefix stays, the tail is rewritten.
            v.truncate(len);
            v.shrink_to_fit();
            let start = v.len();
            v.extend((start..len).map(|j| (i * 31 + j) as u8));
        }
    }
    let more: Vec<Vec<u8>> = (600..900).map(|i| fill(i, size(next()))).collect();
    for (i, b) in blocks.iter().enumerate() {
        if let Some(v) = b {
            check(i, v);
        }
    }
    for (k, v) in more.iter().enumerate() {
        check(600 + k, v);
    }
    // A large block after all that (the heap must grow again) and strings through the boundary.
    let big = fill(7, 3 << 20);
    check(7, &big);
    let s = "x".repeat(1 << 20);
    assert_eq!(
        JsValue::from_str(&s).as_string().map(|t| t.len()),
        Some(1 << 20)
    );
}

#[wasm_bindgen_test]
fn privilege_helpers_through_js() {
    use apikey_credentials::web::privileges;
    let geo = privileges::describe_privilege(
        &JsValue::from_str("premium:user:geocode:stored").unchecked_into(),
    )
    .unwrap();
    assert_eq!(
        get(&geo, "group").as_string().as_deref(),
        Some("locationServices")
    );
    assert_eq!(
        get(&geo, "label").as_string().as_deref(),
        Some("Geocoding (stored)")
    );
    assert_eq!(get(&geo, "known").as_bool(), Some(true));
    // Unknown strings are kept, in group "other".
    let odd = privileges::describe_privilege(
        &JsValue::from_str("premium:user:teleport").unchecked_into(),
    )
    .unwrap();
    assert_eq!(
        get(&odd, "privilege").as_string().as_deref(),
        Some("premium:user:teleport")
    );
    assert_eq!(get(&odd, "group").as_string().as_deref(), Some("other"));
    assert_eq!(get(&odd, "known").as_bool(), Some(false));
    let err = privileges::describe_privilege(&JsValue::from(7).unchecked_into())
        .map(JsValue::from)
        .unwrap_err();
    assert_credential_error(&err, "INVALID_ARGUMENT");

    // The catalogue: every entry known, no duplicates, the location services among them.
    let cat = Array::from(&privileges::privilege_catalog().into());
    let names: Vec<String> = cat
        .iter()
        .map(|p| {
            assert_eq!(get(&p, "known").as_bool(), Some(true));
            get(&p, "privilege").as_string().unwrap()
        })
        .collect();
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "duplicates in {names:?}");
    assert!(names.iter().any(|n| n == "premium:user:basemaps"));

    let url = "https://geocode-api.arcgis.com/arcgis/rest/services/World/GeocodeServer/findAddressCandidates?f=json";
    let need = privileges::required_privilege(&JsValue::from_str(url).unchecked_into()).unwrap();
    let need: JsValue = need.into();
    assert_eq!(
        get(&need, "privilege").as_string().as_deref(),
        Some("premium:user:geocode")
    );
    assert_eq!(
        get(&need, "service").as_string().as_deref(),
        Some("Geocoding service")
    );
    let none = privileges::required_privilege(
        &JsValue::from_str("https://example.com/x").unchecked_into(),
    )
    .unwrap();
    assert!(JsValue::from(none).is_null());

    // Prerequisites: each requirement reported, with a message that says what to do.
    let facts = obj(&[
        ("userType", JsValue::from_str("viewerUT")),
        (
            "privileges",
            strings(&["portal:user:generateApiTokens"]).into(),
        ),
        ("isEnterprise", JsValue::TRUE),
        ("portalVersion", JsValue::from_str("11.3")),
    ]);
    let reqs = Array::from(
        &apikey_credentials::web::prerequisites::check_account(facts.unchecked_into())
            .unwrap()
            .into(),
    );
    let by_id = |id: &str| {
        reqs.iter()
            .find(|r| get(r, "id").as_string().as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no requirement {id}"))
    };
    assert_eq!(reqs.length(), 4);
    assert_eq!(get(&by_id("userType"), "ok").as_bool(), Some(false));
    assert!(get(&by_id("userType"), "message")
        .as_string()
        .unwrap()
        .contains("Creator"));
    assert_eq!(get(&by_id("generateApiKeys"), "ok").as_bool(), Some(true));
    assert_eq!(get(&by_id("assignPrivileges"), "ok").as_bool(), Some(false));
    assert_eq!(get(&by_id("portalVersion"), "ok").as_bool(), Some(false));
    assert!(get(&by_id("portalVersion"), "message")
        .as_string()
        .unwrap()
        .contains("11.4"));
    let typo = obj(&[("usertype", JsValue::from_str("creatorUT"))]);
    let err = apikey_credentials::web::prerequisites::check_account(typo.unchecked_into())
        .map(JsValue::from)
        .unwrap_err();
    assert_credential_error(&err, "INVALID_ARGUMENT");
}
