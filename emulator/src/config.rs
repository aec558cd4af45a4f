//! Command-line flags.

use std::net::IpAddr;
use std::path::PathBuf;

/// `--help` text.
pub const HELP: &str = "\
portal-emulator: a local ArcGIS portal (sharing REST API for API key credentials)

USAGE: portal-emulator [FLAGS]

  --bind ADDR              address to listen on (default 127.0.0.1)
  --port N                 main port (default 8080)
  --alt-port N|none        second origin serving the same site, not in the seeded referrers
                           (default 8081; 0 picks a free port; none disables it)
  --www DIR                static files served at / (the demo page)
  --pkg DIR                the built app package, served at /pkg/ (default: DIR/../pkg), and the
                           owner package beside it (its sibling pkg-owner/) at /pkg-owner/
  --vendor DIR             npm packages served at /vendor/ (the map libraries of the demo and
                           the example pages; default: DIR/../tests/js/node_modules)
  --state FILE             persist state across restarts (written atomically)
  --no-seed                start empty instead of with the demo data
  --demo-password PW       the seeded demo_owner's password (default: random, printed)
  --clock-offset-days N    shift the emulator's clock by N days (may be negative or fractional)
  --helper-origin ORIGIN   another origin allowed to call the /emulator/ helpers (repeatable;
                           by default only the emulator's own two origins may)
  --log LEVEL              error | warn | info | debug (default info)
  --help                   this text
";

/// Log verbosity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// One line per request.
    Info,
    /// Everything.
    Debug,
}

/// The emulator's configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address.
    pub bind: IpAddr,
    /// Main port (0: any free port).
    pub port: u16,
    /// Second origin's port (`None`: disabled).
    pub alt_port: Option<u16>,
    /// Static site directory.
    pub www: Option<PathBuf>,
    /// Built package directory.
    pub pkg: Option<PathBuf>,
    /// npm packages served at `/vendor/` (the map libraries).
    pub vendor: Option<PathBuf>,
    /// State file.
    pub state: Option<PathBuf>,
    /// Seed demo data.
    pub seed: bool,
    /// Fixed password for the seeded owner (random when `None`).
    pub demo_password: Option<String>,
    /// Clock offset in milliseconds.
    pub clock_offset_ms: i64,
    /// Log level.
    pub log: LogLevel,
    /// Origins besides the emulator's own allowed to call `/emulator/*` (a test runner's page).
    pub helper_origins: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            alt_port: Some(8081),
            www: None,
            pkg: None,
            vendor: None,
            state: None,
            seed: true,
            demo_password: None,
            clock_offset_ms: 0,
            log: LogLevel::Info,
            helper_origins: Vec::new(),
        }
    }
}

impl Config {
    /// Parses flags; `Ok(None)` for `--help`.
    pub fn from_args(args: impl IntoIterator<Item = String>) -> Result<Option<Config>, String> {
        let mut c = Config::default();
        let mut it = args.into_iter();
        while let Some(flag) = it.next() {
            let (name, inline) = match flag.split_once('=') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (flag.clone(), None),
            };
            let mut value = |what: &str| -> Result<String, String> {
                inline
                    .clone()
                    .or_else(|| it.next())
                    .ok_or_else(|| format!("{what} needs a value"))
            };
            match name.as_str() {
                "--help" | "-h" => return Ok(None),
                "--bind" => {
                    c.bind = value("--bind")?
                        .parse()
                        .map_err(|_| "--bind: not an IP address".to_string())?
                }
                "--port" => {
                    c.port = value("--port")?
                        .parse()
                        .map_err(|_| "--port: not a port number".to_string())?
                }
                "--alt-port" => {
                    let v = value("--alt-port")?;
                    c.alt_port = if v == "none" {
                        None
                    } else {
                        Some(
                            v.parse()
                                .map_err(|_| "--alt-port: a port number or none".to_string())?,
                        )
                    };
                }
                "--www" => c.www = Some(PathBuf::from(value("--www")?)),
                "--pkg" => c.pkg = Some(PathBuf::from(value("--pkg")?)),
                "--vendor" => c.vendor = Some(PathBuf::from(value("--vendor")?)),
                "--state" => c.state = Some(PathBuf::from(value("--state")?)),
                "--no-seed" => c.seed = false,
                "--helper-origin" => {
                    let o = value("--helper-origin")?;
                    if !(o.starts_with("http://") || o.starts_with("https://")) || o.ends_with('/')
                    {
                        return Err(
                            "--helper-origin: an origin such as http://127.0.0.1:8000".into()
                        );
                    }
                    c.helper_origins.push(o);
                }
                "--demo-password" => c.demo_password = Some(value("--demo-password")?),
                "--clock-offset-days" => {
                    let d: f64 = value("--clock-offset-days")?
                        .parse()
                        .map_err(|_| "--clock-offset-days: not a number".to_string())?;
                    if !d.is_finite() || d.abs() > 100_000.0 {
                        return Err("--clock-offset-days: out of range".to_string());
                    }
                    c.clock_offset_ms = (d * 86_400_000.0) as i64;
                }
                "--log" => {
                    c.log = match value("--log")?.as_str() {
                        "error" => LogLevel::Error,
                        "warn" => LogLevel::Warn,
                        "info" => LogLevel::Info,
                        "debug" => LogLevel::Debug,
                        _ => return Err("--log: one of error, warn, info, debug".to_string()),
                    }
                }
                other => return Err(format!("unknown flag {other}")),
            }
        }
        if c.pkg.is_none() {
            c.pkg = c
                .www
                .as_ref()
                .and_then(|w| w.parent().map(|p| p.join("pkg")));
        }
        if c.vendor.is_none() {
            c.vendor = c
                .www
                .as_ref()
                .and_then(|w| w.parent().map(|p| p.join("tests/js/node_modules")))
                .filter(|d| d.is_dir());
        }
        Ok(Some(c))
    }
}
