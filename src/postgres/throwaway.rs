//! A throwaway PostgreSQL cluster for tests and benchmarks: `initdb` in a fresh temporary
//! directory, one `postgres` listening only on 127.0.0.1 on a free port (its unix socket in
//! the same directory), fsync off. Nothing here is used by the product's own commands.
//!
//! PostgreSQL refuses to run as root, so when the process is root the server runs as an
//! unprivileged user (`postgres`, or `QUOTEWIRE_PG_USER`) owning the directory.
//!
//! The server runs under a small shell supervisor whose stdin is a pipe from this process:
//! when [`Cluster`] is dropped, or this process ends for any reason (even `kill -9`), the
//! pipe closes, and the supervisor stops the server with an immediate shutdown (SIGQUIT,
//! what `pg_ctl stop -m immediate` sends) and removes the directory. A cluster shared by a
//! whole test binary ([`shared`]) is a static that is never dropped; the pipe still stops it.
//!
//! Where the server binaries are missing, [`test_database`] prints why the test is skipped
//! and returns `None`, unless `QUOTEWIRE_PG_REQUIRED` is set (as `.ci/run` does), in which
//! case a missing server is a failure.

use std::io::Read;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Set (to anything but empty or `0`) to make a missing PostgreSQL a test failure, not a skip.
pub const REQUIRED_ENV: &str = "QUOTEWIRE_PG_REQUIRED";
/// The unprivileged user the server runs as when this process is root.
pub const USER_ENV: &str = "QUOTEWIRE_PG_USER";
/// The superuser `initdb` creates; tests connect as it (trust authentication, loopback only).
pub const SUPERUSER: &str = "postgres";

/// How long initialising and starting may take before we give up (a loaded 2-core machine
/// takes a few seconds).
const START_TIMEOUT: Duration = Duration::from_secs(120);
/// Attempts with a new port when another process took the free port we picked.
const START_ATTEMPTS: usize = 3;

/// Initialises the cluster and runs the server; our stdin reaching EOF means "stop":
/// immediate shutdown, then the directory goes. Initialising here too means a process
/// killed during `initdb` leaves nothing behind either. `$1` initdb, `$2` postgres, `$3`
/// directory, `$4` port, `$5` superuser.
const SUPERVISOR: &str = r#"
if ! "$1" -D "$3/data" -U "$5" --auth=trust -E UTF8 --locale=C --no-sync >"$3/initdb.log" 2>&1 </dev/null; then
  : >"$3/initdb.failed"
  cat >/dev/null
  rm -rf "$3"
  exit 1
fi
"$2" -D "$3/data" -h 127.0.0.1 -p "$4" -k "$3" -F \
  -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 \
  >"$3/server.log" 2>&1 </dev/null &
pg=$!
echo "$pg" >"$3/server.pid"
cat >/dev/null
# A background command of a non-interactive shell starts with SIGQUIT ignored, until the
# server sets its own handler: repeat until it has exited.
while kill -QUIT "$pg" 2>/dev/null; do
  state=$(cut -d' ' -f3 "/proc/$pg/stat" 2>/dev/null)
  if [ -z "$state" ] || [ "$state" = Z ]; then break; fi
  sleep 0.1
done
wait "$pg"
rm -rf "$3"
"#;

/// Errors of starting a throwaway cluster.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "no PostgreSQL server binaries (initdb, postgres) on PATH or in /usr/lib/postgresql/*/bin: install Debian's `postgresql`"
    )]
    NoBinaries,
    #[error("running as root, and the user `{0}` to run PostgreSQL as does not exist: create it or set {USER_ENV}")]
    NoUser(String),
    #[error("{what}: {source}")]
    Io { what: String, source: std::io::Error },
    #[error("initdb failed: {0}")]
    Initdb(String),
    #[error("the throwaway PostgreSQL server did not start: {0}")]
    Start(String),
    #[error("cannot create database `{name}`: {message}")]
    CreateDatabase { name: String, message: String },
}

/// Where `initdb` and `postgres` are.
#[derive(Debug, Clone)]
pub struct ServerBinaries {
    pub initdb: PathBuf,
    pub postgres: PathBuf,
}

