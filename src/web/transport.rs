//! The browser/Node transport: `fetch` through gloo-net, with a timeout (AbortController), form
//! bodies, the token in the body or the `X-Esri-Authorization` header, and JSON decoded by the
//! platform's `JSON.parse`.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::Request;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::portal::request::{Method, PortalRequest};
use crate::portal::{Kind, PortalError, RawResponse, Transport};

/// `fetch` with a timeout.
#[derive(Debug, Clone)]
pub struct FetchTransport {
    /// Milliseconds before a request is aborted.
    pub timeout_ms: u32,
}

fn encode(params: &[(String, String)], token: Option<&str>) -> String {
    let p = web_sys::UrlSearchParams::new().unwrap_or_else(|_| unreachable_params());
    for (k, v) in params {
        p.append(k, v);
    }
    if let Some(t) = token {
        p.append("token", t);
    }
    String::from(p.to_string())
}

// `new URLSearchParams()` cannot fail; this keeps the code free of unwraps all the same.
fn unreachable_params() -> web_sys::UrlSearchParams {
    JsValue::from(js_sys::Object::new()).unchecked_into()
}

/// Calls the global `setTimeout` (browser or Node) and returns the handle.
fn set_timeout(cb: &Closure<dyn FnMut()>, ms: u32) -> JsValue {
    let global = js_sys::global();
    let f: Option<Function> = Reflect::get(&global, &"setTimeout".into())
        .ok()
        .and_then(|f| f.dyn_into().ok());
    f.and_then(|f| f.call2(&global, cb.as_ref(), &JsValue::from(ms)).ok())
        .unwrap_or(JsValue::UNDEFINED)
}

fn clear_timeout(handle: &JsValue) {
    let global = js_sys::global();
    if let Some(f) = Reflect::get(&global, &"clearTimeout".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    {
        let _ = f.call1(&global, handle);
    }
}

/// The body as read: text for the typed portal calls, a parsed JSON value for calls whose JSON
/// goes straight back to JavaScript (`None` when it is not JSON).
pub enum Body {
    /// `response.text()`.
    Text(String),
    /// `response.json()`, parsed by the platform without copying through wasm memory.
    Json(Option<JsValue>),
}

impl FetchTransport {
    /// Sends `req` and reads the body as text or JSON, with the timeout covering both.
    pub async fn exchange(
        &self,
        req: &PortalRequest,
        json: bool,
    ) -> Result<(u16, Option<String>, Body), PortalError> {
        let controller = web_sys::AbortController::new()
            .map_err(|_| PortalError::new(Kind::Network, "AbortController is not available."))?;
        let timed_out = Rc::new(Cell::new(false));
        let flag = timed_out.clone();
        let ctl = controller.clone();
        let cb = Closure::<dyn FnMut()>::new(move || {
            flag.set(true);
            ctl.abort();
        });
        let handle = set_timeout(&cb, self.timeout_ms);
        let builder = match req.method {
            Method::Get => {
                let query = encode(&req.params, None);
                let sep = if req.url.contains('?') { '&' } else { '?' };
                let mut b = Request::get(&format!("{}{sep}{query}", req.url));
                if let Some(t) = &req.token {
                    b = b.header("X-Esri-Authorization", &format!("Bearer {t}"));
                }
                b.abort_signal(Some(&controller.signal())).build()
            }
            Method::Post => Request::post(&req.url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .abort_signal(Some(&controller.signal()))
                .body(encode(&req.params, req.token.as_deref())),
        };
        let result = match builder {
            Ok(r) => r.send().await,
            Err(e) => Err(e),
        };
        let out = match result {
            Ok(resp) => {
                let status = resp.status();
                let date = resp.headers().get("date");
                let body = if json {
                    match web_sys::Response::from(resp).json() {
                        Ok(p) => match wasm_bindgen_futures::JsFuture::from(p).await {
                            Ok(v) => Ok(Body::Json(Some(v))),
                            Err(_) if timed_out.get() => Err(()),
                            // Not JSON, or cut off: the caller classifies by status.
                            Err(_) => Ok(Body::Json(None)),
                        },
                        Err(_) => Err(()),
                    }
                } else {
                    resp.text().await.map(Body::Text).map_err(|_| ())
                };
                match body {
                    Ok(b) => Ok((status, date, b)),
                    Err(()) if timed_out.get() => Err(PortalError::new(
                        Kind::Timeout,
                        format!("No complete answer within {} ms.", self.timeout_ms),
                    )),
                    Err(()) => Err(PortalError::new(
                        Kind::BadResponse,
                        "The response body could not be read.",
                    )),
                }
            }
            Err(_) if timed_out.get() => Err(PortalError::new(
                Kind::Timeout,
                format!("No answer within {} ms.", self.timeout_ms),
            )),
            Err(e) => Err(PortalError::new(
                Kind::Network,
                format!(
                    "The request failed before an answer: {}",
                    short(&e.to_string())
                ),
            )),
        };
        clear_timeout(&handle);
        drop(cb);
        out
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
}

/// Keeps error messages short (and free of request bodies).
fn short(s: &str) -> String {
    s.chars().take(160).collect()
}
