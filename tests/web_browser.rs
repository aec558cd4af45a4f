//! Boundary tests in headless Chromium (the same cases as in Node, plus the page's referrer).
#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[path = "web/common.rs"]
mod common;

mod browser_only {
    use apikey_credentials::web::{referrer, types};
    use js_sys::{Array, Reflect};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn page_referrer_is_this_origin() {
        apikey_credentials::web::start();
        let origin = web_sys::window().unwrap().location().origin().unwrap();
        let list = Array::new();
        list.push(&JsValue::from_str(&origin));
        let list: types::StringArray = JsValue::from(list).unchecked_into();
        let req: types::Str = JsValue::from_str("https://basemapstyles-api.arcgis.com/arcgis/rest/services/styles/v2/styles/arcgis/navigation").unchecked_into();
        let d: JsValue = referrer::check_page_referrer(&list, &req).unwrap().into();
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
        let d: JsValue = referrer::check_page_referrer(&list, &req).unwrap().into();
        assert!(Reflect::get(&d, &"referrer".into()).unwrap().is_null());
        assert_eq!(
            Reflect::get(&d, &"noReferrerCause".into())
                .unwrap()
                .as_string()
                .as_deref(),
            Some("downgrade")
        );
    }
}
