//! sea-orm entities, one file per table. Only `store` uses them directly.

pub mod api_token;
pub mod attachment;
pub mod inquiry;
pub mod inquiry_note;
pub mod message;
pub mod order;
pub mod order_item;
pub mod session;
pub mod shop;
pub mod staff;
pub mod sync_run;
pub mod template;
pub mod tenant;
