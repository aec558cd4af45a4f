//! The `CredentialManager` against running emulators, through the JavaScript-facing API:
//! inspection and failover, portal time, typed network faults, preflight-free requests, legacy
//! keys.

use crate::support::*;
use apikey_credentials::web::manager::CredentialManager;
use apikey_credentials::web::types;
use js_sys::{Array, Date, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn inspect_warns_and_fails_over_after_invalidation() {
    let session = sign_in(&format!("{EMU}/portal")).await;
    let reqs = call(&session, "prerequisites", &[]).unwrap();
    assert!(
        Array::from(&reqs)
            .iter()
            .all(|r| get(&r, "ok").as_bool() == Some(true)),
        "{reqs:?}"
    );
    let origin = page_origin();
    let refs: Vec<&str> = origin.iter().map(String::as_str).collect();
    // Key 1 expires later than key 2, so key 1 is used first.
    let now = Date::now();
    let (item, k1, k2) = fresh_credentials(&session, &refs, now, 20.0, 10.0).await;
    let m = manager(&format!("{EMU}/portal"), &[&k1, &k2], &[]);
    let seen = record(&m, &["expiring", "critical", "invalid", "failover"]);
    let reports = call_async(&m, "inspect", &[]).await.expect("inspect");
    let reports = Array::from(&reports);
    assert_eq!(reports.length(), 2);
    let r1 = reports.get(0);
    assert_eq!(
        get(&get(&r1, "appInfo"), "itemId").as_string().as_deref(),
        Some(item.as_str())
    );
    assert_eq!(
        get(&get(&r1, "status"), "state").as_string().as_deref(),
        Some("expiring")
    );
    assert!(get(&get(&r1, "status"), "expiresAt").is_instance_of::<Date>());
    assert_eq!(
        get(&get(&reports.get(1), "status"), "state")
            .as_string()
            .as_deref(),
        Some("expiring")
    );
    assert_eq!(
        get(&get(&r1, "referrer"), "acceptedByPortal").as_bool(),
        Some(true)
    );
    assert!(get(&r1, "error").is_null());
    tick().await;
    assert_eq!(
        events_of(&seen, "expiring").len(),
        2,
        "one expiring event per key"
    );
    assert!(events_of(&seen, "critical").is_empty());

    let portals_self = format!("{EMU}/portal/sharing/rest/portals/self");
    let first = call_async(&m, "request", &[s(&portals_self)])
        .await
        .expect("request");
    assert_eq!(
        get(&get(&first, "appInfo"), "itemId")
            .as_string()
            .as_deref(),
        Some(item.as_str())
    );
    // The owner invalidates key 1; the next call is served by key 2, with a failover event.
    call_async(&session, "invalidateKey", &[s(&item), JsValue::from(1)])
        .await
        .expect("invalidate");
    let second = call_async(&m, "request", &[s(&portals_self)])
        .await
        .expect("failover request");
    assert!(
        get(&get(&second, "appInfo"), "expirationDate")
            .as_f64()
            .unwrap()
            < now + 11.0 * DAY
    );
    let fo = events_of(&seen, "failover");
    assert_eq!(fo.len(), 1);
    assert_eq!(get(&fo[0], "from").as_f64(), Some(1.0));
    assert_eq!(get(&fo[0], "to").as_f64(), Some(2.0));
    assert_eq!(events_of(&seen, "invalid").len(), 1);
    // getToken now hands out key 2, and usage counted the failure.
    let t = call_async(&m, "getToken", &[]).await.unwrap();
    assert_eq!(t.as_string().as_deref(), Some(k2.as_str()));
    let usage = Array::from(&call(&m, "usage", &[]).unwrap());
    assert_eq!(
        get(&get(&usage.get(0), "failures"), "INVALID_TOKEN").as_f64(),
        Some(1.0)
    );
    assert_eq!(get(&usage.get(1), "requests").as_f64(), Some(1.0));
    // Usage per service: a sharing REST call is named by its first two path segments.
    assert_eq!(
        get(&get(&usage.get(1), "services"), "portal:portals/self").as_f64(),
        Some(1.0),
        "services of key 2: {:?}",
        JSON::stringify(&get(&usage.get(1), "services")).ok()
    );
    assert_eq!(
        get(&get(&usage.get(0), "services"), "portal:portals/self").as_f64(),
        Some(2.0),
        "key 1 served the first request and was refused on the second"
    );
    // Both dead: INVALID_TOKEN naming both masked keys, and no third request.
    call_async(&session, "invalidateKey", &[s(&item), JsValue::from(2)])
        .await
        .expect("invalidate 2");
    let err = call_async(&m, "request", &[s(&portals_self)])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "INVALID_TOKEN");
    let msg = get(&err, "message").as_string().unwrap();
    let m1 = apikey_credentials::core::keys::mask_key(&k1);
    let m2 = apikey_credentials::core::keys::mask_key(&k2);
    assert!(msg.contains(&m1) && msg.contains(&m2), "{msg}");
    assert!(!msg.contains(&k1) && !msg.contains(&k2));
    let again = call_async(&m, "request", &[s(&portals_self)])
        .await
        .unwrap_err();
    assert_eq!(code(&again), "INVALID_TOKEN");
    let usage = Array::from(&call(&m, "usage", &[]).unwrap());
    assert_eq!(
        get(&usage.get(1), "requests").as_f64(),
        Some(2.0),
        "no request after both keys died"
    );
}

