//! A local ArcGIS portal that speaks the sharing REST API for API key credentials, closely
//! enough that Esri's JavaScript client works against it unchanged. Used by `make demo` and the
//! tests; the README lists what is emulated and the choices made where the real portal's
//! behaviour is not documented.

pub mod api;
pub mod config;
pub mod log;
pub mod search;
pub mod seed;
pub mod state;
pub mod store;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::routing::{any, get, post};
use axum::Router;
use tokio::net::TcpListener;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use api::Shared;
use config::Config;
use state::State;
use store::Store;

/// A running emulator: the bound addresses, the demo login, and a shutdown handle.
pub struct Running {
    /// Main origin.
    pub addr: SocketAddr,
    /// Second origin, if enabled.
    pub alt_addr: Option<SocketAddr>,
    /// The seeded owner's username and password (when seeded in this run).
    pub login: Option<(String, String)>,
    /// Shared state (for tests).
    pub shared: Arc<Shared>,
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Base URL of the main origin, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The sharing REST root.
    pub fn rest(&self) -> String {
        format!("http://{}/portal/sharing/rest", self.addr)
    }

    /// Stops the servers and waits for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// How long a client may take to send a request's head (a slow client holding connections open
/// is dropped, as a portal's front end drops it).
pub const HEAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Whether `origin` may call the `/emulator/*` helpers (the demo login among them): the
/// emulator's own origins and those given with `--helper-origin`.
fn helper_origin_allowed(shared: &Shared, origin: &[u8]) -> bool {
    shared.helper_origins.iter().any(|o| o.as_bytes() == origin)
}

/// The whole application router.
pub fn app(config: &Config, shared: Arc<Shared>) -> Router {
    let for_cors = shared.clone();
    let cors = CorsLayer::new()
        // Any origin for the portal and the services (pages on any origin call them); only the
        // emulator's own origins for its helpers.
        .allow_origin(AllowOrigin::predicate(
            move |origin: &HeaderValue, parts| {
                !parts.uri.path().starts_with("/emulator/")
                    || helper_origin_allowed(&for_cors, origin.as_bytes())
            },
        ))
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        // Mirror the requested headers: a `*` would not cover Authorization.
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::DATE])
        .max_age(std::time::Duration::from_secs(600));
    let mut router = Router::new()
        .route("/portal/sharing/rest", any(api::sharing))
        .route("/portal/sharing/rest/", any(api::sharing))
        .route("/portal/sharing/rest/{*rest}", any(api::sharing))
        .route("/arcgis/rest/services/{*rest}", any(api::service))
        .route("/emulator/seeded-keys", get(api::seeded_keys))
        .route("/emulator/stats", get(api::stats))
        .route("/emulator/demo-login", get(api::demo_login))
        .route("/emulator/expire-sign-ins", post(api::expire_sign_ins))
        .route("/emulator/slow", get(api::slow))
        .route("/emulator/not-json", get(api::not_json))
        .route("/emulator/truncated", get(api::truncated))
        .route(
            "/emulator/error-body/{kind}",
            get(api::error_body).post(api::error_body),
        )
        // The same under any path: a "portal" that answers every call with the body.
        .route(
            "/emulator/error-body/{kind}/{*rest}",
            any(api::error_body_anywhere),
        )
        .route("/emulator/status/{code}", get(api::status))
        .with_state(shared.clone());
    if let Some(pkg) = &config.pkg {
        router = router.nest_service("/pkg", ServeDir::new(pkg));
        // The owner package is built next to the app package (scripts/build.sh).
        if let Some(owner) = pkg.parent().map(|p| p.join("pkg-owner")) {
            router = router.nest_service("/pkg-owner", ServeDir::new(owner));
        }
    }
    if let Some(vendor) = &config.vendor {
        router = router.nest_service("/vendor", ServeDir::new(vendor));
    }
    if let Some(www) = &config.www {
        router = router.fallback_service(ServeDir::new(www).append_index_html_on_directories(true));
    }
    let clock = shared.clone();
    let guard = shared.clone();
    router
        .layer(middleware::from_fn(
            move |req: axum::extract::Request, next: Next| {
                // The helpers refuse a page on another origin outright: hiding the answer (CORS) is
                // not enough for the ones that change state.
                let guard = guard.clone();
                async move {
                    let foreign = req.uri().path().starts_with("/emulator/")
                        && req
                            .headers()
                            .get(header::ORIGIN)
                            .is_some_and(|o| !helper_origin_allowed(&guard, o.as_bytes()));
                    if foreign {
                        return (
                            StatusCode::FORBIDDEN,
                            "The emulator's helpers answer only its own origins.",
                        )
                            .into_response();
                    }
                    next.run(req).await
                }
            },
        ))
        .layer(middleware::from_fn(refuse_large_bodies))
        .layer(middleware::from_fn(move |req, next: Next| {
            let clock = clock.clone();
            async move {
                let mut resp = next.run(req).await;
                resp.headers_mut()
                    .insert(header::DATE, api::date_header(clock.now()));
                resp
            }
        }))
        .layer(cors)
        .layer(middleware::from_fn(no_sharing_preflight))
        .layer(middleware::from_fn_with_state(
            shared.clone(),
            count_preflights,
        ))
}

