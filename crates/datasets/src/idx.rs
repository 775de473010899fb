//! The IDX file format of MNIST and Fashion-MNIST, raw or gzip-compressed.
//!
//! An IDX file is a header and a block of numbers, all big-endian:
//!
//! | bytes        | meaning                                                  |
//! |--------------|----------------------------------------------------------|
//! | 0, 1         | `0x00 0x00`                                              |
//! | 2            | element type: `0x08` u8, `0x09` i8, `0x0B` i16, `0x0C` i32, `0x0D` f32, `0x0E` f64 |
//! | 3            | number of dimensions `k`                                 |
//! | 4 .. 4 + 4k  | each dimension's size, `u32`                             |
//! | then         | `d₀ · d₁ ⋯ dₖ₋₁` elements, the last dimension fastest    |
//!
//! MNIST's image files are `u8` with dimensions `(n, 28, 28)`, its label
//! files `u8` with dimension `(n,)`. A file whose first two bytes are
//! `1f 8b` is read as gzip, whatever its name.
//!
//! The reader checks the header first (magic number, element type, number
//! of dimensions, and that the product of the dimensions fits in
//! [`MAX_IDX_BYTES`]), then reads exactly the declared data and one byte
//! more: a file that is shorter or longer than declared is rejected. A raw
//! file's size is compared with the header before its data is read; a gzip
//! file is decompressed only as far as the header's size plus one byte, so a
//! gzip bomb fails fast without inflating. Every failure is a
//! [`DataError::BadFile`] naming the file and what is wrong, never a panic.
//!
//! Gzip files may consist of several concatenated members (as `cat a.gz
//! b.gz` makes): like `gzip -d` and Python's `gzip` module, the reader
//! decompresses them as one stream, checking each member's CRC-32 and
//! length. Bytes after a member that do not start another gzip member are an
//! error ("trailing garbage"), as is decompressed data beyond the declared
//! size.
//!
//! ```
//! use hw6_datasets::idx::{encode_idx_u8, parse_idx_u8};
//! let bytes = encode_idx_u8(&[2, 3], &[1, 2, 3, 4, 5, 6])?;
//! assert_eq!(&bytes[..4], &[0, 0, 0x08, 2]);
//! let back = parse_idx_u8(&bytes, "example.idx".as_ref())?;
//! assert_eq!(back.dims, vec![2, 3]);
//! # Ok::<(), hw6_datasets::error::DataError>(())
//! ```

use std::fs;
use std::io::{self, BufRead, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::bufread::GzDecoder;
use flate2::write::GzEncoder;

use crate::error::DataError;
use crate::temp_file::TempFile;

/// The first two bytes of every gzip stream.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The largest data block the reader accepts (256 MiB), whatever the header
/// declares: full MNIST's and Fashion-MNIST's training images are 47 MB.
pub const MAX_IDX_BYTES: u64 = 1 << 28;

const ADVICE: &str = "the file is damaged or not an IDX file: replace it with an intact copy \
(for MNIST delete it and run `hw6 data fetch mnist`; for the bundled sample run scripts/make-mnist-sample.py)";

/// The element types an IDX header can declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdxType {
    /// `0x08`, unsigned byte (MNIST).
    U8,
    /// `0x09`, signed byte.
    I8,
    /// `0x0B`, 16-bit signed integer.
    I16,
    /// `0x0C`, 32-bit signed integer.
    I32,
    /// `0x0D`, 32-bit float.
    F32,
    /// `0x0E`, 64-bit float.
    F64,
}

impl IdxType {
    /// The type for a header's type byte, if it is one of the six.
    pub fn from_code(code: u8) -> Option<Self> {
        Some(match code {
            0x08 => IdxType::U8,
            0x09 => IdxType::I8,
            0x0B => IdxType::I16,
            0x0C => IdxType::I32,
            0x0D => IdxType::F32,
            0x0E => IdxType::F64,
            _ => return None,
        })
    }

