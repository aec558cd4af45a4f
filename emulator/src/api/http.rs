//! Requests and answers: the parsed request, JSON and error bodies, the `Date` header.

use std::collections::BTreeMap;

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::state::{Millis, PortalError};

use super::MAX_BODY;

/// A parsed request.
pub(super) struct Req {
    pub(super) method: Method,
    pub(super) params: BTreeMap<String, String>,
    pub(super) headers: HeaderMap,
}

impl Req {
    pub(super) fn param(&self, k: &str) -> Option<&str> {
        self.params.get(k).map(String::as_str)
    }

    pub(super) fn token(&self) -> Option<String> {
        if let Some(t) = self.param("token").filter(|t| !t.is_empty()) {
            return Some(t.to_string());
        }
        for h in ["x-esri-authorization", "authorization"] {
            if let Some(v) = self.headers.get(h).and_then(|v| v.to_str().ok()) {
                if let Some(t) = v
                    .strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
                {
                    return Some(t.trim().to_string());
                }
            }
        }
        None
    }

    pub(super) fn referer(&self) -> Option<String> {
        self.headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub(super) fn require_post(&self) -> Result<(), PortalError> {
        if self.method != Method::POST {
            return Err(PortalError::new(405, "Method not supported.")
                .detail("This operation requires POST."));
        }
        Ok(())
    }
}

/// The JSON of an error.
pub fn error_json(e: &PortalError) -> Value {
    let mut inner = json!({ "code": e.code, "message": e.message, "details": e.details });
    if let Some(mc) = e.message_code {
        inner["messageCode"] = json!(mc);
    }
    if let Some(o) = e.oauth {
        inner["error"] = json!(o);
        inner["error_description"] = json!(e.message);
    }
    json!({ "error": inner })
}

pub(super) fn json_response(status: StatusCode, v: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        v.to_string(),
    )
        .into_response()
}

pub(super) async fn parse_request(req: Request) -> Result<(Req, String), Response> {
    let (parts, body) = req.into_parts();
    let mut params = BTreeMap::new();
    if let Some(q) = parts.uri.query() {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            params.insert(k.into_owned(), v.into_owned());
        }
    }
    let path = parts.uri.path().to_string();
    if parts.method == Method::POST {
        let bytes = match to_bytes(body, MAX_BODY).await {
            Ok(b) => b,
            Err(_) => {
                let e = PortalError::new(413, "Request entity too large.")
                    .detail(format!("The body exceeds {MAX_BODY} bytes."));
                return Err(json_response(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &error_json(&e),
                ));
            }
        };
        let ctype = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if ctype.starts_with("multipart/") {
            let e = PortalError::bad_request("multipart bodies are not supported by the emulator; send application/x-www-form-urlencoded.");
            return Err(json_response(StatusCode::OK, &error_json(&e)));
        }
        if !bytes.is_empty() {
            if std::str::from_utf8(&bytes).is_err() {
                let e = PortalError::bad_request("The request body is not valid UTF-8 form data.");
                return Err(json_response(StatusCode::OK, &error_json(&e)));
            }
            for (k, v) in form_urlencoded::parse(&bytes) {
                params.insert(k.into_owned(), v.into_owned());
            }
        }
    } else {
        drop(body);
    }
    Ok((
        Req {
            method: parts.method,
            params,
            headers: parts.headers,
        },
        path,
    ))
}

/// Sets `Date` from the emulator's clock (which `--clock-offset-days` shifts), so clients see
/// the portal's time.
pub fn date_header(now: Millis) -> HeaderValue {
    let dt = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(now).unwrap_or_default();
    HeaderValue::from_str(&dt.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or(HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

/// A body for 404s of unknown non-portal paths handled here.
pub fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Body::from("Not found")).into_response()
}
