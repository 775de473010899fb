//! The download's failure paths, against servers on this machine only: a
//! closed port (as when offline), a server that sends the wrong bytes, one
//! that accepts and then says nothing, and one that is slow but steady.
#![cfg(feature = "download")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use hw6_datasets::DataError;
use hw6_datasets::{
    FetchTimeouts, MNIST_PUBLISHED, agent_config, fetch_mnist_from, mnist_raw_dir, verify_mnist_dir,
};

mod common;
use common::TempDir;

/// A port on 127.0.0.1 where nothing listens.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Serves `body` with status 200 to at most `max` connections, for at most
/// 20 seconds, on 127.0.0.1; returns the port.
fn wrong_bytes_server(body: &'static [u8], max: usize) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let start = Instant::now();
        let mut served = 0;
        while served < max && start.elapsed() < Duration::from_secs(20) {
            match l.accept() {
                Ok((mut s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                    let mut buf = [0u8; 2048];
                    let _ = s.read(&mut buf);
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = s.write_all(head.as_bytes());
                    let _ = s.write_all(body);
                    served += 1;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    port
}

/// Short limits for servers on this machine.
fn quick() -> FetchTimeouts {
    FetchTimeouts {
        connect: Duration::from_secs(5),
        idle: Duration::from_secs(5),
    }
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn offline_fails_naming_the_file_and_the_bundled_fallback() {
    let tmp = TempDir::new("offline");
    let mirror = format!("http://127.0.0.1:{}/mnist/", closed_port());
    let err = fetch_mnist_from(tmp.path(), &[&mirror], quick()).unwrap_err();
    assert!(matches!(err, DataError::Download { .. }));
    let msg = err.to_string();
    assert!(
        msg.starts_with("could not download train-images-idx3-ubyte.gz"),
        "{msg}"
    );
    assert!(msg.contains(&mirror), "{msg}");
    assert!(msg.contains("bundled MNIST sample"), "{msg}");
    assert!(msg.contains("hw6 data fetch mnist"), "{msg}");
    assert!(!msg.contains('\n'));
    // Nothing is left behind, not even the empty folder.
    assert!(!mnist_raw_dir(tmp.path()).exists());
    assert!(!tmp.path().join("MNIST").exists());
}

#[test]
fn wrong_bytes_are_rejected_and_never_written() {
    let tmp = TempDir::new("wrong");
    let bad = format!("http://127.0.0.1:{}/", wrong_bytes_server(b"not mnist", 4));
    let closed = format!("http://127.0.0.1:{}/", closed_port());
    let err = fetch_mnist_from(tmp.path(), &[&closed, &bad], quick()).unwrap_err();
    let msg = err.to_string();
    // Both mirrors are reported, the second with its checksum.
    assert!(msg.contains(&closed), "{msg}");
    assert!(msg.contains("gave 9 bytes with SHA-256"), "{msg}");
    assert!(msg.contains(MNIST_PUBLISHED[0].sha256), "{msg}");
    assert_eq!(leftovers(&mnist_raw_dir(tmp.path())), Vec::<String>::new());
    assert_eq!(verify_mnist_dir(&mnist_raw_dir(tmp.path())), [false; 4]);
}

#[test]
fn no_mirrors_is_a_config_error() {
    let tmp = TempDir::new("nomirror");
    let err = fetch_mnist_from(tmp.path(), &[], quick()).unwrap_err();
    assert!(err.to_string().starts_with("invalid mirrors"));
}

/// Accepts one connection on 127.0.0.1, reads the request, then runs
/// `respond` on the socket (for at most 20 seconds); returns the port.
fn one_shot_server(respond: fn(&mut std::net::TcpStream)) -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.set_nonblocking(true).unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(20) {
            match l.accept() {
                Ok((mut s, _)) => {
                    s.set_nonblocking(false).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                    let mut buf = [0u8; 2048];
                    let _ = s.read(&mut buf);
                    respond(&mut s);
                    return;
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    port
}

#[test]
fn the_agent_has_connect_and_idle_timeouts_but_no_global_one() {
    let t = FetchTimeouts {
        connect: Duration::from_secs(7),
        idle: Duration::from_secs(11),
    };
    let config = agent_config(&t);
    assert_eq!(config.timeouts().global, None);
    assert_eq!(config.timeouts().per_call, None);
    assert_eq!(config.timeouts().recv_body, None);
    assert_eq!(config.timeouts().connect, Some(Duration::from_secs(7)));
    assert_eq!(config.timeouts().resolve, Some(Duration::from_secs(7)));
    assert_eq!(config.timeout_per_read(), Some(Duration::from_secs(11)));
    let defaults = FetchTimeouts::default();
    assert!(defaults.connect >= Duration::from_secs(10));
    assert!(defaults.idle >= Duration::from_secs(30));
}

#[test]
fn a_server_that_stalls_fails_after_the_idle_timeout() {
    // Accepts and reads the request, then sends nothing for 3 seconds.
    let port = one_shot_server(|_| std::thread::sleep(Duration::from_secs(3)));
    let tmp = TempDir::new("stall");
    let t = FetchTimeouts {
        connect: Duration::from_secs(5),
        idle: Duration::from_millis(400),
    };
    let start = Instant::now();
    let err = fetch_mnist_from(tmp.path(), &[&format!("http://127.0.0.1:{port}/")], t).unwrap_err();
    let took = start.elapsed();
    let msg = err.to_string();
    assert!(msg.contains("timeout"), "{msg}");
    assert!(msg.contains("no data for 0.4 s"), "{msg}");
    assert!(took < Duration::from_millis(2_500), "took {took:?}");
    assert!(!mnist_raw_dir(tmp.path()).exists());
}

#[test]
fn a_slow_but_steady_server_is_not_cut_off() {
    // Sends the 9-byte body one byte every 150 ms: 1.35 s in all, longer
    // than the 0.6 s idle limit, but never idle that long. The download
    // completes and fails only on its checksum.
    let port = one_shot_server(|s| {
        let body = b"not mnist";
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        let _ = s.write_all(head.as_bytes());
        for b in body {
            std::thread::sleep(Duration::from_millis(150));
            let _ = s.write_all(&[*b]);
            let _ = s.flush();
        }
    });
    let tmp = TempDir::new("slow");
    let t = FetchTimeouts {
        connect: Duration::from_secs(5),
        idle: Duration::from_millis(600),
    };
    let err = fetch_mnist_from(tmp.path(), &[&format!("http://127.0.0.1:{port}/")], t).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("gave 9 bytes with SHA-256"), "{msg}");
    assert!(!msg.contains("timeout"), "{msg}");
}

#[test]
fn a_server_that_stalls_mid_body_leaves_no_temporary_file() {
    // Promises 100 bytes, sends 3, then says nothing for 3 seconds.
    let port = one_shot_server(|s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
        let _ = s.flush();
        std::thread::sleep(Duration::from_secs(3));
    });
    let tmp = TempDir::new("stall-body");
    // A file already in the folder keeps it from being removed at the end.
    let raw = mnist_raw_dir(tmp.path());
    std::fs::create_dir_all(&raw).unwrap();
    std::fs::write(raw.join("notes.txt"), b"mine").unwrap();
    let t = FetchTimeouts {
        connect: Duration::from_secs(5),
        idle: Duration::from_millis(400),
    };
    let msg = fetch_mnist_from(tmp.path(), &[&format!("http://127.0.0.1:{port}/")], t)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("failed after 3 bytes"), "{msg}");
    assert!(msg.contains("timeout"), "{msg}");
    assert_eq!(leftovers(&raw), vec!["notes.txt".to_string()]);
}

#[test]
fn zero_timeouts_are_a_config_error() {
    let tmp = TempDir::new("zero");
    let t = FetchTimeouts {
        connect: Duration::ZERO,
        idle: Duration::from_secs(1),
    };
    let err = fetch_mnist_from(tmp.path(), &["http://127.0.0.1:1/"], t).unwrap_err();
    assert!(err.to_string().starts_with("invalid timeouts"), "{err}");
}
