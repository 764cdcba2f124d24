//! au PAY マーケット (Wow!manager API) wire types (XML, MARKETPLACES.md §6), named as the API
//! names them, read and written through quick-xml's serde support. Values are kept as text:
//! the mapping reads numbers and times, so an unreadable one is reported with its field name.

use serde::{Deserialize, Serialize};

/// Every answer: `<response><result><status>0</status><error><code/><message/></error></result>
/// <resultCount/><orderInfo/>…</response>`.
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Response {
    pub result: ResultModel,
    pub result_count: Option<String>,
    pub order_info: Vec<OrderInfo>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct ResultModel {
    pub status: Option<String>,
    pub error: ApiError,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct ApiError {
    pub code: Option<String>,
    pub message: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct OrderInfo {
    pub order_id: Option<String>,
    /// `YYYY/MM/DD HH:MM` (JST).
    pub order_date: Option<String>,
    pub order_status: Option<String>,
    pub orderer_name: Option<String>,
    pub orderer_zip_code: Option<String>,
    pub orderer_address: Option<String>,
    pub orderer_phone_number1: Option<String>,
    pub sender_name: Option<String>,
    pub sender_zip_code: Option<String>,
    pub sender_address: Option<String>,
    pub sender_phone_number1: Option<String>,
    pub settlement_name: Option<String>,
    pub request_price: Option<String>,
    pub user_comment: Option<String>,
    /// `YYYY/MM/DD`
    pub shipping_date: Option<String>,
    pub shipping_carrier: Option<String>,
    pub shipping_number: Option<String>,
    pub detail: Vec<Detail>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct Detail {
    pub item_code: Option<String>,
    pub lotnumber: Option<String>,
    pub item_name: Option<String>,
    pub item_price: Option<String>,
    pub unit: Option<String>,
}

/// updateTradeInfoProc's `<request>`.
#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRequest<'a> {
    pub shop_id: &'a str,
    pub order_id: &'a str,
    /// `YYYY/MM/DD`
    pub shipping_date: String,
    pub shipping_carrier: &'a str,
    pub shipping_number: &'a str,
}
