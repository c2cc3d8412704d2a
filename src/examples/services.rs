//! Real services an example can ask for with `services="redis"`. Each example
//! gets its own server on a free loopback port, so examples running in
//! parallel never see each other's data; the server stops when the example ends.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A service an example can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `redis-server`; the example gets `REDIS_URL=redis://127.0.0.1:PORT/0`.
    Redis,
}

/// The services `services=` accepts.
pub const KNOWN: &[&str] = &["redis"];

impl Service {
    /// Parses a name from `services="..."`.
    pub fn parse(name: &str) -> Result<Service, String> {
        match name {
            "redis" => Ok(Service::Redis),
            other => Err(format!(
                "unknown service `{other}`; the known ones are {}",
                KNOWN.join(", ")
            )),
        }
    }

    /// Starts the service for one example.
    pub fn start(self) -> Result<Running, String> {
        match self {
            Service::Redis => start_redis(),
        }
    }
}

/// A started service; stopped when dropped.
#[derive(Debug)]
pub struct Running {
    child: Child,
    /// The environment variable that tells the example where the service is.
    pub env: (&'static str, String),
    // Holds the server's working folder (and log) until it stops.
    _dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        // The server may already have exited; either way nothing is left to clean up.
        let _ = self.child.kill();
        let _ = self.child.wait();
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
        child,
        env: ("REDIS_URL", format!("redis://127.0.0.1:{port}/0")),
        _dir: dir,
    };
    let deadline = Instant::now() + STARTUP;
    loop {
        if answers_ping(port) {
            return Ok(running);
        }
        if let Ok(Some(status)) = running.child.try_wait() {
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
