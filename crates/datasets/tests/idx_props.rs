//! Property tests of the IDX reader: whatever the bytes, it answers with a
//! value or an error, never a panic; what the writer writes, it reads back.

use std::path::Path;

use hw6_datasets::{
    IdxU8, encode_idx_u8, encode_idx_u8_gz, parse_idx_u8, read_idx_u8, write_idx_u8,
};
use proptest::prelude::*;

mod common;

/// Dimensions (1 to 4 of them, product at most 4096) and matching data.
fn array() -> impl Strategy<Value = IdxU8> {
    prop::collection::vec(0usize..9, 1..=4).prop_flat_map(|dims| {
        let n: usize = dims.iter().product();
        prop::collection::vec(any::<u8>(), n).prop_map(move |data| IdxU8 {
            dims: dims.clone(),
            data,
        })
    })
}

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_idx_u8(&bytes, Path::new("random.idx"));
    }

    #[test]
    fn random_bytes_behind_a_valid_prefix_never_panic(
        ndims in 0u8..5,
        rest in prop::collection::vec(any::<u8>(), 0..200),
        gz in any::<bool>(),
    ) {
        let mut bytes = vec![0, 0, 0x08, ndims];
        bytes.extend(rest);
        if gz {
            bytes.splice(0..0, [0x1f, 0x8b]);
        }
        let _ = parse_idx_u8(&bytes, Path::new("prefixed.idx"));
    }

    #[test]
    fn raw_and_gzip_round_trip(a in array()) {
        for bytes in [encode_idx_u8(&a.dims, &a.data).unwrap(), encode_idx_u8_gz(&a.dims, &a.data).unwrap()] {
            let back = parse_idx_u8(&bytes, Path::new("rt.idx")).unwrap();
            prop_assert_eq!(&back, &a);
        }
    }

    #[test]
    fn every_truncation_is_an_error_naming_the_file(a in array(), cut in any::<prop::sample::Index>(), gz in any::<bool>()) {
        let bytes = if gz { encode_idx_u8_gz(&a.dims, &a.data).unwrap() } else { encode_idx_u8(&a.dims, &a.data).unwrap() };
        let keep = cut.index(bytes.len()); // 0 ..= len - 1: always loses at least one byte
        let err = parse_idx_u8(&bytes[..keep], Path::new("cut.idx")).unwrap_err().to_string();
        prop_assert!(err.starts_with("cut.idx: "), "{}", err);
        prop_assert!(!err.contains('\n'));
    }

    #[test]
    fn a_flipped_byte_never_panics_and_is_caught_in_the_header(a in array(), at in any::<prop::sample::Index>(), gz in any::<bool>()) {
        let mut bytes = if gz { encode_idx_u8_gz(&a.dims, &a.data).unwrap() } else { encode_idx_u8(&a.dims, &a.data).unwrap() };
        let i = at.index(bytes.len());
        bytes[i] ^= 0xa5;
        let result = parse_idx_u8(&bytes, Path::new("flip.idx"));
        // A flipped data byte of a raw file is undetectable (IDX has no checksum),
        // and so are gzip's time stamp and padding bits; a flip in the IDX header,
        // or in gzip's CRC-32 and length trailer, must be caught.
        let header_len = 4 + 4 * a.dims.len();
        let caught = if gz { i + 8 >= bytes.len() } else { i < header_len };
        if caught {
            prop_assert!(result.is_err() || result.as_ref().is_ok_and(|r| r != &a));
        }
    }
}

#[test]
fn files_round_trip_and_name_the_path_when_bad() {
    let tmp = common::TempDir::new("idx");
    let data: Vec<u8> = (0..=255).collect();
    for gz in [false, true] {
        let path = tmp.path().join(if gz { "a.idx.gz" } else { "a.idx" });
        write_idx_u8(&path, &[4, 8, 8], &data, gz).unwrap();
        assert_eq!(read_idx_u8(&path).unwrap().data, data);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        let err = read_idx_u8(&path).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(err.contains("truncated"), "{err}");
    }
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    let missing = read_idx_u8(&tmp.path().join("nope.idx"))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("nope.idx"), "{missing}");
}
