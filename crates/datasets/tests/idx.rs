//! The IDX reader and writer on small arrays: round trips, and one message
//! per kind of corruption.

use std::path::Path;

use hw6_datasets::{GZIP_MAGIC, encode_idx_u8, encode_idx_u8_gz, parse_idx_u8};

fn p() -> &'static Path {
    Path::new("t.idx")
}

fn msg(bytes: &[u8]) -> String {
    parse_idx_u8(bytes, p()).unwrap_err().to_string()
}

#[test]
fn reads_what_it_writes_raw_and_gzip() {
    let data: Vec<u8> = (0..24).collect();
    let raw = encode_idx_u8(&[2, 3, 4], &data).unwrap();
    assert_eq!(&raw[..8], &[0, 0, 8, 3, 0, 0, 0, 2]);
    let gz = encode_idx_u8_gz(&[2, 3, 4], &data).unwrap();
    assert_eq!(&gz[..2], &GZIP_MAGIC);
    for bytes in [raw, gz] {
        let back = parse_idx_u8(&bytes, p()).unwrap();
        assert_eq!(back.dims, vec![2, 3, 4]);
        assert_eq!(back.data, data);
    }
}

#[test]
fn each_corruption_has_its_message() {
    let good = encode_idx_u8(&[2, 2], &[1, 2, 3, 4]).unwrap();
    assert!(msg(&good[..2]).contains("fewer than the 4-byte IDX magic"));
    assert!(msg(&[1, 0, 8, 1, 0, 0, 0, 0]).contains("wrong magic number 01 00 08 01"));
    assert!(msg(&[0, 0, 0x07, 1, 0, 0, 0, 0]).contains("unknown element type 0x07"));
    assert!(msg(&[0, 0, 0x0D, 1, 0, 0, 0, 0]).contains("(f32)"));
    assert!(msg(&[0, 0, 8, 0]).contains("0 dimensions"));
    assert!(msg(&good[..6]).contains("ends inside the header"));
    assert!(msg(&good[..good.len() - 1]).contains("holds only 3"));
    let mut long = good.clone();
    long.push(9);
    assert!(msg(&long).contains("bytes after"));
    let huge = [
        0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2,
    ];
    assert!(msg(&huge).contains("more than the"));
    assert!(msg(&good[..good.len() - 1]).starts_with("t.idx: "));
}

#[test]
fn damaged_gzip_is_reported() {
    let gz = encode_idx_u8_gz(&[100], &[7; 100]).unwrap();
    let m = msg(&gz[..gz.len() / 2]);
    assert!(m.contains("gzip stream is corrupt or truncated"), "{m}");
    let mut flipped = gz.clone();
    let last = flipped.len() - 6; // inside the CRC-32 trailer
    flipped[last] ^= 0xff;
    assert!(msg(&flipped).contains("gzip"));
}

#[test]
fn encoder_checks_its_input() {
    assert!(encode_idx_u8(&[], &[]).is_err());
    assert!(encode_idx_u8(&[2, 2], &[0; 3]).is_err());
    assert!(encode_idx_u8(&[0], &[]).is_ok());
}
