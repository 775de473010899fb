//! Bad input, case by case: damaged IDX files (raw and gzip), gzip bombs and
//! trailing data, a tampered bundled sample, missing folders, malformed
//! karate club files and out-of-range rows. Every case must end in an error
//! whose message says what is wrong, never a panic.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use flate2::Compression;
use flate2::write::GzEncoder;
use hw6_datasets::DataError;
use hw6_datasets::MNIST_FILE_NAMES;
use hw6_datasets::load_karate;
use hw6_datasets::prelude::*;
use hw6_datasets::{
    IdxU8, MAX_IDX_BYTES, encode_idx_u8, encode_idx_u8_gz, parse_idx_u8, read_idx_u8,
    read_idx_u8_from, write_idx_u8,
};
use hw6_datasets::{images_and_labels_to_split, read_images_and_labels};
use hw6_linalg::Matrix;

mod common;
use common::{TempDir, project_data};

/// The error's message, which must be one line naming what is wrong.
fn message<T: std::fmt::Debug>(result: Result<T, DataError>) -> String {
    let msg = result.expect_err("expected an error").to_string();
    assert!(!msg.contains('\n'), "not one line: {msg}");
    msg
}

/// Asserts that `msg` holds every needle.
fn says(msg: &str, needles: &[&str]) {
    for needle in needles {
        assert!(msg.contains(needle), "{needle:?} missing from: {msg}");
    }
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// An MNIST-like images file of `n` 28 x 28 images, raw.
fn images_raw(n: usize) -> Vec<u8> {
    let pixels: Vec<u8> = (0..n * 784).map(|i| (i % 251) as u8).collect();
    encode_idx_u8(&[n, 28, 28], &pixels).unwrap()
}

// ---------------------------------------------------------------- IDX files

#[test]
fn truncated_raw_file_says_how_much_is_missing() {
    let tmp = TempDir::new("bad-trunc");
    let path = tmp.path().join("train-images-idx3-ubyte");
    let raw = images_raw(3);
    std::fs::write(&path, &raw[..raw.len() - 100]).unwrap();
    let msg = message(read_idx_u8(&path));
    says(
        &msg,
        &[
            "train-images-idx3-ubyte",
            "truncated",
            "2352 bytes of data",
            "holds only 2252",
        ],
    );
    // Cut inside the header, and before the end of the magic number.
    std::fs::write(&path, &raw[..10]).unwrap();
    says(&message(read_idx_u8(&path)), &["ends inside the header"]);
    std::fs::write(&path, &raw[..3]).unwrap();
    says(
        &message(read_idx_u8(&path)),
        &["fewer than the 4-byte IDX magic"],
    );
    std::fs::write(&path, b"").unwrap();
    says(&message(read_idx_u8(&path)), &["truncated", "has 0 bytes"]);
}

#[test]
fn truncated_gzip_file_is_reported() {
    let raw = images_raw(3);
    // A complete gzip stream of an incomplete IDX file.
    let short = gzip(&raw[..raw.len() - 1]);
    says(
        &message(parse_idx_u8(&short, Path::new("short.gz"))),
        &["short.gz", "truncated", "holds only 2351"],
    );
    // A gzip stream cut in the middle.
    let gz = encode_idx_u8_gz(&[3, 28, 28], &raw[16..]).unwrap();
    says(
        &message(parse_idx_u8(&gz[..gz.len() / 2], Path::new("cut.gz"))),
        &["cut.gz", "gzip stream is corrupt or truncated"],
    );
}

#[test]
fn oversized_raw_file_is_rejected_with_the_excess() {
    let tmp = TempDir::new("bad-long");
    let path = tmp.path().join("t10k-labels-idx1-ubyte");
    let mut bytes = encode_idx_u8(&[4], &[1, 2, 3, 4]).unwrap();
    bytes.extend(std::iter::repeat_n(7u8, 1000));
    std::fs::write(&path, &bytes).unwrap();
    says(
        &message(read_idx_u8(&path)),
        &[
            "t10k-labels-idx1-ubyte",
            "has 1000 bytes after the 4 bytes that dimensions [4] declare",
            "trailing garbage",
        ],
    );
}

#[test]
fn a_raw_stream_is_read_no_further_than_the_declared_data_plus_one_byte() {
    let mut bytes = images_raw(1);
    let declared = bytes.len();
    bytes.resize(declared + (10 << 20), 0); // 10 MiB of trailing zeros
    let mut counting = Counting {
        rest: &bytes,
        consumed: 0,
    };
    says(
        &message(read_idx_u8_from(&mut counting, Path::new("stream.idx"))),
        &["stream.idx", "has bytes after the 784 bytes"],
    );
    assert_eq!(counting.consumed, declared + 1);
}

#[test]
fn oversized_gzip_content_is_rejected() {
    let mut raw = encode_idx_u8(&[4], &[1, 2, 3, 4]).unwrap();
    raw.push(9);
    says(
        &message(parse_idx_u8(&gzip(&raw), Path::new("long.gz"))),
        &[
            "long.gz",
            "the decompressed file has bytes after the 4 bytes",
        ],
    );
}

/// Reads from a slice and counts the bytes handed out.
struct Counting<'a> {
    rest: &'a [u8],
    consumed: usize,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.rest.read(buf)?;
        self.consumed += n;
        Ok(n)
    }
}

