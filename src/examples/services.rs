//! Real services an example can ask for with `services="redis postgres"`.
//! Each example gets its own redis-server on a free loopback port, so
//! examples running in parallel never see each other's data. PostgreSQL is
//! slower to start: one server per run listens only on a private socket
//! folder, and each example gets a fresh database of its own. Servers stop
//! when the example (or, for PostgreSQL, the run) ends.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub use crate::transform::code::Service;

impl Service {
    /// Starts the service for one example; `dir` is the example's own folder for files.
    pub fn start(self, dir: &Path) -> Result<Running, String> {
        match self {
            Service::Redis => start_redis(),
            Service::Postgres => postgres_database(dir),
        }
    }
}

/// A started service; stopped when dropped.
#[derive(Debug)]
pub struct Running {
    /// The server of this example alone (redis); `None` for a database on a shared server.
    child: Option<Child>,
    /// The environment variables that tell the example where the service is.
    pub env: Vec<(String, String)>,
    // Holds the server's working folder (and log) until it stops.
    _dir: Option<tempfile::TempDir>,
}

impl Drop for Running {
    fn drop(&mut self) {
        // The server may already have exited; either way nothing is left to clean up.
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// How long a server may take to answer its first PING.
const STARTUP: Duration = Duration::from_secs(10);

fn start_redis() -> Result<Running, String> {
    // A free port can be taken between choosing and binding it; a second try fixes that.
    let mut last_problem = String::new();
    for _ in 0..3 {
        match try_start_redis() {
            Ok(running) => return Ok(running),
            Err(Attempt::Fatal(problem)) => return Err(problem),
            Err(Attempt::Retry(problem)) => last_problem = problem,
        }
    }
    Err(last_problem)
}

enum Attempt {
    Fatal(String),
    Retry(String),
}

fn try_start_redis() -> Result<Running, Attempt> {
    let dir = tempfile::Builder::new()
        .prefix("handbook-redis-")
        .tempdir()
        .map_err(|e| Attempt::Fatal(format!("cannot make a folder for redis-server: {e}")))?;
    let port =
        free_port().map_err(|e| Attempt::Fatal(format!("no free port for redis-server: {e}")))?;
    let log = dir.path().join("redis.log");
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(dir.path())
        .arg("--logfile")
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| {
            Attempt::Fatal(if e.kind() == std::io::ErrorKind::NotFound {
                "services=\"redis\" needs `redis-server` on PATH (Debian: apt-get install redis-server)".to_string()
            } else {
                format!("cannot start redis-server: {e}")
            })
        })?;
    let mut running = Running {
        child: Some(child),
        env: vec![("REDIS_URL".into(), format!("redis://127.0.0.1:{port}/0"))],
        _dir: Some(dir),
    };
    let deadline = Instant::now() + STARTUP;
    loop {
        if answers_ping(port) {
            return Ok(running);
        }
        let child = running.child.as_mut().expect("redis has its own server");
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(Attempt::Retry(format!(
                "redis-server exited ({status}) before it answered:\n{}",
                log.trim_end()
            )));
        }
        if Instant::now() > deadline {
            return Err(Attempt::Fatal(format!(
                "redis-server did not answer PING on port {port} within {}s",
                STARTUP.as_secs()
            )));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
        .local_addr()?
        .port())
}

fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, port)) else {
        return false;
    };
    let mut reply = [0u8; 5];
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .is_ok()
        && stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG"
}

/// The run's PostgreSQL server, started on first use.
static POSTGRES: OnceLock<Result<Postgres, String>> = OnceLock::new();
/// Its process, stopped by [`stop_shared`].
static POSTGRES_CHILD: Mutex<Option<Child>> = Mutex::new(None);
/// Numbers the examples' databases.
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// A running PostgreSQL server of this run.
#[derive(Debug)]
struct Postgres {
    /// The socket folder (the server listens on no TCP port).
    socket_dir: PathBuf,
    /// `psql`, to create the examples' databases.
    psql: PathBuf,
    _dir: tempfile::TempDir,
}

