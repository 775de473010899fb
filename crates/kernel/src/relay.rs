//! The worker process's output relay.
//!
//! evcxr runs each cell in a worker process (this same binary, started with
//! `EVCXR_IS_RUNTIME`) and reads its stdout line by line; it consumes the
//! lines that say a cell panicked or returned an `Err`, and reads stderr on
//! another thread, so the kernel cannot tell which cell a stderr line belongs
//! to. Before evcxr's runtime starts, [`install`] points the worker's stdout
//! and stderr at pipes read by one relay thread, which writes every line to
//! the real stdout, in order:
//!
//! - stderr lines with [`STDERR_PREFIX`] in front;
//! - [`MARK_ERROR`] / [`MARK_PANIC`] before evcxr's own markers, after the
//!   error's text;
//! - everything written to stderr before a cell ended ahead of evcxr's
//!   end-of-cell line, so the kernel has it when `execute` returns.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};

/// Put in front of each stderr line.
pub const STDERR_PREFIX: &str = "HW6_KERNEL_STDERR ";
/// A line: the cell returned an `Err` through `?` (its text came before).
pub const MARK_ERROR: &str = "HW6_KERNEL_MARK error";
/// A line: the cell panicked (the panic message came before).
pub const MARK_PANIC: &str = "HW6_KERNEL_MARK panic";

// evcxr's worker protocol (evcxr 0.22, eval_context.rs and runtime.rs).
const EVCXR_COMPLETE: &str = "EVCXR_EXECUTION_COMPLETE";
const EVCXR_ERROR: &str = "EVCXR_ERROR_OCCURRED";
const EVCXR_PANIC: &str = "EVCXR_PANIC_NOTIFICATION";
const EVCXR_BEGIN: &str = "EVCXR_BEGIN_CONTENT";
const EVCXR_END: &str = "EVCXR_END_CONTENT";

/// Redirects this process's stdout and stderr through the relay thread.
pub fn install() -> io::Result<()> {
    let real_stdout = dup(1)?;
    let (out_read, out_write) = pipe()?;
    let (err_read, err_write) = pipe()?;
    dup2(out_write.as_raw_fd(), 1)?;
    dup2(err_write.as_raw_fd(), 2)?;
    drop((out_write, err_write));
    set_nonblocking(out_read.as_raw_fd())?;
    set_nonblocking(err_read.as_raw_fd())?;
    std::thread::Builder::new()
        .name("hw6-relay".into())
        .spawn(move || {
            let mut relay = Relay::default();
            let _ = relay.run(out_read, err_read, File::from(real_stdout));
            RELAY_DONE.store(true, Ordering::SeqCst);
        })?;
    // SAFETY: registers a plain function without arguments.
    unsafe { libc::atexit(flush_at_exit) };
    Ok(())
}

/// Set when the relay thread has written everything and stopped.
static RELAY_DONE: AtomicBool = AtomicBool::new(false);

