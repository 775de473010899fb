//! Zachary's karate club, read from our own two-file format in
//! `data/karate/` (see its README for the format and the provenance).
//!
//! `members.tsv` lists `id` and `club`; `edges.tsv` lists `source`, `target`
//! and `weight` (Zachary's count of interaction contexts). Lines starting
//! with `#` are comments; the first other line is the header. Every problem
//! in a file is reported with the file and the line number.
//!
//! ```no_run
//! let club = hw6_datasets::load_karate(None)?;
//! assert_eq!((club.members.len(), club.edges.len()), (34, 78));
//! # Ok::<(), hw6_datasets::DataError>(())
//! ```

use std::fmt;
use std::path::Path;

use crate::error::DataError;
use crate::karate_parse::{parse_edges, parse_members};

/// File name of the member list inside the karate folder.
pub const MEMBERS_FILE: &str = "members.tsv";
/// File name of the edge list inside the karate folder.
pub const EDGES_FILE: &str = "edges.tsv";

/// The faction a member joined when the club split.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Club {
    /// The instructor's new club ("Mr. Hi").
    MrHi,
    /// The members who stayed with the officer, John A. ("Officer").
    Officer,
}

impl Club {
    /// The label used in the data file and by NetworkX: "Mr. Hi" or "Officer".
    pub fn label(self) -> &'static str {
        match self {
            Club::MrHi => "Mr. Hi",
            Club::Officer => "Officer",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Club> {
        match text {
            "Mr. Hi" => Some(Club::MrHi),
            "Officer" => Some(Club::Officer),
            _ => None,
        }
    }
}

impl fmt::Display for Club {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One member of the club.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Member {
    /// 0-based id; members are stored in id order, so `members[i].id == i`.
    pub id: usize,
    /// The faction the member joined after the split.
    pub club: Club,
}

/// The club's social network: members and undirected, weighted ties.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct KarateClub {
    /// All members, in id order (`members[i].id == i`).
    pub members: Vec<Member>,
    /// Undirected ties `(source, target, weight)` with `source < target`, each
    /// listed once, in file order. The weight is Zachary's count of contexts
    /// in which the two interacted (a positive number).
    pub edges: Vec<(usize, usize, f64)>,
}

impl KarateClub {
    /// Number of members (34 for Zachary's club).
    pub fn num_members(&self) -> usize {
        self.members.len()
    }

    /// Number of undirected ties (78 for Zachary's club).
    pub fn num_edges(&self) -> usize {
        self.edges.len()
    }

    /// Ids of the members of `club`, in increasing order.
    pub fn members_of(&self, club: Club) -> Vec<usize> {
        self.members
            .iter()
            .filter(|m| m.club == club)
            .map(|m| m.id)
            .collect()
    }

