//! Rakuten RMS: InquiryManagementAPI (inquiries, replies, complete/incomplete) and
//! RakutenPayOrderAPI (searchOrder + getOrder, updateOrderShipping). MARKETPLACES.md §1–2.
//!
//! Rules kept here: inquiry lists filter on the inquiry's first date in windows of at most
//! 31 days (JST `yyyy-MM-ddTHH:mm:ss`), pages of up to 100; order searches in windows of at
//! most 63 days starting no earlier than 730 days ago, pages of up to 1000, getOrder by 100;
//! a 409 on reply means RMS already has that reply (delivered); the licence key expires
//! after 90 days and RMS then refuses every call.

pub mod client;
pub mod mapping;
pub mod push;
pub mod wire;

use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use reqwest::{Method, StatusCode};
use shared::{Marketplace, MessageAuthor};

use self::client::{Client, INQUIRY_BASE, ORDER_BASE};
use super::{Connector, MResult, MarketplaceError, OutgoingFile, SentReply, ShipmentPush};
use crate::account::Account;
use crate::model::IncomingInquiry;
use crate::model::IncomingOrder;

const INQUIRY_WINDOW: Duration = Duration::days(31);
const INQUIRY_PAGE: i64 = 100;
const ORDER_WINDOW: Duration = Duration::days(63);
const ORDER_LOOKBACK: Duration = Duration::days(729);
const ORDER_PAGE: i64 = 1000;
const GET_ORDER_BATCH: usize = 100;
/// getOrder `version`: 7 adds SKU models; nothing newer is needed.
const GET_ORDER_VERSION: i64 = 7;

pub struct Rakuten {
    client: Client,
    /// The numeric RMS shop id; optional in the credentials (then read from the inquiry).
    shop_id: Option<String>,
}

/// `[from, to]` cut into consecutive windows of at most `width`.
pub fn windows(from: DateTime<Utc>, to: DateTime<Utc>, width: Duration) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut v = Vec::new();
    let mut start = from;
    while start <= to {
        let end = (start + width).min(to);
        v.push((start, end));
        if end >= to {
            break;
        }
        start = end + Duration::seconds(1);
    }
    v
}

impl Rakuten {
    pub fn new(account: &Account, creds: &serde_json::Value, out: super::http::Outbound) -> MResult<Self> {
        let get = |k: &str| creds.get(k).and_then(|v| v.as_str()).map(str::trim).filter(|v| !v.is_empty());
        let (Some(secret), Some(license)) = (get("serviceSecret"), get("licenseKey")) else {
            return Err(MarketplaceError::NotConfigured(format!(
                "楽天市場の店舗「{}」の認証情報 (serviceSecret, licenseKey) が揃っていません (credentials of shop {} are incomplete)",
                account.shop_name, account.shop_name
            )));
        };
        Ok(Rakuten {
            client: Client::new(
                out,
                account.api_base_url.as_deref(),
                secret,
                license,
                account.pacer.clone(),
                &account.shop_name,
            ),
            shop_id: get("shopId").map(str::to_owned),
        })
    }

    async fn inquiry_page(&self, from: DateTime<Utc>, to: DateTime<Utc>, page: i64) -> MResult<wire::InquiryList> {
        let q = [
            ("fromDate", mapping::inquiry_request_time(from)),
            ("toDate", mapping::inquiry_request_time(to)),
            ("limit", INQUIRY_PAGE.to_string()),
            ("page", page.to_string()),
        ];
        let a = self.client.call(Method::GET, &format!("{INQUIRY_BASE}/inquiries"), &q, None::<&()>).await?;
        if !a.status.is_success() {
            return Err(self.client.error(&a));
        }
        self.client.decode(&a)
    }

