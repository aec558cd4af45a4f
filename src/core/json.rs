//! Reading parsed JSON without serde. Portal answers, stored state and option objects are read
//! through [`Json`], a small read-only view that the platform's parsed values (`JSON.parse` in
//! wasm) and `serde_json::Value` (natively) both implement, so one decoder serves both builds.
//!
//! serde's derived decoders cost about a fifth of the wasm module (every type's visitor, plus
//! the float formatting its error messages pull in); this reader is a few hundred bytes.
//!
//! Absent and `null` fields read as "not given" (`None`); a field of the wrong type is a
//! [`ShapeError`] naming the path, e.g. `options.key1.active must be a boolean.`

use core::fmt;

/// A parsed JSON value (or a JavaScript value read as one).
pub trait Json: Sized {
    /// `null` (or `undefined`).
    fn is_null(&self) -> bool;
    /// The string, if this is one.
    fn as_str(&self) -> Option<String>;
    /// The string cut to `max` characters (with `…` when cut), if this is one. Platforms
    /// override it to cut before copying a long string.
    fn as_str_capped(&self, max: usize) -> Option<String> {
        self.as_str().map(|s| crate::core::cap_chars(&s, max))
    }
    /// The number, if this is one.
    fn as_f64(&self) -> Option<f64>;
    /// The boolean, if this is one.
    fn as_bool(&self) -> Option<bool>;
    /// The items, if this is an array.
    fn items(&self) -> Option<Vec<Self>>;
    /// Whether this is an object (not an array, not `null`).
    fn is_object(&self) -> bool;
    /// A property of an object (`None` when absent; meaningless for non-objects).
    fn get(&self, key: &str) -> Option<Self>;
    /// The own keys of an object (none for a non-object); `None` when they cannot be read
    /// (a JavaScript Proxy whose `ownKeys` trap throws).
    fn keys(&self) -> Option<Vec<String>>;
}

/// A value without the expected shape; the message names the path, e.g.
/// `options.key1.active must be a boolean.`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError(pub String);

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ShapeError {
    /// "`path` must be `expected`."
    pub fn new(path: &str, expected: &str) -> Self {
        let mut s = String::with_capacity(path.len() + expected.len() + 10);
        s.push_str(path);
        s.push_str(" must be ");
        s.push_str(expected);
        s.push('.');
        ShapeError(s)
    }
}

/// A type read from JSON.
pub trait FromJson: Sized {
    /// Reads `v`; `path` names it in errors.
    fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError>;
}

/// `path.key` (just `key` at the root).
pub fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        let mut s = String::with_capacity(path.len() + key.len() + 1);
        s.push_str(path);
        s.push('.');
        s.push_str(key);
        s
    }
}

fn index(path: &str, i: usize) -> String {
    let mut s = String::with_capacity(path.len() + 8);
    s.push_str(path);
    s.push('[');
    s.push_str(&i.to_string());
    s.push(']');
    s
}

/// The fields of one object.
pub struct Fields<'a, J> {
    obj: &'a J,
    path: &'a str,
}

impl<'a, J: Json> Fields<'a, J> {
    /// Reads `v` as an object.
    pub fn of(v: &'a J, path: &'a str) -> Result<Self, ShapeError> {
        if v.is_object() {
            Ok(Fields { obj: v, path })
        } else {
            Err(ShapeError::new(path, "an object"))
        }
    }

    /// The path of this object.
    pub fn path(&self) -> &str {
        self.path
    }

    /// The raw value of `key` (`None` when absent or `null`).
    pub fn raw(&self, key: &str) -> Option<J> {
        self.obj.get(key).filter(|v| !v.is_null())
    }

