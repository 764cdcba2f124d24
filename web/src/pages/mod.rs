//! One module per screen.

pub mod inbox;
pub mod inquiry;
pub mod login;
pub mod order;
pub mod order_new;
pub mod orders;
pub mod setup;
pub mod shops;
pub mod staff;
pub mod sync;
pub mod templates;
pub mod tokens;
pub mod webhooks;
