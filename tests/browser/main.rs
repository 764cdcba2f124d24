//! The staff app in a real browser: headless Chromium driven over WebDriver (chromedriver),
//! against a real server with demo data serving the built app (`web/dist`).
//!
//! Needs `chromium`, `chromedriver` and a built `web/dist` (scripts/test builds it). Without
//! them the tests say so and stop; with `MADOGUCHI_TEST_BROWSER_REQUIRED=1` (CI) that is a failure.
//! Screenshots of the main screens go to `artifacts/screenshots/`.

mod admin;
mod attention;
mod csv;
mod demo;
mod first_paint;
mod harness;
mod inbox;
mod orders;
mod reply_templates;
mod runs;
mod safety;
mod setup;
mod staff;
mod tablet;
mod teams;
mod webhooks;