    /// The header's type byte.
    pub fn code(self) -> u8 {
        match self {
            IdxType::U8 => 0x08,
            IdxType::I8 => 0x09,
            IdxType::I16 => 0x0B,
            IdxType::I32 => 0x0C,
            IdxType::F32 => 0x0D,
            IdxType::F64 => 0x0E,
        }
    }

    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            IdxType::U8 | IdxType::I8 => 1,
            IdxType::I16 => 2,
            IdxType::I32 | IdxType::F32 => 4,
            IdxType::F64 => 8,
        }
    }

    /// A short name (`u8`, `f32`, ...).
    pub fn name(self) -> &'static str {
        match self {
            IdxType::U8 => "u8",
            IdxType::I8 => "i8",
            IdxType::I16 => "i16",
            IdxType::I32 => "i32",
            IdxType::F32 => "f32",
            IdxType::F64 => "f64",
        }
    }
}

/// An IDX array of unsigned bytes.
///
/// # Shapes
/// `data.len() == dims.iter().product()`, row-major (last dimension fastest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxU8 {
    /// The size of each dimension, outermost first.
    pub dims: Vec<usize>,
    /// The elements.
    pub data: Vec<u8>,
}

/// Reads an IDX file of unsigned bytes, raw or gzip.
///
/// The header is read and checked first; then exactly the declared data,
/// and one byte more to detect excess. A raw file's size is compared with
/// the header before any data is read. At most the declared size (never more
/// than [`MAX_IDX_BYTES`]) is held in memory or decompressed, so a gzip bomb
/// fails after the header plus one byte, without inflating the rest.
///
/// # Errors
/// [`DataError::Io`] when the file cannot be opened or read;
/// [`DataError::BadFile`] for anything wrong with its content (see the
/// module documentation).
pub fn read_idx_u8(path: &Path) -> Result<IdxU8, DataError> {
    let file = fs::File::open(path).map_err(|e| DataError::io(path, "opening", e))?;
    let meta = file
        .metadata()
        .map_err(|e| DataError::io(path, "reading", e))?;
    if meta.is_dir() {
        return Err(DataError::bad_file(
            path,
            "is a folder, not an IDX file",
            "pass the path of the file itself",
        ));
    }
    read_any(file, meta.is_file().then_some(meta.len()), path)
}

/// Reads an IDX array of unsigned bytes from a stream (raw, or gzip when it
/// starts with `1f 8b`), with the checks of [`read_idx_u8`]; reads no further
/// than the end of the declared data plus one byte (for gzip: plus what the
/// decompressor needs to produce that byte). `path` is only used in error
/// messages.
pub fn read_idx_u8_from(reader: impl Read, path: &Path) -> Result<IdxU8, DataError> {
    read_any(reader, None, path)
}

/// Parses the bytes of an IDX file of unsigned bytes (raw, or gzip when they
/// start with `1f 8b`). `path` is only used in error messages.
pub fn parse_idx_u8(bytes: &[u8], path: &Path) -> Result<IdxU8, DataError> {
    read_any(bytes, Some(bytes.len() as u64), path)
}

/// Chooses raw or gzip from the first two bytes. `len` is the raw size, when
/// known.
fn read_any(mut reader: impl Read, len: Option<u64>, path: &Path) -> Result<IdxU8, DataError> {
    let mut start = [0u8; 2];
    let got = fill(&mut reader, &mut start).map_err(|e| DataError::io(path, "reading", e))?;
    let whole = io::Cursor::new(start).take(got as u64).chain(reader);
    if got == 2 && start == GZIP_MAGIC {
        parse_stream(GzMembers::new(io::BufReader::new(whole)), None, true, path)
    } else {
        parse_stream(whole, len, false, path)
    }
}

/// Reads as much as `buf` holds; returns how many bytes came (fewer at the end).
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match reader.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Why reading the data block stopped early.
enum PayloadError {
    /// The stream failed.
    Io(io::Error),
    /// The buffer could not grow by this many bytes.
    Alloc(usize),
}

/// Reads up to `total` bytes. The buffer grows as data arrives (by at most
/// its current size, at least 64 KiB) and never beyond `total`, so a header
/// that promises more than the stream holds costs no memory.
fn read_payload(reader: &mut impl Read, total: usize) -> Result<Vec<u8>, PayloadError> {
    let mut data = Vec::new();
    while data.len() < total {
        let start = data.len();
        let want = (total - start).min(start.max(1 << 16));
        data.try_reserve_exact(want)
            .map_err(|_| PayloadError::Alloc(want))?;
        data.resize(start + want, 0);
        let got = fill(reader, &mut data[start..]).map_err(PayloadError::Io)?;
        data.truncate(start + got);
        if got < want {
            break;
        }
    }
    Ok(data)
}

