//! Attack suite: sockets.
