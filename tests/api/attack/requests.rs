//! Attack suite: requests.
