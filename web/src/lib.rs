//! Madoguchi's browser app (Leptos CSR, built by Trunk).
//!
//! `main.rs` only calls [`start`]; every component lives in this library so browser tests can
//! mount them one by one.
//!
//! - [`api`]: GraphQL over HTTP (`shared::ops` operations) and the login/logout calls.
//! - [`ws`]: the graphql-transport-ws client for live updates, with reconnects.
//! - [`session`]: who is signed in; [`live`]: the live inbox state fed by [`ws`].
//! - [`attention`]: the tab title's count, desktop notifications, presence on the inbox rows.
//! - [`drafts`]: reply drafts kept in `localStorage`, and the question before leaving one.
//! - [`pages`]: one module per screen; [`components`]: pieces several screens share.
//!
//! Customer text is plain text: it is only ever put into the page as text nodes.

pub mod api;
pub mod app;
pub mod attention;
pub mod components;
pub mod drafts;
pub mod format;
pub mod keys;
pub mod live;
pub mod pages;
pub mod session;
pub mod ws;

pub use app::App;

/// Mounts the app on `<body>`.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}
