//! The conversation between a kernel Jupyter started (the launcher) and a
//! spare, over the spare's Unix socket, one JSON line each:
//!
//! ```text
//! launcher -> spare   Claim, with its stdout and stderr attached (SCM_RIGHTS)
//! spare -> launcher   Reply: taken over (the spare's pid) or not (why)
//! spare -> launcher   Exit: the kernel's exit status, just before it exits
//! ```
//!
//! The launcher then stays until the spare's end of the socket closes,
//! forwarding signals; the spare exits when the launcher's end closes.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

/// What a claim asks.
#[derive(Serialize, Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Take over, if the prelude has finished.
    Ready,
    /// Take over, even while the prelude builds (cells wait for it).
    Building,
    /// Only say whether the prelude has finished (`hw6-kernel spare --wait`).
    Probe,
}

/// A launcher asking a spare to take over its kernel.
#[derive(Serialize, Deserialize)]
pub struct Claim {
    pub key: String,
    pub mode: Mode,
    cwd: Vec<u8>,
    env: Vec<(Vec<u8>, Vec<u8>)>,
    /// The connection file's text.
    pub connection: String,
    pub launcher_pid: u32,
}

impl Claim {
    pub fn new(
        key: String,
        mode: Mode,
        cwd: PathBuf,
        env: &[(OsString, OsString)],
        connection: String,
    ) -> Claim {
        Claim {
            key,
            mode,
            cwd: cwd.into_os_string().into_vec(),
            env: env
                .iter()
                .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
                .collect(),
            connection,
            launcher_pid: std::process::id(),
        }
    }

    pub fn cwd(&self) -> PathBuf {
        PathBuf::from(OsString::from_vec(self.cwd.clone()))
    }

    pub fn env(&self) -> Vec<(OsString, OsString)> {
        self.env
            .iter()
            .map(|(n, v)| (OsString::from_vec(n.clone()), OsString::from_vec(v.clone())))
            .collect()
    }
}

/// A spare's answer to a claim, and later the kernel's exit status.
#[derive(Serialize, Deserialize, Debug, Default)]
pub struct Reply {
    #[serde(default)]
    pub ok: bool,
    #[serde(default)]
    pub pid: u32,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub exit: Option<i32>,
}

/// Sends `claim` with this process's stdout and stderr attached.
pub fn send_claim(stream: &UnixStream, claim: &Claim) -> Result<()> {
    let mut line = serde_json::to_vec(claim)?;
    line.push(b'\n');
    let sent = send_with_fds(stream.as_raw_fd(), &line, &[1, 2])?;
    let mut writer = stream;
    writer.write_all(&line[sent..])?;
    Ok(())
}

/// Receives a claim and the descriptors sent with it.
pub fn receive_claim(stream: &UnixStream) -> Result<(Claim, Vec<OwnedFd>)> {
    let mut first = vec![0u8; 64 * 1024];
    let (len, fds) = recv_with_fds(stream.as_raw_fd(), &mut first)?;
    first.truncate(len);
    if !first.contains(&b'\n') {
        let mut reader = BufReader::new(stream);
        reader.read_until(b'\n', &mut first)?;
    }
    let claim = serde_json::from_slice(&first).context("a malformed claim")?;
    Ok((claim, fds))
}

pub fn send_reply(mut stream: &UnixStream, reply: &Reply) -> Result<()> {
    let mut line = serde_json::to_vec(reply)?;
    line.push(b'\n');
    stream.write_all(&line)?;
    Ok(())
}

/// The next line from the spare; None at the end of the stream.
pub fn read_reply(reader: &mut impl BufRead) -> Result<Option<Reply>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    Ok(Some(
        serde_json::from_str(&line).context("a malformed reply")?,
    ))
}

/// The next line from the spare, read a byte at a time so that nothing
/// after it is taken from the stream; None at the end of the stream.
pub fn read_first_reply(mut stream: &UnixStream) -> Result<Option<Reply>> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        if stream.read(&mut byte)? == 0 {
            return Ok(None);
        }
        if byte[0] == b'\n' {
            break;
        }
        line.push(byte[0]);
    }
    Ok(Some(
        serde_json::from_slice(&line).context("a malformed reply")?,
    ))
}

/// Blocks until the other end closes the stream (or it fails).
pub fn wait_for_close(mut stream: &UnixStream) {
    let mut buf = [0u8; 256];
    while matches!(stream.read(&mut buf), Ok(n) if n > 0) {}
}

/// Whether the process at the other end of `stream` runs as our user.
pub fn same_user(stream: &UnixStream) -> bool {
    // SAFETY: ucred is plain data; getsockopt writes at most `len` bytes;
    // getuid cannot fail.
    unsafe {
        let mut cred: libc::ucred = std::mem::zeroed();
        let mut len = size_of::<libc::ucred>() as libc::socklen_t;
        let found = libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            &mut cred as *mut _ as *mut libc::c_void,
            &mut len,
        );
        found == 0 && cred.uid == libc::getuid()
    }
}

