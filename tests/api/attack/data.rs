//! Attack suite: data.