/// The sharing API does not take part in CORS preflights (arcgis-rest-js forces browsers to POST
/// for that reason: "Sharing API does not support preflight check"): a preflight under
/// `/portal/sharing/rest` gets an answer without any `Access-Control-Allow-*` header, so the
/// browser refuses the request, as with the real portal. Plain POSTs and GETs (no custom
/// header) need no preflight and keep working cross-origin.
async fn no_sharing_preflight(req: axum::extract::Request, next: Next) -> axum::response::Response {
    let is_preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if is_preflight && req.uri().path().starts_with("/portal/sharing/rest") {
        return axum::response::IntoResponse::into_response(axum::http::StatusCode::OK);
    }
    next.run(req).await
}

/// Counts CORS preflights (`/emulator/stats`: what a page's calls cost in round trips).
async fn count_preflights(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    req: axum::extract::Request,
    next: Next,
) -> axum::response::Response {
    if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        shared
            .stats
            .preflights
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    next.run(req).await
}

/// A body declared larger than [`api::MAX_BODY`] is refused at once with 413, before any of it
/// is read (a client declaring 100 GB and sending nothing must not hold a handler).
async fn refuse_large_bodies(req: axum::extract::Request, next: Next) -> axum::response::Response {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > api::MAX_BODY as u64) {
        let e = state::PortalError::new(413, "Request entity too large.")
            .detail(format!("The body exceeds {} bytes.", api::MAX_BODY));
        let mut resp = (
            StatusCode::PAYLOAD_TOO_LARGE,
            axum::Json(api::error_json(&e)),
        )
            .into_response();
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return resp;
    }
    next.run(req).await
}

/// Serves `router` on `listener` until `stop` turns true: HTTP/1.1 with keep-alive, no Nagle
/// delay, and [`HEAD_TIMEOUT`] for each request head. (axum::serve sets no timer, so it cannot
/// time a head out.) Open connections are dropped at stop.
async fn serve_listener(
    listener: TcpListener,
    router: Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => break,
        };
        // Reap finished connections so the set does not grow without bound.
        while connections.try_join_next().is_some() {}
        let Ok((tcp, _)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        connections.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .keep_alive(true);
            let _ = builder
                .serve_connection(hyper_util::rt::TokioIo::new(tcp), service)
                .await;
        });
    }
    connections.shutdown().await;
}

