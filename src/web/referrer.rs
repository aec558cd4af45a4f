//! The referrer checker's JavaScript API.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{array, opt_str, opt_string, options, string_array, Obj};
use super::error::{from_core, invalid_argument, JsResult};
use super::types::{
    OptStr, ReferrerDecisionJs, ReferrerDiagnosticArray, ReferrerList, ReferrerOptionsJs,
    StringArray,
};
use crate::core::json::{Fields, ShapeError};
use crate::core::referrer::{
    Decision, Diagnostic, ReferrerRules as CoreRules, RulesOptions, WildcardDepth,
};

fn opt_referrer(v: Option<OptStr>) -> JsResult<Option<String>> {
    match v {
        Some(v) => opt_string(&v, "referrer"),
        None => Ok(None),
    }
}

#[derive(Default)]
struct RulesOptionsJs {
    wildcard_depth: Option<String>,
}

impl super::convert::JsOptions for RulesOptionsJs {
    const KEYS: &'static [&'static str] = &["wildcardDepth"];

    fn read(f: &Fields<'_, JsValue>) -> Result<Self, ShapeError> {
        Ok(RulesOptionsJs {
            wildcard_depth: f.string("wildcardDepth")?,
        })
    }
}

fn rules_options(v: JsValue) -> JsResult<RulesOptions> {
    let o: RulesOptionsJs = options(v, "options")?;
    let wildcard_depth = match o.wildcard_depth.as_deref() {
        None | Some("multi") => WildcardDepth::Multi,
        Some("single") => WildcardDepth::Single,
        Some(_) => {
            return Err(invalid_argument(
                "options.wildcardDepth must be \"multi\" or \"single\".",
            ))
        }
    };
    Ok(RulesOptions { wildcard_depth })
}

/// A `ReferrerDiagnostic` object.
pub fn diagnostic_js(d: &Diagnostic) -> JsValue {
    Obj::new()
        .set("pattern", opt_str(d.entry.as_deref()))
        .set("code", d.code.as_str())
        .set("severity", d.code.severity().as_str())
        .set("message", d.code.message())
        .build()
}

/// A `ReferrerDecision` object (still open for extra fields).
pub fn decision_js(d: &Decision) -> Obj {
    Obj::new()
        .set("allowed", d.allowed)
        .set("matchedPattern", opt_str(d.matched_entry.as_deref()))
        .set("reason", d.reason.as_str())
        .set(
            "diagnostics",
            array(d.diagnostics.iter().map(diagnostic_js)),
        )
}

/// Checks one referrer against a referrer list and explains the decision.
///
/// ```js
/// const d = checkReferrer(["https://*.example.com"], "https://app.example.com/");
/// d.allowed;   // true
/// d.reason;    // "MATCHED"
/// ```
#[wasm_bindgen(js_name = checkReferrer)]
pub fn check_referrer(
    allowed: &StringArray,
    referrer: Option<OptStr>,
    options: Option<ReferrerOptionsJs>,
) -> JsResult<ReferrerDecisionJs> {
    let list = string_array(allowed, "allowed")?;
    let referrer = opt_referrer(referrer)?;
    let opts = rules_options(options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
    let rules = CoreRules::new(&list, opts).map_err(from_core)?;
    Ok(decision_js(&rules.check(referrer.as_deref()))
        .build()
        .unchecked_into())
}

/// A compiled referrer list: entries are parsed once, then `allows()` is a fast check.
///
/// ```js
/// const rules = new ReferrerRules(["https://app.example.com", "http://localhost:3000"]);
/// rules.allows("https://app.example.com/");   // true
/// rules.check("https://evil.example/").reason; // "NO_MATCH"
/// ```
#[wasm_bindgen]
pub struct ReferrerRules {
    inner: CoreRules,
    /// Recent decisions, keyed by the referrer string as a JS value. `allows` is a pure function
    /// of the referrer, and a page checks the same few referrers over and over; comparing JS
    /// strings (`===`) costs far less than copying each one into wasm memory.
    recent_keys: js_sys::Array,
    recent: std::cell::RefCell<Vec<bool>>,
}

/// How many recent referrers `ReferrerRules.allows` remembers.
const RECENT: usize = 16;

// `allowsMany` crosses the boundary once for a whole list: the list is joined here into one
// string (copied into wasm memory once) and split in Rust. A line is the referrer itself, or a
// marker: \u0001 no header (null or undefined), \u0002 not a string, \u0003 a string that cannot
// be written on one line (it holds a newline, or starts with a marker), which Rust then reads
// from the list itself, so every answer is exactly `allows(value)`.
#[wasm_bindgen(inline_js = r#"
export function joinReferrers(list) {
  let out = "";
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    let line;
    if (v === null || v === undefined) line = "\u0001";
    else if (typeof v !== "string") line = "\u0002";
    else if (v.includes("\n") || (v.charCodeAt(0) < 4 && v.length > 0)) line = "\u0003";
    else line = v;
    out += i === 0 ? line : "\n" + line;
  }
  return out;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = joinReferrers)]
    fn join_referrers(list: &js_sys::Array) -> String;
}

