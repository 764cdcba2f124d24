//! sea-orm entities, one file per table. Only `store` uses them directly.
//!
//! Columns that hold one of a fixed set of codes (status, kind, role, marketplace, delivery
//! state, …) are sea-orm active enums over the same text the column always held (no
//! migration): a row with any other text is a read error, never a silent default. Each is
//! converted to and from the `shared` enum of the same name with `From`.

/// `From` both ways between a stored column enum and the `shared` enum with the same variants.
macro_rules! same_variants {
    ($stored:ident, $shared:ident, [$($v:ident),+ $(,)?]) => {
        impl From<$stored> for $shared {
            fn from(v: $stored) -> Self {
                match v {
                    $($stored::$v => $shared::$v),+
                }
            }
        }

        impl From<$shared> for $stored {
            fn from(v: $shared) -> Self {
                match v {
                    $($shared::$v => $stored::$v),+
                }
            }
        }
    };
}

pub mod api_token;
pub mod attachment;
pub mod event_log;
pub mod inbox_count;
pub mod inquiry;
pub mod inquiry_note;
pub mod inquiry_read;
pub mod marketplace;
pub mod message;
pub mod order;
pub mod order_item;
pub mod session;
pub mod shop;
pub mod staff;
pub mod sync_run;
pub mod sync_run_item;
pub mod template;
pub mod tenant;
pub mod webhook;
pub mod webhook_delivery;
