//! Who is viewing or writing on an inquiry: told to the other staff, never stored.

use shared::PresenceState;

use crate::auth::{Actor, Permission};
use crate::clock;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventKind};
use crate::state::AppState;

/// Publishes the caller's presence on an inquiry of their tenant (`NOT_FOUND` otherwise).
pub async fn announce_presence(
    state: &AppState,
    actor: &Actor,
    inquiry_id: i64,
    presence: PresenceState,
) -> AppResult<()> {
    actor.require(Permission::Write)?;
    let row = super::get(&state.db, actor, inquiry_id).await?.ok_or(AppError::NotFound("お問い合わせ"))?;
    state.events.publish(Event::new(
        actor.scope.tenant_id(),
        Some(row.shop_id),
        EventKind::Presence { inquiry_id, staff_name: actor.display_name.clone(), state: presence, at: clock::now() },
    ));
    Ok(())
}
