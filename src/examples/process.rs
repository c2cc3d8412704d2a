//! Runs one example process, contained, with a time limit, and captures what
//! it prints.
//!
//! Containment: where the machine allows it (root, or unprivileged user
//! namespaces), the process runs as the first process of its own PID
//! namespace, so when it ends, or is killed at its time limit, the kernel
//! kills every process it started, however they detached (`setsid`, double
//! forks); the same namespace mounts the book and the examples' environment
//! read-only, so an example can change nothing but its scratch folder.
//! Elsewhere the process leads its own process group, which is killed, and a
//! warning says that detached daemons may survive.
//!
//! The time limit bounds the wall time whatever the process leaves behind:
//! output is read with `poll`, and reading stops shortly after the process
//! has ended, even if something still holds the pipes open.

use std::collections::HashSet;
use std::ffi::OsString;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How much output an example may print; past it the example is stopped.
pub(super) const KEEP: usize = 1 << 20;

/// How long output is still read after the process ended (a pipe held open by a survivor).
const GRACE: Duration = Duration::from_millis(500);

/// What to run.
#[derive(Debug, Clone)]
pub(super) struct Spec {
    /// The program.
    pub program: PathBuf,
    /// Its arguments.
    pub args: Vec<OsString>,
    /// Its working folder.
    pub cwd: PathBuf,
    /// Its whole environment (nothing is inherited).
    pub env: Vec<(String, String)>,
    /// Folders mounted read-only for it (where namespaces are available).
    pub read_only: Vec<PathBuf>,
    /// stdout and stderr into one stream (a terminal session), or kept apart.
    pub combined: bool,
    /// A pipe on file descriptor 3 for results the harness reports.
    pub results_pipe: bool,
    /// The time limit.
    pub timeout: Duration,
}

/// How a run ended.
#[derive(Debug)]
pub(super) enum Ending {
    /// The process exited (or was killed by a signal) by itself.
    Exited(ExitStatus),
    /// It was still running at the time limit and was killed.
    TimedOut,
    /// It printed more than [`KEEP`] bytes and was stopped.
    TooMuchOutput,
}

/// A finished run.
#[derive(Debug)]
pub(super) struct Finished {
    /// How it ended.
    pub ending: Ending,
    /// Its standard output (lossy UTF-8, at most [`KEEP`] bytes); both streams if combined.
    pub stdout: String,
    /// Its standard error (empty if combined).
    pub stderr: String,
    /// What the harness wrote on file descriptor 3.
    pub results: String,
}

/// How processes are contained on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Containment {
    /// A PID and mount namespace per example (util-linux `unshare`).
    Namespaces,
    /// A process group per example: detached daemons can outlive the example.
    ProcessGroup,
}