    fn typed<T>(
        &self,
        key: &str,
        expected: &str,
        read: impl FnOnce(&J) -> Option<T>,
    ) -> Result<Option<T>, ShapeError> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => read(&v)
                .map(Some)
                .ok_or_else(|| ShapeError::new(&child(self.path, key), expected)),
        }
    }

    /// A string field.
    pub fn string(&self, key: &str) -> Result<Option<String>, ShapeError> {
        self.typed(key, "a string", J::as_str)
    }

    /// A number field (finite).
    pub fn number(&self, key: &str) -> Result<Option<f64>, ShapeError> {
        self.typed(key, "a number", |v| v.as_f64().filter(|n| n.is_finite()))
    }

    /// A boolean field.
    pub fn boolean(&self, key: &str) -> Result<Option<bool>, ShapeError> {
        self.typed(key, "a boolean", J::as_bool)
    }

    /// A `string[]` field.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ShapeError> {
        self.typed(key, "an array of strings", |v| {
            v.items()?.iter().map(J::as_str).collect()
        })
    }

    /// A nested object field.
    pub fn object<T: FromJson>(&self, key: &str) -> Result<Option<T>, ShapeError> {
        match self.raw(key) {
            None => Ok(None),
            Some(v) => T::from_json(&v, &child(self.path, key)).map(Some),
        }
    }

    /// An array-of-objects field.
    pub fn list<T: FromJson>(&self, key: &str) -> Result<Option<Vec<T>>, ShapeError> {
        let Some(v) = self.raw(key) else {
            return Ok(None);
        };
        let path = child(self.path, key);
        let items = v
            .items()
            .ok_or_else(|| ShapeError::new(&path, "an array"))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| T::from_json(item, &index(&path, i)))
            .collect::<Result<Vec<T>, _>>()
            .map(Some)
    }

    /// Refuses keys outside `allowed` (for option objects, where a misspelt key must not be
    /// silently ignored).
    pub fn only(&self, allowed: &[&str]) -> Result<(), ShapeError> {
        let keys = self.obj.keys().ok_or_else(|| {
            ShapeError(format!(
                "{} could not be read (listing its keys threw).",
                self.path
            ))
        })?;
        for k in keys {
            if !allowed.contains(&k.as_str()) {
                let mut msg = format!(
                    "{} has an unknown option \"{k}\"; the options are: ",
                    self.path
                );
                for (i, a) in allowed.iter().enumerate() {
                    if i > 0 {
                        msg.push_str(", ");
                    }
                    msg.push_str(a);
                }
                msg.push('.');
                return Err(ShapeError(msg));
            }
        }
        Ok(())
    }
}

/// Appends `s` to `out` as a JSON string literal (quotes, backslashes and control characters
/// escaped). The few JSON texts this library writes (stored state, list parameters) are built
/// with it: a serializer would cost more code than the formats themselves.
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                for nibble in [(c as u32) >> 4, (c as u32) & 15] {
                    out.push(char::from_digit(nibble, 16).unwrap_or('0'));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Point {
        x: Option<f64>,
        tags: Option<Vec<String>>,
    }

    impl FromJson for Point {
        fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
            let f = Fields::of(v, path)?;
            f.only(&["x", "tags"])?;
            Ok(Point {
                x: f.number("x")?,
                tags: f.strings("tags")?,
            })
        }
    }

    #[test]
    fn reads_fields_and_names_the_path_of_a_bad_one() {
        let p = Point::from_json(&json!({"x": 1.5, "tags": ["a"]}), "p").unwrap();
        assert_eq!(p.x, Some(1.5));
        assert_eq!(p.tags.unwrap(), ["a"]);
        let p = Point::from_json(&json!({"x": null}), "p").unwrap();
        assert!(p.x.is_none() && p.tags.is_none());
        let e = Point::from_json(&json!({"x": "1"}), "p").err().unwrap();
        assert_eq!(e.to_string(), "p.x must be a number.");
        let e = Point::from_json(&json!({"tags": ["a", 2]}), "p")
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "p.tags must be an array of strings.");
        let e = Point::from_json(&json!([1]), "p").err().unwrap();
        assert_eq!(e.to_string(), "p must be an object.");
        let e = Point::from_json(&json!({"y": 1}), "options").err().unwrap();
        assert!(e.to_string().contains("unknown option \"y\""), "{e}");
    }

    #[test]
    fn lists_name_the_index() {
        struct L(Vec<Point>);
        impl FromJson for L {
            fn from_json<J: Json>(v: &J, path: &str) -> Result<Self, ShapeError> {
                Ok(L(Fields::of(v, path)?.list("items")?.unwrap_or_default()))
            }
        }
        assert_eq!(
            L::from_json(&json!({"items": [{"x": 1}]}), "r")
                .unwrap()
                .0
                .len(),
            1
        );
        let e = L::from_json(&json!({"items": [{}, {"x": true}]}), "r")
            .err()
            .unwrap();
        assert_eq!(e.to_string(), "r.items[1].x must be a number.");
        let e = L::from_json(&json!({"items": 3}), "r").err().unwrap();
        assert_eq!(e.to_string(), "r.items must be an array.");
    }
}
