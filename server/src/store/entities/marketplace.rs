//! The marketplace column of `inquiry` (`shared::Marketplace`, stored by its code).
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
