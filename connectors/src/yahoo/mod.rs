//! Yahoo!ショッピング 問い合わせ管理API (talk): list in pages of 20, detail per topic, reply
//! (with files uploaded first), one-way completion. MARKETPLACES.md §3.
//!
//! Rules kept here: at most one request per second to the same URL; topics are listed by the
//! buyer's latest post time (`dateType=userPostTime`), so a new buyer message brings an old
//! topic back into the window; buyers appear only as masked ids; a completed topic can never
//! be reopened (no such endpoint), and completion with the normal condition needs a prior
//! shop reply (Yahoo! refuses it otherwise).

pub mod authorize;
pub mod client;
pub mod mapping;
pub mod order_wire;
pub mod orders;
pub mod wire;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use reqwest::{Method, StatusCode};
use shared::Marketplace;

use self::client::Client;
use super::{Connector, MResult, MarketplaceError, OutgoingFile, SentReply, ShipmentPush};
use crate::account::Account;
use crate::model::IncomingInquiry;
use crate::model::IncomingOrder;

/// `result` maximum of externalTalkList.
const PAGE: i64 = 20;

pub struct Yahoo {
    client: Client,
    seller_id: String,
}

impl Yahoo {
    /// `on_refresh` stores a renewed access token with the shop.
    pub fn new(
        account: &Account,
        creds: &serde_json::Value,
        on_refresh: Option<client::OnRefresh>,
        out: super::http::Outbound,
    ) -> MResult<Self> {
        let get = |k: &str| creds.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
        let (Some(seller), Some(token)) = (get("sellerId"), get("accessToken")) else {
            return Err(MarketplaceError::NotConfigured(format!(
                "Yahoo!ショッピングの店舗「{}」の認証情報 (sellerId, accessToken) が揃っていません (credentials of shop {} are incomplete)",
                account.shop_name, account.shop_name
            )));
        };
        let mut client =
            Client::new(out, account.api_base_url.as_deref(), token, account.pacer.clone(), &account.shop_name);
        if let (Some(client_id), Some(client_secret), Some(refresh_token)) =
            (get("clientId"), get("clientSecret"), get("refreshToken"))
        {
            let refresh = client::Refresh {
                client_id: client_id.into(),
                client_secret: client_secret.into(),
                refresh_token: refresh_token.into(),
            };
            client = client.with_refresh(refresh, on_refresh);
        }
        Ok(Yahoo { client, seller_id: seller.into() })
    }

    async fn detail(&self, topic: &str, headline: Option<&wire::Headline>) -> MResult<Option<IncomingInquiry>> {
        let q = [("sellerId", self.seller_id.clone()), ("topicId", topic.to_owned())];
        let a = self.client.call(Method::GET, "externalTalkDetail", &q, None::<&()>).await?;
        if a.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !a.status.is_success() {
            return Err(self.client.error(&a));
        }
        let d: wire::TalkDetail = self.client.decode(&a)?;
        mapping::inquiry(&self.client.label, topic, headline, &d).map(Some)
    }
}

impl Connector for Yahoo {
    fn marketplace(&self) -> Marketplace {
        Marketplace::Yahoo
    }

    fn fetch_inquiries(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingInquiry>>> {
        Box::pin(async move {
            let mut out = Vec::new();
            let mut start = 1;
            let mut pages = 0i64;
            loop {
                pages += 1;
                if pages > super::http::MAX_PAGES {
                    return Err(super::http::too_many_pages(&self.client.label));
                }
                let q = [
                    ("sellerId", self.seller_id.clone()),
                    ("start", start.to_string()),
                    ("result", PAGE.to_string()),
                    ("dateType", "userPostTime".to_owned()),
                    ("startDate", from.timestamp().to_string()),
                    ("endDate", to.timestamp().to_string()),
                    ("sort", "userPostTime".to_owned()),
                    ("sortOrder", "asc".to_owned()),
                ];
                let a = self.client.call(Method::GET, "externalTalkList", &q, None::<&()>).await?;
                if !a.status.is_success() {
                    return Err(self.client.error(&a));
                }
                let list: wire::TalkList = self.client.decode(&a)?;
                for h in &list.headlines {
                    if let Some(i) = self.detail(&h.topic_id, Some(h)).await? {
                        out.push(i);
                    }
                }
                start += list.headlines.len() as i64;
                if list.headlines.is_empty() || start > list.summary.topic.count {
                    break;
                }
            }
            Ok(out)
        })
    }

    fn fetch_inquiry<'a>(&'a self, inquiry_id: &'a str) -> BoxFuture<'a, MResult<Option<IncomingInquiry>>> {
        Box::pin(self.detail(inquiry_id, None))
    }

    fn send_reply<'a>(
        &'a self,
        inquiry_id: &'a str,
        body: &'a str,
        files: Vec<OutgoingFile>,
    ) -> BoxFuture<'a, MResult<SentReply>> {
        Box::pin(async move {
            let mut file_list = Vec::new();
            for f in files {
                let q = [("topicId", inquiry_id.to_owned()), ("sellerId", self.seller_id.clone())];
                let a = self.client.upload(&q, &f.file_name, &f.content_type, f.bytes).await?;
                if !a.status.is_success() {
                    return Err(self.client.error(&a));
                }
                let r: wire::FileAddResponse = self.client.decode(&a)?;
                file_list.push(wire::FileRef {
                    file_ext: shared::marketplace::file_extension(&f.file_name).unwrap_or_default(),
                    file_name: f.file_name,
                    file_path: r.object_key,
                });
            }
            let req = wire::AddRequest { seller_id: &self.seller_id, body, file_list };
            let a = self
                .client
                .call(Method::POST, "externalTalkAdd", &[("topicId", inquiry_id.to_owned())], Some(&req))
                .await?;
            if !a.status.is_success() {
                return Err(self.client.error(&a));
            }
            let r: wire::AddResponse = self.client.decode(&a)?;
            Ok(SentReply { marketplace_message_id: mapping::text_of(&r.messageid) })
        })
    }

    fn set_completed<'a>(&'a self, inquiry_id: &'a str, completed: bool) -> BoxFuture<'a, MResult<()>> {
        Box::pin(async move {
            if !completed {
                return Err(MarketplaceError::Refused(format!(
                    "{}: Yahoo!では対応完了したお問い合わせを戻せません (a completed Yahoo! inquiry cannot be reopened)",
                    self.client.label
                )));
            }
            let req = wire::SellerRequest { seller_id: &self.seller_id };
            let a = self
                .client
                .call(Method::PUT, "externalTalkComplete", &[("topicId", inquiry_id.to_owned())], Some(&req))
                .await?;
            // Already completed: nothing to do.
            if a.status == StatusCode::CONFLICT && Client::error_code(&a).as_deref() == Some("tk-40902") {
                return Ok(());
            }
            if !a.status.is_success() {
                return Err(self.client.error(&a));
            }
            Ok(())
        })
    }

    fn fetch_orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingOrder>>> {
        Box::pin(self.orders(from, to))
    }

    fn push_shipment<'a>(&'a self, s: &'a ShipmentPush) -> BoxFuture<'a, MResult<()>> {
        Box::pin(self.ship(s))
    }
}