/// Probes once whether examples can run in their own namespaces here.
pub(super) fn containment() -> Containment {
    static PROBED: OnceLock<Containment> = OnceLock::new();
    *PROBED.get_or_init(|| {
        // The whole set-up, read-only mount included, on a folder of its own.
        let Ok(probe) = tempfile::tempdir() else {
            return Containment::ProcessGroup;
        };
        let works = Command::new("unshare")
            .args(UNSHARE)
            .args(["sh", "-c", NAMESPACE_INIT, "sh"])
            .arg(probe.path())
            .args(["--", "true"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if works {
            Containment::Namespaces
        } else {
            Containment::ProcessGroup
        }
    })
}

const UNSHARE: &[&str] = &[
    "--pid",
    "--fork",
    "--kill-child",
    "--mount",
    "--propagation",
    "private",
    "--",
];

/// The first process of the namespace: mounts the read-only folders (arguments up to
/// `--`), then runs the example as its child and exits with its status, which makes the
/// kernel kill whatever the example left running.
const NAMESPACE_INIT: &str = r#"while [ "$1" != "--" ]; do
  mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" || { echo "handbook: cannot make $1 read-only" >&2; exit 125; }
  shift
done
shift
"$@"
exit $?"#;

/// Process groups of running examples, killed if `handbook test` is interrupted.
static RUNNING: Mutex<Option<HashSet<i32>>> = Mutex::new(None);

/// Set (under [`RUNNING`]'s lock) once `handbook test` is interrupted: an example that
/// starts after [`kill_all`] is killed as it registers, so none outlives the run.
static STOPPING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Kills every running example, and any that starts from now on (on Ctrl-C or SIGTERM).
pub(super) fn kill_all() {
    let groups = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    STOPPING.store(true, std::sync::atomic::Ordering::SeqCst);
    for &group in groups.iter().flatten() {
        kill_group(group);
    }
}

/// Whether [`kill_all`] has run: the run was interrupted and is on its way out.
pub(super) fn stopping() -> bool {
    STOPPING.load(std::sync::atomic::Ordering::SeqCst)
}

fn register(group: i32, running: bool) {
    let mut groups = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    if running && STOPPING.load(std::sync::atomic::Ordering::SeqCst) {
        kill_group(group);
        return;
    }
    let groups = groups.get_or_insert_with(HashSet::new);
    if running {
        groups.insert(group);
    } else {
        groups.remove(&group);
    }
}

/// Runs `spec` with no standard input; stops it at its time limit or when it prints too much.
pub(super) fn run(spec: &Spec) -> std::io::Result<Finished> {
    let mut command = command(spec);
    let (out_read, out_write) = pipe()?;
    let (err_read, err_write) = if spec.combined {
        (None, out_write.try_clone()?)
    } else {
        let (read, write) = pipe()?;
        (Some(read), write)
    };
    let results = if spec.results_pipe {
        Some(pipe()?)
    } else {
        None
    };
    command
        .stdin(Stdio::null())
        .stdout(Stdio::from(out_write))
        .stderr(Stdio::from(err_write))
        .process_group(0);
    // An ignored signal stays ignored across exec: started from a background job (which
    // ignores SIGINT and SIGQUIT), an example would see `signal.getsignal(SIGINT)` as
    // SIG_IGN and Ctrl-C handling would differ. Examples start with every signal at its
    // default, wherever `handbook test` runs.
    // SAFETY: signal() is async-signal-safe; it runs in the child between fork and exec.
    unsafe {
        command.pre_exec(|| {
            for signal in [libc::SIGINT, libc::SIGQUIT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(signal, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    if let Some((_, write)) = &results {
        let fd = write.as_raw_fd();
        // SAFETY: dup2 is async-signal-safe; it runs in the child between fork and exec.
        unsafe {
            command.pre_exec(move || {
                if libc::dup2(fd, 3) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    let mut child = command.spawn()?;
    // The parent's copies of the write ends must go, or the pipes never reach EOF.
    drop(command);
    let results_read = results.map(|(read, _write)| read);
    let group = i32::try_from(child.id()).expect("process ids fit in i32");
    register(group, true);
    let mut streams: Vec<Stream> = [Some(out_read), err_read, results_read]
        .into_iter()
        .flatten()
        .map(Stream::new)
        .collect();
    let started = Instant::now();
    let mut exited: Option<(ExitStatus, Instant)> = None;
    let mut ending = None;
    loop {
        if exited.is_none()
            && let Some(status) = child.try_wait()?
        {
            // Whatever it left in its group goes now.
            kill_group(group);
            exited = Some((status, Instant::now()));
        }
        let open = streams.iter().any(|s| s.open);
        match exited {
            Some((status, at)) if !open || at.elapsed() > GRACE => {
                ending.get_or_insert(Ending::Exited(status));
                break;
            }
            _ => {}
        }
        if ending.is_none() && started.elapsed() > spec.timeout {
            ending = Some(Ending::TimedOut);
        }
        if ending.is_none() && streams.iter().map(|s| s.kept.len()).sum::<usize>() > KEEP {
            ending = Some(Ending::TooMuchOutput);
        }
        if ending.is_some() && exited.is_none() {
            kill_group(group);
            let status = child.wait()?;
            exited = Some((status, Instant::now()));
            continue;
        }
        poll(&mut streams, Duration::from_millis(20))?;
        if !open && exited.is_none() {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    register(group, false);
    kill_group(group);
    let mut texts = streams.into_iter().map(Stream::text);
    let stdout = texts.next().unwrap_or_default();
    let stderr = if spec.combined {
        String::new()
    } else {
        texts.next().unwrap_or_default()
    };
    let results = texts.next().unwrap_or_default();
    Ok(Finished {
        ending: ending.expect("the loop ends with an ending"),
        stdout,
        stderr,
        results,
    })
}

fn command(spec: &Spec) -> Command {
    let mut command = match containment() {
        Containment::Namespaces => {
            let mut command = Command::new("unshare");
            command
                .args(UNSHARE)
                .args(["sh", "-c", NAMESPACE_INIT, "sh"])
                .args(spec.read_only.iter().filter(|d| d.is_dir()))
                .arg("--")
                .arg(&spec.program);
            command
        }
        Containment::ProcessGroup => Command::new(&spec.program),
    };
    command
        .args(&spec.args)
        .current_dir(&spec.cwd)
        .env_clear()
        .envs(spec.env.iter().map(|(k, v)| (k, v)));
    command
}

/// One output pipe being read.
struct Stream {
    fd: OwnedFd,
    kept: Vec<u8>,
    open: bool,
}

impl Stream {
    fn new(fd: OwnedFd) -> Stream {
        Stream {
            fd,
            kept: Vec::new(),
            open: true,
        }
    }

    fn read_available(&mut self) -> std::io::Result<()> {
        let mut buf = [0u8; 64 * 1024];
        // SAFETY: `self.fd` is an open pipe we own; the File is forgotten, not closed.
        let mut file =
            std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(self.fd.as_raw_fd()) });
        match file.read(&mut buf) {
            Ok(0) => self.open = false,
            Ok(n) => {
                let room = (KEEP + 1).saturating_sub(self.kept.len());
                self.kept.extend_from_slice(&buf[..n.min(room)]);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }

    fn text(self) -> String {
        let cut = self.kept.len() > KEEP;
        let mut text =
            String::from_utf8_lossy(&self.kept[..self.kept.len().min(KEEP)]).into_owned();
        if cut {
            text.push_str("\n[… output cut after 1 MiB]\n");
        }
        text
    }
}

/// Waits up to `timeout` for output on the open streams and reads what is there.
fn poll(streams: &mut [Stream], timeout: Duration) -> std::io::Result<()> {
    let mut fds: Vec<libc::pollfd> = streams
        .iter()
        .filter(|s| s.open)
        .map(|s| libc::pollfd {
            fd: s.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    if fds.is_empty() {
        return Ok(());
    }
    let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `fds` is a valid array of `fds.len()` pollfd structs.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, millis) };
    if ready < 0 {
        let error = std::io::Error::last_os_error();
        return if error.kind() == std::io::ErrorKind::Interrupted {
            Ok(())
        } else {
            Err(error)
        };
    }
    for pollfd in fds.iter().filter(|p| p.revents != 0) {
        if let Some(stream) = streams.iter_mut().find(|s| s.fd.as_raw_fd() == pollfd.fd) {
            stream.read_available()?;
        }
    }
    Ok(())
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and ours.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn kill_group(group: i32) {
    // SAFETY: kill(2) has no memory-safety preconditions. A negative pid addresses the
    // child's process group; once the group is empty this fails with ESRCH, which is fine.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration, combined: bool) -> Finished {
        run(&Spec {
            program: "sh".into(),
            args: vec!["-c".into(), script.into()],
            cwd: std::env::temp_dir(),
            env: vec![("PATH".into(), std::env::var("PATH").unwrap())],
            read_only: Vec::new(),
            combined,
            results_pipe: false,
            timeout,
        })
        .unwrap()
    }

    #[test]
    fn captures_both_streams_and_the_status() {
        let done = sh(
            "echo out; echo err >&2; exit 3",
            Duration::from_secs(10),
            false,
        );
        assert!(matches!(done.ending, Ending::Exited(s) if s.code() == Some(3)));
        assert_eq!(
            (done.stdout.as_str(), done.stderr.as_str()),
            ("out\n", "err\n")
        );
    }

    #[test]
    fn combined_streams_keep_their_order() {
        let done = sh(
            "echo one; echo two >&2; echo three",
            Duration::from_secs(10),
            true,
        );
        assert_eq!(done.stdout, "one\ntwo\nthree\n");
    }

    #[test]
    fn a_timeout_kills_the_grandchildren_too() {
        // The background sleep keeps stdout open: without the group kill this would hang.
        let done = sh(
            "sleep 60 & echo started; sleep 60",
            Duration::from_millis(300),
            false,
        );
        assert!(matches!(done.ending, Ending::TimedOut));
        assert_eq!(done.stdout, "started\n");
    }

    #[test]
    fn timeout_fires_when_a_detached_grandchild_holds_the_pipe() {
        // setsid puts the sleeper outside the process group; it keeps stdout open.
        let start = Instant::now();
        let done = sh(
            "setsid sleep 3600 & sleep 3600",
            Duration::from_millis(300),
            false,
        );
        assert!(matches!(done.ending, Ending::TimedOut));
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{:?}",
            start.elapsed()
        );
    }

    #[test]
    fn runaway_output_stops_the_process() {
        let done = sh("yes", Duration::from_secs(30), true);
        assert!(
            matches!(done.ending, Ending::TooMuchOutput),
            "{:?}",
            done.ending
        );
        assert!(done.stdout.len() <= KEEP + 64);
    }

    #[test]
    fn leftovers_of_a_finished_process_do_not_hang_the_run() {
        let done = sh("sleep 60 & echo bye", Duration::from_secs(30), false);
        assert!(matches!(done.ending, Ending::Exited(s) if s.success()));
        assert_eq!(done.stdout, "bye\n");
    }
}