#[wasm_bindgen_test]
async fn portal_time_decides_expiry_when_clocks_differ() {
    // This emulator's clock runs 25 days ahead.
    let session = sign_in(&format!("{EMU_SKEWED}/portal")).await;
    let origin = page_origin();
    let refs: Vec<&str> = origin.iter().map(String::as_str).collect();
    let portal_now = Date::now() + 25.0 * DAY;
    let (_, k1, _) = fresh_credentials(&session, &refs, portal_now, 6.0, 300.0).await;
    let m = manager(&format!("{EMU_SKEWED}/portal"), &[&k1], &[]);
    let seen = record(&m, &["clockSkew", "critical", "expiring"]);
    let reports = Array::from(&call_async(&m, "inspect", &[]).await.unwrap());
    // 31 days by this device's clock, 6 by the portal's: critical.
    assert_eq!(
        get(&get(&reports.get(0), "status"), "state")
            .as_string()
            .as_deref(),
        Some("critical")
    );
    tick().await;
    let skew = events_of(&seen, "clockSkew");
    assert_eq!(skew.len(), 1);
    let ms = get(&skew[0], "skewMs").as_f64().unwrap();
    assert!((ms - 25.0 * DAY).abs() < 120_000.0, "{ms}");
    assert_eq!(events_of(&seen, "critical").len(), 1);
}

#[wasm_bindgen_test]
async fn typed_errors_for_network_faults() {
    let key = "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT1_aaaaaaaa";
    let m = manager(
        &format!("{EMU}/portal"),
        &[key],
        &[("timeoutMs", JsValue::from(300))],
    );
    let err = call_async(&m, "request", &[s(&format!("{EMU}/emulator/slow?ms=3000"))])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "TIMEOUT");
    let err = call_async(&m, "request", &[s(&format!("{EMU}/emulator/not-json"))])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "BAD_RESPONSE");
    let err = call_async(&m, "request", &[s(&format!("{EMU}/emulator/truncated"))])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "BAD_RESPONSE");
    let err = call_async(&m, "request", &[s(&format!("{EMU}/emulator/status/503"))])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "SERVER_ERROR");
    let err = call_async(&m, "request", &[s("http://127.0.0.1:9/refused")])
        .await
        .unwrap_err();
    assert_eq!(code(&err), "NETWORK");
    // A platform without AbortController: a typed error, not a raw exception.
    let global = js_sys::global();
    let saved = js_sys::Reflect::get(&global, &s("AbortController")).unwrap();
    js_sys::Reflect::set(&global, &s("AbortController"), &JsValue::UNDEFINED).unwrap();
    let err = call_async(
        &m,
        "request",
        &[s(&format!("{EMU}/portal/sharing/rest/portals/self"))],
    )
    .await;
    js_sys::Reflect::set(&global, &s("AbortController"), &saved).unwrap();
    let err = err.unwrap_err();
    assert_eq!(code(&err), "NETWORK");
    let message = js_sys::Reflect::get(&err, &s("message"))
        .unwrap()
        .as_string()
        .unwrap();
    assert!(!message.is_empty());
    // An unknown key: 498, and the only key is now dead.
    let err = call_async(
        &m,
        "request",
        &[s(&format!("{EMU}/portal/sharing/rest/portals/self"))],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&err), "INVALID_TOKEN");
    assert_eq!(get(&err, "portalCode").as_f64(), Some(498.0));
    // None of these errors carries the key.
    let json = js_sys::JSON::stringify(&err).unwrap().as_string().unwrap();
    assert!(!json.contains(key) && !get(&err, "message").as_string().unwrap().contains(key));
    // Bad options are CredentialErrors too.
    let bad: types::ManagerOptionsType =
        obj(&[("portal", s("not a url")), ("keys", s(key))]).unchecked_into();
    assert_eq!(
        code(&CredentialManager::new(bad).map(JsValue::from).unwrap_err()),
        "INVALID_ARGUMENT"
    );
    let three = Array::of3(&s(key), &s(key), &s(key));
    let bad: types::ManagerOptionsType =
        obj(&[("portal", s(EMU)), ("keys", three.into())]).unchecked_into();
    assert_eq!(
        code(&CredentialManager::new(bad).map(JsValue::from).unwrap_err()),
        "TOO_MANY_KEYS"
    );
    let bad: types::ManagerOptionsType = obj(&[
        ("portal", s(EMU)),
        ("keys", s(key)),
        ("timeout", JsValue::from(5)),
    ])
    .unchecked_into();
    assert_eq!(
        code(&CredentialManager::new(bad).map(JsValue::from).unwrap_err()),
        "INVALID_ARGUMENT"
    );
}

