//! Pieces several screens share.

pub mod admin_only;
pub mod assignee;
pub mod badges;
pub mod csv_panel;
pub mod enum_select;
pub mod error;
pub mod nav;
pub mod notes;
pub mod order_panel;
pub mod pager;
pub mod presence;
pub mod reply_box;
pub mod secret_once;
pub mod shipping_form;
pub mod shop_select;
pub mod template_editor;
pub mod template_picker;
pub mod template_preview;
pub mod thread;