    /// Parses the two files' contents. `members_name` and `edges_name` only
    /// name the files in error messages.
    ///
    /// Fails, naming the file and line, on: a missing or wrong header, a
    /// line with the wrong number of fields, an id that is not the next in
    /// order (0, 1, 2, ...), an unknown club, no members at all, an edge to a
    /// member that does not exist, a self loop, a tie listed twice (in either
    /// direction), and a weight that is not a positive finite number.
    pub fn parse(
        members_text: &str,
        members_name: &str,
        edges_text: &str,
        edges_name: &str,
    ) -> Result<KarateClub, DataError> {
        let members = parse_members(members_text, members_name)?;
        let edges = parse_edges(edges_text, edges_name, members.len())?;
        Ok(KarateClub { members, edges })
    }
}

/// The number of members in Zachary's club (ids 0 to 33).
pub const ZACHARY_MEMBERS: usize = 34;
/// The number of ties in Zachary's club.
pub const ZACHARY_TIES: usize = 78;

/// The largest karate file read (1 MiB); the shipped files are about 1 KB.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// What to do when the shipped files are damaged.
const RESTORE: &str = "restore the project's files with `git checkout -- data/karate`, \
or point --data-dir / HW6_DATA_DIR at the project's data/ folder";

/// Loads Zachary's club from `karate/members.tsv` and `karate/edges.tsv`
/// in `data_dir` (by default [`default_data_dir`](crate::default_data_dir), the
/// project's `data/` or `HW6_DATA_DIR`).
///
/// # Errors
/// [`DataError::NotFound`] when a file (or the data folder) is missing;
/// [`DataError::BadFile`] for a malformed line (see [`KarateClub::parse`]),
/// a file that is not UTF-8 text or is far too large, or files that do not
/// hold exactly [`ZACHARY_MEMBERS`] members and [`ZACHARY_TIES`] ties (a
/// truncated file).
pub fn load_karate(data_dir: Option<&Path>) -> Result<KarateClub, DataError> {
    let data_dir = match data_dir {
        Some(dir) => dir.to_path_buf(),
        None => crate::locate::default_data_dir(),
    };
    let dir = data_dir.join("karate");
    let members_path = dir.join(MEMBERS_FILE);
    let edges_path = dir.join(EDGES_FILE);
    let members_text = read(&data_dir, &members_path)?;
    let edges_text = read(&data_dir, &edges_path)?;
    let club = KarateClub::parse(
        &members_text,
        &members_path.display().to_string(),
        &edges_text,
        &edges_path.display().to_string(),
    )?;
    if club.num_members() != ZACHARY_MEMBERS {
        return Err(DataError::bad_file(
            &members_path,
            format!(
                "lists {} members but Zachary's club has {ZACHARY_MEMBERS} (ids 0 to {}): the file is truncated or not the club's",
                club.num_members(),
                ZACHARY_MEMBERS - 1
            ),
            RESTORE,
        ));
    }
    if club.num_edges() != ZACHARY_TIES {
        return Err(DataError::bad_file(
            &edges_path,
            format!(
                "lists {} ties but Zachary's club has {ZACHARY_TIES}: the file is truncated or not the club's",
                club.num_edges()
            ),
            RESTORE,
        ));
    }
    Ok(club)
}

/// Reads one karate file as text, with errors that say what to do.
fn read(data_dir: &Path, path: &Path) -> Result<String, DataError> {
    if !path.exists() {
        let folder_note = if data_dir.is_dir() {
            String::new()
        } else {
            format!("the data folder {} does not exist; ", data_dir.display())
        };
        return Err(DataError::NotFound {
            what: "the karate club".to_string(),
            tried: vec![path.to_path_buf()],
            advice: format!(
                "{folder_note}pass the project's data/ folder with --data-dir or HW6_DATA_DIR \
(it ships karate/members.tsv and karate/edges.tsv), or restore them with `git checkout -- data/karate`"
            ),
        });
    }
    let meta = std::fs::metadata(path).map_err(|e| DataError::io(path, "reading", e))?;
    if !meta.is_file() {
        return Err(DataError::bad_file(path, "is not a file", RESTORE));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(DataError::bad_file(
            path,
            format!(
                "is {} bytes, far more than the karate club's files (about 1 KB)",
                meta.len()
            ),
            RESTORE,
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, "reading", e))?;
    String::from_utf8(bytes).map_err(|e| {
        DataError::bad_file(
            path,
            format!(
                "is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            RESTORE,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBERS: &str = "# comment\nid\tclub\n0\tMr. Hi\n1\tOfficer\n2\tOfficer\n";

    fn parse(members: &str, edges: &str) -> Result<KarateClub, DataError> {
        KarateClub::parse(members, "members.tsv", edges, "edges.tsv")
    }

    fn expect_line(err: DataError, line: usize, needle: &str) {
        let msg = err.to_string();
        assert!(msg.contains(&format!("line {line}")), "{msg}");
        assert!(msg.contains(needle), "{msg}");
    }

    #[test]
    fn parses_a_small_club() {
        let club = parse(MEMBERS, "source\ttarget\tweight\n0\t1\t2\n2\t1\t1\n").unwrap();
        assert_eq!(club.num_members(), 3);
        assert_eq!(club.edges, vec![(0, 1, 2.0), (1, 2, 1.0)]);
        assert_eq!(club.members_of(Club::Officer), vec![1, 2]);
    }

    #[test]
    fn edge_to_a_missing_member_names_the_line() {
        let err = parse(MEMBERS, "source\ttarget\tweight\n0\t1\t2\n\n1\t7\t1\n").unwrap_err();
        expect_line(err, 4, "does not exist");
    }

    #[test]
    fn duplicate_edge_names_both_lines() {
        let err = parse(MEMBERS, "source\ttarget\tweight\n0\t1\t2\n1\t0\t1\n").unwrap_err();
        expect_line(err, 3, "line 2");
    }

    #[test]
    fn no_members_is_an_error() {
        let err = parse("id\tclub\n", "source\ttarget\tweight\n").unwrap_err();
        expect_line(err, 1, "empty");
        assert!(parse("", "source\ttarget\tweight\n").is_err());
    }

    #[test]
    fn other_malformed_lines_are_errors() {
        let edges = "source\ttarget\tweight\n";
        expect_line(
            parse("id\tclub\n0\tSensei\n", edges).unwrap_err(),
            2,
            "unknown club",
        );
        expect_line(
            parse("id\tclub\n1\tOfficer\n", edges).unwrap_err(),
            2,
            "out of order",
        );
        expect_line(parse(MEMBERS, "source\ttarget\n").unwrap_err(), 1, "header");
        expect_line(
            parse(MEMBERS, "source\ttarget\tweight\n0\t0\t1\n").unwrap_err(),
            2,
            "self loop",
        );
        expect_line(
            parse(MEMBERS, "source\ttarget\tweight\n0\t1\t-1\n").unwrap_err(),
            2,
            "weight",
        );
        expect_line(
            parse(MEMBERS, "source\ttarget\tweight\n0\t1\n").unwrap_err(),
            2,
            "fields",
        );
    }

    #[test]
    fn the_shipped_files_hold_zacharys_club() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let club = load_karate(Some(&dir)).unwrap();
        assert_eq!((club.num_members(), club.num_edges()), (34, 78));
        assert_eq!(club.members_of(Club::MrHi).len(), 17);
        assert_eq!(club.members[9].club, Club::Officer);
        assert_eq!(club.members[8].club, Club::MrHi);
        let total: f64 = club.edges.iter().map(|e| e.2).sum();
        assert_eq!(total, 231.0);
    }
}
