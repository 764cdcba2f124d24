//! Yahoo!ショッピング 注文API wire types (XML, MARKETPLACES.md §4), named as Yahoo! names them,
//! read and written through quick-xml's serde support. Values are kept as text: the mapping
//! reads numbers and times, so an unreadable one is reported with its field name.

use serde::{Deserialize, Serialize};

/// Any answer of the order API: `<Result>` (orderList) or `<ResultSet><Result>` (orderInfo,
/// orderShipStatusChange), and the common error `<Error><Code/><Message/></Error>`.
#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct Envelope {
    #[serde(rename = "Status")]
    pub status: Option<String>,
    #[serde(rename = "Error")]
    pub error: Option<ApiError>,
    #[serde(rename = "Code")]
    pub code: Option<String>,
    #[serde(rename = "Message")]
    pub message: Option<String>,
    #[serde(rename = "Search")]
    pub search: Option<Search>,
    #[serde(rename = "OrderInfo")]
    pub order_info: Option<OrderInfo>,
    #[serde(rename = "Result")]
    pub result: Option<Box<Envelope>>,
}

impl Envelope {
    /// The `<Result>` that carries the status: the root itself or its `<Result>`.
    pub fn result(&self) -> &Envelope {
        match &self.result {
            Some(r) if self.status.is_none() => r,
            _ => self,
        }
    }

    /// The error's code and message, wherever the answer carries them.
    pub fn error_detail(&self) -> (String, String) {
        let r = self.result();
        let e = r.error.as_ref().or(self.error.as_ref());
        let code = e.and_then(|e| e.code.clone()).or_else(|| self.code.clone()).unwrap_or_default();
        let message = e.and_then(|e| e.message.clone()).or_else(|| self.message.clone()).unwrap_or_default();
        (code.trim().to_owned(), message.trim().to_owned())
    }
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct ApiError {
    #[serde(rename = "Code")]
    pub code: Option<String>,
    #[serde(rename = "Message")]
    pub message: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct Search {
    #[serde(rename = "TotalCount")]
    pub total_count: Option<String>,
    #[serde(rename = "OrderInfo")]
    pub order_info: Vec<ListedOrder>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct ListedOrder {
    #[serde(rename = "OrderId")]
    pub order_id: Option<String>,
}

/// One order of orderInfo: the top fields, then the `Pay`, `Ship` and `Detail` sections and
/// the `Item`s.
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "PascalCase")]
pub struct OrderInfo {
    pub order_id: Option<String>,
    pub order_time: Option<String>,
    pub order_status: Option<String>,
    pub buyer_comments: Option<String>,
    pub pay: Pay,
    pub ship: Ship,
    pub detail: Detail,
    pub item: Vec<Item>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "PascalCase")]
pub struct Pay {
    pub pay_method_name: Option<String>,
    pub bill_first_name: Option<String>,
    pub bill_last_name: Option<String>,
    pub bill_zip_code: Option<String>,
    pub bill_prefecture: Option<String>,
    pub bill_city: Option<String>,
    pub bill_address1: Option<String>,
    pub bill_phone_number: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "PascalCase")]
pub struct Ship {
    pub ship_status: Option<String>,
    pub ship_method_name: Option<String>,
    pub ship_company_code: Option<String>,
    pub ship_invoice_number1: Option<String>,
    pub ship_date: Option<String>,
    pub ship_first_name: Option<String>,
    pub ship_last_name: Option<String>,
    pub ship_zip_code: Option<String>,
    pub ship_prefecture: Option<String>,
    pub ship_city: Option<String>,
    pub ship_address1: Option<String>,
    pub ship_phone_number: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "PascalCase")]
pub struct Detail {
    pub total_price: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "PascalCase")]
pub struct Item {
    pub title: Option<String>,
    pub sub_code: Option<String>,
    pub unit_price: Option<String>,
    pub quantity: Option<String>,
}

// ------------------------------------------------------------------ requests (`<Req>`)

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ListRequest<'a> {
    pub search: ListSearch<'a>,
    pub seller_id: &'a str,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ListSearch<'a> {
    pub result: usize,
    pub start: usize,
    pub sort: &'a str,
    pub condition: ListCondition,
    pub field: &'a str,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ListCondition {
    pub order_time_from: String,
    pub order_time_to: String,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct InfoRequest<'a> {
    pub target: InfoTarget<'a>,
    pub seller_id: &'a str,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct InfoTarget<'a> {
    pub order_id: &'a str,
    pub field: &'a str,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ShipRequest<'a> {
    pub target: ShipTarget<'a>,
    pub order: ShipOrder<'a>,
    pub seller_id: &'a str,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ShipTarget<'a> {
    pub order_id: &'a str,
    pub is_point_fix: bool,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ShipOrder<'a> {
    pub ship: ShipChange<'a>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ShipChange<'a> {
    pub ship_status: u8,
    pub ship_company_code: &'a str,
    pub ship_invoice_number1: &'a str,
    pub ship_date: String,
}
