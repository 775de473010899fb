//! (being written: graph helper)
