//! The one trait every marketplace's connector implements, and what it sends.

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use shared::Marketplace;

use crate::error::{MResult, MarketplaceError};
use crate::model::{IncomingInquiry, IncomingOrder, RemoteFile};

/// A file attached to a reply, read from the object store.
#[derive(Clone, Debug)]
pub struct OutgoingFile {
    pub file_name: String,
    pub content_type: String,
    pub bytes: bytes::Bytes,
}

/// A reply the marketplace accepted (or already had).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentReply {
    /// The id the reply has in the marketplace's thread, so imports recognise it.
    pub marketplace_message_id: Option<String>,
}

/// Shipping data pushed to the marketplace (発送情報).
#[derive(Clone, Debug)]
pub struct ShipmentPush {
    pub order_number: String,
    pub ship_date: chrono::NaiveDate,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
}

/// One marketplace account of one shop. Methods a marketplace does not offer answer
/// [`MarketplaceError::Unsupported`].
pub trait Connector: Send + Sync {
    fn marketplace(&self) -> Marketplace;

    /// Inquiries with their full threads whose first date is within `[from, to]`.
    fn fetch_inquiries(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingInquiry>>> {
        let _ = (from, to);
        Box::pin(async move { Err(self.unsupported("お問い合わせ取込")) })
    }

    /// One inquiry with its full thread; `None` when the marketplace does not know it.
    fn fetch_inquiry<'a>(&'a self, inquiry_id: &'a str) -> BoxFuture<'a, MResult<Option<IncomingInquiry>>> {
        let _ = inquiry_id;
        Box::pin(async move { Err(self.unsupported("お問い合わせ取得")) })
    }

    /// Sends a shop reply. A duplicate answer from the marketplace counts as delivered.
    fn send_reply<'a>(
        &'a self,
        inquiry_id: &'a str,
        body: &'a str,
        files: Vec<OutgoingFile>,
    ) -> BoxFuture<'a, MResult<SentReply>> {
        let _ = (inquiry_id, body, files);
        Box::pin(async move { Err(self.unsupported("返信")) })
    }

    /// The bytes and content type of a customer's file (`RemoteFile` of an imported message).
    fn fetch_file<'a>(&'a self, file: &'a RemoteFile) -> BoxFuture<'a, MResult<(String, bytes::Bytes)>> {
        let _ = file;
        Box::pin(async move { Err(self.unsupported("添付ファイルの取得")) })
    }

    /// Marks an inquiry completed (`true`) or back to open (`false`).
    fn set_completed<'a>(&'a self, inquiry_id: &'a str, completed: bool) -> BoxFuture<'a, MResult<()>> {
        let _ = (inquiry_id, completed);
        Box::pin(async move { Err(self.unsupported("完了")) })
    }

    /// Orders placed within `[from, to]`.
    fn fetch_orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingOrder>>> {
        let _ = (from, to);
        Box::pin(async move { Err(self.unsupported("受注取込")) })
    }

    /// Pushes one order's shipping data.
    fn push_shipment<'a>(&'a self, shipment: &'a ShipmentPush) -> BoxFuture<'a, MResult<()>> {
        let _ = shipment;
        Box::pin(async move { Err(self.unsupported("発送情報の更新")) })
    }

    /// Registers the shop's rating of the buyer with `comment`; `false` when the marketplace
    /// already has one.
    fn register_evaluation<'a>(&'a self, order_number: &'a str, comment: &'a str) -> BoxFuture<'a, MResult<bool>> {
        let _ = (order_number, comment);
        Box::pin(async move { Err(self.unsupported("ユーザ評価")) })
    }

    /// 接続テスト: one request with the account's credentials that changes nothing — the
    /// orders of the last hour where the marketplace has orders, else its inquiries.
    fn check_connection(&self) -> BoxFuture<'_, MResult<()>> {
        Box::pin(async move {
            let to = Utc::now();
            let from = to - chrono::Duration::hours(1);
            if self.marketplace().capabilities().imports_orders {
                self.fetch_orders(from, to).await.map(|_| ())
            } else {
                self.fetch_inquiries(from, to).await.map(|_| ())
            }
        })
    }

    fn unsupported(&self, what: &str) -> MarketplaceError {
        MarketplaceError::Unsupported(format!(
            "{}の「{what}」にはまだ対応していません ({what} is not supported for {})",
            self.marketplace().label_ja(),
            self.marketplace().name_en()
        ))
    }
}
