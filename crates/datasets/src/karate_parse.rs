//! Parsing the karate club's two files: a header line, then one record per
//! line, every problem reported with the file and the line number.

use crate::error::DataError;
use crate::karate::{Club, Member};

fn bad_line(file: &str, line: usize, reason: impl Into<String>) -> DataError {
    DataError::bad_file(
        file,
        format!("line {line}: {}", reason.into()),
        "fix that line (the format is described in data/karate/README.md)",
    )
}

/// The non-comment, non-blank lines with their 1-based line numbers; the first
/// must be `header` (tab-separated), and is not returned.
fn data_lines<'a>(
    text: &'a str,
    file: &str,
    header: &[&str],
) -> Result<Vec<(usize, Vec<&'a str>)>, DataError> {
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
    match lines.next() {
        None => {
            return Err(bad_line(
                file,
                text.lines().count().max(1),
                format!(
                    "the file has no header line; its first line must be '{}'",
                    header.join("\\t")
                ),
            ));
        }
        Some((n, l)) => {
            let got: Vec<&str> = l.split('\t').map(str::trim).collect();
            if got != header {
                return Err(bad_line(
                    file,
                    n,
                    format!(
                        "expected the header '{}' (tab-separated), found '{l}'",
                        header.join("\\t")
                    ),
                ));
            }
        }
    }
    let mut rows = Vec::new();
    for (n, l) in lines {
        let fields: Vec<&str> = l.split('\t').map(str::trim).collect();
        if fields.len() != header.len() {
            return Err(bad_line(
                file,
                n,
                format!(
                    "expected {} tab-separated fields ({}), found {}",
                    header.len(),
                    header.join(", "),
                    fields.len()
                ),
            ));
        }
        rows.push((n, fields));
    }
    Ok(rows)
}

pub(crate) fn parse_members(text: &str, file: &str) -> Result<Vec<Member>, DataError> {
    let rows = data_lines(text, file, &["id", "club"])?;
    if rows.is_empty() {
        return Err(bad_line(
            file,
            text.lines().count().max(1),
            "the member list is empty; add one line 'id<TAB>club' per member",
        ));
    }
    let mut members = Vec::with_capacity(rows.len());
    for (n, fields) in rows {
        let id: usize = fields[0].parse().map_err(|_| {
            bad_line(
                file,
                n,
                format!("member id '{}' is not a non-negative integer", fields[0]),
            )
        })?;
        if id != members.len() {
            return Err(bad_line(
                file,
                n,
                format!(
                    "member id {id} out of order: ids must run 0, 1, 2, ... without gaps or repeats, and {} comes next",
                    members.len()
                ),
            ));
        }
        let club = Club::parse(fields[1]).ok_or_else(|| {
            bad_line(
                file,
                n,
                format!("unknown club '{}': use 'Mr. Hi' or 'Officer'", fields[1]),
            )
        })?;
        members.push(Member { id, club });
    }
    Ok(members)
}

pub(crate) fn parse_edges(
    text: &str,
    file: &str,
    num_members: usize,
) -> Result<Vec<(usize, usize, f64)>, DataError> {
    let rows = data_lines(text, file, &["source", "target", "weight"])?;
    let mut seen = std::collections::HashMap::new();
    let mut edges = Vec::with_capacity(rows.len());
    for (n, fields) in rows {
        let mut ends = [0usize; 2];
        for (k, end) in ends.iter_mut().enumerate() {
            let id: usize = fields[k].parse().map_err(|_| {
                bad_line(
                    file,
                    n,
                    format!("member id '{}' is not a non-negative integer", fields[k]),
                )
            })?;
            if id >= num_members {
                return Err(bad_line(
                    file,
                    n,
                    format!(
                        "edge to member {id}, who does not exist: the member list has ids 0 to {}",
                        num_members - 1
                    ),
                ));
            }
            *end = id;
        }
        let (u, v) = (ends[0].min(ends[1]), ends[0].max(ends[1]));
        if u == v {
            return Err(bad_line(
                file,
                n,
                format!("self loop at member {u}: ties join two different members"),
            ));
        }
        if let Some(first) = seen.insert((u, v), n) {
            return Err(bad_line(
                file,
                n,
                format!(
                    "duplicate edge {u}-{v}, already listed on line {first}: list each tie once"
                ),
            ));
        }
        let weight: f64 = fields[2]
            .parse()
            .ok()
            .filter(|w: &f64| w.is_finite() && *w > 0.0)
            .ok_or_else(|| {
                bad_line(
                    file,
                    n,
                    format!("weight '{}' is not a positive number", fields[2]),
                )
            })?;
        edges.push((u, v, weight));
    }
    Ok(edges)
}
