//! The browser/Node transport: the platform `fetch`, with a timeout (AbortController), form
//! bodies, the token in the body, the query or (when asked) the `X-Esri-Authorization` header,
//! and JSON decoded by the platform's `JSON.parse`.

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::Obj;
use crate::portal::request::{Method, PortalRequest};
use crate::portal::{JsonResponse, Kind, PortalError, RawResponse, Transport};

/// `fetch` with a timeout.
#[derive(Debug, Clone, Copy)]
pub struct FetchTransport {
    /// Milliseconds before a request is aborted.
    pub timeout_ms: u32,
}

/// The form: a `URLSearchParams`, sent as is as a POST body (no copy through wasm memory).
fn encode(params: &[(String, String)], token: Option<&str>) -> web_sys::UrlSearchParams {
    let p = web_sys::UrlSearchParams::new().unwrap_or_else(|_| unreachable_params());
    for (k, v) in params {
        p.append(k, v);
    }
    if let Some(t) = token {
        p.append("token", t);
    }
    p
}

// `new URLSearchParams()` cannot fail; this keeps the code free of unwraps all the same.
fn unreachable_params() -> web_sys::UrlSearchParams {
    JsValue::from(js_sys::Object::new()).unchecked_into()
}

/// The body as read: text for the typed portal calls, a parsed JSON value for calls whose JSON
/// goes straight back to JavaScript (`None` when it is not JSON).
pub enum Body {
    /// `response.text()`.
    Text(String),
    /// `response.json()`, parsed by the platform without copying through wasm memory.
    Json(Option<JsValue>),
}

// The promise chain of one request runs in JavaScript: Rust awaits one promise per request
// instead of three (fetch, body, timer bookkeeping), each of which would allocate a pair of
// callbacks crossing the boundary. Only the timer aborts the controller, so `timedOut` is exact.
#[wasm_bindgen(inline_js = r#"
export function exchange(url, init, ms, json) {
  const ctl = new AbortController();
  init.signal = ctl.signal;
  const timer = setTimeout(() => ctl.abort(), ms);
  const end = () => clearTimeout(timer);
  return fetch(url, init).then((r) => {
    const head = { status: r.status, date: r.headers.get("date") };
    const body = json
      ? r.json().catch((e) => { if (ctl.signal.aborted) throw e; head.notJson = true; return null; })
      : r.text();
    return body.then((b) => { end(); head.body = b; return head; },
      (error) => { end(); throw { timedOut: ctl.signal.aborted, read: true, error }; });
  }, (error) => { end(); throw { timedOut: ctl.signal.aborted, read: false, error }; });
}
"#)]
extern "C" {
    // `catch`: a platform without `fetch` or `AbortController` throws synchronously.
    #[wasm_bindgen(js_name = exchange, catch)]
    fn js_exchange(
        url: &str,
        init: &JsValue,
        ms: u32,
        json: bool,
    ) -> Result<js_sys::Promise, JsValue>;
}

