//! A local ArcGIS portal that speaks the sharing REST API for API key credentials, closely
//! enough that Esri's JavaScript client works against it unchanged. Used by `make demo` and the
//! tests; see the README for what is emulated and which choices were made where the real
//! portal's behaviour is not documented.

pub mod config;
pub mod log;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tower_http::services::ServeDir;

use config::Config;

/// A running emulator (for tests): the bound addresses and a shutdown handle.
pub struct Running {
    /// Main origin.
    pub addr: SocketAddr,
    /// Second origin, if enabled.
    pub alt_addr: Option<SocketAddr>,
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Base URL of the main origin, e.g. `http://127.0.0.1:8080`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops the servers and waits for them.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// The whole application router.
pub fn app(config: &Config) -> Router {
    let mut router = Router::new();
    if let Some(pkg) = &config.pkg {
        router = router.nest_service("/pkg", ServeDir::new(pkg));
    }
    if let Some(www) = &config.www {
        router = router.fallback_service(ServeDir::new(www).append_index_html_on_directories(true));
    }
    router
}

/// Binds the listeners and serves in the background.
pub async fn start(config: Config) -> std::io::Result<Running> {
    let config = Arc::new(config);
    let (tx, rx) = tokio::sync::watch::channel(false);
    let main = TcpListener::bind(SocketAddr::new(config.bind, config.port)).await?;
    let addr = main.local_addr()?;
    let alt = match config.alt_port {
        Some(p) => Some(TcpListener::bind(SocketAddr::new(config.bind, p)).await?),
        None => None,
    };
    let alt_addr = alt.as_ref().map(|l| l.local_addr()).transpose()?;
    let router = app(&config);
    let mut tasks = Vec::new();
    for listener in std::iter::once(main).chain(alt) {
        let router = router.clone();
        let mut rx = rx.clone();
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(listener, router.into_make_service())
                .with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                })
                .await;
        }));
    }
    Ok(Running {
        addr,
        alt_addr,
        shutdown: tx,
        tasks,
    })
}

/// Runs until Ctrl-C (or SIGTERM).
pub async fn serve(config: Config) -> std::io::Result<()> {
    let level = config.log;
    let running = start(config).await?;
    log::line(
        level,
        log::LogLevel::Error,
        &format!("portal-emulator listening on {}", running.url()),
    );
    println!("Demo:   {}/", running.url());
    println!("Portal: {}/portal/sharing/rest", running.url());
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
