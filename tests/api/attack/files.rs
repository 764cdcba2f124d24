//! Attack suite: files.
