//! The enums of the GraphQL contract (API.md). Their item names are a promise to third parties.
//!
//! `as_str`/`parse` give the stable code stored in the database (the same SCREAMING_CASE text
//! the API uses), so a stored row and an API value never need a translation table.

use serde::{Deserialize, Serialize};

macro_rules! contract_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $code:literal / $ja:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($variant),+ }

        /// Read from its code as text (so any deserializer that holds a string will do, e.g.
        /// a fragment spread's buffered fields).
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = String::deserialize(deserializer)?;
                $name::parse(&code).ok_or_else(|| serde::de::Error::unknown_variant(&code, &[$($code),+]))
            }
        }

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

        #[cfg(feature = "client")]
        $crate::contract_enum_for_client!($name);

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
    /// Derived from (completed flag, author of the last message, whether the shop's latest reply
    /// failed to send); see [`crate::inquiry::status`].
    InquiryStatus {
        NeedsReply = "NEEDS_REPLY" / "返信が必要",
        Replied = "REPLIED" / "返信済み",
        Completed = "COMPLETED" / "対応完了",
    }
);

contract_enum!(
    /// The inbox's order.
    InquirySort {
        NewestActivity = "NEWEST_ACTIVITY" / "新しい順",
        OldestWaiting = "OLDEST_WAITING" / "待ち時間の長い順",
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
    /// What a run did with one order or inquiry (a line of its details).
    SyncItemOutcome {
        Created = "CREATED" / "新規",
        Updated = "UPDATED" / "更新",
        Unchanged = "UNCHANGED" / "変更なし",
        Skipped = "SKIPPED" / "対象外",
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

/// The character encoding of a CSV file (カスタムCSV店舗). Japanese carts and Excel still
/// write Shift_JIS (Windows-31J); everything newer writes UTF-8. Written by hand rather than
/// with `contract_enum!` so that serde and GraphQL agree on `UTF_8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "graphql", derive(async_graphql::Enum))]
pub enum CsvEncoding {
    #[serde(rename = "UTF_8")]
    #[cfg_attr(feature = "graphql", graphql(name = "UTF_8"))]
    Utf8,
    #[serde(rename = "SHIFT_JIS")]
    #[cfg_attr(feature = "graphql", graphql(name = "SHIFT_JIS"))]
    ShiftJis,
}

#[cfg(feature = "client")]
crate::contract_enum_for_client!(CsvEncoding);

impl CsvEncoding {
    pub const ALL: &'static [CsvEncoding] = &[CsvEncoding::Utf8, CsvEncoding::ShiftJis];

    /// The stable code, as in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "UTF_8",
            CsvEncoding::ShiftJis => "SHIFT_JIS",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|e| e.as_str() == code)
    }

    /// The label shop staff see.
    pub fn label_ja(self) -> &'static str {
        match self {
            CsvEncoding::Utf8 => "UTF-8",
            CsvEncoding::ShiftJis => "Shift_JIS",
        }
    }
}

contract_enum!(
    /// An order field a CSV column can carry (カスタムCSV店舗の列). The label is the default header.
    CsvField {
        OrderNumber = "ORDER_NUMBER" / "受注番号",
        OrderedAt = "ORDERED_AT" / "注文日時",
        Status = "STATUS" / "受注ステータス",
        BuyerName = "BUYER_NAME" / "注文者氏名",
        BuyerPostalCode = "BUYER_POSTAL_CODE" / "注文者郵便番号",
        BuyerAddress = "BUYER_ADDRESS" / "注文者住所",
        BuyerPhone = "BUYER_PHONE" / "注文者電話番号",
        RecipientName = "RECIPIENT_NAME" / "送付先氏名",
        RecipientPostalCode = "RECIPIENT_POSTAL_CODE" / "送付先郵便番号",
        RecipientAddress = "RECIPIENT_ADDRESS" / "送付先住所",
        RecipientPhone = "RECIPIENT_PHONE" / "送付先電話番号",
        RequestedDelivery = "REQUESTED_DELIVERY" / "お届け指定日時",
        ItemName = "ITEM_NAME" / "商品名",
        Sku = "SKU" / "商品番号",
        UnitPrice = "UNIT_PRICE" / "単価",
        Quantity = "QUANTITY" / "数量",
        TotalAmount = "TOTAL_AMOUNT" / "合計金額",
        PaymentMethod = "PAYMENT_METHOD" / "支払方法",
        SpecialNotes = "SPECIAL_NOTES" / "特記事項",
        ShipDate = "SHIP_DATE" / "出荷日",
        Carrier = "CARRIER" / "配送会社",
        DeliveryMethod = "DELIVERY_METHOD" / "配送方法",
        TrackingNumber = "TRACKING_NUMBER" / "お荷物伝票番号",
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
        for e in CsvEncoding::ALL {
            assert_eq!(CsvEncoding::parse(e.as_str()), Some(*e));
            assert_eq!(serde_json::to_value(e).unwrap(), serde_json::json!(e.as_str()));
        }
        for f in CsvField::ALL {
            assert_eq!(serde_json::to_value(f).unwrap(), serde_json::json!(f.as_str()));
        }
        assert_eq!(Marketplace::AuPay.as_str(), "AU_PAY");
    }
}

contract_enum!(
    /// What a webhook endpoint is sent (the event types of the event log).
    WebhookEvent {
        InquiryReceived = "INQUIRY_RECEIVED" / "問い合わせの受信",
        InquiryUpdated = "INQUIRY_UPDATED" / "問い合わせの更新",
        OrderCreated = "ORDER_CREATED" / "受注の登録",
        OrderUpdated = "ORDER_UPDATED" / "受注の更新",
        SyncRunFinished = "SYNC_RUN_FINISHED" / "取込・書出の終了",
        ShopNeedsAttention = "SHOP_NEEDS_ATTENTION" / "店舗設定の要対応",
    }
);

contract_enum!(
    /// Why a shop needs staff to act (`shopNeedsAttention`, `SHOP_NEEDS_ATTENTION`).
    ShopAttentionReason {
        LicenceKeyExpiring = "LICENCE_KEY_EXPIRING" / "ライセンスキーの有効期限が近づいています",
    }
);

contract_enum!(
    /// How one attempt to deliver an event to a webhook endpoint ended.
    WebhookDeliveryResult {
        Delivered = "DELIVERED" / "配信済み",
        Failed = "FAILED" / "失敗(再試行します)",
        GaveUp = "GAVE_UP" / "配信を断念",
    }
);