#[wasm_bindgen]
impl ReferrerRules {
    /// Compiles `allowed` (throws `CredentialError` for a non-array or non-string entry).
    ///
    /// ```js
    /// const rules = new ReferrerRules(["https://*.example.com"], { wildcardDepth: "multi" });
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        allowed: &StringArray,
        options: Option<ReferrerOptionsJs>,
    ) -> JsResult<ReferrerRules> {
        let list = string_array(allowed, "allowed")?;
        let opts = rules_options(options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
        Ok(ReferrerRules {
            inner: CoreRules::new(&list, opts).map_err(from_core)?,
            recent_keys: js_sys::Array::new(),
            recent: std::cell::RefCell::new(Vec::with_capacity(RECENT)),
        })
    }

    /// `true` when the `Referer` value is allowed (`null`/`undefined`: no header).
    ///
    /// ```js
    /// if (!rules.allows(document.referrer || null)) console.warn("not allowed");
    /// ```
    pub fn allows(&self, referrer: Option<OptStr>) -> bool {
        // The fast path takes any value: a non-string is never an allowed referrer.
        let v = match referrer.map(JsValue::from) {
            None => return self.inner.allows(None),
            Some(v) if v.is_null() || v.is_undefined() => return self.inner.allows(None),
            Some(v) => v,
        };
        // One call into JS (`indexOf`, i.e. `===`) finds a recent referrer.
        let at = self.recent_keys.index_of(&v, 0);
        if let Some(hit) = usize::try_from(at)
            .ok()
            .and_then(|i| self.recent.borrow().get(i).copied())
        {
            return hit;
        }
        let Some(s) = v.as_string() else { return false };
        let decision = self.inner.allows(Some(&s));
        let mut recent = self.recent.borrow_mut();
        if recent.len() == RECENT {
            recent.pop();
            self.recent_keys.pop();
        }
        recent.insert(0, decision);
        self.recent_keys.unshift(&v);
        decision
    }

    /// `allows` for a whole list at once: `1` where the referrer is allowed, `0` where not. For
    /// checking many distinct referrers (a log, a list of pages): the list crosses into wasm as
    /// one string, where `allows` copies each referrer on its own.
    ///
    /// ```js
    /// const ok = rules.allowsMany(pages.map((p) => p.origin + "/")); // Uint8Array of 1 and 0
    /// ```
    #[wasm_bindgen(js_name = allowsMany)]
    pub fn allows_many(&self, referrers: &ReferrerList) -> JsResult<Vec<u8>> {
        let list = referrers
            .dyn_ref::<js_sys::Array>()
            .ok_or_else(|| invalid_argument("referrers must be an array."))?;
        if list.length() == 0 {
            return Ok(Vec::new());
        }
        let text = join_referrers(list);
        Ok(text
            .split('\n')
            .enumerate()
            .map(|(i, line)| {
                u8::from(match line {
                    "\u{1}" => self.inner.allows(None),
                    "\u{2}" => false,
                    "\u{3}" => list
                        .get(i as u32)
                        .as_string()
                        .is_some_and(|s| self.inner.allows(Some(&s))),
                    r => self.inner.allows(Some(r)),
                })
            })
            .collect())
    }

    /// The decision with its reason and diagnostics.
    ///
    /// ```js
    /// rules.check("https://evil.example/").diagnostics;
    /// ```
    pub fn check(&self, referrer: Option<OptStr>) -> JsResult<ReferrerDecisionJs> {
        let referrer = opt_referrer(referrer)?;
        Ok(decision_js(&self.inner.check(referrer.as_deref()))
            .build()
            .unchecked_into())
    }

    /// Per-entry diagnostics.
    ///
    /// ```js
    /// rules.diagnostics.filter((d) => d.severity === "error");
    /// ```
    #[wasm_bindgen(getter)]
    pub fn diagnostics(&self) -> ReferrerDiagnosticArray {
        array(self.inner.diagnostics().iter().map(diagnostic_js)).unchecked_into()
    }
}
