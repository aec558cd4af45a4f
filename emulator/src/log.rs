//! Structured one-line logs (`key=value`), filtered by level. Raw keys, tokens and passwords are
//! never passed here: callers log masked values only.

pub use crate::config::LogLevel;

/// Writes a line to stderr when `level` passes the configured `threshold`.
pub fn line(threshold: LogLevel, level: LogLevel, msg: &str) {
    if level <= threshold {
        let tag = match level {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        };
        eprintln!("level={tag} {msg}");
    }
}
