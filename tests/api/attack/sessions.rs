//! Attack suite: sessions.
