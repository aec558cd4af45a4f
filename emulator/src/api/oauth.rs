//! `oauth2/authorize`: the sign-in page an app sends its user to, and the redirect back to the
//! app with an authorization code (the code's exchange is `oauth2/token`, in `sharing`).

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::state::PortalError;

use super::http::Req;
use super::Shared;

/// The request's OAuth parameters, as the page carries them between its GET and its POST.
const CARRIED: [&str; 7] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "state",
    "code_challenge",
    "code_challenge_method",
    "expiration",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><link rel=\"icon\" href=\"data:,\"><title>{title}</title><style>body{{font:15px system-ui,sans-serif;max-width:26rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}}label{{display:flex;flex-direction:column;margin:.6rem 0;color:#5b6572;font-size:.9rem}}input{{font:inherit;padding:.4rem}}button{{font:inherit;padding:.4rem .9rem;margin-right:.4rem}}.error{{color:#cf222e}}</style></head><body>{body}</body></html>",
        title = escape(title),
    );
    let mut r = (status, html).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        q.append_pair(k, v);
    }
    let sep = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{sep}{}", q.finish())
}

fn redirect(to: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// A request the portal refuses before any sign-in: shown, never redirected (a redirect URI
/// that is not registered must not receive anything).
fn refused(e: &PortalError) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Sign-in refused",
        &format!(
            "<h1>Sign-in refused</h1><p class=\"error\" data-error=\"{}\">{}</p>",
            e.oauth.unwrap_or("invalid_request"),
            escape(&e.message)
        ),
    )
}

fn sign_in_form(shared: &Shared, req: &Req, app_title: &str, error: Option<&str>) -> Response {
    let hidden: String = CARRIED
        .iter()
        .filter_map(|k| req.param(k).map(|v| (k, v)))
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{k}\" value=\"{}\">",
                escape(v)
            )
        })
        .collect();
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let portal = shared.lock().portal_name.clone();
    page(
        StatusCode::OK,
        "Sign in",
        &format!(
            "<h1>Sign in</h1><p>to {portal}, to let <b>{app}</b> act on your behalf.</p>{error}<form method=\"post\">{hidden}<label>Username <input name=\"username\" autocomplete=\"username\" required></label><label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label><button type=\"submit\" name=\"action\" value=\"sign-in\">Sign in</button><button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button></form>",
            portal = escape(&portal),
            app = escape(app_title),
        ),
    )
}

/// `GET` shows the sign-in page for a valid request; `POST` signs in and redirects to the
/// registered redirect URI with `code` and `state` (or `error=access_denied` on Cancel).
pub(super) fn authorize(shared: &Shared, req: &Req) -> Response {
    let p = |k: &str| req.param(k).unwrap_or("");
    let (client_id, redirect_uri, state) = (p("client_id"), p("redirect_uri"), p("state"));
    let checked = {
        let s = shared.lock();
        s.check_authorize(
            client_id,
            redirect_uri,
            p("response_type"),
            p("code_challenge"),
            p("code_challenge_method"),
        )
        .map(|()| {
            s.apps
                .get(client_id)
                .and_then(|a| s.items.get(&a.item_id))
                .map(|i| i.title.clone())
                .unwrap_or_default()
        })
    };
    let app_title = match checked {
        Ok(t) => t,
        Err(e) => return refused(&e),
    };
    if req.method != Method::POST {
        return sign_in_form(shared, req, &app_title, None);
    }
    let back = |pairs: &[(&str, &str)]| {
        let mut all = pairs.to_vec();
        if !state.is_empty() {
            all.push(("state", state));
        }
        redirect(&with_query(redirect_uri, &all))
    };
    if p("action") == "cancel" {
        return back(&[
            ("error", "access_denied"),
            ("error_description", "The user denied your request."),
        ]);
    }
    let minutes = req.param("expiration").and_then(|e| e.parse::<i64>().ok());
    let code = {
        let mut s = shared.lock();
        let code = s.authorize(
            client_id,
            redirect_uri,
            p("code_challenge"),
            p("username"),
            p("password"),
            minutes,
            shared.now(),
        );
        if code.is_ok() {
            if let Err(e) = shared.persist(&s) {
                return refused(&e);
            }
        }
        code
    };
    match code {
        Ok(code) => back(&[("code", code.as_str())]),
        Err(e) if e.oauth == Some("access_denied") => {
            sign_in_form(shared, req, &app_title, Some(&e.message))
        }
        Err(e) => refused(&e),
    }
}
