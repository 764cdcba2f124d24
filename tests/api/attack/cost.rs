//! Attack suite: cost.