/// At exit (evcxr's worker exits on an error it reports on stderr first):
/// closes stdout and stderr so the relay reads to the end, and gives it up
/// to half a second to pass the last lines on.
extern "C" fn flush_at_exit() {
    // SAFETY: closing this process's own stdout and stderr as it exits.
    unsafe {
        libc::close(1);
        libc::close(2);
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
    while !RELAY_DONE.load(Ordering::SeqCst) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[derive(Default)]
struct Relay {
    out_buf: Vec<u8>,
    err_buf: Vec<u8>,
    /// Inside an `EVCXR_BEGIN_CONTENT` block, whose lines must stay together.
    in_content: bool,
    /// stderr lines held while a content block is open.
    held: Vec<String>,
}

impl Relay {
    fn run(&mut self, out: OwnedFd, err: OwnedFd, mut sink: File) -> io::Result<()> {
        loop {
            let mut fds = [
                libc::pollfd {
                    fd: out.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: err.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: `fds` is a valid array of two pollfd structs.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
            if ready < 0 {
                let error = io::Error::last_os_error();
                if error.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return Err(error);
            }
            let mut text = String::new();
            let out_open = read_available(out.as_raw_fd(), &mut self.out_buf)?;
            while let Some(line) = take_line(&mut self.out_buf) {
                if is_evcxr_marker(&line) {
                    // What the cell wrote to stderr before evcxr's marker is
                    // in the pipe by now: it goes first.
                    read_available(err.as_raw_fd(), &mut self.err_buf)?;
                    self.take_stderr(&mut text);
                }
                self.stdout_line(line, &mut text);
            }
            let err_open = read_available(err.as_raw_fd(), &mut self.err_buf)?;
            self.take_stderr(&mut text);
            sink.write_all(text.as_bytes())?;
            if !out_open && !err_open {
                return Ok(());
            }
        }
    }

    fn take_stderr(&mut self, text: &mut String) {
        while let Some(line) = take_line(&mut self.err_buf) {
            if self.in_content {
                self.held.push(line);
            } else {
                push_line(text, &format!("{STDERR_PREFIX}{line}"));
            }
        }
    }

    fn stdout_line(&mut self, line: String, text: &mut String) {
        // evcxr also ends a block at a panic.
        let closes_block = self.in_content && (line == EVCXR_END || line == EVCXR_PANIC);
        if closes_block {
            self.in_content = false;
        } else if line.starts_with(EVCXR_BEGIN) {
            self.in_content = true;
        }
        let mark = match line.as_str() {
            EVCXR_ERROR => Some(MARK_ERROR),
            EVCXR_PANIC => Some(MARK_PANIC),
            _ => None,
        };
        if line == EVCXR_COMPLETE && !self.err_buf.is_empty() {
            // A last stderr line without its newline.
            let rest = String::from_utf8_lossy(&std::mem::take(&mut self.err_buf)).into_owned();
            self.held.push(rest);
        }
        // Inside a block every line is evcxr's content: what the relay adds
        // goes after the line that closes it; elsewhere before this line, so
        // all of a cell's stderr comes before its end.
        if closes_block {
            push_line(text, &line);
        }
        if !self.in_content {
            if let Some(mark) = mark {
                push_line(text, mark);
            }
            for held in std::mem::take(&mut self.held) {
                push_line(text, &format!("{STDERR_PREFIX}{held}"));
            }
        }
        if !closes_block {
            push_line(text, &line);
        }
    }
}

fn is_evcxr_marker(line: &str) -> bool {
    matches!(line, EVCXR_COMPLETE | EVCXR_ERROR | EVCXR_PANIC | EVCXR_END)
        || line.starts_with(EVCXR_BEGIN)
}

fn push_line(text: &mut String, line: &str) {
    text.push_str(line);
    text.push('\n');
}

/// Removes and returns the first complete line of `buf`.
fn take_line(buf: &mut Vec<u8>) -> Option<String> {
    let end = buf.iter().position(|&b| b == b'\n')?;
    let line: Vec<u8> = buf.drain(..=end).collect();
    Some(String::from_utf8_lossy(&line[..end]).into_owned())
}

/// Appends what can be read now; false once the writing end is closed.
fn read_available(fd: RawFd, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut chunk = [0u8; 8192];
    loop {
        // SAFETY: `chunk` is a writable buffer of the given length.
        let n = unsafe { libc::read(fd, chunk.as_mut_ptr().cast(), chunk.len()) };
        match n {
            0 => return Ok(false),
            n if n > 0 => buf.extend_from_slice(&chunk[..n as usize]),
            _ => {
                let error = io::Error::last_os_error();
                match error.kind() {
                    io::ErrorKind::WouldBlock => return Ok(true),
                    io::ErrorKind::Interrupted => continue,
                    _ => return Err(error),
                }
            }
        }
    }
}

fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors pipe() writes.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe() returned two new descriptors that nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

fn dup(fd: RawFd) -> io::Result<OwnedFd> {
    // SAFETY: dup() of a descriptor this process has open.
    let new = unsafe { libc::dup(fd) };
    if new < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: dup() returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

fn dup2(from: RawFd, to: RawFd) -> io::Result<()> {
    // SAFETY: both are open descriptors of this process.
    if unsafe { libc::dup2(from, to) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn set_nonblocking(fd: RawFd) -> io::Result<()> {
    // SAFETY: fcntl on an open descriptor.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn relay(stderr_then_stdout: &[(&str, &str)]) -> String {
        let mut relay = Relay::default();
        let mut text = String::new();
        for (err, out) in stderr_then_stdout {
            relay.err_buf.extend_from_slice(err.as_bytes());
            relay.take_stderr(&mut text);
            relay.out_buf.extend_from_slice(out.as_bytes());
            while let Some(line) = take_line(&mut relay.out_buf) {
                relay.stdout_line(line, &mut text);
            }
        }
        text
    }

    #[test]
    fn an_error_is_marked_after_its_text() {
        let text = relay(&[(
            "bad input\n",
            "EVCXR_ERROR_OCCURRED\nEVCXR_EXECUTION_COMPLETE\n",
        )]);
        assert_eq!(
            text,
            "HW6_KERNEL_STDERR bad input\nHW6_KERNEL_MARK error\nEVCXR_ERROR_OCCURRED\nEVCXR_EXECUTION_COMPLETE\n"
        );
    }

    #[test]
    fn stderr_waits_for_a_content_block_to_close() {
        let text = relay(&[
            ("", "EVCXR_BEGIN_CONTENT text/html\n<b>\n"),
            ("warning\n", "</b>\nEVCXR_END_CONTENT\n"),
        ]);
        assert_eq!(
            text,
            "EVCXR_BEGIN_CONTENT text/html\n<b>\n</b>\nEVCXR_END_CONTENT\nHW6_KERNEL_STDERR warning\n"
        );
    }

    #[test]
    fn a_panic_inside_a_content_block_is_marked_after_the_block() {
        let text = relay(&[
            ("", "EVCXR_BEGIN_CONTENT text/html\n<b>\n"),
            ("boom\n", "EVCXR_PANIC_NOTIFICATION\n"),
        ]);
        assert_eq!(
            text,
            "EVCXR_BEGIN_CONTENT text/html\n<b>\nEVCXR_PANIC_NOTIFICATION\nHW6_KERNEL_MARK panic\nHW6_KERNEL_STDERR boom\n"
        );
    }

    #[test]
    fn a_panic_is_marked_and_a_last_partial_stderr_line_is_kept() {
        let text = relay(&[(
            "thread panicked\nno newline",
            "EVCXR_PANIC_NOTIFICATION\nEVCXR_EXECUTION_COMPLETE\n",
        )]);
        assert_eq!(
            text,
            "HW6_KERNEL_STDERR thread panicked\nHW6_KERNEL_MARK panic\nEVCXR_PANIC_NOTIFICATION\n\
             HW6_KERNEL_STDERR no newline\nEVCXR_EXECUTION_COMPLETE\n"
        );
    }
}