/// Finds the server binaries on PATH, else in Debian's `/usr/lib/postgresql/<version>/bin`
/// (newest version first), where the `postgresql` package puts them.
pub fn find_binaries() -> Option<ServerBinaries> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .collect();
    versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    dirs.extend(versioned.into_iter().map(|(_, dir)| dir));
    dirs.into_iter().find_map(|dir| {
        let (initdb, postgres) = (dir.join("initdb"), dir.join("postgres"));
        (initdb.is_file() && postgres.is_file()).then_some(ServerBinaries { initdb, postgres })
    })
}

/// Whether `QUOTEWIRE_PG_REQUIRED` asks for PostgreSQL tests to fail rather than skip.
pub fn required() -> bool {
    std::env::var(REQUIRED_ENV).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// A running throwaway server. Dropping it stops the server and removes its directory.
pub struct Cluster {
    port: u16,
    dir: PathBuf,
    /// The supervisor; closing its stdin stops everything.
    supervisor: Mutex<Option<Child>>,
    databases: AtomicU32,
}

impl Cluster {
    /// Initialises and starts a cluster (a few seconds).
    pub fn start() -> Result<Cluster, ClusterError> {
        let binaries = find_binaries().ok_or(ClusterError::NoBinaries)?;
        let mut last = None;
        for _ in 0..START_ATTEMPTS {
            match Cluster::start_once(&binaries) {
                Ok(cluster) => return Ok(cluster),
                // Another process may have taken the port between our probe and the bind.
                Err(ClusterError::Start(log)) if log.contains("could not bind") => {
                    last = Some(ClusterError::Start(log))
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(ClusterError::NoBinaries))
    }

    fn start_once(binaries: &ServerBinaries) -> Result<Cluster, ClusterError> {
        let owner = server_user()?;
        let dir = make_dir()?;
        if let Some((uid, gid)) = owner {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
                .map_err(|source| ClusterError::Io { what: format!("cannot chown {}", dir.display()), source })?;
        }
        let port = free_port()?;
        let supervisor = as_owner(Command::new("sh"), owner, &dir)
            .arg("-c")
            .arg(SUPERVISOR)
            .arg("sh")
            .arg(&binaries.initdb)
            .arg(&binaries.postgres)
            .arg(&dir)
            .arg(port.to_string())
            .arg(SUPERUSER)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| ClusterError::Io { what: "cannot start the server's supervisor (sh)".into(), source })?;
        let cluster = Cluster { port, dir, supervisor: Mutex::new(Some(supervisor)), databases: AtomicU32::new(0) };
        cluster.wait_ready()?;
        Ok(cluster)
    }

    /// Waits until the log says the server accepts connections; the log is the error if the
    /// server stopped or never got there.
    fn wait_ready(&self) -> Result<(), ClusterError> {
        let started = Instant::now();
        let log_path = self.dir.join("server.log");
        loop {
            let log = read_to_string_lossy(&log_path);
            if log.contains("database system is ready to accept connections") {
                return Ok(());
            }
            if self.dir.join("initdb.failed").exists() {
                return Err(ClusterError::Initdb(
                    read_to_string_lossy(&self.dir.join("initdb.log")).trim().to_string(),
                ));
            }
            let pid = std::fs::read_to_string(self.dir.join("server.pid")).ok();
            let exited = pid.is_some_and(|pid| !Path::new("/proc").join(pid.trim()).exists());
            if exited || started.elapsed() > START_TIMEOUT {
                let why = if exited { "the server exited" } else { "timed out" };
                return Err(ClusterError::Start(format!("{why}; its log:\n{}", log.trim())));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `database` on this server, as the superuser.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a new, empty database (its name starts with a sanitised `hint`) and returns
    /// its URL. Blocks; safe to call from inside a tokio runtime.
    pub fn create_database(&self, hint: &str) -> Result<String, ClusterError> {
        let n = self.databases.fetch_add(1, Ordering::Relaxed);
        let clean: String = hint
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .take(40)
            .collect();
        let name = format!("t{n}_{clean}");
        let admin = self.url("postgres");
        let statement = format!("CREATE DATABASE \"{name}\"");
        let failed = |message: String| ClusterError::CreateDatabase { name: name.clone(), message };
        // A runtime of its own on a thread of its own: the caller may be inside a runtime.
        let outcome = std::thread::spawn(move || -> Result<(), String> {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let (client, connection) =
                    tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.map_err(|e| e.to_string())?;
                let driver = tokio::spawn(connection);
                client.batch_execute(&statement).await.map_err(|e| e.to_string())?;
                drop(client);
                let _ = driver.await;
                Ok(())
            })
        })
        .join()
        .map_err(|_| failed("the thread creating it panicked".into()))?;
        outcome.map_err(failed)?;
        Ok(self.url(&name))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let supervisor = self.supervisor.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(mut child) = supervisor {
            drop(child.stdin.take());
            let _ = child.wait();
        }
    }
}

/// `Some((uid, gid))` of the user to run the server as when we are root.
fn server_user() -> Result<Option<(u32, u32)>, ClusterError> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let user = std::env::var(USER_ENV).ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "postgres".to_string());
    let id = |flag: &str| -> Option<u32> {
        let output = Command::new("id").arg(flag).arg(&user).output().ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8_lossy(&output.stdout).trim().parse().ok()
    };
    match (id("-u"), id("-g")) {
        (Some(uid), Some(gid)) => Ok(Some((uid, gid))),
        _ => Err(ClusterError::NoUser(user)),
    }
}

/// `command` run as the server's owner (when we are root) inside `dir`.
fn as_owner(mut command: Command, owner: Option<(u32, u32)>, dir: &Path) -> Command {
    if let Some((uid, gid)) = owner {
        command.uid(uid).gid(gid);
    }
    command.current_dir(dir).env_remove("PGDATA").env("LC_ALL", "C");
    command
}

/// A new private directory under the system's temporary directory.
fn make_dir() -> Result<PathBuf, ClusterError> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "quotewire-pg-{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|source| ClusterError::Io { what: format!("cannot create {}", dir.display()), source })?;
    Ok(dir)
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16, ClusterError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|source| ClusterError::Io { what: "cannot find a free loopback port".into(), source })?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|source| ClusterError::Io { what: "cannot find a free loopback port".into(), source })
}

