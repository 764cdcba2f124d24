//! Attack suite: outbound.