/// The error a [`GzMembers`] stream reports for data after a gzip member
/// that does not start another member.
#[derive(Debug)]
struct NotGzip {
    /// How many complete members came before.
    members: usize,
}

impl std::fmt::Display for NotGzip {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "bytes after the end of gzip member {} that are not another gzip member",
            self.members
        )
    }
}

impl std::error::Error for NotGzip {}

/// Decompresses one gzip member after another, as `gzip -d`, `zcat` and
/// Python's `gzip` module do: concatenated members form one stream. Each
/// member's CRC-32 and length are checked when it ends; anything after a
/// member that does not start another one is an error ([`NotGzip`]).
struct GzMembers<R: BufRead> {
    /// The member being decoded; `None` once the input has ended.
    decoder: Option<GzDecoder<R>>,
    /// Members completed so far.
    members: usize,
}

impl<R: BufRead> GzMembers<R> {
    fn new(input: R) -> Self {
        GzMembers {
            decoder: Some(GzDecoder::new(input)),
            members: 0,
        }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            let n = decoder.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            // The member ended and its trailer checked out: what follows?
            self.members += 1;
            let Some(mut input) = self.decoder.take().map(GzDecoder::into_inner) else {
                return Ok(0);
            };
            let rest = input.fill_buf()?;
            if rest.is_empty() {
                return Ok(0);
            }
            if rest[0] != GZIP_MAGIC[0] || rest.get(1).is_some_and(|&b| b != GZIP_MAGIC[1]) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    NotGzip {
                        members: self.members,
                    },
                ));
            }
            self.decoder = Some(GzDecoder::new(input));
        }
    }
}

fn parse_stream(
    mut reader: impl Read,
    len: Option<u64>,
    gzip: bool,
    path: &Path,
) -> Result<IdxU8, DataError> {
    let bad = |problem: String| DataError::bad_file(path, problem, ADVICE);
    let stream_err = |e: io::Error| {
        if let Some(after) = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<NotGzip>())
        {
            bad(format!(
                "{after} (trailing garbage; concatenated gzip members are read as one stream, other data is not allowed)"
            ))
        } else if gzip {
            bad(format!("the gzip stream is corrupt or truncated ({e})"))
        } else {
            DataError::io(path, "reading", e)
        }
    };
    let what = if gzip {
        "the decompressed file"
    } else {
        "the file"
    };

    let mut magic = [0u8; 4];
    let got = fill(&mut reader, &mut magic).map_err(stream_err)?;
    if got < 4 {
        return Err(bad(format!(
            "truncated: {what} has {got} bytes, fewer than the 4-byte IDX magic number"
        )));
    }
    if magic[0] != 0 || magic[1] != 0 {
        return Err(bad(format!(
            "wrong magic number {:02x} {:02x} {:02x} {:02x}: an IDX file starts with 00 00, a type byte and a dimension count",
            magic[0], magic[1], magic[2], magic[3]
        )));
    }
    let Some(kind) = IdxType::from_code(magic[2]) else {
        return Err(bad(format!(
            "unknown element type 0x{:02x} in the magic number (known: 08 09 0b 0c 0d 0e)",
            magic[2]
        )));
    };
    if kind != IdxType::U8 {
        return Err(bad(format!(
            "element type 0x{:02x} ({}), but this reader expects 0x08 (u8) as in MNIST",
            magic[2],
            kind.name()
        )));
    }
    let ndims = magic[3] as usize;
    if ndims == 0 {
        return Err(bad(
            "the header declares 0 dimensions; an IDX array has at least one".to_string(),
        ));
    }

    let mut header = vec![0u8; 4 * ndims];
    let got = fill(&mut reader, &mut header).map_err(stream_err)?;
    if got < header.len() {
        return Err(bad(format!(
            "truncated: {what} ends inside the header ({} of the {} bytes that {ndims} dimension sizes need)",
            got,
            header.len()
        )));
    }
    let dims: Vec<usize> = header
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let total = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .filter(|&t| t <= MAX_IDX_BYTES)
        .and_then(|t| usize::try_from(t).ok())
        .ok_or_else(|| {
            bad(format!(
                "the header declares dimensions {dims:?}, more than the {MAX_IDX_BYTES} bytes this reader accepts"
            ))
        })?;

    // A raw file's size is known: compare it with the header before reading.
    let header_len = 4 + 4 * ndims as u64;
    if let Some(len) = len {
        let declared = header_len + total as u64;
        if len < declared {
            return Err(bad(format!(
                "truncated: the header declares dimensions {dims:?} ({total} bytes of data) but {what} holds only {} after the {header_len}-byte header",
                len.saturating_sub(header_len)
            )));
        }
        if len > declared {
            return Err(bad(format!(
                "{what} has {} bytes after the {total} bytes that dimensions {dims:?} declare (trailing garbage)",
                len - declared
            )));
        }
    }

    let data = read_payload(&mut reader, total).map_err(|e| match e {
        PayloadError::Io(e) => stream_err(e),
        PayloadError::Alloc(n) => DataError::bad_file(
            path,
            format!("could not allocate {n} more bytes for the {total} bytes of data that dimensions {dims:?} declare"),
            "free some memory, or check that the file is the one you meant",
        ),
    })?;
    if data.len() < total {
        return Err(bad(format!(
            "truncated: the header declares dimensions {dims:?} ({total} bytes of data) but {what} holds only {} after the header",
            data.len()
        )));
    }
    let mut extra = [0u8; 1];
    let got = fill(&mut reader, &mut extra).map_err(stream_err)?;
    if got > 0 {
        return Err(bad(format!(
            "{what} has bytes after the {total} bytes that dimensions {dims:?} declare (trailing garbage, or a gzip bomb)"
        )));
    }
    Ok(IdxU8 { dims, data })
}

