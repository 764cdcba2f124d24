//! The mutations, one part per domain, merged into the one `MutationRoot` (the order of the
//! parts is the order of the fields in `schema.graphql`).

mod inbox;
mod orders;
mod presence;
mod shops;
mod staff;
mod sync;
mod templates;
mod webhooks;

use async_graphql::MergedObject;
use chrono::{DateTime, FixedOffset, Utc};

pub use inbox::{InboxMutation, ReplyInput};
pub use orders::{OrderInput, OrderItemInput, OrderMutation, OrderUpdateInput, PartyInput};
pub use presence::PresenceMutation;
pub use shops::{ShopInput, ShopMutation, ShopProfileInput, ShopSettingsInput};
pub use staff::StaffMutation;
pub use sync::{ExportInput, ImportInput, SyncMutation};
pub use templates::{TemplateInput, TemplateMutation};
pub use webhooks::{WebhookInput, WebhookMutation};

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    ShopMutation,
    InboxMutation,
    TemplateMutation,
    OrderMutation,
    PresenceMutation,
    StaffMutation,
    SyncMutation,
    WebhookMutation,
);

fn utc(t: DateTime<FixedOffset>) -> DateTime<Utc> {
    t.with_timezone(&Utc)
}
