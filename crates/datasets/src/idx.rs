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
//! use hw6_datasets::{encode_idx_u8, parse_idx_u8};
//! let bytes = encode_idx_u8(&[2, 3], &[1, 2, 3, 4, 5, 6])?;
//! assert_eq!(&bytes[..4], &[0, 0, 0x08, 2]);
//! let back = parse_idx_u8(&bytes, "example.idx".as_ref())?;
//! assert_eq!(back.dims, vec![2, 3]);
//! # Ok::<(), hw6_datasets::DataError>(())
//! ```

use std::fs;
use std::io::{self, Read};
use std::path::Path;

use crate::error::DataError;
use crate::stream::{GZIP_MAGIC, GzMembers, NotGzip, PayloadError, fill, read_payload};

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

/// Where a stream being parsed came from, for its error messages.
struct Source<'a> {
    path: &'a Path,
    gzip: bool,
}

impl Source<'_> {
    /// A [`DataError::BadFile`] for this file.
    fn bad(&self, problem: String) -> DataError {
        DataError::bad_file(self.path, problem, ADVICE)
    }

    /// The error for a failed read: trailing garbage after a gzip member, a
    /// corrupt gzip stream, or an I/O failure.
    fn stream_err(&self, e: io::Error) -> DataError {
        if let Some(after) = e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<NotGzip>())
        {
            self.bad(format!(
                "{after} (trailing garbage; concatenated gzip members are read as one stream, other data is not allowed)"
            ))
        } else if self.gzip {
            self.bad(format!("the gzip stream is corrupt or truncated ({e})"))
        } else {
            DataError::io(self.path, "reading", e)
        }
    }

    /// What the sizes in messages refer to.
    fn what(&self) -> &'static str {
        if self.gzip {
            "the decompressed file"
        } else {
            "the file"
        }
    }
}

/// Reads and checks the header and data of an IDX stream; `len` is the raw
/// size, when known.
fn parse_stream(
    mut reader: impl Read,
    len: Option<u64>,
    gzip: bool,
    path: &Path,
) -> Result<IdxU8, DataError> {
    let src = Source { path, gzip };
    let dims = read_header(&mut reader, &src)?;
    let total = dims
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))
        .filter(|&t| t <= MAX_IDX_BYTES)
        .and_then(|t| usize::try_from(t).ok())
        .ok_or_else(|| {
            src.bad(format!(
                "the header declares dimensions {dims:?}, more than the {MAX_IDX_BYTES} bytes this reader accepts"
            ))
        })?;
    if let Some(len) = len {
        check_raw_size(len, &dims, total, &src)?;
    }
    let data = read_data(&mut reader, &dims, total, &src)?;
    Ok(IdxU8 { dims, data })
}

/// The magic number and the dimension sizes.
fn read_header(reader: &mut impl Read, src: &Source<'_>) -> Result<Vec<usize>, DataError> {
    let what = src.what();
    let mut magic = [0u8; 4];
    let got = fill(reader, &mut magic).map_err(|e| src.stream_err(e))?;
    if got < 4 {
        return Err(src.bad(format!(
            "truncated: {what} has {got} bytes, fewer than the 4-byte IDX magic number"
        )));
    }
    if magic[0] != 0 || magic[1] != 0 {
        return Err(src.bad(format!(
            "wrong magic number {:02x} {:02x} {:02x} {:02x}: an IDX file starts with 00 00, a type byte and a dimension count",
            magic[0], magic[1], magic[2], magic[3]
        )));
    }
    let Some(kind) = IdxType::from_code(magic[2]) else {
        return Err(src.bad(format!(
            "unknown element type 0x{:02x} in the magic number (known: 08 09 0b 0c 0d 0e)",
            magic[2]
        )));
    };
    if kind != IdxType::U8 {
        return Err(src.bad(format!(
            "element type 0x{:02x} ({}), but this reader expects 0x08 (u8) as in MNIST",
            magic[2],
            kind.name()
        )));
    }
    let ndims = magic[3] as usize;
    if ndims == 0 {
        return Err(
            src.bad("the header declares 0 dimensions; an IDX array has at least one".to_string())
        );
    }
    let mut header = vec![0u8; 4 * ndims];
    let got = fill(reader, &mut header).map_err(|e| src.stream_err(e))?;
    if got < header.len() {
        return Err(src.bad(format!(
            "truncated: {what} ends inside the header ({} of the {} bytes that {ndims} dimension sizes need)",
            got,
            header.len()
        )));
    }
    Ok(header
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect())
}

/// Compares a raw file's size `len` with what its header declares, before
/// any data is read.
fn check_raw_size(
    len: u64,
    dims: &[usize],
    total: usize,
    src: &Source<'_>,
) -> Result<(), DataError> {
    let what = src.what();
    let header_len = 4 + 4 * dims.len() as u64;
    let declared = header_len + total as u64;
    if len < declared {
        return Err(src.bad(format!(
            "truncated: the header declares dimensions {dims:?} ({total} bytes of data) but {what} holds only {} after the {header_len}-byte header",
            len.saturating_sub(header_len)
        )));
    }
    if len > declared {
        return Err(src.bad(format!(
            "{what} has {} bytes after the {total} bytes that dimensions {dims:?} declare (trailing garbage)",
            len - declared
        )));
    }
    Ok(())
}

/// Exactly `total` bytes of data, then a check that no byte follows.
fn read_data(
    reader: &mut impl Read,
    dims: &[usize],
    total: usize,
    src: &Source<'_>,
) -> Result<Vec<u8>, DataError> {
    let what = src.what();
    let data = read_payload(reader, total).map_err(|e| match e {
        PayloadError::Io(e) => src.stream_err(e),
        PayloadError::Alloc(n) => DataError::bad_file(
            src.path,
            format!("could not allocate {n} more bytes for the {total} bytes of data that dimensions {dims:?} declare"),
            "free some memory, or check that the file is the one you meant",
        ),
    })?;
    if data.len() < total {
        return Err(src.bad(format!(
            "truncated: the header declares dimensions {dims:?} ({total} bytes of data) but {what} holds only {} after the header",
            data.len()
        )));
    }
    let mut extra = [0u8; 1];
    let got = fill(reader, &mut extra).map_err(|e| src.stream_err(e))?;
    if got > 0 {
        return Err(src.bad(format!(
            "{what} has bytes after the {total} bytes that dimensions {dims:?} declare (trailing garbage, or a gzip bomb)"
        )));
    }
    Ok(data)
}
