//! The enums of the GraphQL contract (API.md). Their item names are a promise to third parties.
//!
//! `as_str`/`parse` give the stable code stored in the database (the same SCREAMING_CASE text
//! the API uses), so a stored row and an API value never need a translation table.

use serde::{Deserialize, Serialize};

macro_rules! contract_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal / $ja:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code, as in the API and the database.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Parses the stable code; `None` for anything else.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// The label shop staff see.
            pub fn label_ja(self) -> &'static str {
                match self { $($name::$variant => $ja),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

contract_enum!(
    /// モール: where a shop sells.
    Marketplace {
        Rakuten = "RAKUTEN" / "楽天市場",
        Yahoo = "YAHOO" / "Yahoo!ショッピング",
        Rakuma = "RAKUMA" / "ラクマ",
        AuPay = "AU_PAY" / "au PAY マーケット",
        Amazon = "AMAZON" / "Amazon",
        CustomCsv = "CUSTOM_CSV" / "カスタムCSV店舗",
    }
);

contract_enum!(
    /// Derived from (completed flag, author of the last message); see [`crate::inquiry::status`].
    InquiryStatus {
        NeedsReply = "NEEDS_REPLY" / "返信が必要",
        Replied = "REPLIED" / "返信済み",
        Completed = "COMPLETED" / "対応完了",
    }
);

contract_enum!(
    /// 受注ステータス.
    OrderStatus {
        New = "NEW" / "新規受付",
        Processing = "PROCESSING" / "処理中",
        OnHold = "ON_HOLD" / "保留",
        AwaitingShipment = "AWAITING_SHIPMENT" / "出荷待ち",
        Shipped = "SHIPPED" / "出荷済み",
        Completed = "COMPLETED" / "完了",
        Cancelled = "CANCELLED" / "キャンセル",
    }
);

contract_enum!(
    /// Who wrote a message.
    MessageAuthor {
        Customer = "CUSTOMER" / "お客様",
        Shop = "SHOP" / "店舗",
    }
);

contract_enum!(
    /// Delivery of a shop message towards the marketplace.
    DeliveryState {
        Pending = "PENDING" / "送信待ち",
        Sent = "SENT" / "送信済み",
        Failed = "FAILED" / "送信失敗",
    }
);

contract_enum!(
    /// What a sync run does.
    SyncKind {
        ImportOrders = "IMPORT_ORDERS" / "受注取込",
        ImportInquiries = "IMPORT_INQUIRIES" / "お問い合わせ取込",
        ExportShipments = "EXPORT_SHIPMENTS" / "発送情報を更新",
        ExportEvaluations = "EXPORT_EVALUATIONS" / "ユーザ評価を登録",
    }
);

contract_enum!(
    /// Where a sync run is.
    SyncState {
        Queued = "QUEUED" / "待機中",
        Running = "RUNNING" / "実行中",
        Succeeded = "SUCCEEDED" / "完了",
        Failed = "FAILED" / "失敗",
    }
);

contract_enum!(
    /// Someone's presence on an inquiry.
    PresenceState {
        Viewing = "VIEWING" / "閲覧中",
        Typing = "TYPING" / "入力中",
        Left = "LEFT" / "退出",
    }
);

contract_enum!(
    /// A staff member's role (SPEC §3).
    Role {
        Admin = "ADMIN" / "管理者",
        Staff = "STAFF" / "担当者",
        Viewer = "VIEWER" / "閲覧のみ",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_the_serde_names() {
        for m in Marketplace::ALL {
            assert_eq!(Marketplace::parse(m.as_str()), Some(*m));
            assert_eq!(serde_json::to_value(m).unwrap(), serde_json::json!(m.as_str()));
        }
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Marketplace::parse("rakuten"), None);
        assert_eq!(Marketplace::AuPay.as_str(), "AU_PAY");
    }
}
