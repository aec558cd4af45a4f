//! The native platform (tests, the emulator, fuzzing): the `url` crate as the full WHATWG URL
//! parser and `serde_json` values as [`Json`]. In wasm, `web` provides both from the platform.

use crate::core::json::{FromJson, Json};
use crate::core::referrer::url::{ParsedUrl, UrlParser};

/// The `url` crate (WHATWG URL, UTS #46) as the full URL parser.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeUrlParser;

impl UrlParser for NativeUrlParser {
    fn parse(&self, input: &str) -> Option<ParsedUrl> {
        let u = url::Url::parse(input).ok()?;
        Some(ParsedUrl {
            scheme: u.scheme().to_string(),
            host: match u.host() {
                Some(url::Host::Ipv6(a)) => format!("[{a}]"),
                Some(h) => h.to_string(),
                None => String::new(),
            },
            port: u.port(),
            path: u.path().to_string(),
            query: u.query().map(str::to_string),
        })
    }
}

impl Json for serde_json::Value {
    fn is_null(&self) -> bool {
        self.is_null()
    }
    fn as_str(&self) -> Option<String> {
        serde_json::Value::as_str(self).map(str::to_string)
    }
    fn as_f64(&self) -> Option<f64> {
        serde_json::Value::as_f64(self)
    }
    fn as_bool(&self) -> Option<bool> {
        serde_json::Value::as_bool(self)
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.as_array().cloned()
    }
    fn is_object(&self) -> bool {
        self.is_object()
    }
    fn get(&self, key: &str) -> Option<Self> {
        self.as_object().and_then(|o| o.get(key)).cloned()
    }
    fn keys(&self) -> Option<Vec<String>> {
        Some(
            self.as_object()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default(),
        )
    }
}

/// Parses `text` natively and reads a `T` from it.
pub fn from_str<T: FromJson>(text: &str) -> Result<T, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    T::from_json(&v, "").map_err(|e| e.to_string())
}