/// Loads or seeds the state, binds the listeners and serves in the background.
pub async fn start(config: Config) -> std::io::Result<Running> {
    let main = TcpListener::bind(SocketAddr::new(config.bind, config.port)).await?;
    let addr = main.local_addr()?;
    let alt = match config.alt_port {
        Some(p) => Some(TcpListener::bind(SocketAddr::new(config.bind, p)).await?),
        None => None,
    };
    let alt_addr = alt.as_ref().map(|l| l.local_addr()).transpose()?;

    let store = config.state.as_ref().map(Store::new);
    let now = chrono::Utc::now()
        .timestamp_millis()
        .saturating_add(config.clock_offset_ms);
    let loaded = match &store {
        Some(s) => s.load().map_err(std::io::Error::other)?,
        None => None,
    };
    let mut login = None;
    let mut oauth_client_id = None;
    let mut seeded_keys = Vec::new();
    let state = match loaded {
        Some(s) => s,
        None => {
            let mut s = State::new("Local portal (emulated)");
            if config.seed {
                let origins = vec![
                    format!("http://127.0.0.1:{}", addr.port()),
                    format!("http://localhost:{}", addr.port()),
                ];
                let mut oauth_origins = origins.clone();
                if let Some(a) = alt_addr {
                    oauth_origins.push(format!("http://127.0.0.1:{}", a.port()));
                    oauth_origins.push(format!("http://localhost:{}", a.port()));
                }
                let seeded = seed::seed(
                    &mut s,
                    &origins,
                    &oauth_origins,
                    config.demo_password.clone(),
                    now,
                );
                login = Some((seeded.owner.clone(), seeded.owner_password.clone()));
                oauth_client_id = Some(seeded.oauth_client_id.clone());
                println!(
                    "OAuth app (sign in with OAuth 2.0 and PKCE): client id {}",
                    seeded.oauth_client_id
                );
                println!(
                    "username: {}  password: {}",
                    seeded.owner, seeded.owner_password
                );
                println!(
                    "username: demo_viewer  password: {}  (a Viewer: cannot create API keys)",
                    seeded.viewer_password
                );
                println!(
                    "Seeded keys allow the referrers: {} (to call from another origin, append it to the list: updateReferrers, see the owner package's README)",
                    origins.join(", ")
                );
                seeded_keys = seeded.keys;
            }
            if let Some(st) = &store {
                st.save(&s).map_err(std::io::Error::other)?;
            }
            s
        }
    };
    let mut helper_origins = Vec::new();
    for port in std::iter::once(addr.port()).chain(alt_addr.map(|a| a.port())) {
        for host in [addr.ip().to_string(), "localhost".to_string()] {
            helper_origins.push(format!("http://{host}:{port}"));
        }
    }
    helper_origins.extend(config.helper_origins.iter().cloned());
    let shared = Arc::new(Shared {
        helper_origins,
        state: Mutex::new(state),
        store,
        clock_offset_ms: config.clock_offset_ms,
        log: config.log,
        seeded: Mutex::new(seeded_keys),
        stats: Default::default(),
        demo_login: login.clone(),
        oauth_client_id,
    });
    let (tx, rx) = tokio::sync::watch::channel(false);
    let router = app(&config, shared.clone());
    let mut tasks = Vec::new();
    for listener in std::iter::once(main).chain(alt) {
        tasks.push(tokio::spawn(serve_listener(
            listener,
            router.clone(),
            rx.clone(),
        )));
    }
    Ok(Running {
        addr,
        alt_addr,
        login,
        shared,
        shutdown: tx,
        tasks,
    })
}

/// Runs until Ctrl-C (or SIGTERM).
pub async fn serve(config: Config) -> std::io::Result<()> {
    let running = start(config).await?;
    println!("Demo:   {}/", running.url());
    println!("Portal: {}", running.rest());
    if let Some(a) = running.alt_addr {
        println!("Second origin (not in the seeded referrers): http://{a}/");
    }
    wait_for_signal().await;
    println!("portal-emulator: stopping");
    running.stop().await;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
