//! Running the `quotewire` binary as a child process and measuring it: exit status, output,
//! peak memory (the high-water mark of its own address space, `VmHWM`, sampled until it
//! exits) and CPU time (from `wait4`'s rusage), so each case is measured on its own even
//! when tests run in parallel. (`ru_maxrss` would not do: it also counts the test process's
//! memory the child shared between fork and exec.)

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A finished child process.
#[derive(Debug)]
pub struct Finished {
    /// Exit code, `None` when killed by a signal.
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Peak resident memory.
    pub max_rss_mb: f64,
    /// User and system CPU time.
    pub cpu: Duration,
    pub wall: Duration,
}

impl Finished {
    /// Asserts the run ended on its own (exit 0, 1 or 2), without a panic, within the bounds.
    #[track_caller]
    pub fn assert_bounded(&self, max_rss_mb: f64, max_cpu: Duration) {
        assert!(
            self.code.is_some_and(|c| (0..=2).contains(&c)),
            "unexpected end (signal {:?}): {self:#?}",
            self.signal
        );
        assert!(!self.stderr.contains("panicked"), "panic: {}", self.stderr);
        assert!(self.max_rss_mb < max_rss_mb, "peak memory {:.0} MB over {max_rss_mb} MB: {self:#?}", self.max_rss_mb);
        assert!(self.cpu < max_cpu, "CPU time {:?} over {max_cpu:?}: {self:#?}", self.cpu);
    }
}

/// `quotewire --data-dir DATA` run from the repository root.
pub fn quotewire(data: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_quotewire"));
    command.current_dir(env!("CARGO_MANIFEST_DIR")).arg("--data-dir").arg(data);
    // Tests must not pick up a developer's configuration.
    command.env_remove("QUOTEWIRE_CONFIG").env("XDG_CONFIG_HOME", "/nonexistent").env_remove("QUOTEWIRE_TOKEN");
    command.env_remove("QUOTEWIRE_LOG");
    command
}

/// Runs the child as user `nobody` when the tests run as root (so file permissions bind
/// it); a no-op otherwise.
pub fn as_unprivileged(command: &mut Command) {
    // SAFETY: getuid has no preconditions.
    if unsafe { libc::getuid() } == 0 {
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::setgid(65534) != 0 || libc::setuid(65534) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
}

/// Limits the size of any file the child writes (a full disk, portably): writes past
/// `bytes` fail with EFBIG instead of killing the process with SIGXFSZ.
pub fn limit_file_size(command: &mut Command, bytes: u64) {
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Sends `signal` to a running child.
pub fn send(child: &Child, signal: i32) {
    // SAFETY: kill on our own child's pid.
    unsafe {
        libc::kill(child.id() as i32, signal);
    }
}

/// Runs `command` to its end (killed after `timeout`) and measures it.
pub fn run(mut command: Command, timeout: Duration) -> Finished {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command.spawn().expect("quotewire starts");
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    let finished = wait_measured(child, started, timeout);
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    Finished { stdout, stderr, ..finished }
}

/// Waits for `child` with `wait4`, killing it after `timeout`.
/// Takes the child: it is reaped here (by `wait4`, which std's `Child` does not know about).
pub fn wait_measured(child: Child, started: Instant, timeout: Duration) -> Finished {
    let pid = child.id() as i32;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut peak_kb = 0_u64;
    loop {
        peak_kb = peak_kb.max(high_water_kb(pid).unwrap_or(0));
        // SAFETY: wait4 on our own child, with valid out-pointers.
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if reaped == pid {
            break;
        }
        if started.elapsed() > timeout {
            // SAFETY: kill on our own child's pid.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let time = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    let signal = libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status));
    Finished {
        code,
        signal,
        stdout: String::new(),
        stderr: String::new(),
        max_rss_mb: peak_kb as f64 / 1024.0,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        wall: started.elapsed(),
    }
}

/// The peak resident memory of a running process's current image (`VmHWM`).
fn high_water_kb(pid: i32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A pseudo-random sequence for fault timing (xorshift; the seed is printed on failure).
pub struct Rng(pub u64);

impl Rng {
    pub fn seeded() -> Rng {
        let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos()
            as u64
            | 1;
        eprintln!("fault timing seed: {seed}");
        Rng(seed)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}
