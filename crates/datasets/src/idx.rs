//! (being written: datasets helper)