    async fn get_inquiry_wire(&self, number: &str) -> MResult<Option<wire::Inquiry>> {
        use super::http::{Part, path};
        let url_path = path(&[Part::Fixed(INQUIRY_BASE), Part::Fixed("/inquiry"), Part::Value(number)])?;
        let a = self.client.call(Method::GET, &url_path, &[], None::<&()>).await?;
        if a.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !a.status.is_success() {
            return Err(self.client.error(&a));
        }
        let r: wire::InquiryResult = self.client.decode(&a)?;
        Ok(Some(r.result))
    }

    async fn get_inquiry(&self, number: &str) -> MResult<Option<IncomingInquiry>> {
        self.get_inquiry_wire(number).await?.map(|w| mapping::inquiry(&self.client.label, &w)).transpose()
    }

    /// The id of the newest shop reply with this text in the thread, if RMS has one.
    async fn find_reply(&self, number: &str, body: &str) -> MResult<Option<String>> {
        let Some(inq) = self.get_inquiry(number).await? else { return Ok(None) };
        Ok(inq
            .messages
            .iter()
            .rev()
            .find(|m| m.author == MessageAuthor::Shop && m.body.trim() == body.trim())
            .map(|m| m.marketplace_message_id.clone()))
    }

    async fn get_orders(&self, numbers: &[String]) -> MResult<Vec<wire::OrderModel>> {
        let req = wire::GetOrderRequest { order_number_list: numbers, version: GET_ORDER_VERSION };
        let a = self.client.call(Method::POST, &format!("{ORDER_BASE}/getOrder/"), &[], Some(&req)).await?;
        if !a.status.is_success() {
            return Err(self.client.error(&a));
        }
        let r: wire::GetOrderResponse = self.client.decode(&a)?;
        Ok(r.order_model_list)
    }
}

impl Connector for Rakuten {
    fn marketplace(&self) -> Marketplace {
        Marketplace::Rakuten
    }