/// Stops the servers shared by the run's examples.
pub fn stop_shared() {
    if let Some(mut child) = POSTGRES_CHILD
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
    {
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// A fresh database on the run's server, and the variables that point libpq at it.
fn postgres_database(_dir: &Path) -> Result<Running, String> {
    let server = POSTGRES
        .get_or_init(start_postgres)
        .as_ref()
        .map_err(Clone::clone)?;
    let name = format!("example_{}", DATABASES.fetch_add(1, Ordering::Relaxed));
    let created = Command::new(&server.psql)
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-h",
        ])
        .arg(&server.socket_dir)
        .args(["-c", &format!("CREATE DATABASE {name}")])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{}`: {e}", server.psql.display()))?;
    if !created.status.success() {
        return Err(format!(
            "cannot create database {name}: {}",
            String::from_utf8_lossy(&created.stderr).trim()
        ));
    }
    let host = server.socket_dir.display().to_string();
    Ok(Running {
        child: None,
        env: vec![
            (
                "DATABASE_URL".into(),
                format!("postgresql://postgres@/{name}?host={host}"),
            ),
            ("PGHOST".into(), host),
            ("PGPORT".into(), "5432".into()),
            ("PGUSER".into(), "postgres".into()),
            ("PGDATABASE".into(), name),
        ],
        _dir: None,
    })
}

/// The folder of PostgreSQL's server programs: on `PATH`, or Debian's newest
/// `/usr/lib/postgresql/N/bin`.
fn postgres_bin() -> Result<PathBuf, String> {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>());
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"));
    let mut debian: Vec<PathBuf> = debian.collect();
    debian.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    on_path
        .chain(debian.into_iter().rev())
        .find(|dir| dir.join("initdb").is_file() && dir.join("postgres").is_file())
        .ok_or_else(|| {
            "services=\"postgres\" needs PostgreSQL's `initdb` and `postgres` (Debian: apt-get install postgresql)".to_string()
        })
}

/// PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user.
fn server_user() -> Result<Option<(u32, u32)>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = std::ffi::CString::new("postgres").expect("no NUL");
    // SAFETY: getpwnam returns null or a pointer to a static passwd record, read at once.
    let entry = unsafe { libc::getpwnam(name.as_ptr()) };
    if entry.is_null() {
        return Err("services=\"postgres\" runs the server as the `postgres` user when run as root, and there is none (Debian's postgresql package makes it)".into());
    }
    // SAFETY: `entry` is non-null, so it points to a valid passwd record.
    Ok(Some(unsafe { ((*entry).pw_uid, (*entry).pw_gid) }))
}

fn start_postgres() -> Result<Postgres, String> {
    let bin = postgres_bin()?;
    let user = server_user()?;
    let dir = tempfile::Builder::new()
        .prefix("handbook-postgres-")
        .tempdir()
        .map_err(|e| format!("cannot make a folder for PostgreSQL: {e}"))?;
    let (data, socket_dir) = (dir.path().join("data"), dir.path().join("socket"));
    std::fs::create_dir(&socket_dir)
        .map_err(|e| format!("cannot make {}: {e}", socket_dir.display()))?;
    if let Some((uid, gid)) = user {
        for path in [dir.path(), &socket_dir] {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| format!("cannot give {} to the postgres user: {e}", path.display()))?;
        }
    }
    let as_server_user = |command: &mut Command| {
        if let Some((uid, gid)) = user {
            command.uid(uid).gid(gid);
        }
    };
    let mut initdb = Command::new(bin.join("initdb"));
    initdb
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--no-locale",
        ])
        .stdin(Stdio::null());
    as_server_user(&mut initdb);
    let done = initdb
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !done.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&done.stderr).trim()
        ));
    }
    let log = dir.path().join("server.log");
    let log_file =
        std::fs::File::create(&log).map_err(|e| format!("cannot write {}: {e}", log.display()))?;
    if let Some((uid, gid)) = user {
        let _ = std::os::unix::fs::chown(&log, Some(uid), Some(gid));
    }
    let mut server = Command::new(bin.join("postgres"));
    server
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(&socket_dir)
        .args([
            "-c",
            "listen_addresses=",
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
        ])
        .args(["-c", "full_page_writes=off", "-c", "max_connections=100"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .process_group(0);
    as_server_user(&mut server);
    let child = server
        .spawn()
        .map_err(|e| format!("cannot start postgres: {e}"))?;
    *POSTGRES_CHILD.lock().unwrap_or_else(|e| e.into_inner()) = Some(child);
    let psql = which("psql").unwrap_or_else(|| bin.join("psql"));
    let deadline = Instant::now() + STARTUP;
    loop {
        let ready = Command::new(&psql)
            .args(["-X", "-q", "-U", "postgres", "-d", "postgres", "-h"])
            .arg(&socket_dir)
            .args(["-c", "SELECT 1"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| format!("cannot run `{}`: {e}", psql.display()))?;
        if ready.success() {
            return Ok(Postgres {
                socket_dir,
                psql,
                _dir: dir,
            });
        }
        if Instant::now() > deadline {
            stop_shared();
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!(
                "PostgreSQL did not start within {}s:\n{}",
                STARTUP.as_secs(),
                log.trim_end()
            ));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}
