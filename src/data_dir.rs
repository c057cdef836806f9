//! The on-disk layout of `--data-dir`: the document store (`store.sqlite`), the search index
//! (`tantivy/`) and the writer lock (`quotewire.lock`).
//!
//! Owns where things live, telling a quotewire data directory from anything else, and the lock
//! that keeps two writing processes (two daemons, a daemon and an `ingest`) off one directory.
//! Reading never creates anything: a mistyped path is an error, and a read-only directory can
//! still be searched. It opens the store and the index; it does no work with them.
//!
//! The store a command is about is the directory's own SQLite store unless `--store` names
//! a PostgreSQL one ([`DataDir::open_store_at`]); the local index then follows that store.
//! Which store an index follows is recorded beside it (the store's identity, see
//! [`crate::store::identity`]), and an index is never read or written as another store's
//! ([`DataDir::check_index_follows`]).

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use std::sync::{Arc, Mutex};

use crate::index::{IndexError, SearchIndex};
use crate::store::{DocumentStore, PostgresStore, SharedStore, SqliteStore, Store, StoreError, StoreUrl};

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
    #[error(
        "--store sqlite:{given}: the SQLite store is the one in --data-dir ({own}); give --data-dir instead, or --store postgres://..."
    )]
    OtherSqliteStore { given: PathBuf, own: PathBuf },
    #[error(
        "the search index in {path} follows {followed}, not {store}: run `quotewire --data-dir {path} {reindex}` to rebuild it from this store, or give the --data-dir (or --store) it belongs to"
    )]
    ForeignIndex { path: PathBuf, followed: String, store: String, reindex: String },
    #[error(
        "the search index in {path} follows the PostgreSQL store {followed} and {path} holds no store of its own: give that store with --store postgres://... (or QUOTEWIRE_STORE)"
    )]
    IndexOfSharedStore { path: PathBuf, followed: String },
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

/// How a command uses the store it opens ([`DataDir::open_store_at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreAccess {
    /// Reading only: the SQLite store opened read-only, never created (a read-only data
    /// directory can be read).
    Read,
    /// Small writes (watches) to a store that must exist; no writer lock.
    Update,
    /// A writing command, under the writer lock: the SQLite store (and the data directory)
    /// is created if needed and given its identity.
    Write,
}

/// Where the index's record of the store it follows lives, inside the index directory.
const FOLLOWED_STORE_FILE: &str = "quotewire-store-id";

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

    /// The PostgreSQL URL `--store` names, or `None` for this directory's own SQLite store
    /// (no `--store`, or `sqlite:` naming that file). Another SQLite file is an error: the
    /// SQLite store is always the one in the data directory.
    pub fn postgres_url<'a>(&self, store: Option<&'a StoreUrl>) -> Result<Option<&'a str>, DataDirError> {
        match store {
            Some(StoreUrl::Postgres(url)) => Ok(Some(url)),
            Some(StoreUrl::Sqlite(path)) if !same_file(path, &self.store_path()) => {
                Err(DataDirError::OtherSqliteStore { given: path.clone(), own: self.store_path() })
            }
            _ => Ok(None),
        }
    }

    /// Opens the store a command is about: the PostgreSQL store `--store` names, else this
    /// directory's SQLite store, as `access` needs it. A PostgreSQL store is connected to and
    /// migrated whatever the access (it exists once its database does).
    pub fn open_store_at(&self, store: Option<&StoreUrl>, access: StoreAccess) -> Result<SharedStore, DataDirError> {
        self.open_either(
            store,
            access,
            |s| -> SharedStore { Arc::new(Mutex::new(s)) },
            |s| -> SharedStore { Arc::new(Mutex::new(s)) },
        )
    }

    /// [`DataDir::open_store_at`] for one owner (a second connection, a task of its own).
    pub fn open_store_boxed(
        &self,
        store: Option<&StoreUrl>,
        access: StoreAccess,
    ) -> Result<Box<dyn Store>, DataDirError> {
        self.open_either(store, access, |s| -> Box<dyn Store> { Box::new(s) }, |s| -> Box<dyn Store> { Box::new(s) })
    }

    fn open_either<T>(
        &self,
        store: Option<&StoreUrl>,
        access: StoreAccess,
        sqlite: impl FnOnce(SqliteStore) -> T,
        postgres: impl FnOnce(PostgresStore) -> T,
    ) -> Result<T, DataDirError> {
        if let Some(url) = self.postgres_url(store)? {
            return Ok(postgres(PostgresStore::open(url)?));
        }
        Ok(sqlite(match access {
            StoreAccess::Read => self.open_store()?,
            StoreAccess::Update => self.open_store_for_update()?,
            StoreAccess::Write => {
                let mut store = self.open_store_for_writing()?;
                crate::store::identity(&mut store)?;
                store
            }
        }))
    }

    /// How messages name the store `--store` names (see [`DataDir::postgres_url`]).
    pub fn store_name(&self, store: Option<&StoreUrl>) -> StoreName {
        match store {
            Some(url @ StoreUrl::Postgres(_)) => {
                StoreName { name: url.to_string(), reindex: format!("reindex --store '{url}'"), shared: true }
            }
            _ => StoreName {
                name: format!("sqlite:{}", self.store_path().display()),
                reindex: "reindex".to_string(),
                shared: false,
            },
        }
    }

    /// The identity of the store the index in this directory follows, as recorded by the
    /// last writer that followed one (`None`: an index from before stores had identities,
    /// or none yet).
    pub fn followed_store(&self) -> Option<String> {
        crate::ids::read_record(&self.index_path().join(FOLLOWED_STORE_FILE))
    }

    /// Checks that the index in this directory follows `store` (`shown`: how to name it),
    /// or follows none yet; with `record`, records that it follows `store` from now on.
    ///
    /// An index that records no store is one from before stores had identities: it follows
    /// this directory's SQLite store, or is empty and may follow any. A PostgreSQL store
    /// (`shared`) never adopts a non-empty index that does not name it.
    pub fn check_index_follows(
        &self,
        index: &SearchIndex,
        store: &dyn DocumentStore,
        shown: &StoreName,
        record: bool,
    ) -> Result<(), DataDirError> {
        let store_id = crate::store::existing_identity(store)?;
        let followed = self.followed_store();
        let foreign = |followed: String| DataDirError::ForeignIndex {
            path: self.root.clone(),
            followed,
            store: match &store_id {
                Some(id) => format!("{} (store {id})", shown.name),
                None => shown.name.clone(),
            },
            reindex: shown.reindex.clone(),
        };
        match (&followed, &store_id) {
            (Some(f), Some(s)) if f == s => return Ok(()),
            (Some(f), _) => {
                let own = self.store_path().is_file().then(|| SqliteStore::open_read_only(&self.store_path()));
                let own_id = own.and_then(Result::ok).and_then(|s| crate::store::existing_identity(&s).ok().flatten());
                return Err(foreign(match own_id {
                    Some(own) if own == *f => format!("this directory's SQLite store (store {f})"),
                    _ => format!("another store (store {f})"),
                }));
            }
            (None, _) => {
                let empty = index.indexed_through()?.is_none() && index.document_count()? == 0;
                if shown.shared && !empty {
                    return Err(foreign(
                        "a store it does not name (it was built before indexes recorded their store)".to_string(),
                    ));
                }
            }
        }
        match store_id {
            Some(id) if record => self.record_followed_store(&id),
            _ => Ok(()),
        }
    }

    /// Records that the index in this directory follows the store with identity `id`
    /// (`reindex`, which rebuilds the index from that store).
    pub fn record_followed_store(&self, id: &str) -> Result<(), DataDirError> {
        crate::index::write_atomically(&self.index_path().join(FOLLOWED_STORE_FILE), &format!("{id}\n"))
            .map_err(|source| DataDirError::NotWritable { path: self.index_path(), source })
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

/// How [`DataDir::check_index_follows`] names a store in its error ([`DataDir::store_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreName {
    /// `sqlite:PATH` or the PostgreSQL URL without its password.
    pub name: String,
    /// The `reindex` invocation that rebuilds the index from this store.
    pub reindex: String,
    /// Whether it is a PostgreSQL store (which never adopts an unmarked, non-empty index).
    pub shared: bool,
}

