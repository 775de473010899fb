//! Display updates from a cell: one stdout line
//!
//! ```text
//! HW6_KERNEL_DISPLAY {"display_id": "train-3", "data": {"text/html": "...", "text/plain": "..."}}
//! ```
//!
//! The first line of a cell with a given `display_id` becomes a Jupyter
//! `display_data` output; later lines with the same id become
//! `update_display_data`, which redraws that output in place. The kernel sets
//! `HW6_KERNEL_DISPLAY=1` in the worker's environment; code should print
//! these lines only when it is set (elsewhere they would show as text).

use serde_json::{Value, json};

/// The start of a display line.
pub const PREFIX: &str = "HW6_KERNEL_DISPLAY ";
/// Set (to `1`) in the environment of the process that runs cells.
pub const ENV: &str = "HW6_KERNEL_DISPLAY";

/// A parsed display line.
#[derive(Debug, PartialEq)]
pub struct Display {
    pub display_id: String,
    pub data: Value,
    pub metadata: Value,
}

/// The display a line asks for; None if it is not a display line, an error
/// message if it is one but malformed.
pub fn parse(line: &str) -> Option<Result<Display, String>> {
    let body = line.strip_prefix(PREFIX)?;
    Some(parse_body(body))
}

fn parse_body(body: &str) -> Result<Display, String> {
    let value: Value = serde_json::from_str(body).map_err(|e| format!("not JSON: {e}"))?;
    let display_id = value["display_id"]
        .as_str()
        .filter(|s| !s.is_empty())
        .ok_or("no \"display_id\" string")?;
    let data = &value["data"];
    let Some(map) = data.as_object().filter(|m| !m.is_empty()) else {
        return Err("no \"data\" object of MIME type to content".into());
    };
    if map.values().any(|v| !v.is_string()) {
        return Err("each \"data\" value must be a string".into());
    }
    let metadata = if value["metadata"].is_object() {
        value["metadata"].clone()
    } else {
        json!({})
    };
    Ok(Display {
        display_id: display_id.to_owned(),
        data: data.clone(),
        metadata,
    })
}

impl Display {
    /// The iopub content: for `display_data` or `update_display_data`.
    pub fn content(&self) -> Value {
        json!({"data": self.data, "metadata": self.metadata, "transient": {"display_id": self.display_id}})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_display_line_is_parsed_and_others_are_not() {
        let line = r#"HW6_KERNEL_DISPLAY {"display_id": "p1", "data": {"text/plain": "3/10"}}"#;
        let display = parse(line).unwrap().unwrap();
        assert_eq!(display.display_id, "p1");
        assert_eq!(display.content()["transient"]["display_id"], "p1");
        assert_eq!(display.content()["data"]["text/plain"], "3/10");
        assert!(parse("epoch 3: loss 0.1").is_none());
    }

    #[test]
    fn a_malformed_display_line_says_what_is_wrong() {
        let no_id = parse(r#"HW6_KERNEL_DISPLAY {"data": {"text/plain": "x"}}"#)
            .unwrap()
            .unwrap_err();
        assert!(no_id.contains("display_id"));
        let bad_data =
            parse(r#"HW6_KERNEL_DISPLAY {"display_id": "a", "data": {"text/plain": 3}}"#)
                .unwrap()
                .unwrap_err();
        assert!(bad_data.contains("string"));
        assert!(
            parse("HW6_KERNEL_DISPLAY {oops")
                .unwrap()
                .unwrap_err()
                .contains("JSON")
        );
    }
}