fn prop(o: &JsValue, key: &str) -> JsValue {
    Reflect::get(o, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

impl FetchTransport {
    /// Sends `req` and reads the body as text or JSON, with the timeout covering both. The
    /// timeout is the time left before `req.deadline`, or `timeout_ms`.
    ///
    /// `fetch(url, init)` is called directly: building a `Request` object first (as gloo-net's
    /// builder does) makes the runtime construct and clone two requests per call, which measured
    /// as a third of the manager's per-request overhead.
    pub async fn exchange(
        &self,
        req: &PortalRequest,
        json: bool,
    ) -> Result<(u16, Option<String>, Body), PortalError> {
        let ms = match req.deadline {
            Some(d) => d
                .saturating_sub(super::now_ms())
                .clamp(0, i64::from(u32::MAX)) as u32,
            None => self.timeout_ms,
        };
        if ms == 0 {
            return Err(PortalError::new(
                Kind::Timeout,
                "No answer within the timeout (it ran out before this request).",
            ));
        }
        let headers = Obj::new();
        // Browsers ignore a script's `Referer` header (they send their own); Node sends it.
        let headers = match &req.referer {
            Some(r) => headers.set("Referer", r.as_str()),
            None => headers,
        };
        let (url, init) = match req.method {
            Method::Get => {
                // The key in the query, as Esri's clients send it; in the header only when
                // asked (a custom header makes a cross-origin request need a preflight).
                let (in_query, headers) = match &req.token {
                    Some(t) if req.token_in_header => (
                        None,
                        headers.set("X-Esri-Authorization", format!("Bearer {t}")),
                    ),
                    t => (t.as_deref(), headers),
                };
                let query = String::from(encode(&req.params, in_query).to_string());
                let sep = if req.url.contains('?') { '&' } else { '?' };
                (
                    format!("{}{sep}{query}", req.url),
                    Obj::new()
                        .set("method", "GET")
                        .set("headers", headers.build()),
                )
            }
            Method::Post => (
                req.url.clone(),
                Obj::new()
                    .set("method", "POST")
                    .set(
                        "headers",
                        headers
                            .set("Content-Type", "application/x-www-form-urlencoded")
                            .build(),
                    )
                    .set("body", encode(&req.params, req.token.as_deref())),
            ),
        };
        let promise = js_exchange(&url, &init.build(), ms, json).map_err(|e| {
            PortalError::new(
                Kind::Network,
                format!(
                    "The request could not be started (fetch and AbortController are required): {}",
                    short(&error_text(&e))
                ),
            )
        })?;
        let answer = super::task::JsFut::new(promise).await;
        match answer {
            Ok(head) => {
                let status = prop(&head, "status").as_f64().unwrap_or(0.0) as u16;
                let date = prop(&head, "date").as_string();
                let body = prop(&head, "body");
                let body = if json {
                    Body::Json((!prop(&head, "notJson").is_truthy()).then_some(body))
                } else {
                    Body::Text(body.as_string().unwrap_or_default())
                };
                Ok((status, date, body))
            }
            Err(e) => {
                let timed_out = prop(&e, "timedOut").is_truthy();
                let read = prop(&e, "read").is_truthy();
                Err(if timed_out {
                    PortalError::new(
                        Kind::Timeout,
                        if read {
                            format!("No complete answer within {ms} ms.")
                        } else {
                            format!("No answer within {ms} ms.")
                        },
                    )
                } else if read {
                    PortalError::new(Kind::BadResponse, "The response body could not be read.")
                } else {
                    PortalError::new(
                        Kind::Network,
                        format!(
                            "The request failed before an answer: {}",
                            short(&error_text(&prop(&e, "error")))
                        ),
                    )
                })
            }
        }
    }
}

/// `TypeError: fetch failed` and the like, without anything the request carried.
fn error_text(e: &JsValue) -> String {
    let name = Reflect::get(e, &"name".into())
        .ok()
        .and_then(|v| v.as_string());
    let message = Reflect::get(e, &"message".into())
        .ok()
        .and_then(|v| v.as_string());
    match (name, message) {
        (Some(n), Some(m)) => format!("{n}: {m}"),
        (None, Some(m)) => m,
        (Some(n), None) => n,
        (None, None) => "unknown error".to_string(),
    }
}

impl Transport for FetchTransport {
    type Json = JsValue;

    async fn send(&self, req: &PortalRequest) -> Result<RawResponse, PortalError> {
        match self.exchange(req, false).await? {
            (status, date, Body::Text(body)) => Ok(RawResponse { status, body, date }),
            (status, date, Body::Json(_)) => Ok(RawResponse {
                status,
                body: String::new(),
                date,
            }),
        }
    }

    fn parse(&self, text: &str) -> Option<JsValue> {
        js_sys::JSON::parse(text).ok()
    }

    /// The body parsed by the platform (`response.json()`), under the same timer as the
    /// request, and handed back as is: no copy through wasm memory.
    async fn send_json(&self, req: &PortalRequest) -> Result<JsonResponse<JsValue>, PortalError> {
        let (status, date, body) = self.exchange(req, true).await?;
        let body = match body {
            Body::Json(v) => v,
            Body::Text(_) => None,
        };
        Ok(JsonResponse { status, date, body })
    }
}

/// Keeps error messages short (and free of request bodies).
fn short(s: &str) -> String {
    s.chars().take(160).collect()
}