    fn fetch_inquiries(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingInquiry>>> {
        Box::pin(async move {
            let mut out = Vec::new();
            for (f, t) in windows(from, to, INQUIRY_WINDOW) {
                let mut page = 1;
                loop {
                    let list = self.inquiry_page(f, t, page).await?;
                    for w in &list.list {
                        out.push(mapping::inquiry(&self.client.label, w)?);
                    }
                    if page >= list.total_page_count || list.list.is_empty() || page * INQUIRY_PAGE >= 10_000 {
                        break;
                    }
                    page += 1;
                }
            }
            Ok(out)
        })
    }

    fn fetch_inquiry<'a>(&'a self, inquiry_id: &'a str) -> BoxFuture<'a, MResult<Option<IncomingInquiry>>> {
        Box::pin(self.get_inquiry(inquiry_id))
    }

    /// `GET /attachment?path=…&label=…` answers with the file's bytes.
    fn fetch_file<'a>(&'a self, file: &'a crate::model::RemoteFile) -> BoxFuture<'a, MResult<(String, bytes::Bytes)>> {
        Box::pin(async move {
            let q = [("path", file.path.clone()), ("label", file.name.clone())];
            let a = self.client.call(Method::GET, &format!("{INQUIRY_BASE}/attachment"), &q, None::<&()>).await?;
            if !a.status.is_success() {
                return Err(self.client.error(&a));
            }
            let content_type = a
                .headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.split(';').next().unwrap_or(v).trim().to_owned())
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| "application/octet-stream".into());
            Ok((content_type, a.body))
        })
    }

    fn send_reply<'a>(
        &'a self,
        inquiry_id: &'a str,
        body: &'a str,
        files: Vec<OutgoingFile>,
    ) -> BoxFuture<'a, MResult<SentReply>> {
        Box::pin(async move {
            let mut attachments = Vec::new();
            for f in files {
                let a = self.client.upload(&f.file_name, &f.content_type, f.bytes).await?;
                if !a.status.is_success() {
                    return Err(self.client.error(&a));
                }
                let r: wire::UploadResponse = self.client.decode(&a)?;
                attachments.push(wire::AttachmentRef { label: r.result.label, path: r.result.path });
            }
            let shop_id = match &self.shop_id {
                Some(id) => id.clone(),
                None => match self.get_inquiry_wire(inquiry_id).await?.and_then(|i| i.shop_id) {
                    Some(id) => id.to_string(),
                    None => {
                        return Err(MarketplaceError::Refused(format!(
                            "{}: お問い合わせ {inquiry_id} がRMSにありません (inquiry not found on Rakuten)",
                            self.client.label
                        )));
                    }
                },
            };
            let req = wire::ReplyRequest { inquiry_number: inquiry_id, shop_id: &shop_id, message: body, attachments };
            let a = self.client.call(Method::POST, &format!("{INQUIRY_BASE}/inquiry/reply"), &[], Some(&req)).await?;
            // 409: RMS already has this reply (an earlier attempt reached it) — delivered.
            if !(a.status.is_success() || a.status == StatusCode::CONFLICT) {
                return Err(self.client.error(&a));
            }
            Ok(SentReply { marketplace_message_id: self.find_reply(inquiry_id, body).await? })
        })
    }

    fn set_completed<'a>(&'a self, inquiry_id: &'a str, completed: bool) -> BoxFuture<'a, MResult<()>> {
        Box::pin(async move {
            let path = if completed { "complete" } else { "incomplete" };
            let req = wire::NumbersRequest { inquiry_numbers: vec![inquiry_id] };
            let a =
                self.client.call(Method::PATCH, &format!("{INQUIRY_BASE}/inquiries/{path}"), &[], Some(&req)).await?;
            if !a.status.is_success() {
                return Err(self.client.error(&a));
            }
            let r: wire::MarkResponse = self.client.decode(&a)?;
            match r.result.error.iter().find(|e| e.inquiry_number == inquiry_id) {
                // Already as asked: nothing to do.
                Some(e) if e.error_message.contains("already set") => Ok(()),
                Some(e) => Err(MarketplaceError::Refused(format!("{}: {}", self.client.label, e.error_message))),
                None => Ok(()),
            }
        })
    }

    fn fetch_orders(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BoxFuture<'_, MResult<Vec<IncomingOrder>>> {
        Box::pin(async move {
            let from = from.max(Utc::now() - ORDER_LOOKBACK);
            let mut numbers = Vec::new();
            for (f, t) in windows(from, to, ORDER_WINDOW) {
                let mut page = 1;
                loop {
                    let req = wire::SearchOrderRequest {
                        date_type: 1,
                        start_datetime: mapping::order_request_time(f),
                        end_datetime: mapping::order_request_time(t),
                        pagination_request_model: wire::PaginationRequestModel {
                            request_records_amount: ORDER_PAGE,
                            request_page: page,
                            sort_model_list: vec![wire::SortModel { sort_column: 1, sort_direction: 1 }],
                        },
                    };
                    let a =
                        self.client.call(Method::POST, &format!("{ORDER_BASE}/searchOrder/"), &[], Some(&req)).await?;
                    if !a.status.is_success() {
                        return Err(self.client.error(&a));
                    }
                    let r: wire::SearchOrderResponse = self.client.decode(&a)?;
                    let got = r.order_number_list.unwrap_or_default();
                    let pages = r.pagination_response_model.and_then(|p| p.total_pages).unwrap_or(0);
                    let empty = got.is_empty();
                    numbers.extend(got);
                    if empty || page >= pages {
                        break;
                    }
                    if page >= super::http::MAX_PAGES {
                        return Err(super::http::too_many_pages(&self.client.label));
                    }
                    page += 1;
                }
            }
            numbers.dedup();
            let mut out = Vec::new();
            for chunk in numbers.chunks(GET_ORDER_BATCH) {
                for w in self.get_orders(chunk).await? {
                    out.push(mapping::order(&self.client.label, &w)?);
                }
            }
            Ok(out)
        })
    }

    fn push_shipment<'a>(&'a self, s: &'a ShipmentPush) -> BoxFuture<'a, MResult<()>> {
        Box::pin(async move {
            let orders = self.get_orders(std::slice::from_ref(&s.order_number)).await?;
            let Some(order) = orders.first() else {
                return Err(MarketplaceError::Refused(format!(
                    "{}: 受注 {} がRMSにありません (order not found on Rakuten)",
                    self.client.label, s.order_number
                )));
            };
            let Some(basket) = order.package_model_list.first() else {
                return Err(MarketplaceError::Protocol(format!(
                    "{}: 受注 {} に送付先がありません",
                    self.client.label, s.order_number
                )));
            };
            // One shipment per basket: update the one RMS has, or add it.
            let existing = basket.shipping_model_list.iter().find_map(|m| m.shipping_detail_id);
            let wanted = wire::ShippingModel {
                shipping_detail_id: existing,
                shipping_number: Some(s.tracking_number.clone().unwrap_or_default()),
                delivery_company: Some(mapping::carrier_code(s.carrier.as_deref()).to_owned()),
                delivery_company_name: None,
                shipping_date: Some(s.ship_date.format("%Y-%m-%d").to_string()),
            };
            // RMS already has exactly this (an earlier push whose answer or record was lost, e.g.
            // a crash between sending and recording): nothing is sent again.
            if basket.shipping_model_list.iter().any(|m| already_there(m, &wanted)) {
                return Ok(());
            }
            let req = wire::UpdateOrderShippingRequest {
                order_number: s.order_number.clone(),
                basketid_model_list: vec![wire::BasketidModel {
                    basket_id: basket.basket_id,
                    shipping_model_list: vec![wanted],
                }],
            };
            let a =
                self.client.call(Method::POST, &format!("{ORDER_BASE}/updateOrderShipping/"), &[], Some(&req)).await?;
            if !a.status.is_success() {
                return Err(self.client.error(&a));
            }
            let r: wire::ErrorEnvelope = serde_json::from_slice(&a.body).unwrap_or_default();
            if let Some(e) = r.message_model_list.iter().flatten().find(|m| m.message_type == "ERROR") {
                return Err(MarketplaceError::Refused(format!(
                    "{}: {} {}",
                    self.client.label, e.message_code, e.message
                )));
            }
            Ok(())
        })
    }
}

