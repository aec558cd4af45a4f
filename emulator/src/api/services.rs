//! The location services under `/arcgis/rest/services` (basemap styles, geocoding), with real HTTP statuses.

use std::sync::atomic::Ordering;

use axum::extract::{Request, State as AxState};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use apikey_credentials::core::privileges::grants;

use crate::config::LogLevel;
use crate::log;
use crate::state::{Auth, PortalError};

use super::auth::*;
use super::http::*;
use super::Shared;

/// Services: `(path marker, privilege)`.
pub(super) fn service_privilege(path: &str) -> Option<&'static str> {
    // The core's catalogue (`required_privilege`), for the two services the emulator serves.
    let served = path.starts_with("/arcgis/rest/services/styles/v2/styles/")
        || path.starts_with(super::tiles::TILE_PATH)
        || path.starts_with(super::tiles::SPRITE_PATH)
        || path == "/arcgis/rest/services/World/GeocodeServer/findAddressCandidates";
    served
        .then(|| apikey_credentials::core::privileges::required_privilege(path))
        .flatten()
        .map(|(privilege, _)| privilege)
}

/// A service error with a real HTTP status (location-service style).
pub(super) fn service_error(e: &PortalError) -> Response {
    let status = match e.code {
        499 => StatusCode::UNAUTHORIZED,
        498 => StatusCode::from_u16(498).unwrap_or(StatusCode::UNAUTHORIZED),
        c => StatusCode::from_u16(c).unwrap_or(StatusCode::BAD_REQUEST),
    };
    json_response(status, &error_json(e))
}

/// The tiny gazetteer behind the geocoding service.
pub(super) const GAZETTEER: &[(&str, f64, f64)] = &[
    (
        "380 New York St, Redlands, California, 92373",
        -117.1956,
        34.0564,
    ),
    ("Redlands, California", -117.1825, 34.0556),
    ("Palm Springs, California", -116.5453, 33.8303),
    ("Los Angeles, California", -118.2437, 34.0522),
    ("San Diego, California", -117.1611, 32.7157),
    ("Zurich, Switzerland", 8.5417, 47.3769),
    ("Berlin, Germany", 13.4050, 52.5200),
    ("Paris, France", 2.3522, 48.8566),
    ("London, United Kingdom", -0.1276, 51.5072),
    ("Tokyo, Japan", 139.6917, 35.6895),
];

/// What a service answers: JSON, or a tile's PNG.
enum Answer {
    Json(Value),
    Png(Vec<u8>),
}

/// `/arcgis/rest/services/...`: the basemap style (and its tiles) and geocoding services.
pub async fn service(AxState(shared): AxState<std::sync::Arc<Shared>>, req: Request) -> Response {
    let (req, path) = match parse_request(req).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    shared.stats.total.fetch_add(1, Ordering::Relaxed);
    let now = shared.now();
    let token = req.token();
    let result = (|| -> Result<Answer, PortalError> {
        let privilege =
            service_privilege(&path).ok_or_else(|| PortalError::new(404, "Service not found."))?;
        let state = shared.lock();
        let auth = match state.resolve(token.as_deref(), req.referer().as_deref(), now) {
            Ok(a) => a,
            Err(_) => {
                return Err(PortalError::new(498, "Token Invalid.")
                    .detail("The required authentication information is invalid. The token is either invalid or has expired."))
            }
        };
        let granted = match &auth {
            Auth::Anonymous => {
                return Err(PortalError::new(499, "Token Required.")
                    .detail("The required authentication information is missing."))
            }
            Auth::User(u) => state
                .users
                .get(u)
                .map(|x| x.privileges.clone())
                .unwrap_or_default(),
            Auth::Key { client_id, .. } => {
                shared.stats.with_key.fetch_add(1, Ordering::Relaxed);
                let app = state
                    .apps
                    .get(client_id)
                    .ok_or_else(PortalError::invalid_token)?;
                check_referrer(app, req.referer().as_deref())?;
                app.privileges.clone()
            }
        };
        if !grants(&granted, privilege) {
            return Err(PortalError::forbidden()
                .detail(format!("The API key lacks the privilege {privilege}.")));
        }
        // The answer needs nothing more from the state: drawing a tile must not hold every other
        // request up.
        drop(state);
        Ok(
            if let Some(rest) = path.strip_prefix(super::tiles::TILE_PATH) {
                let (z, y, x) = super::tiles::tile_address(rest)
                    .ok_or_else(|| PortalError::new(404, "Tile not found."))?;
                Answer::Png(super::tiles::png(z, y, x))
            } else if let Some(rest) = path.strip_prefix(super::tiles::SPRITE_PATH) {
                match super::tiles::sprite(rest) {
                    Some(super::tiles::SpriteFile::Index(v)) => Answer::Json(v),
                    Some(super::tiles::SpriteFile::Image(png)) => Answer::Png(png),
                    None => return Err(PortalError::new(404, "Sprite not found.")),
                }
            } else if privilege == "premium:user:basemaps" {
                let name = path.rsplit('/').next().unwrap_or("navigation");
                let host = req
                    .headers
                    .get(axum::http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("127.0.0.1");
                Answer::Json(super::tiles::style(
                    name,
                    &format!("http://{host}"),
                    GAZETTEER,
                ))
            } else {
                let q = req
                    .param("SingleLine")
                    .or(req.param("singleLine"))
                    .unwrap_or("")
                    .trim()
                    .to_lowercase();
                let candidates: Vec<Value> = if q.is_empty() {
                    Vec::new()
                } else {
                    GAZETTEER
                    .iter()
                    .filter(|(name, _, _)| name.to_lowercase().contains(&q))
                    .map(|(name, x, y)| json!({ "address": name, "location": { "x": x, "y": y }, "score": 100, "attributes": {} }))
                    .collect()
                };
                Answer::Json(
                    json!({ "spatialReference": { "wkid": 4326, "latestWkid": 4326 }, "candidates": candidates }),
                )
            },
        )
    })();
    let (resp, code) = match result {
        Ok(Answer::Json(v)) => (json_response(StatusCode::OK, &v), 200),
        Ok(Answer::Png(bytes)) => (
            (
                StatusCode::OK,
                [
                    (axum::http::header::CONTENT_TYPE, "image/png"),
                    (axum::http::header::CACHE_CONTROL, "no-store"),
                ],
                bytes,
            )
                .into_response(),
            200,
        ),
        Err(e) => {
            shared.stats.errors.fetch_add(1, Ordering::Relaxed);
            (service_error(&e), e.code)
        }
    };
    log::line(
        shared.log,
        LogLevel::Info,
        &format!(
            "method={} path={} result={} auth={}",
            req.method,
            path,
            code,
            auth_tag(&None, token.as_deref())
        ),
    );
    resp
}
