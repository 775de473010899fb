//! Writing IDX files of unsigned bytes, raw or gzip-compressed (the format
//! is described in [`crate::idx`]'s module docs).

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

use crate::error::DataError;
use crate::idx::IdxType;
use crate::temp_file::TempFile;

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
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), DataError> {
    let mut tmp = TempFile::beside(path)?;
    tmp.file
        .write_all(bytes)
        .map_err(|e| DataError::io(&tmp.path, "writing", e))?;
    tmp.persist(path)
}