/// Whether RMS's shipment carries the same tracking number, carrier and date as the one to send.
fn already_there(have: &wire::ShippingModel, wanted: &wire::ShippingModel) -> bool {
    let text = |v: &Option<String>| v.as_deref().unwrap_or("").trim().to_owned();
    have.shipping_detail_id.is_some()
        && text(&have.shipping_number) == text(&wanted.shipping_number)
        && text(&have.delivery_company) == text(&wanted.delivery_company)
        && text(&have.shipping_date) == text(&wanted.shipping_date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shipment_rms_already_has_with_the_same_data_is_not_sent_again() {
        let have = wire::ShippingModel {
            shipping_detail_id: Some(7),
            shipping_number: Some("1234-5678-9012".into()),
            delivery_company: Some("1001".into()),
            delivery_company_name: Some("ヤマト運輸".into()),
            shipping_date: Some("2026-12-01".into()),
        };
        let mut wanted = wire::ShippingModel { delivery_company_name: None, ..have.clone() };
        assert!(already_there(&have, &wanted));
        wanted.shipping_number = Some("9999-0000-1111".into());
        assert!(!already_there(&have, &wanted), "a new tracking number is sent");
        let unsaved = wire::ShippingModel { shipping_detail_id: None, ..have.clone() };
        wanted.shipping_number = have.shipping_number.clone();
        assert!(!already_there(&unsaved, &wanted), "only a shipment RMS stored counts");
    }

    #[test]
    fn windows_cover_the_range_without_exceeding_the_width() {
        let from = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        let to = from + Duration::days(70);
        let w = windows(from, to, INQUIRY_WINDOW);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, from);
        assert_eq!(w.last().unwrap().1, to);
        assert!(w.iter().all(|(a, b)| *b - *a <= INQUIRY_WINDOW));
        assert_eq!(windows(from, from, INQUIRY_WINDOW).len(), 1);
    }
}
