//! Every owner tool of `PortalSession` against the running emulator, through the
//! JavaScript-facing API: list, read, referrers, privileges, item access, generate, regenerate
//! and invalidate, with the refusals each one documents.

use crate::support::{call, call_async, code, get, obj, s, sign_in, EMU};
use js_sys::{Array, Date};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const DAY: f64 = 86_400_000.0;

fn strings(v: &JsValue) -> Vec<String> {
    Array::from(v)
        .iter()
        .filter_map(|x| x.as_string())
        .collect()
}

fn arr(items: &[&str]) -> JsValue {
    let a = Array::new();
    for i in items {
        a.push(&s(i));
    }
    a.into()
}

fn states(creds: &JsValue) -> Vec<String> {
    let st = call(creds, "status", &[]).expect("status");
    Array::from(&st)
        .iter()
        .map(|x| get(&x, "state").as_string().unwrap_or_default())
        .collect()
}

fn confirm() -> JsValue {
    obj(&[("confirmInvalidatesKeys", JsValue::TRUE)])
}

#[wasm_bindgen_test]
async fn every_owner_tool_round_trips_through_the_portal() {
    let session = sign_in(&format!("{EMU}/portal")).await;
    let created = call_async(
        &session,
        "createCredentials",
        &[obj(&[
            ("title", s("owner tools test")),
            ("privileges", arr(&["premium:user:basemaps"])),
            ("httpReferrers", arr(&["https://app.example.com"])),
        ])],
    )
    .await
    .expect("createCredentials");
    let item = get(&created, "itemId").as_string().expect("itemId");
    assert_eq!(
        strings(&get(&created, "httpReferrers")),
        ["https://app.example.com"]
    );
    // No key yet: both slots inactive, never generated.
    assert_eq!(states(&created), ["invalidated", "invalidated"]);
    let st = Array::from(&call(&created, "status", &[]).unwrap());
    assert!(st
        .iter()
        .all(|x| get(&x, "generated").as_bool() == Some(false)));

    // The new item is listed and can be read back.
    let list = Array::from(&call_async(&session, "listCredentials", &[]).await.unwrap());
    assert!(
        list.iter()
            .any(|c| get(&c, "itemId").as_string().as_deref() == Some(item.as_str())),
        "listCredentials lacks {item}"
    );
    let read = call_async(&session, "getCredentials", &[s(&item)])
        .await
        .unwrap();
    assert_eq!(
        strings(&get(&read, "privileges")),
        ["premium:user:basemaps"]
    );
    let missing = call_async(&session, "getCredentials", &[s(&"0".repeat(32))])
        .await
        .unwrap_err();
    assert_eq!(code(&missing), "NOT_FOUND");

    // Referrers: replaced as given; a malformed entry is refused before any request.
    let upd = call_async(
        &session,
        "updateReferrers",
        &[
            s(&item),
            arr(&["https://*.example.org", "http://localhost:3000"]),
        ],
    )
    .await
    .unwrap();
    assert_eq!(
        strings(&get(&upd, "httpReferrers")),
        ["https://*.example.org", "http://localhost:3000"]
    );
    let bad = call(
        &session,
        "updateReferrers",
        &[s(&item), arr(&["https://*.github.io"])],
    )
    .unwrap_err();
    assert_eq!(code(&bad), "INVALID_REFERRER");

    // Keys: generate into an empty slot; generating again into the live slot is refused;
    // regenerating replaces it.
    let exp = Date::new(&(Date::now() + 100.0 * DAY).into());
    let k1 = call_async(
        &session,
        "generateKey",
        &[s(&item), JsValue::from(1), exp.clone().into()],
    )
    .await
    .expect("generate 1");
    let key1 = get(&k1, "key").as_string().unwrap();
    assert_eq!(get(&k1, "slot").as_f64(), Some(1.0));
    assert!(get(&k1, "expiresAt").is_instance_of::<Date>());
    let again = call_async(
        &session,
        "generateKey",
        &[s(&item), JsValue::from(1), exp.clone().into()],
    )
    .await
    .unwrap_err();
    assert_eq!(code(&again), "INVALID_ARGUMENT");
    let k1b = call_async(
        &session,
        "regenerateKey",
        &[s(&item), JsValue::from(1), exp.clone().into()],
    )
    .await
    .expect("regenerate 1");
    let key1b = get(&k1b, "key").as_string().unwrap();
    assert_ne!(key1, key1b, "regenerating gives a new key");
    let bad_slot = call(
        &session,
        "generateKey",
        &[s(&item), JsValue::from(3), exp.into()],
    )
    .unwrap_err();
    assert_eq!(code(&bad_slot), "INVALID_SLOT");

    // Privileges and item access: each needs the confirmation, and each keeps the other.
    let unconfirmed = call(
        &session,
        "updatePrivileges",
        &[s(&item), arr(&["premium:user:geocode:temporary"])],
    )
    .unwrap_err();
    assert_eq!(code(&unconfirmed), "CONFIRMATION_REQUIRED");
    let with_access = call_async(
        &session,
        "updateItemAccess",
        &[s(&item), arr(&[&item]), confirm()],
    )
    .await
    .expect("updateItemAccess");
    assert_eq!(strings(&get(&with_access, "itemAccess")), [item.as_str()]);
    // `privileges` lists everything granted, item access included.
    let access = format!("portal:app:access:item:{item}");
    assert_eq!(
        strings(&get(&with_access, "privileges")),
        ["premium:user:basemaps", access.as_str()],
        "item access changes keep the privileges"
    );
    let with_privs = call_async(
        &session,
        "updatePrivileges",
        &[
            s(&item),
            arr(&["premium:user:geocode:temporary"]),
            confirm(),
        ],
    )
    .await
    .expect("updatePrivileges");
    assert_eq!(
        strings(&get(&with_privs, "privileges")),
        ["premium:user:geocode:temporary", access.as_str()]
    );
    // Each update sends both lists (the emulator refuses one without the other, as a portal may
    // clear an omitted list): the referrers survive a privileges edit.
    assert_eq!(
        strings(&get(&with_privs, "httpReferrers")),
        ["https://*.example.org", "http://localhost:3000"]
    );
    assert_eq!(
        strings(&get(&with_privs, "itemAccess")),
        [item.as_str()],
        "privilege changes keep the item access"
    );

    // Invalidate: the slot reads as invalidated afterwards.
    let k2 = call_async(
        &session,
        "generateKey",
        &[s(&item), JsValue::from(2), JsValue::UNDEFINED],
    )
    .await
    .expect("generate 2");
    assert!(get(&k2, "key").as_string().is_some());
    let before = call_async(&session, "getCredentials", &[s(&item)])
        .await
        .unwrap();
    assert_eq!(
        states(&before),
        ["invalidated", "active"],
        "the privilege change invalidated key 1; key 2 is new"
    );
    let inv = call_async(&session, "invalidateKey", &[s(&item), JsValue::from(2)])
        .await
        .unwrap();
    assert_eq!(get(&inv, "success").as_bool(), Some(true));
    assert_eq!(get(&inv, "slot").as_f64(), Some(2.0));
    let after = call_async(&session, "getCredentials", &[s(&item)])
        .await
        .unwrap();
    assert_eq!(states(&after), ["invalidated", "invalidated"]);
}
