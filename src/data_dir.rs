//! The on-disk layout of `--data-dir`: the document store (`store.sqlite`), the search index
//! (`tantivy/`) and the writer lock (`quotewire.lock`).
//!
//! Owns where things live, telling a quotewire data directory from anything else, and the lock
//! that keeps two writing processes (two daemons, a daemon and an `ingest`) off one directory.
//! Reading never creates anything: a mistyped path is an error, and a read-only directory can
//! still be searched. It opens the store and the index; it does no work with them.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use crate::index::{IndexError, SearchIndex};
use crate::store::{SqliteStore, StoreError};

const STORE_FILE: &str = "store.sqlite";
const INDEX_DIR: &str = "tantivy";
const LOCK_FILE: &str = "quotewire.lock";

/// Errors of the data directory. All but `Store` and `Index` are the operator's to fix.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error("there is no quotewire data at {path} (no store.sqlite, no tantivy/ index){hint}")]
    NoData { path: PathBuf, hint: String },
    #[error("--data-dir {path} is a file, not a directory: give the directory that holds store.sqlite")]
    NotADirectory { path: PathBuf },
    #[error(
        "the search index in {path} is missing: run `quotewire --data-dir {path} reindex` to rebuild it from the store"
    )]
    MissingIndex { path: PathBuf },
    #[error(
        "{path} is in use by another quotewire process ({holder}); wait for it to finish, stop it, or use another --data-dir"
    )]
    Locked { path: PathBuf, holder: String },
    #[error("cannot write to the data directory {path}: {source}")]
    NotWritable { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl DataDirError {
    /// Whether the operator has to fix the environment (exit status 2), as opposed to a
    /// failure while working with the data.
    pub fn is_environment(&self) -> bool {
        match self {
            DataDirError::Store(e) => e.is_environment(),
            DataDirError::Index(IndexError::Version { .. } | IndexError::Open { .. }) => true,
            DataDirError::Index(_) => false,
            _ => true,
        }
    }
}

/// A data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    pub root: PathBuf,
}

/// Bytes on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DiskUsage {
    pub store_bytes: u64,
    pub index_bytes: u64,
}

impl DataDir {
    pub fn new(root: impl Into<PathBuf>) -> DataDir {
        DataDir { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn store_path(&self) -> PathBuf {
        self.root.join(STORE_FILE)
    }

    pub fn index_path(&self) -> PathBuf {
        self.root.join(INDEX_DIR)
    }

    pub fn lock_path(&self) -> PathBuf {
        self.root.join(LOCK_FILE)
    }

    /// Whether the directory holds quotewire data (a store or an index).
    pub fn has_data(&self) -> bool {
        self.store_path().is_file() || self.index_path().join("meta.json").is_file()
    }

    /// Checks that the directory exists and holds quotewire data, without creating anything.
    pub fn check_existing(&self) -> Result<(), DataDirError> {
        if self.root.is_file() {
            return Err(DataDirError::NotADirectory { path: self.root.clone() });
        }
        if self.has_data() {
            return Ok(());
        }
        // After `quotewire demo` the data is in `<data-dir>/demo`: say so.
        let demo = DataDir::new(self.root.join("demo"));
        let hint = if demo.has_data() {
            format!("; `quotewire demo` wrote its data to {0}: add `--data-dir {0}`", demo.root.display())
        } else {
            "; check --data-dir, or run `quotewire ingest` (or `quotewire demo`) first".to_string()
        };
        Err(DataDirError::NoData { path: self.root.clone(), hint })
    }

    /// Opens the store for reading (never creates it; works on a read-only directory).
    pub fn open_store(&self) -> Result<SqliteStore, DataDirError> {
        Ok(SqliteStore::open_read_only(&self.existing_store_path()?)?)
    }

    /// The store of a directory that must already hold quotewire data.
    fn existing_store_path(&self) -> Result<PathBuf, DataDirError> {
        self.check_existing()?;
        let path = self.store_path();
        if !path.is_file() {
            return Err(DataDirError::NoData {
                path: self.root.clone(),
                hint: "; the index is here but the store is not: the store is the source of truth, ingest again"
                    .to_string(),
            });
        }
        Ok(path)
    }

    /// Opens the search index for reading (never creates it; works on a read-only directory).
    pub fn open_index(&self) -> Result<SearchIndex, DataDirError> {
        self.check_existing()?;
        if !self.index_path().join("meta.json").is_file() {
            return Err(DataDirError::MissingIndex { path: self.root.clone() });
        }
        Ok(SearchIndex::open_existing(&self.index_path())?)
    }

    /// Opens the store of a directory that must already hold quotewire data, for a small
    /// write (watches): never creates a data directory, takes no writer lock.
    pub fn open_store_for_update(&self) -> Result<SqliteStore, DataDirError> {
        Ok(SqliteStore::open(&self.existing_store_path()?)?)
    }

    /// Creates the directory if needed, for a writing command.
    pub fn create(&self) -> Result<(), DataDirError> {
        if self.root.is_file() {
            return Err(DataDirError::NotADirectory { path: self.root.clone() });
        }
        std::fs::create_dir_all(&self.root)
            .map_err(|source| DataDirError::NotWritable { path: self.root.clone(), source })
    }

    /// Opens (creating and migrating if needed) the store for writing.
    pub fn open_store_for_writing(&self) -> Result<SqliteStore, DataDirError> {
        self.create()?;
        Ok(SqliteStore::open(&self.store_path())?)
    }

    /// Opens (creating if needed) the index for writing.
    pub fn open_index_for_writing(&self) -> Result<SearchIndex, DataDirError> {
        self.create()?;
        Ok(SearchIndex::open_or_create(&self.index_path())?)
    }

    /// Takes the writer lock: one writing process per data directory. `command` describes the
    /// holder for the error the next one gets. Released when the returned guard is dropped or
    /// the process dies (kill -9 included: the kernel drops the lock).
    pub fn lock(&self, command: &str) -> Result<WriterLock, DataDirError> {
        self.create()?;
        let path = self.lock_path();
        let not_writable = |source| DataDirError::NotWritable { path: self.root.clone(), source };
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(not_writable)?;
        // SAFETY: flock on a descriptor we own; no memory is shared with the kernel.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if !locked {
            let error = std::io::Error::last_os_error();
            if error.raw_os_error() != Some(libc::EWOULDBLOCK) {
                return Err(not_writable(error));
            }
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let holder = if holder.is_empty() { "another process".to_string() } else { holder.to_string() };
            return Err(DataDirError::Locked { path: self.root.clone(), holder });
        }
        let description = format!(
            "pid {}, `quotewire {command}` since {}",
            std::process::id(),
            chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        file.set_len(0).map_err(not_writable)?;
        file.rewind().map_err(not_writable)?;
        file.write_all(description.as_bytes()).map_err(not_writable)?;
        Ok(WriterLock { file })
    }

    /// The process holding the writer lock now, if any (found without taking the lock).
    pub fn writer(&self) -> Option<String> {
        let mut file = File::open(self.lock_path()).ok()?;
        // SAFETY: flock on a descriptor we own.
        let free = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_SH | libc::LOCK_NB) } == 0;
        if free {
            // SAFETY: as above; releases the shared lock just taken.
            unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
            return None;
        }
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        Some(holder.trim().to_string()).filter(|h| !h.is_empty()).or(Some("another process".to_string()))
    }