/// The bytes of a raw (uncompressed) IDX file of unsigned bytes.
///
/// # Errors
/// If there are no dimensions or more than 255, a dimension does not fit in
/// `u32`, or `data.len()` is not the product of `dims`.
pub fn encode_idx_u8(dims: &[usize], data: &[u8]) -> Result<Vec<u8>, DataError> {
    if dims.is_empty() || dims.len() > 255 {
        return Err(DataError::invalid(
            "dims",
            format!("{} dimensions; an IDX file holds 1 to 255", dims.len()),
        ));
    }
    let mut out = Vec::with_capacity(4 + 4 * dims.len() + data.len());
    out.extend_from_slice(&[0, 0, IdxType::U8.code(), dims.len() as u8]);
    for &d in dims {
        let d32 = u32::try_from(d).map_err(|_| {
            DataError::invalid(
                "dims",
                format!("{d} does not fit in the 32 bits IDX allows"),
            )
        })?;
        out.extend_from_slice(&d32.to_be_bytes());
    }
    let expected = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    if expected != Some(data.len()) {
        return Err(DataError::invalid(
            "data",
            format!(
                "{} bytes do not fill dimensions {dims:?}; pass exactly their product",
                data.len()
            ),
        ));
    }
    out.extend_from_slice(data);
    Ok(out)
}

/// [`encode_idx_u8`], gzip-compressed (best compression, no file name or
/// time stamp in the gzip header, so the output is reproducible).
pub fn encode_idx_u8_gz(dims: &[usize], data: &[u8]) -> Result<Vec<u8>, DataError> {
    let raw = encode_idx_u8(dims, data)?;
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(&raw)
        .and_then(|_| enc.finish())
        .map_err(|e| DataError::invalid("data", format!("gzip compression failed: {e}")))
}

/// Writes an IDX file of unsigned bytes, gzip-compressed if `gzip`.
/// The file is written under a temporary name in the same folder and then
/// renamed, so a reader never sees half a file.
pub fn write_idx_u8(path: &Path, dims: &[usize], data: &[u8], gzip: bool) -> Result<(), DataError> {
    let bytes = if gzip {
        encode_idx_u8_gz(dims, data)?
    } else {
        encode_idx_u8(dims, data)?
    };
    write_atomically(path, &bytes)
}

/// Writes `bytes` to `path` via a new temporary file with an unpredictable
/// name in the same folder (created exclusively, never following an existing
/// file or link) and a rename, creating the folder if needed.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DataError> {
    let mut tmp = TempFile::beside(path)?;
    tmp.file
        .write_all(bytes)
        .map_err(|e| DataError::io(&tmp.path, "writing", e))?;
    tmp.persist(path)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
