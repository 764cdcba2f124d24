//! Which shop a connector speaks for, and making the connector for it.

use shared::Marketplace;

use crate::connector::Connector;
use crate::error::{MResult, MarketplaceError};
use crate::http::Outbound;
use crate::{amazon, aupay, rakuma, rakuten, yahoo};

/// The shop a connector acts for: what connectors read from the shop besides its credentials.
#[derive(Clone, Debug)]
pub struct Account {
    /// Where the shop's requests are paced (by Madoguchi's id of the shop, shared by every
    /// process when the server keeps the budget in its database).
    pub pacer: crate::pace::Pacer,
    /// The shop's name, in every message about it.
    pub shop_name: String,
    /// The marketplace's origin for this shop when not the real one (the simulator, a proxy).
    pub api_base_url: Option<String>,
    /// The e-mail address the shop is registered with at the marketplace (Rakuma's sign-in).
    pub registered_email: Option<String>,
}

/// The connector for `marketplace`, made from the shop's account and its opened credentials
/// (a JSON object of strings). `on_refresh` stores a renewed Yahoo! access token.
pub fn connect(
    marketplace: Marketplace,
    account: &Account,
    creds: &serde_json::Value,
    out: Outbound,
    on_refresh: Option<yahoo::client::OnRefresh>,
) -> MResult<Box<dyn Connector>> {
    Ok(match marketplace {
        Marketplace::Rakuten => Box::new(rakuten::Rakuten::new(account, creds, out)?),
        Marketplace::Yahoo => Box::new(yahoo::Yahoo::new(account, creds, on_refresh, out)?),
        Marketplace::Amazon => Box::new(amazon::Amazon::new(account, creds, out)?),
        Marketplace::AuPay => Box::new(aupay::AuPay::new(account, creds, out)?),
        Marketplace::Rakuma => Box::new(rakuma::Rakuma::new(account, creds, out)?),
        other => {
            return Err(MarketplaceError::Unsupported(format!(
                "{}との連携はまだ利用できません (the {} connector is not available in this build)",
                other.label_ja(),
                other.name_en()
            )));
        }
    })
}