const MAX_FDS: usize = 4;

fn cmsg_space() -> usize {
    // SAFETY: CMSG_SPACE only computes a size.
    unsafe { libc::CMSG_SPACE((MAX_FDS * size_of::<RawFd>()) as u32) as usize }
}

/// One `sendmsg` of `data` with `fds` attached; returns the bytes sent.
fn send_with_fds(socket: RawFd, data: &[u8], fds: &[RawFd]) -> Result<usize> {
    assert!(fds.len() <= MAX_FDS);
    let mut control = vec![0u8; cmsg_space()];
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: msghdr is plain data; every pointer set below outlives the call.
    let sent = unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = libc::CMSG_SPACE(size_of_val(fds) as u32) as _;
        let cmsg = libc::CMSG_FIRSTHDR(&msg);
        (*cmsg).cmsg_level = libc::SOL_SOCKET;
        (*cmsg).cmsg_type = libc::SCM_RIGHTS;
        (*cmsg).cmsg_len = libc::CMSG_LEN(size_of_val(fds) as u32) as _;
        std::ptr::copy_nonoverlapping(fds.as_ptr(), libc::CMSG_DATA(cmsg) as *mut RawFd, fds.len());
        libc::sendmsg(socket, &msg, libc::MSG_NOSIGNAL)
    };
    if sent < 0 {
        return Err(std::io::Error::last_os_error()).context("sendmsg");
    }
    Ok(sent as usize)
}

/// One `recvmsg` into `buf`; returns the bytes read and the descriptors
/// that came with them (close-on-exec).
fn recv_with_fds(socket: RawFd, buf: &mut [u8]) -> Result<(usize, Vec<OwnedFd>)> {
    let mut control = vec![0u8; cmsg_space()];
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr() as *mut libc::c_void,
        iov_len: buf.len(),
    };
    let mut fds = Vec::new();
    // SAFETY: as in send_with_fds; the kernel fills `control` with at most
    // its length, and each SCM_RIGHTS entry holds whole descriptors.
    let received = unsafe {
        let mut msg: libc::msghdr = std::mem::zeroed();
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = control.len() as _;
        let received = libc::recvmsg(socket, &mut msg, libc::MSG_CMSG_CLOEXEC);
        if received >= 0 {
            let mut cmsg = libc::CMSG_FIRSTHDR(&msg);
            while !cmsg.is_null() {
                if (*cmsg).cmsg_level == libc::SOL_SOCKET && (*cmsg).cmsg_type == libc::SCM_RIGHTS {
                    let bytes = (*cmsg).cmsg_len as usize - libc::CMSG_LEN(0) as usize;
                    let data = libc::CMSG_DATA(cmsg) as *const RawFd;
                    for i in 0..bytes / size_of::<RawFd>() {
                        fds.push(OwnedFd::from_raw_fd(std::ptr::read_unaligned(data.add(i))));
                    }
                }
                cmsg = libc::CMSG_NXTHDR(&msg, cmsg);
            }
        }
        received
    };
    if received < 0 {
        return Err(std::io::Error::last_os_error()).context("recvmsg");
    }
    if received == 0 {
        bail!("the launcher closed the connection");
    }
    Ok((received as usize, fds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_travels_with_two_descriptors_and_replies_come_back() {
        let (launcher, spare) = UnixStream::pair().unwrap();
        let env = vec![(OsString::from("A"), OsString::from("1"))];
        let claim = Claim::new("key".into(), Mode::Ready, "/tmp".into(), &env, "{}".into());
        send_claim(&launcher, &claim).unwrap();
        let (got, fds) = receive_claim(&spare).unwrap();
        assert_eq!(got.key, "key");
        assert_eq!(got.cwd(), PathBuf::from("/tmp"));
        assert_eq!(got.env(), env);
        assert_eq!(fds.len(), 2);
        assert!(same_user(&spare));

        send_reply(
            &spare,
            &Reply {
                ok: true,
                pid: 7,
                ..Reply::default()
            },
        )
        .unwrap();
        send_reply(
            &spare,
            &Reply {
                exit: Some(3),
                ..Reply::default()
            },
        )
        .unwrap();
        drop(spare);
        let mut reader = BufReader::new(&launcher);
        assert_eq!(read_reply(&mut reader).unwrap().unwrap().pid, 7);
        assert_eq!(read_reply(&mut reader).unwrap().unwrap().exit, Some(3));
        assert!(read_reply(&mut reader).unwrap().is_none());
    }
}
