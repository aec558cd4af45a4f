//! The emulator-only endpoints under `/emulator`: seeded keys, the demo login, counters, and faults for tests.

use std::sync::atomic::Ordering;

use axum::extract::{Request, State as AxState};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::http::*;
use super::Shared;

/// `/emulator/seeded-keys`: the demo's seeded keys (emulator only, memory only: gone after a
/// restart from a state file, since only hashes are stored).
pub async fn seeded_keys(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    let keys = shared.seeded.lock().map(|k| k.clone()).unwrap_or_default();
    json_response(StatusCode::OK, &json!({ "keys": keys }))
}

/// `/emulator/demo-login`: the seeded demo owner's username and password, so the demo page can
/// show them as a hint (emulator only; 404 when the data was not seeded in this run).
pub async fn demo_login(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    match &shared.demo_login {
        Some((u, p)) => json_response(
            StatusCode::OK,
            &json!({ "username": u, "password": p, "oauthClientId": shared.oauth_client_id }),
        ),
        None => json_response(
            StatusCode::NOT_FOUND,
            &json!({ "error": "not seeded in this run" }),
        ),
    }
}

/// `/emulator/stats`: request counters.
pub async fn stats(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    let s = &shared.stats;
    json_response(
        StatusCode::OK,
        &json!({
            "total": s.total.load(Ordering::Relaxed),
            "withKey": s.with_key.load(Ordering::Relaxed),
            "errors": s.errors.load(Ordering::Relaxed),
            "preflights": s.preflights.load(Ordering::Relaxed),
            "now": shared.now(),
        }),
    )
}

/// `POST /emulator/expire-sign-ins`: every user token, OAuth authorization code and refresh token
/// issued so far stops working, as when sign-ins reach their expiration (API keys are not
/// affected). For tests of expired sessions.
pub async fn expire_sign_ins(AxState(shared): AxState<std::sync::Arc<Shared>>) -> Response {
    let dropped = {
        let mut state = shared.lock();
        let n = state.tokens.len() + state.oauth_codes.len() + state.refresh_tokens.len();
        state.tokens.clear();
        state.oauth_codes.clear();
        state.refresh_tokens.clear();
        n
    };
    json_response(StatusCode::OK, &json!({ "expired": dropped }))
}

/// `/emulator/slow?ms=N` (at most 30 s): answers `{}` after a delay, for timeout tests.
pub async fn slow(req: Request) -> Response {
    let ms: u64 = req
        .uri()
        .query()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "ms")
                .and_then(|(_, v)| v.parse().ok())
        })
        .unwrap_or(1000)
        .min(30_000);
    tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    json_response(StatusCode::OK, &json!({ "slept": ms }))
}

/// `/emulator/not-json`: an HTML page where JSON is expected, for fault tests.
pub async fn not_json() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html")],
        "<html><body>Gateway login</body></html>",
    )
        .into_response()
}

/// `/emulator/truncated`: a JSON body cut off mid-way, for fault tests.
/// Hostile error bodies (HTTP 200, as the sharing API answers errors), for the tests that
/// the library stays bounded: `long` (a 400 KB message and one 200 KB detail), `many` (30,000
/// details of 45 characters), `huge` (an 8 MB message).
pub async fn error_body(axum::extract::Path(kind): axum::extract::Path<String>) -> Response {
    let body = match kind.as_str() {
        "long" => {
            json!({"error": {"code": 400, "message": "m".repeat(400_000), "details": ["d".repeat(200_000)]}})
        }
        "many" => {
            let details: Vec<String> = (0..30_000)
                .map(|i| format!("detail {i:05} of a body far too long to read"))
                .collect();
            json!({"error": {"code": 400, "message": "Bad request.", "details": details}})
        }
        "huge" => json!({"error": {"code": 500, "message": "x".repeat(8 * 1024 * 1024)}}),
        _ => return not_found(),
    };
    json_response(StatusCode::OK, &body)
}

/// [`error_body`] for any path below it.
pub async fn error_body_anywhere(
    axum::extract::Path((kind, _)): axum::extract::Path<(String, String)>,
) -> Response {
    error_body(axum::extract::Path(kind)).await
}

pub async fn truncated() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        r#"{"id":"abc","name":"trunc"#,
    )
        .into_response()
}

/// `/emulator/status/{code}`: an empty answer with that HTTP status (e.g. 503), for fault tests.
pub async fn status(axum::extract::Path(code): axum::extract::Path<u16>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, [(header::CONTENT_TYPE, "text/plain")], "").into_response()
}
