//! The marketplace column of `shop` and `inquiry` (`shared::Marketplace`, stored by its code).
//!
//! It reads as its stored code too (`Deref<Target = str>`, `Display`): the connectors
//! (`marketplaces/`), the demo, the CSV shop and the outbox still take the column as text;
//! the application modules use the enum.
use sea_orm::entity::prelude::*;

use shared::Marketplace as SharedMarketplace;

/// Where a shop sells, as stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Marketplace {
    #[sea_orm(string_value = "RAKUTEN")]
    Rakuten,
    #[sea_orm(string_value = "YAHOO")]
    Yahoo,
    #[sea_orm(string_value = "RAKUMA")]
    Rakuma,
    #[sea_orm(string_value = "AU_PAY")]
    AuPay,
    #[sea_orm(string_value = "AMAZON")]
    Amazon,
    #[sea_orm(string_value = "CUSTOM_CSV")]
    CustomCsv,
}
same_variants!(Marketplace, SharedMarketplace, [Rakuten, Yahoo, Rakuma, AuPay, Amazon, CustomCsv]);

impl Marketplace {
    /// The stored code (`shared::Marketplace::as_str`).
    pub fn as_str(self) -> &'static str {
        SharedMarketplace::from(self).as_str()
    }
}

impl std::fmt::Display for Marketplace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
