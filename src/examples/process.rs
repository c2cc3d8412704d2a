//! Runs one child process with a time limit and captures what it prints.
//!
//! The child leads its own process group, so a timeout kills everything it
//! started (a `multiprocessing` pool, a server it forked), and whatever it
//! leaves behind when it exits is killed too: a stray grandchild holding the
//! output pipes open would otherwise hang the run.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How much of each output stream is kept; an example printing without end is cut here.
const KEEP: usize = 1 << 20;

/// How a run ended.
#[derive(Debug)]
pub enum Ending {
    /// The process exited (or was killed by a signal) by itself.
    Exited(ExitStatus),
    /// It was still running at the time limit and was killed.
    TimedOut,
}

/// A finished run.
#[derive(Debug)]
pub struct Finished {
    /// How it ended.
    pub ending: Ending,
    /// Its standard output (lossy UTF-8, at most [`KEEP`] bytes).
    pub stdout: String,
    /// Its standard error (likewise).
    pub stderr: String,
}

/// Runs `command` with no standard input; kills it after `timeout`.
pub fn run(mut command: Command, timeout: Duration) -> std::io::Result<Finished> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = command.spawn()?;
    let group = child.id();
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    std::thread::scope(|scope| {
        let stdout = scope.spawn(move || read_capped(stdout));
        let stderr = scope.spawn(move || read_capped(stderr));
        let (done, waited) = mpsc::channel();
        scope.spawn(move || done.send(child.wait()));
        let ending = match waited.recv_timeout(timeout) {
            Ok(status) => status.map(Ending::Exited),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                kill_group(group);
                waited
                    .recv()
                    .expect("the waiting thread sends before it ends")
                    .map(|_| Ending::TimedOut)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                unreachable!("the waiting thread sends before it ends")
            }
        };
        kill_group(group);
        let stdout = stdout.join().expect("reader threads do not panic");
        let stderr = stderr.join().expect("reader threads do not panic");
        Ok(Finished {
            ending: ending?,
            stdout: stdout?,
            stderr: stderr?,
        })
    })
}

fn kill_group(group: u32) {
    let group = libc::pid_t::try_from(group).expect("process ids fit in pid_t");
    // SAFETY: kill(2) has no memory-safety preconditions. A negative pid addresses the
    // child's process group; once the group is empty this fails with ESRCH, which is fine.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

fn read_capped(mut pipe: impl Read) -> std::io::Result<String> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let mut cut = false;
    loop {
        let n = match pipe.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let room = KEEP.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
        cut |= n > room;
    }
    let mut text = String::from_utf8_lossy(&kept).into_owned();
    if cut {
        text.push_str("\n[… output cut after 1 MiB]\n");
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Finished {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        run(command, timeout).unwrap()
    }

    #[test]
    fn captures_both_streams_and_the_status() {
        let done = sh("echo out; echo err >&2; exit 3", Duration::from_secs(10));
        assert!(matches!(done.ending, Ending::Exited(s) if s.code() == Some(3)));
        assert_eq!(
            (done.stdout.as_str(), done.stderr.as_str()),
            ("out\n", "err\n")
        );
    }

    #[test]
    fn a_timeout_kills_the_grandchildren_too() {
        // The background sleep keeps stdout open: without the group kill this would hang.
        let done = sh(
            "sleep 60 & echo started; sleep 60",
            Duration::from_millis(300),
        );
        assert!(matches!(done.ending, Ending::TimedOut));
        assert_eq!(done.stdout, "started\n");
    }

    #[test]
    fn leftovers_of_a_finished_process_do_not_hang_the_run() {
        let done = sh("sleep 60 & echo bye", Duration::from_secs(30));
        assert!(matches!(done.ending, Ending::Exited(s) if s.success()));
        assert_eq!(done.stdout, "bye\n");
    }
}