/// Whether two paths name one file (the second may not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => absolute(a) == absolute(b),
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
    fn an_index_follows_one_store_and_refuses_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let shared = data.open_store_at(None, StoreAccess::Write).unwrap();
        let own = crate::store::existing_identity(&*shared.lock().unwrap()).unwrap().expect("made for writing");
        let index = data.open_index_for_writing().unwrap();
        let name = data.store_name(None);
        // A new index adopts the store, and records it.
        data.check_index_follows(&index, &*shared.lock().unwrap(), &name, true).unwrap();
        assert_eq!(data.followed_store().as_deref(), Some(own.as_str()));
        // Another store (another identity) is refused, naming both and the way out.
        let mut other = SqliteStore::in_memory().unwrap();
        crate::store::identity(&mut other).unwrap();
        let pg =
            StoreName { name: "postgres://q@127.0.0.1/x".into(), reindex: "reindex --store X".into(), shared: true };
        let err = data.check_index_follows(&index, &other, &pg, true).unwrap_err().to_string();
        assert!(err.contains(&format!("follows this directory's SQLite store (store {own})")), "{err}");
        assert!(err.contains("postgres://q@127.0.0.1/x") && err.contains("reindex --store X"), "{err}");
        assert_eq!(data.followed_store().as_deref(), Some(own.as_str()), "a refusal records nothing");
    }

    #[test]
    fn an_index_from_before_store_identities_is_never_taken_for_a_shared_stores() {
        use crate::index::IndexSink;
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path());
        let index = data.open_index_for_writing().unwrap();
        let mut sink = index.writer(15_000_000).unwrap();
        sink.upsert_article(&crate::store::test_records::article("a1")).unwrap();
        sink.commit_through(1).unwrap();
        drop(sink);
        let mut store = SqliteStore::in_memory().unwrap();
        crate::store::identity(&mut store).unwrap();
        let pg =
            StoreName { name: "postgres://q@127.0.0.1/x".into(), reindex: "reindex --store X".into(), shared: true };
        let err = data.check_index_follows(&index, &store, &pg, true).unwrap_err().to_string();
        assert!(err.contains("a store it does not name (it was built before indexes recorded their store)"), "{err}");
        // The directory's own store takes it over (it can only have been built from it).
        let own = StoreName { shared: false, ..pg };
        data.check_index_follows(&index, &store, &own, true).unwrap();
        assert!(data.followed_store().is_some());
    }

    #[test]
    fn another_sqlite_file_is_not_a_store_for_this_directory() {
        let dir = tempfile::tempdir().unwrap();
        let data = DataDir::new(dir.path().join("data"));
        let own = StoreUrl::Sqlite(data.store_path());
        assert_eq!(data.postgres_url(Some(&own)).unwrap(), None);
        let elsewhere = StoreUrl::Sqlite(dir.path().join("elsewhere.sqlite"));
        let err = data.open_store_at(Some(&elsewhere), StoreAccess::Write).err().unwrap();
        assert!(matches!(err, DataDirError::OtherSqliteStore { .. }), "{err}");
        assert!(!data.root().exists(), "nothing created");
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