fn read_to_string_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut file) = std::fs::File::open(path) {
        let _ = file.read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The cluster shared by every test of this process, started on first use; `None` when the
/// server binaries are missing and `QUOTEWIRE_PG_REQUIRED` is not set.
///
/// # Panics
/// When the binaries are missing but required, or the cluster cannot start: a test failure.
pub fn shared() -> Option<&'static Cluster> {
    static SHARED: OnceLock<Result<Option<Cluster>, String>> = OnceLock::new();
    let state = SHARED.get_or_init(|| match find_binaries() {
        None if required() => Err(format!("{REQUIRED_ENV} is set: {}", ClusterError::NoBinaries)),
        None => Ok(None),
        Some(_) => Cluster::start().map(Some).map_err(|e| e.to_string()),
    });
    match state {
        Ok(cluster) => cluster.as_ref(),
        Err(message) => panic!("{message}"),
    }
}

/// For a test: the URL of a fresh database on the shared cluster, or `None` after printing
/// why the test is skipped.
///
/// # Panics
/// As [`shared`], or when the database cannot be created.
pub fn test_database(test: &str) -> Option<String> {
    let Some(cluster) = shared() else {
        eprintln!("{test}: skipped: no PostgreSQL server binaries (set {REQUIRED_ENV}=1 to make this a failure)");
        return None;
    };
    Some(cluster.create_database(test).unwrap_or_else(|e| panic!("{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_cluster_stops_its_server_and_removes_its_directory() {
        if find_binaries().is_none() {
            assert!(!required(), "{REQUIRED_ENV} is set but there are no PostgreSQL server binaries");
            eprintln!("skipped: no PostgreSQL server binaries");
            return;
        }
        let cluster = Cluster::start().unwrap();
        let (port, dir) = (cluster.port(), cluster.dir.clone());
        assert!(dir.join("data/PG_VERSION").exists());
        // Listening on loopback only.
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
        let url = cluster.create_database("drop test").unwrap();
        assert!(url.ends_with("/t0_drop_test"), "{url}");
        drop(cluster);
        assert!(!dir.exists(), "{} is still there", dir.display());
        assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