/// A GET to the sharing API from a page cross-origin: the sharing API answers no CORS preflight
/// (the emulator, like the portal, leaves the allow headers out), which the key's
/// `X-Esri-Authorization` header would need, so in a browser the manager sends it as a form POST,
/// as arcgis-rest-js does. In Node (no CORS) it stays a GET with the header.
#[wasm_bindgen_test]
async fn a_get_to_the_sharing_api_needs_no_preflight() {
    let session = sign_in(&format!("{EMU}/portal")).await;
    let (item, k1, _) = fresh_credentials(&session, &[], Date::now(), 200.0, 100.0).await;
    let m = manager(&format!("{EMU}/portal"), &[&k1], &[]);
    let r = call_async(
        &m,
        "request",
        &[
            s(&format!("{EMU}/portal/sharing/rest/portals/self")),
            JsValue::NULL,
            obj(&[("method", s("GET"))]),
        ],
    )
    .await
    .expect("GET portals/self");
    assert_eq!(
        get(&get(&r, "appInfo"), "itemId").as_string().as_deref(),
        Some(item.as_str())
    );
}

/// Legacy `AAPK` keys: no slot, `legacy: true`, and (Esri retired them in June 2026) expired,
/// with one `expired` event whose advice is to move to API key credentials.
#[wasm_bindgen_test]
async fn legacy_keys_are_named_and_expired() {
    let legacy = "AAPKlegacylegacylegacylegacylegacy0123456789";
    let m = manager(&format!("{EMU}/portal"), &[legacy], &[]);
    let seen = record(&m, &["expired", "expiring", "critical"]);
    tick().await;
    let st = Array::from(&call(&m, "status", &[]).unwrap()).get(0);
    assert!(get(&st, "slot").is_null());
    assert_eq!(get(&st, "legacy").as_bool(), Some(true));
    // Today is after the retirement (2026-06-27).
    assert!(Date::now() > 1_782_518_400_000.0);
    assert_eq!(get(&st, "state").as_string().as_deref(), Some("expired"));
    let expired = events_of(&seen, "expired");
    assert_eq!(expired.len(), 1);
    assert!(get(&expired[0], "slot").is_null());
    assert_eq!(get(&expired[0], "legacy").as_bool(), Some(true));
    assert!(get(&expired[0], "message").is_string());
    // Evaluated again on a call: no second event.
    let _ = call_async(&m, "getToken", &[]).await;
    tick().await;
    assert_eq!(events_of(&seen, "expired").len(), 1);
    // keyStatus with the key says the same.
    let opts = obj(&[("key", s(legacy))]);
    let ks: JsValue = apikey_credentials::web::keys::key_status(
        &JsValue::NULL.unchecked_into(),
        Some(opts.unchecked_into()),
    )
    .unwrap()
    .into();
    assert_eq!(get(&ks, "legacy").as_bool(), Some(true));
    assert_eq!(get(&ks, "state").as_string().as_deref(), Some("expired"));
    let before = obj(&[
        ("key", s(legacy)),
        ("now", Date::new(&JsValue::from_str("2026-01-01")).into()),
    ]);
    let ks: JsValue = apikey_credentials::web::keys::key_status(
        &JsValue::NULL.unchecked_into(),
        Some(before.unchecked_into()),
    )
    .unwrap()
    .into();
    assert_eq!(get(&ks, "state").as_string().as_deref(), Some("expiring"));
    assert_eq!(get(&ks, "daysLeft").as_f64(), Some(177.0));
}
