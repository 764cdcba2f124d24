//! Madoguchi's domain, shared by the server and the browser app.
//!
//! Everything here is pure: no I/O, no clock, no database. The server and the SPA compile the
//! same functions, so (for example) the template preview a staff member sees and the text the
//! customer receives can never differ.

pub mod carriers;
pub mod credentials;
pub mod csv_orders;
pub mod enums;
pub mod export;
pub mod inquiry;
pub mod marketplace;
#[cfg(feature = "client")]
pub mod ops;
pub mod order_status;
pub mod reply_rules;
pub mod search_text;
pub mod sync_interval;
pub mod template;
pub mod template_use;
pub mod text_search;

/// Japan Standard Time (+09:00): the time of the shops, their marketplaces and their CSV files.
pub use csv_orders::jst;
pub use enums::*;
pub use marketplace::{AttachmentLimits, Capabilities};
