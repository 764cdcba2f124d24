//! What the benches share: a shop saved through the product's own `shops::save`.

use server::auth::Actor;
use server::shops::{SettingsForSave, ShopForSave};
use server::state::AppState;
use server::store::entities::shop;

/// Saves a new shop of `marketplace` named `name` (a placeholder profile) with `settings`.
pub async fn save_shop(
    st: &AppState,
    actor: &Actor,
    marketplace: shared::Marketplace,
    name: &str,
    settings: Option<SettingsForSave>,
) -> anyhow::Result<shop::Model> {
    let shop = ShopForSave {
        marketplace: Some(marketplace),
        name: name.to_owned(),
        mall_shop_name: name.to_owned(),
        staff_name: "bench".into(),
        phone: "0".into(),
        email: "a@b.c".into(),
        settings,
    };
    server::shops::save(&st.db, &st.sealer, &st.policy, actor, None, shop).await.map_err(|e| anyhow::anyhow!("{e:?}"))
}
