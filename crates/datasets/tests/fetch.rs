//! The download's failure paths, against servers on this machine only: a
//! closed port (as when offline) and a server that sends the wrong bytes.
#![cfg(feature = "download")]

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

use hw6_datasets::error::DataError;
use hw6_datasets::fetch::{
    FetchTimeouts, MNIST_PUBLISHED, fetch_mnist_from, mnist_raw_dir, verify_mnist_dir,
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
