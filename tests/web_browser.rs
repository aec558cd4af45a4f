//! Boundary tests in headless Chromium (the same cases as in Node, plus the page's referrer).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/boundary.rs"]
mod boundary;

mod browser_only {
    use apikey_credentials::web::{page_referrer, types};
    use js_sys::{Array, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn page_referrer_is_this_origin() {
        let origin = web_sys::window().unwrap().location().origin().unwrap();
        let list = Array::new();
        list.push(&JsValue::from_str(&origin));
        let list: types::StringArray = JsValue::from(list).unchecked_into();
        let req: types::Str = JsValue::from_str("https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation").unchecked_into();
        let d: JsValue = page_referrer::check_page_referrer(&list, &req)
            .unwrap()
            .into();
        // The test page is http://127.0.0.1:<port>: potentially trustworthy, so an https request
        // carries the origin, and the origin is in the list.
        let r = Reflect::get(&d, &"referrer".into())
            .unwrap()
            .as_string()
            .unwrap();
        assert_eq!(r, format!("{origin}/"));
        assert_eq!(
            Reflect::get(&d, &"allowed".into()).unwrap().as_bool(),
            Some(true)
        );
        // Same page, plain-http service: a downgrade from a trustworthy origin sends nothing.
        let req: types::Str = JsValue::from_str("http://tiles.example.net/").unchecked_into();
        let d: JsValue = page_referrer::check_page_referrer(&list, &req)
            .unwrap()
            .into();
        assert!(Reflect::get(&d, &"referrer".into()).unwrap().is_null());
        assert_eq!(
            Reflect::get(&d, &"noReferrerCause".into())
                .unwrap()
                .as_string()
                .as_deref(),
            Some("downgrade")
        );
    }

    #[wasm_bindgen_test]
    fn meta_referrer_policy_with_legacy_keywords() {
        let window = web_sys::window().unwrap();
        let document = window.document().unwrap();
        let origin = window.location().origin().unwrap();
        let list = Array::new();
        list.push(&JsValue::from_str(&origin));
        let list: types::StringArray = JsValue::from(list).unchecked_into();
        let req: types::Str =
            JsValue::from_str("https://geocode-api.arcgis.com/x").unchecked_into();
        let meta = document.create_element("meta").unwrap();
        meta.set_attribute("name", "referrer").unwrap();
        let head = document.query_selector("head").unwrap().unwrap();
        head.append_child(&meta).unwrap();
        let check = |content: &str| -> JsValue {
            meta.set_attribute("content", content).unwrap();
            page_referrer::check_page_referrer(&list, &req)
                .unwrap()
                .into()
        };
        let get = |d: &JsValue, k: &str| Reflect::get(d, &k.into()).unwrap();
        // "never" is HTML's legacy spelling of no-referrer: nothing is sent.
        let d = check("never");
        assert!(get(&d, "referrer").is_null());
        assert_eq!(
            get(&d, "noReferrerCause").as_string().as_deref(),
            Some("policy")
        );
        assert_eq!(get(&d, "allowed").as_bool(), Some(false));
        // "always" is unsafe-url: the full page URL (without its fragment) is sent.
        let d = check("always");
        let href = window.location().href().unwrap();
        let href = href.split('#').next().unwrap();
        assert_eq!(get(&d, "referrer").as_string().as_deref(), Some(href));
        // An unknown value leaves the default policy: the origin.
        let d = check("sometimes");
        assert_eq!(get(&d, "referrer").as_string(), Some(format!("{origin}/")));
        meta.remove();
    }
}

#[path = "web/support.rs"]
mod support;

#[path = "web/manager.rs"]
mod manager;

#[path = "web/owner.rs"]
mod owner;

mod storage {
    use super::support::*;
    use js_sys::Array;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;

    const KEY: &str = "AAPTabcdefghijklmnopqrstuvwxyz0123456789.AT1_storage1";

