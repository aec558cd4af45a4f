//! Conversions between JavaScript values and Rust: dates, string arrays, option objects and
//! result objects.

use js_sys::{Array, Date, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::error::{invalid_argument, JsResult};
use crate::core::json::{child, Fields, FromJson, Json, ShapeError};
use crate::core::time::{millis_from_f64, Millis};

/// Reads `Date | number | null | undefined` (ms since the epoch). `null`/`undefined` → `None`;
/// an invalid `Date`, `NaN`, or any other type → `INVALID_ARGUMENT`.
pub fn date_in(v: &JsValue, what: &str) -> JsResult<Option<Millis>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let n = if let Some(d) = v.dyn_ref::<Date>() {
        d.get_time()
    } else if let Some(n) = v.as_f64() {
        n
    } else {
        return Err(invalid_argument(&format!(
            "{what} must be a Date or a number of milliseconds since 1970."
        )));
    };
    millis_from_f64(n)
        .map(Some)
        .ok_or_else(|| invalid_argument(&format!("{what} is not a valid date.")))
}

/// A `Date` for an instant.
pub fn date_out(ms: Millis) -> JsValue {
    Date::new(&JsValue::from_f64(ms as f64)).into()
}

/// `Date` or `null`.
pub fn opt_date_out(ms: Option<Millis>) -> JsValue {
    ms.map_or(JsValue::NULL, date_out)
}

/// A number or `null`.
pub fn opt_num(v: Option<i64>) -> JsValue {
    v.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64))
}

/// A string or `null`.
pub fn opt_str(v: Option<&str>) -> JsValue {
    v.map_or(JsValue::NULL, JsValue::from_str)
}

/// Reads a `string[]`.
pub fn string_array(v: &impl AsRef<JsValue>, what: &str) -> JsResult<Vec<String>> {
    let arr = v
        .as_ref()
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_argument(&format!("{what} must be an array of strings.")))?;
    let mut out = Vec::with_capacity(arr.length() as usize);
    for (i, item) in arr.iter().enumerate() {
        match item.as_string() {
            Some(s) => out.push(s),
            None => {
                return Err(invalid_argument(&format!("{what}[{i}] is not a string.")));
            }
        }
    }
    Ok(out)
}

/// Reads a required string.
pub fn req_string(v: &impl AsRef<JsValue>, what: &str) -> JsResult<String> {
    v.as_ref()
        .as_string()
        .ok_or_else(|| invalid_argument(&format!("{what} must be a string.")))
}

/// Reads `string | null | undefined` (anything else is an error).
pub fn opt_string(v: &impl AsRef<JsValue>, what: &str) -> JsResult<Option<String>> {
    let v = v.as_ref();
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| invalid_argument(&format!("{what} must be a string, null or undefined.")))
}

/// JavaScript values read as JSON (the result of `JSON.parse`, or an options object).
impl Json for JsValue {
    fn is_null(&self) -> bool {
        self.is_null() || self.is_undefined()
    }
    fn as_str(&self) -> Option<String> {
        self.as_string()
    }
    /// Cut in JavaScript first: an 8 MB message is not copied into wasm memory to keep 1,000
    /// characters of it.
    fn as_str_capped(&self, max: usize) -> Option<String> {
        let s = self.dyn_ref::<js_sys::JsString>()?;
        let end = u32::try_from(max.saturating_add(1).saturating_mul(2)).unwrap_or(u32::MAX);
        let head = if s.length() > end {
            s.slice(0, end)
        } else {
            s.clone()
        };
        head.as_string().map(|h| crate::core::cap_chars(&h, max))
    }
    fn as_f64(&self) -> Option<f64> {
        JsValue::as_f64(self)
    }
    fn as_bool(&self) -> Option<bool> {
        JsValue::as_bool(self)
    }
    fn items(&self) -> Option<Vec<Self>> {
        self.dyn_ref::<Array>().map(|a| a.iter().collect())
    }
    fn is_object(&self) -> bool {
        JsValue::is_object(self) && !Array::is_array(self)
    }
    fn get(&self, key: &str) -> Option<Self> {
        if !JsValue::is_object(self) {
            return None;
        }
        Reflect::get(self, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined())
    }
    fn keys(&self) -> Option<Vec<String>> {
        let Some(o) = self.dyn_ref::<Object>() else {
            return Some(Vec::new());
        };
        // A Proxy's `ownKeys` trap may throw: caught here, so the exception does not unwind
        // through the Rust frames above.
        let keys = object_keys(o).ok()?;
        Some(keys.iter().filter_map(|k| k.as_string()).collect())
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `Object.keys`, which (unlike `js_sys::Object::keys`) reports an exception as an `Err`.
    #[wasm_bindgen(js_namespace = Object, js_name = keys, catch)]
    fn object_keys(o: &Object) -> Result<Array, JsValue>;
}

/// A shape error as an `INVALID_ARGUMENT` `CredentialError`.
pub fn shape_error(e: ShapeError) -> JsValue {
    invalid_argument(&e.0)
}

/// Reads a `T` from a JavaScript value (`what` names it in errors).
pub fn from_js<T: FromJson>(v: &JsValue, what: &str) -> JsResult<T> {
    T::from_json(v, what).map_err(shape_error)
}

/// An options object read from JavaScript: its camelCase keys are listed so that unknown keys
/// are refused (a misspelt option must not be silently ignored).
pub trait JsOptions: Default {
    /// The accepted keys.
    const KEYS: &'static [&'static str];

    /// Reads the fields (unknown keys were already refused).
    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError>;
}

/// Reads a nested options object (`None` when absent), refusing unknown keys.
pub fn nested<T: JsOptions>(f: &Fields<'_, JsValue>, key: &str) -> Result<Option<T>, ShapeError> {
    f.raw(key)
        .map(|v| read_options(&v, &child(f.path(), key)))
        .transpose()
}

/// Reads an options object at `path`: an object, only known keys, then the fields.
fn read_options<T: JsOptions>(v: &JsValue, path: &str) -> Result<T, ShapeError> {
    let f = Fields::of(v, path)?;
    f.only(T::KEYS)?;
    T::read(&f)
}

/// Reads an options object into `T` (camelCase keys; unknown keys refused). `undefined`/`null`
/// give `T::default()`.
pub fn options<T: JsOptions>(v: JsValue, what: &str) -> JsResult<T> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    read_options(&v, what).map_err(shape_error)
}

/// A plain object under construction.
#[derive(Default)]
pub struct Obj(Object);

impl Obj {
    /// An empty object.
    pub fn new() -> Self {
        Obj(Object::new())
    }

    /// Sets a property.
    pub fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        let _ = Reflect::set(&self.0, &JsValue::from_str(key), &value.into());
        self
    }

    /// The object.
    pub fn build(self) -> JsValue {
        self.0.into()
    }
}

/// Reads a property (`undefined` when absent or unreadable).
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// An array from an iterator of values.
pub fn array<I: IntoIterator<Item = JsValue>>(items: I) -> JsValue {
    let arr = Array::new();
    for v in items {
        arr.push(&v);
    }
    arr.into()
}
