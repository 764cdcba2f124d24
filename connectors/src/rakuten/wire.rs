//! Rakuten RMS wire types, named as RMS names them (MARKETPLACES.md §1 InquiryManagementAPI,
//! §2 RakutenPayOrderAPI). Scalars are camelCase, nested models PascalCase (`OrderModelList`).
//! Everything optional that the documentation says may be absent or null is an `Option`.

use serde::{Deserialize, Serialize};

// ------------------------------------------------------------------ inquiries (§1)

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct InquiryList {
    pub total_count: i64,
    pub total_page_count: i64,
    pub page: i64,
    pub list: Vec<Inquiry>,
}

#[derive(Deserialize, Debug)]
pub struct InquiryResult {
    pub result: Inquiry,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Inquiry {
    pub inquiry_number: String,
    pub shop_id: Option<i64>,
    pub user_name: Option<String>,
    pub user_mask_email: Option<String>,
    /// The first message.
    pub message: Option<String>,
    /// `yyyy-MM-ddTHH:mm:ss+09:00`
    pub reg_date: String,
    pub item_name: Option<String>,
    pub is_completed: bool,
    pub order_number: Option<String>,
    pub replies: Vec<Reply>,
    pub category: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub is_message_deleted: bool,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Reply {
    /// Sequential within the inquiry, from 0.
    pub id: i64,
    pub message: Option<String>,
    pub reg_date: String,
    /// `merchant` | `user`
    pub reply_from: String,
    pub attachments: Vec<AttachmentRef>,
}

#[derive(Serialize, Deserialize, Debug, Clone)]
pub struct AttachmentRef {
    pub label: String,
    pub path: String,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct ReplyRequest<'a> {
    pub inquiry_number: &'a str,
    /// A string here, although responses carry it as a number.
    pub shop_id: &'a str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRef>,
}

#[derive(Deserialize, Debug)]
pub struct UploadResponse {
    pub result: UploadResult,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct UploadResult {
    pub label: String,
    pub path: String,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct NumbersRequest<'a> {
    pub inquiry_numbers: Vec<&'a str>,
}

#[derive(Deserialize, Debug, Default)]
pub struct MarkResponse {
    #[serde(default)]
    pub result: MarkResult,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct MarkResult {
    pub ok: Vec<String>,
    pub error: Vec<MarkError>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct MarkError {
    pub inquiry_number: String,
    pub error_message: String,
}

// ------------------------------------------------------------------ errors (§2.8)

/// Every error envelope RMS uses, read leniently: whichever is present says what happened.
#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct ErrorEnvelope {
    /// InquiryManagementAPI: `{"error":{"code","message","targets"}}`
    pub error: Option<ApiError>,
    /// Gateway / JSON 2.0: `{"errors":[{"code","message"}]}`
    pub errors: Option<Vec<ApiError>>,
    /// ESA gateway: `{"Results":{"errorCode","message"}}`
    #[serde(rename = "Results")]
    pub results: Option<GatewayResults>,
    /// RakutenPayOrderAPI
    #[serde(rename = "MessageModelList")]
    pub message_model_list: Option<Vec<MessageModel>>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    pub targets: Option<serde_json::Value>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct GatewayResults {
    pub error_code: String,
    pub message: String,
}

#[derive(Deserialize, Debug, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct MessageModel {
    /// INFO | WARNING | ERROR
    pub message_type: String,
    pub message_code: String,
    pub message: String,
    pub order_number: Option<String>,
}

// ------------------------------------------------------------------ orders (§2)

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct SearchOrderRequest {
    /// 1 = 注文日
    pub date_type: i64,
    /// `yyyy-MM-ddTHH:mm:ss+0900`
    pub start_datetime: String,
    pub end_datetime: String,
    #[serde(rename = "PaginationRequestModel")]
    pub pagination_request_model: PaginationRequestModel,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct PaginationRequestModel {
    pub request_records_amount: i64,
    pub request_page: i64,
    #[serde(rename = "SortModelList")]
    pub sort_model_list: Vec<SortModel>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct SortModel {
    pub sort_column: i64,
    pub sort_direction: i64,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct SearchOrderResponse {
    #[serde(rename = "orderNumberList")]
    pub order_number_list: Option<Vec<String>>,
    #[serde(rename = "MessageModelList")]
    pub message_model_list: Vec<MessageModel>,
    #[serde(rename = "PaginationResponseModel")]
    pub pagination_response_model: Option<PaginationResponseModel>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PaginationResponseModel {
    pub total_records_amount: Option<i64>,
    pub total_pages: Option<i64>,
    pub request_page: Option<i64>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct GetOrderRequest<'a> {
    pub order_number_list: &'a [String],
    pub version: i64,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct GetOrderResponse {
    #[serde(rename = "MessageModelList")]
    pub message_model_list: Vec<MessageModel>,
    #[serde(rename = "OrderModelList")]
    pub order_model_list: Vec<OrderModel>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct OrderModel {
    pub order_number: String,
    pub order_progress: i64,
    /// `yyyy-MM-ddTHH:mm:ss+0900`
    pub order_datetime: String,
    pub delivery_date: Option<String>,
    pub shipping_term: Option<i64>,
    pub remarks: Option<String>,
    pub total_price: Option<i64>,
    #[serde(rename = "OrdererModel")]
    pub orderer_model: Option<PersonModel>,
    #[serde(rename = "SettlementModel")]
    pub settlement_model: Option<SettlementModel>,
    #[serde(rename = "PackageModelList")]
    pub package_model_list: Vec<PackageModel>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PersonModel {
    pub zip_code1: Option<String>,
    pub zip_code2: Option<String>,
    pub prefecture: Option<String>,
    pub city: Option<String>,
    pub sub_address: Option<String>,
    pub family_name: Option<String>,
    pub first_name: Option<String>,
    pub phone_number1: Option<String>,
    pub phone_number2: Option<String>,
    pub phone_number3: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct SettlementModel {
    pub settlement_method: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct PackageModel {
    pub basket_id: i64,
    #[serde(rename = "SenderModel")]
    pub sender_model: Option<PersonModel>,
    #[serde(rename = "ItemModelList")]
    pub item_model_list: Vec<ItemModel>,
    #[serde(rename = "ShippingModelList")]
    pub shipping_model_list: Vec<ShippingModel>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemModel {
    pub item_name: String,
    pub item_number: Option<String>,
    pub manage_number: Option<String>,
    pub price: i64,
    pub units: i32,
}

#[derive(Deserialize, Serialize, Debug, Default, Clone)]
#[serde(rename_all = "camelCase", default)]
pub struct ShippingModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_detail_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_company: Option<String>,
    #[serde(skip_serializing)]
    pub delivery_company_name: Option<String>,
    /// `YYYY-MM-DD`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shipping_date: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct UpdateOrderShippingRequest {
    #[serde(rename = "orderNumber")]
    pub order_number: String,
    #[serde(rename = "BasketidModelList")]
    pub basketid_model_list: Vec<BasketidModel>,
}

#[derive(Serialize, Debug)]
pub struct BasketidModel {
    #[serde(rename = "basketId")]
    pub basket_id: i64,
    #[serde(rename = "ShippingModelList")]
    pub shipping_model_list: Vec<ShippingModel>,
}