    fn local() -> web_sys::Storage {
        web_sys::window().unwrap().local_storage().unwrap().unwrap()
    }

    fn entry() -> String {
        format!("apikey-credentials:{EMU}/portal/sharing/rest")
    }

    async fn problem_for(stored: &str) -> Option<String> {
        local().set_item(&entry(), stored).unwrap();
        let m = manager(&format!("{EMU}/portal"), &[KEY], &[("storage", s("local"))]);
        let seen = record(&m, &["storageError"]);
        tick().await;
        events_of(&seen, "storageError")
            .first()
            .and_then(|d| get(d, "reason").as_string())
    }

    #[wasm_bindgen_test]
    async fn corrupt_foreign_and_old_entries_are_reported_and_replaced() {
        local().set_item("someone-else", "keep me").unwrap();
        assert_eq!(problem_for("{corrupt").await.as_deref(), Some("corrupt"));
        assert_eq!(
            problem_for(r#"{"hello":"world"}"#).await.as_deref(),
            Some("foreign")
        );
        let old =
            format!(r#"{{"schema":"apikey-credentials/0","portal":"{EMU}/portal/sharing/rest"}}"#);
        assert_eq!(problem_for(&old).await.as_deref(), Some("otherSchema"));
        // Replaced by a valid entry; nothing else touched; no raw key stored.
        let text = local().get_item(&entry()).unwrap().unwrap();
        assert!(
            text.contains("\"schema\":\"apikey-credentials/2\""),
            "{text}"
        );
        assert!(!text.contains(KEY));
        assert_eq!(
            local().get_item("someone-else").unwrap().as_deref(),
            Some("keep me")
        );
        local().remove_item("someone-else").unwrap();
    }

    #[wasm_bindgen_test]
    async fn dead_marks_and_usage_survive_a_reload_and_keys_only_when_asked() {
        local().remove_item(&entry()).unwrap();
        let m = manager(&format!("{EMU}/portal"), &[KEY], &[("storage", s("local"))]);
        let err = call_async(
            &m,
            "request",
            &[s(&format!("{EMU}/portal/sharing/rest/portals/self"))],
        )
        .await
        .unwrap_err();
        assert_eq!(code(&err), "INVALID_TOKEN");
        // A "reload": a new manager reads the dead mark and the usage.
        let again = manager(&format!("{EMU}/portal"), &[KEY], &[("storage", s("local"))]);
        let usage = Array::from(&call(&again, "usage", &[]).unwrap());
        assert_eq!(get(&usage.get(0), "dead").as_bool(), Some(true));
        assert_eq!(
            get(&get(&usage.get(0), "failures"), "INVALID_TOKEN").as_f64(),
            Some(1.0)
        );
        assert!(!local().get_item(&entry()).unwrap().unwrap().contains(KEY));
        // With persistKeys the raw key is stored, and a manager can start without keys.
        let _keeper = manager(
            &format!("{EMU}/portal"),
            &[KEY],
            &[("storage", s("local")), ("persistKeys", JsValue::TRUE)],
        );
        tick().await;
        assert!(local().get_item(&entry()).unwrap().unwrap().contains(KEY));
        let opts: apikey_credentials::web::types::ManagerOptionsType = obj(&[
            ("portal", s(&format!("{EMU}/portal"))),
            ("storage", s("local")),
            ("persistKeys", JsValue::TRUE),
        ])
        .into();
        let restored: JsValue = apikey_credentials::web::manager::CredentialManager::new(opts)
            .map(JsValue::from)
            .expect("keys from storage");
        let st = Array::from(&call(&restored, "status", &[]).unwrap());
        assert_eq!(st.length(), 1);
        local().remove_item(&entry()).unwrap();
    }

    #[wasm_bindgen_test]
    async fn quota_exceeded_is_reported_and_state_kept_in_memory() {
        local().remove_item(&entry()).unwrap();
        // Fill localStorage to its quota, with smaller and smaller chunks.
        let mut n = 0;
        for size in [512 * 1024, 64 * 1024, 4096, 256, 16, 1] {
            let chunk = "x".repeat(size);
            while n < 400 && local().set_item(&format!("filler-{n}"), &chunk).is_ok() {
                n += 1;
            }
        }
        let m = manager(&format!("{EMU}/portal"), &[KEY], &[("storage", s("local"))]);
        let seen = record(&m, &["storageError"]);
        tick().await;
        let reasons: Vec<String> = events_of(&seen, "storageError")
            .iter()
            .filter_map(|d| get(d, "reason").as_string())
            .collect();
        for i in 0..=n {
            let _ = local().remove_item(&format!("filler-{i}"));
        }
        assert!(
            reasons.iter().any(|r| r == "writeFailed"),
            "{reasons:?} after {n} chunks"
        );
        let usage = Array::from(&call(&m, "usage", &[]).unwrap());
        assert_eq!(usage.length(), 1, "memory state kept");
    }

    /// The production failure: with storage on, one 498 from a URL that is not the portal
    /// marked both keys dead for good. Now: the marks survive a reload (within the retry
    /// window, with when and where), `inspect()` finds the portal accepts both keys and heals
    /// them, and a request to the portal works.
    #[wasm_bindgen_test]
    async fn a_foreign_498_heals_after_a_reload_and_inspect() {
        local().remove_item(&entry()).unwrap();
        let session = sign_in(&format!("{EMU}/portal")).await;
        let origin = page_origin().unwrap();
        let (_, k1, k2) =
            fresh_credentials(&session, &[&origin], js_sys::Date::now(), 200.0, 100.0).await;
        let opts = [("storage", s("local"))];
        let m = manager(&format!("{EMU}/portal"), &[&k1, &k2], &opts);
        let foreign = format!("{EMU}/emulator/status/498");
        let err = call_async(&m, "request", &[s(&foreign)]).await.unwrap_err();
        assert_eq!(code(&err), "INVALID_TOKEN");
        tick().await;
        // "Reload": a new manager on the same storage.
        let again = manager(&format!("{EMU}/portal"), &[&k1, &k2], &opts);
        let healed = record(&again, &["healed"]);
        let status = Array::from(&call(&again, "status", &[]).unwrap());
        for st in status.iter() {
            assert_eq!(get(&st, "dead").as_bool(), Some(true));
            assert_eq!(
                get(&st, "deadUrl").as_string().as_deref(),
                Some(foreign.as_str())
            );
            assert!(wasm_bindgen::JsCast::is_instance_of::<js_sys::Date>(&get(
                &st,
                "deadSince"
            )));
        }
        let portals_self = format!("{EMU}/portal/sharing/rest/portals/self");
        let refused = call_async(&again, "request", &[s(&portals_self)])
            .await
            .unwrap_err();
        assert_eq!(code(&refused), "INVALID_TOKEN", "inside the retry window");
        let reports = Array::from(&call_async(&again, "inspect", &[]).await.unwrap());
        for r in reports.iter() {
            assert_eq!(get(&r, "healed").as_bool(), Some(true));
            assert_eq!(get(&r, "dead").as_bool(), Some(false));
            assert!(get(&r, "error").is_null());
        }
        tick().await;
        assert_eq!(events_of(&healed, "healed").len(), 2);
        let ok = call_async(&again, "request", &[s(&portals_self)])
            .await
            .expect("healed");
        assert!(get(&get(&ok, "appInfo"), "itemId").is_string());
        // And the next reload starts healthy.
        let third = manager(&format!("{EMU}/portal"), &[&k1, &k2], &opts);
        let status = Array::from(&call(&third, "status", &[]).unwrap());
        assert!(status
            .iter()
            .all(|st| get(&st, "dead").as_bool() == Some(false)));
        local().remove_item(&entry()).unwrap();
    }
}