    /// Bytes used by the store (with its WAL) and the index.
    pub fn disk_usage(&self) -> DiskUsage {
        let store_bytes = ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(self.root.join(format!("{STORE_FILE}{suffix}"))).ok())
            .map(|m| m.len())
            .sum();
        DiskUsage { store_bytes, index_bytes: dir_size(&self.index_path()) }
    }
}

/// The writer lock; held while it lives.
#[derive(Debug)]
pub struct WriterLock {
    file: File,
}

impl Drop for WriterLock {
    /// Unlocks before the descriptor closes: a child process forked meanwhile (by any thread)
    /// holds a copy of the descriptor until it execs, and the lock belongs to the open file
    /// both share, so closing ours alone would leave the directory locked for that moment.
    fn drop(&mut self) {
        // SAFETY: flock on a descriptor we own.
        unsafe { libc::flock(self.file.as_raw_fd(), libc::LOCK_UN) };
    }
}

fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else { return 0 };
    entries
        .filter_map(Result::ok)
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => dir_size(&entry.path()),
            Ok(t) if t.is_file() => entry.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_a_directory_without_data_creates_nothing_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path().join("missing"));
        let err = data.open_index().err().unwrap();
        assert!(matches!(err, DataDirError::NoData { .. }), "{err}");
        assert!(err.to_string().contains("no quotewire data"), "{err}");
        assert!(data.open_store().is_err());
        assert!(!data.root().exists(), "reading must not create the directory");

        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let err = DataDir::new(&file).open_index().err().unwrap();
        assert!(err.to_string().contains("is a file"), "{err}");
    }

    #[test]
    fn the_demo_directory_is_pointed_out() {
        let dir = tempfile::tempdir().unwrap();
        DataDir::new(dir.path().join("demo")).open_store_for_writing().unwrap();
        let err = DataDir::new(dir.path()).check_existing().err().unwrap();
        assert!(err.to_string().contains("demo"), "{err}");
    }

    #[test]
    fn a_second_writer_is_refused_until_the_first_releases_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let first = data.lock("run").unwrap();
        let err = data.lock("ingest").err().unwrap();
        let message = err.to_string();
        assert!(matches!(err, DataDirError::Locked { .. }), "{message}");
        assert!(
            message.contains(&format!("pid {}", std::process::id())) && message.contains("quotewire run"),
            "{message}"
        );
        assert!(data.writer().is_some_and(|w| w.contains("quotewire run")));
        drop(first);
        assert_eq!(data.writer(), None);
        assert!(data.lock("ingest").is_ok());
    }

    #[test]
    fn a_released_lock_is_free_even_while_a_forked_child_still_holds_a_copy_of_its_descriptor() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let first = data.lock("ingest").unwrap();
        // What a child forked by another thread holds until it execs: a copy of the descriptor.
        // SAFETY: dup of a descriptor we own; the copy is closed below.
        let copy = unsafe { libc::dup(first.file.as_raw_fd()) };
        assert!(copy >= 0);
        drop(first);
        let next = data.lock("ingest");
        // SAFETY: closes the copy made above.
        unsafe { libc::close(copy) };
        assert!(next.is_ok(), "{:?}", next.err());
    }
}
