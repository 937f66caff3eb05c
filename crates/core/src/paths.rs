//! Where Backoffice keeps its files: profiles in the platform config
//! directory, the demo database in the platform data directory. Both can be
//! moved with an environment variable, which tests use to stay isolated.

use std::path::PathBuf;

use crate::{Error, Result};

pub const CONFIG_DIR_ENV: &str = "BACKOFFICE_CONFIG_DIR";
pub const DATA_DIR_ENV: &str = "BACKOFFICE_DATA_DIR";

fn project_dirs() -> Result<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "backoffice").ok_or_else(|| {
        Error::Unavailable("cannot find a home directory for Backoffice's files".into())
    })
}

pub fn config_dir() -> Result<PathBuf> {
    match std::env::var_os(CONFIG_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => Ok(project_dirs()?.config_dir().to_path_buf()),
    }
}

pub fn data_dir() -> Result<PathBuf> {
    match std::env::var_os(DATA_DIR_ENV) {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => Ok(project_dirs()?.data_dir().to_path_buf()),
    }
}

/// Where an export is offered first: the person's documents folder, else
/// their home folder (never the program's working directory).
pub fn documents_dir() -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    Some(
        dirs.document_dir()
            .filter(|d| d.is_dir())
            .unwrap_or(dirs.home_dir())
            .to_path_buf(),
    )
}
