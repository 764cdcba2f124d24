//! Who is viewing or writing on an inquiry.

use async_graphql::{Context, ID, Object, Result};

use crate::auth::Permission;
use crate::graphql::context::{actor, state};
use crate::graphql::error::parse_id;
use shared::PresenceState;

#[derive(Default)]
pub struct PresenceMutation;

#[Object]
impl PresenceMutation {
    /// Tells the other staff who is viewing or writing on an inquiry. Needs write permission;
    /// a caller sending too many too fast gets `RATE_LIMITED` (`extensions.retryAfter`: seconds).
    async fn set_presence(&self, ctx: &Context<'_>, inquiry_id: ID, state: PresenceState) -> Result<bool> {
        let a = actor(ctx)?;
        a.require(Permission::Write)?;
        let caller = match (a.staff_id, a.api_token_id) {
            (Some(s), _) => crate::graphql::cost::Caller::Staff(s),
            (None, Some(t)) => crate::graphql::cost::Caller::Token(t),
            (None, None) => crate::graphql::cost::Caller::Staff(0),
        };
        ctx.data::<crate::graphql::cost::PresenceLimits>()?.check(caller)?;
        let id = parse_id(&inquiry_id, "お問い合わせ")?;
        crate::inbox::announce_presence(self::state(ctx), a, id, state).await?;
        Ok(true)
    }
}
