//! Rakuten's push (問い合わせユーザアクション通知): the shop found by its key, each inquiry
//! named fetched and recorded like a poll.

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::error::AppResult;
use crate::inbox;
use crate::marketplaces;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{shop, tenant};

/// Handles Rakuten's 問い合わせユーザアクション通知 (format: `marketplaces::rakuten::push`):
/// finds the shop by its RMS shop id and push key (the `shopId` and `pushAuthKey`
/// credentials), fetches each inquiry named and records it through the same upsert as the
/// poll, so a message that arrives by both ways is recorded once. Returns the XML answer
/// (always HTTP 200; the result code says what happened, and a failure makes Rakuten push
/// again).
pub async fn rakuten_push(state: &AppState, header_key: Option<&str>, body: &str) -> String {
    use crate::marketplaces::rakuten::push;
    let Some(p) = push::parse(body, header_key) else { return push::answer(push::BAD_VALUES) };
    if header_key.is_some_and(|h| !push::same_key(h, &p.auth_key)) {
        return push::answer(push::AUTH_MISMATCH);
    }
    let shop = match push_shop(state, &p).await {
        Ok(Some(s)) => s,
        Ok(None) => return push::answer(push::AUTH_MISMATCH),
        Err(e) => {
            tracing::warn!(error = ?e, "rakuten push: finding the shop failed");
            return push::answer(push::UNEXPECTED);
        }
    };
    let (scope, shop, api_option) = shop;
    if !api_option {
        // Inquiry management is not contracted (`api_option`): nothing to record, nothing to
        // resend.
        return push::answer(push::OK);
    }
    let connector = match marketplaces::connector_for(state, &shop) {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(shop = %shop.name, error = %e, "rakuten push: no connector");
            return push::answer(push::UNEXPECTED);
        }
    };
    for number in &p.inquiry_numbers {
        let result = match connector.fetch_inquiry(number).await {
            Ok(Some(inq)) => {
                crate::store::busy_retry(|| inbox::upsert_inquiry(state, scope, &shop, inq.clone())).await.map(|_| ())
            }
            Ok(None) => Ok(()),
            Err(e) => {
                tracing::warn!(shop = %shop.name, inquiry = %number, error = %e, "rakuten push: fetching the inquiry failed");
                return push::answer(push::UNEXPECTED);
            }
        };
        if let Err(e) = result {
            tracing::warn!(shop = %shop.name, inquiry = %number, error = ?e, "rakuten push: recording failed");
            return push::answer(push::UNEXPECTED);
        }
    }
    // Staff see on the shop's settings that pushes arrive (the registration at Rakuten works).
    let seen = scope
        .update_many::<shop::Entity>()
        .col_expr(shop::Column::LastPushAt, Expr::value(crate::clock::now()))
        .filter(shop::Column::Id.eq(shop.id))
        .exec(&state.db)
        .await;
    if let Err(e) = seen {
        tracing::warn!(shop = %shop.name, error = ?e, "rakuten push: noting the push time failed");
    }
    push::answer(push::OK)
}

/// The Rakuten shop whose RMS shop id and push key the push carries: found by the index of
/// both (`shops::push_index`, one indexed query whatever the number of tenants), then the key
/// compared in constant time with the shop's own.
pub(crate) async fn push_shop(
    state: &AppState,
    p: &crate::marketplaces::rakuten::push::Push,
) -> AppResult<Option<(Scope, shop::Model, bool)>> {
    use crate::marketplaces::rakuten::push;
    crate::shops::backfill_push_index(state).await?;
    let index = crate::shops::push_index_of(&p.contract_id, &p.auth_key);
    // The push authenticates by its key, not as a tenant: the index is what scopes the lookup.
    let candidates = shop::Entity::find()
        .filter(shop::Column::PushIndex.eq(index))
        .filter(shop::Column::Marketplace.eq(shop::Marketplace::Rakuten))
        .order_by_asc(shop::Column::Id)
        .all(&state.db)
        .await?;
    for s in candidates {
        let id = marketplaces::credential(state, &s, "shopId");
        let key = marketplaces::credential(state, &s, "pushAuthKey");
        let key_matches = key.as_deref().is_some_and(|k| push::same_key(k, &p.auth_key));
        if key_matches && id.as_deref() == Some(p.contract_id.as_str()) {
            let Some(t) = tenant::Entity::find_by_id(s.tenant_id).one(&state.db).await? else { continue };
            return Ok(Some((Scope::of_tenant(t.id), s, t.api_option)));
        }
    }
    Ok(None)
}
