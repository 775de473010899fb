//! Reading byte streams: to the end of a buffer, a data block of a declared
//! size that grows only as bytes arrive, and concatenated gzip members as
//! one stream.

use std::io::{self, BufRead, Read};

use flate2::bufread::GzDecoder;

/// The first two bytes of every gzip stream.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads as much as `buf` holds; returns how many bytes came (fewer at the end).
pub(crate) fn fill(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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
pub(crate) enum PayloadError {
    /// The stream failed.
    Io(io::Error),
    /// The buffer could not grow by this many bytes.
    Alloc(usize),
}

/// Reads up to `total` bytes. The buffer grows as data arrives (by at most
/// its current size, at least 64 KiB) and never beyond `total`, so a header
/// that promises more than the stream holds costs no memory.
pub(crate) fn read_payload(reader: &mut impl Read, total: usize) -> Result<Vec<u8>, PayloadError> {
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
pub(crate) struct NotGzip {
    /// How many complete members came before.
    pub(crate) members: usize,
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
pub(crate) struct GzMembers<R: BufRead> {
    /// The member being decoded; `None` once the input has ended.
    decoder: Option<GzDecoder<R>>,
    /// Members completed so far.
    members: usize,
}

impl<R: BufRead> GzMembers<R> {
    pub(crate) fn new(input: R) -> Self {
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
