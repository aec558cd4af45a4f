//! The state file: JSON, written atomically (temp file, fsync, rename, fsync of the folder), so a
//! crash at any moment leaves either the previous or the new state, never a torn one.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::state::{State, SCHEMA_VERSION};

/// Where the state lives.
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// A store at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Store { path: path.into() }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the state; `Ok(None)` when the file does not exist.
    pub fn load(&self) -> Result<Option<State>, String> {
        let text = match fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", self.path.display())),
        };
        let mut state: State = serde_json::from_slice(&text).map_err(|e| {
            format!(
                "{} is not a valid state file ({e}); move it away to start fresh",
                self.path.display()
            )
        })?;
        if state.version != SCHEMA_VERSION {
            return Err(format!(
                "{} has schema version {}, this emulator reads {SCHEMA_VERSION}",
                self.path.display(),
                state.version
            ));
        }
        state.reindex();
        Ok(Some(state))
    }

    /// Writes the state atomically.
    pub fn save(&self, state: &State) -> Result<(), String> {
        let bytes =
            serde_json::to_vec(state).map_err(|e| format!("cannot serialise state: {e}"))?;
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            fs::rename(&tmp, &self.path)?;
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| format!("cannot write {}: {e}", self.path.display()))
    }
}