/// A gzip file whose header declares one 28 x 28 image but which inflates
/// to 128 MiB of zeros; compressed piece by piece (about 130 KB).
fn gzip_bomb() -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(&[0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28])
        .unwrap();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..128 {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap()
}

#[test]
fn gzip_bomb_fails_fast_without_inflating() {
    let bomb = gzip_bomb();
    assert!(bomb.len() < 1 << 20, "the bomb is {} bytes", bomb.len());

    // From a stream: only the start of the compressed data is consumed.
    let start = Instant::now();
    let mut counting = Counting {
        rest: &bomb,
        consumed: 0,
    };
    let msg = message(read_idx_u8_from(&mut counting, Path::new("bomb.gz")));
    says(&msg, &["bomb.gz", "has bytes after the 784 bytes"]);
    assert!(
        counting.consumed < bomb.len() / 4,
        "read {} of the bomb's {} compressed bytes",
        counting.consumed,
        bomb.len()
    );

    // From a file, the way MNIST is loaded.
    let tmp = TempDir::new("bad-bomb");
    let path = tmp.path().join("train-images-idx3-ubyte.gz");
    std::fs::write(&path, &bomb).unwrap();
    says(
        &message(read_idx_u8(&path)),
        &["train-images-idx3-ubyte.gz", "bytes after", "gzip bomb"],
    );
    // Inflating 128 MiB takes far longer than reading two headers.
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_header_declaring_more_than_the_cap_is_rejected_before_reading() {
    // 512 MiB declared, well under the u32 limits; nothing follows the header.
    let header = [0u8, 0, 8, 1, 0x20, 0, 0, 0];
    for (bytes, name) in [(header.to_vec(), "big.idx"), (gzip(&header), "big.gz")] {
        says(
            &message(parse_idx_u8(&bytes, Path::new(name))),
            &[
                name,
                "[536870912]",
                &format!("more than the {MAX_IDX_BYTES} bytes this reader accepts"),
            ],
        );
    }
}

#[test]
fn wrong_magic_is_reported_with_its_bytes() {
    let mut raw = images_raw(1);
    raw[..4].copy_from_slice(b"PK\x03\x04");
    says(
        &message(parse_idx_u8(&raw, Path::new("zip.idx"))),
        &["zip.idx", "wrong magic number 50 4b 03 04", "00 00"],
    );
    says(
        &message(parse_idx_u8(&gzip(&raw), Path::new("zip.gz"))),
        &["wrong magic number 50 4b 03 04"],
    );
}

#[test]
fn wrong_element_type_is_reported() {
    let mut raw = images_raw(1);
    raw[2] = 0x0D; // f32
    says(
        &message(parse_idx_u8(&raw, Path::new("f32.idx"))),
        &["element type 0x0d (f32)", "expects 0x08 (u8)"],
    );
    raw[2] = 0x07; // not a type at all
    says(
        &message(parse_idx_u8(&raw, Path::new("x.idx"))),
        &["unknown element type 0x07"],
    );
}

#[test]
fn zero_dimensions_and_overflowing_dimensions_are_reported() {
    says(
        &message(parse_idx_u8(&[0, 0, 8, 0], Path::new("none.idx"))),
        &["declares 0 dimensions"],
    );
    // 2^32 - 1 cubed overflows usize on 32-bit targets and exceeds the cap.
    let mut three = vec![0, 0, 8, 3];
    three.extend([0xff; 12]);
    says(
        &message(parse_idx_u8(&three, Path::new("huge.idx"))),
        &["[4294967295, 4294967295, 4294967295]", "more than the"],
    );
    // Five of them overflow even a u64.
    let mut five = vec![0, 0, 8, 5];
    five.extend([0xff; 20]);
    says(
        &message(parse_idx_u8(&gzip(&five), Path::new("huge.gz"))),
        &["more than the"],
    );
}

#[test]
fn concatenated_gzip_members_are_one_stream() {
    let raw = encode_idx_u8(&[2, 3], &[1, 2, 3, 4, 5, 6]).unwrap();
    // The data split over two members, as `cat a.gz b.gz` would make it.
    let mut two = gzip(&raw[..9]);
    two.extend(gzip(&raw[9..]));
    let back = parse_idx_u8(&two, Path::new("two.gz")).unwrap();
    assert_eq!(back.dims, vec![2, 3]);
    assert_eq!(back.data, vec![1, 2, 3, 4, 5, 6]);
    // An empty second member adds nothing.
    let mut with_empty = gzip(&raw);
    with_empty.extend(gzip(&[]));
    assert!(parse_idx_u8(&with_empty, Path::new("empty.gz")).is_ok());
}

#[test]
fn a_second_gzip_member_with_extra_data_is_rejected() {
    let raw = encode_idx_u8(&[2, 3], &[1, 2, 3, 4, 5, 6]).unwrap();
    let mut two = gzip(&raw);
    two.extend(gzip(b"more"));
    says(
        &message(parse_idx_u8(&two, Path::new("extra.gz"))),
        &["extra.gz", "has bytes after the 6 bytes"],
    );
}

#[test]
fn non_gzip_bytes_after_the_gzip_data_are_rejected() {
    let raw = encode_idx_u8(&[2, 3], &[1, 2, 3, 4, 5, 6]).unwrap();
    for tail in [&b"hello, world"[..], &[0u8; 7][..], &[0x1f][..]] {
        let mut bytes = gzip(&raw);
        bytes.extend_from_slice(tail);
        let msg = message(parse_idx_u8(&bytes, Path::new("tail.gz")));
        assert!(
            msg.contains("not another gzip member") || msg.contains("corrupt or truncated"),
            "tail {tail:?}: {msg}"
        );
        says(&msg, &["tail.gz"]);
    }
    let mut bytes = gzip(&raw);
    bytes.extend_from_slice(b"garbage");
    says(
        &message(parse_idx_u8(&bytes, Path::new("tail.gz"))),
        &[
            "bytes after the end of gzip member 1 that are not another gzip member",
            "trailing garbage",
        ],
    );
}

#[test]
fn a_folder_or_a_missing_file_is_not_an_idx_file() {
    let tmp = TempDir::new("bad-folder");
    says(
        &message(read_idx_u8(tmp.path())),
        &["is a folder, not an IDX file"],
    );
    let missing = tmp.path().join("nope-idx1-ubyte");
    says(
        &message(read_idx_u8(&missing)),
        &["nope-idx1-ubyte", "opening failed"],
    );
}

#[test]
fn mismatched_image_and_label_counts_are_reported() {
    let tmp = TempDir::new("bad-counts");
    let images = tmp.path().join("train-images-idx3-ubyte");
    let labels = tmp.path().join("train-labels-idx1-ubyte");
    write_idx_u8(&images, &[3, 28, 28], &vec![0; 3 * 784], false).unwrap();
    write_idx_u8(&labels, &[2], &[0, 1], true).unwrap();
    says(
        &message(read_images_and_labels(&images, &labels, None)),
        &["train-labels-idx1-ubyte", "2 labels for the 3 images"],
    );
    // A label file as images, and a label of 10.
    says(
        &message(read_images_and_labels(&labels, &labels, None)),
        &["images must have 3 dimensions"],
    );
    write_idx_u8(&labels, &[3], &[0, 1, 10], false).unwrap();
    says(
        &message(read_images_and_labels(&images, &labels, None)),
        &["label 2 is 10", "0 to 9"],
    );
}

#[test]
fn hand_built_arrays_that_disagree_with_their_dims_are_errors() {
    let images = IdxU8 {
        dims: vec![2, 28, 28],
        data: vec![0; 784], // one image's worth, for two declared
    };
    let labels = IdxU8 {
        dims: vec![2],
        data: vec![0, 1],
    };
    let p = Path::new("hand.idx");
    says(
        &message(images_and_labels_to_split(&images, p, &labels, p, None)),
        &["784 pixel values do not fill dimensions [2, 28, 28]"],
    );
    let images = IdxU8 {
        dims: vec![2, 28, 28],
        data: vec![0; 2 * 784],
    };
    let labels = IdxU8 {
        dims: vec![2],
        data: vec![0],
    };
    says(
        &message(images_and_labels_to_split(&images, p, &labels, p, None)),
        &["1 label values for dimension [2]"],
    );
}

// ---------------------------------------------------------- bundled sample

/// A copy of the bundled sample in `<tmp>/mnist-sample`.
fn sample_copy(tag: &str) -> TempDir {
    let tmp = TempDir::new(tag);
    let dir = tmp.path().join("mnist-sample");
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(project_data().join("mnist-sample")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    tmp
}

fn load_from(dir: &Path) -> Result<(Dataset, String), DataError> {
    MnistConfig {
        data_dir: Some(dir.to_path_buf()),
        limit: Some(100),
        ..MnistConfig::default()
    }
    .load_quiet()
}

#[test]
fn an_intact_sample_copy_loads() {
    let tmp = sample_copy("bad-sample-ok");
    let (d, line) = load_from(tmp.path()).unwrap();
    assert_eq!(d.source, DataSource::BundledSample);
    assert!(line.contains("mnist-sample"), "{line}");
}

#[test]
fn a_tampered_sample_fails_its_checksum() {
    let tmp = sample_copy("bad-sample-flip");
    let labels = tmp.path().join("mnist-sample/t10k-labels-idx1-ubyte.gz");
    let mut bytes = std::fs::read(&labels).unwrap();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x01;
    std::fs::write(&labels, &bytes).unwrap();
    says(
        &message(load_from(tmp.path())),
        &[
            "t10k-labels-idx1-ubyte.gz",
            "SHA-256 is",
            "SHA256SUMS lists eeaab518",
            "git checkout -- data/mnist-sample",
        ],
    );
}

#[test]
fn a_sample_without_its_checksum_list_is_refused() {
    let tmp = sample_copy("bad-sample-nosums");
    std::fs::remove_file(tmp.path().join("mnist-sample/SHA256SUMS")).unwrap();
    says(
        &message(load_from(tmp.path())),
        &["SHA256SUMS", "missing", "git checkout -- data/mnist-sample"],
    );
}

#[test]
fn an_unlisted_sample_file_is_refused() {
    // A decompressed copy next to the .gz wins the lookup but is not listed.
    let tmp = sample_copy("bad-sample-unlisted");
    let dir = tmp.path().join("mnist-sample");
    let gz = std::fs::read(dir.join("train-labels-idx1-ubyte.gz")).unwrap();
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut raw)
        .unwrap();
    std::fs::write(dir.join("train-labels-idx1-ubyte"), raw).unwrap();
    says(
        &message(load_from(tmp.path())),
        &["train-labels-idx1-ubyte", "not listed in"],
    );
}

// ----------------------------------------------------------- missing folders

#[test]
fn a_missing_data_folder_says_what_to_do() {
    let tmp = TempDir::new("bad-nodir");
    let missing = tmp.path().join("no-such-folder");
    says(
        &message(load_from(&missing)),
        &[
            "no-such-folder",
            "does not exist",
            "--data-dir",
            "HW6_DATA_DIR",
        ],
    );
    // A file where the folder should be.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    says(&message(load_from(&file)), &["a-file", "is not a folder"]);
    // The karate club, from the same wrong folder.
    says(
        &message(load_karate(Some(&missing))),
        &[
            "no-such-folder",
            "karate/members.tsv",
            "does not exist",
            "--data-dir",
        ],
    );
}

#[test]
fn a_data_folder_without_karate_files_names_them() {
    let tmp = TempDir::new("bad-nokarate");
    says(
        &message(load_karate(Some(tmp.path()))),
        &[
            "the karate club not found",
            "karate/members.tsv",
            "git checkout",
        ],
    );
    std::fs::create_dir_all(tmp.path().join("karate")).unwrap();
    std::fs::copy(
        project_data().join("karate/members.tsv"),
        tmp.path().join("karate/members.tsv"),
    )
    .unwrap();
    says(
        &message(load_karate(Some(tmp.path()))),
        &["karate/edges.tsv", "not found"],
    );
}

// ------------------------------------------------------------ karate files

/// A data folder with the shipped karate files, each passed through `edit`.
fn karate_with(
    tag: &str,
    members: impl Fn(&str) -> String,
    edges: impl Fn(&str) -> String,
) -> TempDir {
    let tmp = TempDir::new(tag);
    let dir = tmp.path().join("karate");
    std::fs::create_dir_all(&dir).unwrap();
    let read =
        |name: &str| std::fs::read_to_string(project_data().join("karate").join(name)).unwrap();
    std::fs::write(dir.join("members.tsv"), members(&read("members.tsv"))).unwrap();
    std::fs::write(dir.join("edges.tsv"), edges(&read("edges.tsv"))).unwrap();
    tmp
}

fn same(s: &str) -> String {
    s.to_string()
}

/// The karate error for these edits.
fn karate_error(members: impl Fn(&str) -> String, edges: impl Fn(&str) -> String) -> String {
    let tmp = karate_with("bad-karate", members, edges);
    message(load_karate(Some(tmp.path())))
}

#[test]
fn the_shipped_karate_files_pass() {
    let tmp = karate_with("karate-ok", same, same);
    let club = load_karate(Some(tmp.path())).unwrap();
    assert_eq!((club.num_members(), club.num_edges()), (34, 78));
}

#[test]
fn truncated_karate_files_are_reported() {
    // The last ten ties lost.
    let msg = karate_error(same, |e| {
        let lines: Vec<&str> = e.lines().collect();
        lines[..lines.len() - 10].join("\n")
    });
    says(
        &msg,
        &[
            "edges.tsv",
            "lists 68 ties",
            "78",
            "git checkout -- data/karate",
        ],
    );
    // Cut in the middle of a line.
    let msg = karate_error(same, |e| e[..e.len() - 3].to_string());
    says(
        &msg,
        &["edges.tsv", "line 81", "expected 3 tab-separated fields"],
    );
    // The last members lost: their ties point at no one.
    let msg = karate_error(|m| m.lines().take(30).collect::<Vec<_>>().join("\n"), same);
    says(&msg, &["edges.tsv", "does not exist", "ids 0 to 27"]);
    // An empty file.
    let msg = karate_error(|_| String::new(), same);
    says(&msg, &["members.tsv", "no header line"]);
}

#[test]
fn non_numeric_and_out_of_range_ids_are_reported() {
    let msg = karate_error(same, |e| e.replacen("0\t1\t4", "zero\t1\t4", 1));
    says(
        &msg,
        &[
            "edges.tsv",
            "line 4",
            "member id 'zero' is not a non-negative integer",
        ],
    );
    let msg = karate_error(same, |e| e.replacen("0\t1\t4", "-1\t1\t4", 1));
    says(&msg, &["member id '-1'"]);
    let msg = karate_error(same, |e| e.replacen("0\t1\t4", "0\t34\t4", 1));
    says(
        &msg,
        &["edge to member 34, who does not exist", "ids 0 to 33"],
    );
    let msg = karate_error(same, |e| {
        e.replacen("0\t1\t4", "0\t99999999999999999999999\t4", 1)
    });
    says(&msg, &["is not a non-negative integer"]);
    let msg = karate_error(same, |e| e.replacen("0\t1\t4", "0\t1\tmany", 1));
    says(&msg, &["weight 'many' is not a positive number"]);
    let msg = karate_error(|m| m.replacen("5\tMr. Hi", "5\tSensei", 1), same);
    says(&msg, &["members.tsv", "unknown club 'Sensei'"]);
}

#[test]
fn duplicated_edges_and_members_are_reported() {
    let msg = karate_error(same, |e| format!("{e}1\t0\t3\n"));
    says(
        &msg,
        &[
            "edges.tsv",
            "duplicate edge 0-1",
            "already listed on line 4",
        ],
    );
    let msg = karate_error(|m| m.replacen("\n5\t", "\n4\t", 1), same);
    says(&msg, &["members.tsv", "member id 4 out of order"]);
    let msg = karate_error(same, |e| e.replacen("0\t1\t4", "3\t3\t4", 1));
    says(&msg, &["self loop at member 3"]);
}

#[test]
fn a_wrong_member_count_is_reported() {
    // One member too many: valid on its own, but not Zachary's club.
    let msg = karate_error(|m| format!("{m}34\tOfficer\n"), same);
    says(
        &msg,
        &["members.tsv", "lists 35 members", "Zachary's club has 34"],
    );
}

#[test]
fn wrong_headers_binary_and_oversized_karate_files_are_reported() {
    let msg = karate_error(|m| m.replacen("id\tclub", "id,club", 1), same);
    says(&msg, &["members.tsv", "expected the header"]);
    let msg = karate_error(same, |e| e.replacen("0\t1\t4", "0\t1", 1));
    says(&msg, &["expected 3 tab-separated fields"]);

    let tmp = karate_with("bad-karate-bin", same, same);
    let edges = tmp.path().join("karate/edges.tsv");
    std::fs::write(&edges, [0x1f, 0x8b, 0xff, 0xfe, 0x00]).unwrap();
    says(
        &message(load_karate(Some(tmp.path()))),
        &["edges.tsv", "is not UTF-8 text"],
    );
    std::fs::write(&edges, vec![b'#'; 2 << 20]).unwrap();
    says(
        &message(load_karate(Some(tmp.path()))),
        &["edges.tsv", "far more than"],
    );
    std::fs::remove_file(&edges).unwrap();
    std::fs::create_dir(&edges).unwrap();
    says(&message(load_karate(Some(tmp.path()))), &["is not a file"]);
}

// ------------------------------------------------------- out-of-range rows

#[test]
fn out_of_range_rows_are_errors() {
    let x = Matrix::from_fn(4, 3, |r, c| (3 * r + c) as f32);
    let s = Split::new(x, vec![0, 1, 1, 2]).unwrap();
    assert_eq!(s.get_row(3).unwrap(), &[9.0, 10.0, 11.0]);
    says(
        &message(s.get_row(4)),
        &["row 4 is out of range for a split of 4 rows"],
    );
    says(&message(s.get_row(usize::MAX)), &["out of range"]);
    let mut batch = Matrix::default();
    says(
        &message(
            batch
                .gather(s.features().view(), &[0, 4])
                .map_err(DataError::from),
        ),
        &["row 4"],
    );
    // Slices clamp instead.
    assert_eq!(s.slice(2, 100).len(), 2);
    assert_eq!(s.slice(100, 200).len(), 0);
    assert_eq!(s.head(100), s);
}

#[test]
fn a_split_whose_parts_disagree_cannot_be_built() {
    says(
        &message(Split::new(Matrix::zeros(2, 3), vec![0, 1, 2, 3])),
        &["invalid features: 2 rows for 4 labels"],
    );
    says(
        &message(Split::new(Matrix::zeros(1, 0), vec![0])),
        &["invalid features", "0 columns"],
    );
}

// ---------------------------------------------------- temporary file names

#[cfg(unix)]
#[test]
fn writing_never_follows_a_planted_link_at_a_guessable_temp_name() {
    let tmp = TempDir::new("bad-link");
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, b"precious").unwrap();
    let dest = tmp.path().join("out-idx1-ubyte");
    // The name the old writer used: `.<name>.partial-<pid>`.
    let guess = tmp
        .path()
        .join(format!(".out-idx1-ubyte.partial-{}", std::process::id()));
    std::os::unix::fs::symlink(&victim, &guess).unwrap();
    write_idx_u8(&dest, &[3], &[1, 2, 3], false).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert_eq!(read_idx_u8(&dest).unwrap().data, vec![1, 2, 3]);
    // Only the three files we made: no temporary file is left behind.
    let mut names: Vec<PathBuf> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut expected = vec![guess, dest, victim];
    expected.sort();
    assert_eq!(names, expected);
}

#[test]
fn every_idx_file_name_of_the_sample_is_checked() {
    // The four files a sample folder holds are exactly those SHA256SUMS lists.
    let sums = std::fs::read_to_string(project_data().join("mnist-sample/SHA256SUMS")).unwrap();
    for name in MNIST_FILE_NAMES {
        assert!(
            sums.contains(&format!("  {name}.gz")),
            "{name} not in SHA256SUMS"
        );
    }
}
