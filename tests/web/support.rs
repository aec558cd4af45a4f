//! What the emulator-backed wasm tests share: the emulators' URLs, JS calls and values, signing
//! in, fresh credentials, managers and event recorders. `make test` (scripts/test.sh) starts them on free ports with a fixed demo password and
//! passes their URLs at compile time in `APIKEY_TEST_EMULATOR` and
//! `APIKEY_TEST_EMULATOR_SKEWED`; the defaults below are for running these tests by hand.

use apikey_credentials::web::manager::CredentialManager;
use apikey_credentials::web::session::PortalSession;
use apikey_credentials::web::types;
use js_sys::{Array, Date, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub const EMU: &str = match option_env!("APIKEY_TEST_EMULATOR") {
    Some(u) => u,
    None => "http://127.0.0.1:18480",
};
pub const EMU_SKEWED: &str = match option_env!("APIKEY_TEST_EMULATOR_SKEWED") {
    Some(u) => u,
    None => "http://127.0.0.1:18482",
};
pub const PASSWORD: &str = "test-owner-password";
/// A day in milliseconds.
pub const DAY: f64 = 86_400_000.0;

pub fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
}

pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

pub fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

/// Calls `target.method(...args)` as JavaScript would.
pub fn call(target: &JsValue, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method)
        .dyn_into()
        .unwrap_or_else(|_| panic!("no method {method}"));
    let a = Array::new();
    for x in args {
        a.push(x);
    }
    f.apply(target, &a)
}

/// Awaits a promise-returning method.
pub async fn call_async(
    target: &JsValue,
    method: &str,
    args: &[JsValue],
) -> Result<JsValue, JsValue> {
    let p: Promise = call(target, method, args)?.dyn_into()?;
    JsFuture::from(p).await
}

pub fn code(err: &JsValue) -> String {
    assert!(
        err.is_instance_of::<js_sys::Error>(),
        "not an Error: {err:?}"
    );
    get(err, "code").as_string().unwrap_or_default()
}

pub async fn sign_in(portal: &str) -> JsValue {
    let p: JsValue = PortalSession::sign_in(
        &s(portal).unchecked_into(),
        &s("demo_owner").unchecked_into(),
        &s(PASSWORD).unchecked_into(),
    )
    .unwrap()
    .into();
    JsFuture::from(Promise::from(p)).await.expect("sign in")
}

/// Creates credentials with two keys: key 1 expiring in `days1`, key 2 in `days2` (portal time
/// is the local time here; skewed emulators pass `now`).
pub async fn fresh_credentials(
    session: &JsValue,
    referrers: &[&str],
    now: f64,
    days1: f64,
    days2: f64,
) -> (String, String, String) {
    let refs = Array::new();
    for r in referrers {
        refs.push(&s(r));
    }
    let privs = Array::new();
    privs.push(&s("premium:user:basemaps"));
    let creds = call_async(
        session,
        "createCredentials",
        &[obj(&[
            ("title", s("wasm test")),
            ("privileges", privs.into()),
            ("httpReferrers", refs.into()),
        ])],
    )
    .await
    .expect("createCredentials");
    let item = get(&creds, "itemId").as_string().unwrap();
    let k1 = call_async(
        session,
        "generateKey",
        &[
            s(&item),
            JsValue::from(1),
            Date::new(&(now + days1 * DAY).into()).into(),
        ],
    )
    .await
    .expect("key 1");
    let k2 = call_async(
        session,
        "generateKey",
        &[
            s(&item),
            JsValue::from(2),
            Date::new(&(now + days2 * DAY).into()).into(),
        ],
    )
    .await
    .expect("key 2");
    (
        item,
        get(&k1, "key").as_string().unwrap(),
        get(&k2, "key").as_string().unwrap(),
    )
}

pub fn manager(portal: &str, keys: &[&str], extra: &[(&str, JsValue)]) -> JsValue {
    let arr = Array::new();
    for k in keys {
        arr.push(&s(k));
    }
    let mut pairs = vec![("portal", s(portal)), ("keys", arr.into())];
    pairs.extend(extra.iter().cloned());
    let opts: types::ManagerOptionsType = obj(&pairs).unchecked_into();
    CredentialManager::new(opts)
        .map(JsValue::from)
        .expect("manager")
}

/// Records events of the given kinds.
pub fn record(target: &JsValue, kinds: &[&str]) -> Array {
    let seen = Array::new();
    for k in kinds {
        let seen2 = seen.clone();
        let kind = k.to_string();
        let cb = wasm_bindgen::closure::Closure::<dyn FnMut(JsValue)>::new(move |ev: JsValue| {
            seen2.push(&obj(&[("type", s(&kind)), ("detail", get(&ev, "detail"))]));
        });
        call(
            target,
            "addEventListener",
            &[s(k), cb.as_ref().clone(), JsValue::UNDEFINED],
        )
        .unwrap();
        cb.forget();
    }
    seen
}

pub fn events_of(seen: &Array, kind: &str) -> Vec<JsValue> {
    seen.iter()
        .filter(|e| get(e, "type").as_string().as_deref() == Some(kind))
        .map(|e| get(&e, "detail"))
        .collect()
}

pub async fn tick() {
    let p = Promise::new(&mut |resolve, _| {
        let g = js_sys::global();
        let st: Function = get(&g, "setTimeout").dyn_into().unwrap();
        st.call2(&g, &resolve, &JsValue::from(20)).unwrap();
    });
    let _ = JsFuture::from(p).await;
}

/// The origin the test page runs on (browser), or none (Node).
pub fn page_origin() -> Option<String> {
    web_sys::window().and_then(|w| w.location().origin().ok())
}
