//! Yahoo!ショッピング 問い合わせ管理API (talk) wire types, named as Yahoo! names them
//! (MARKETPLACES.md §3). Timestamps are UNIX seconds as strings. The list uses camelCase
//! (`itemCode`, `orderId`), the detail lower case (`itemcode`, `orderid`).

use serde::{Deserialize, Serialize};

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct TalkList {
    pub summary: Summary,
    pub headlines: Vec<Headline>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Summary {
    pub topic: TopicRange,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct TopicRange {
    pub start: i64,
    pub end: i64,
    pub count: i64,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Headline {
    pub topic_id: String,
    pub is_completed: bool,
    pub title: Option<String>,
    pub user_masked_id: Option<String>,
    pub order_id: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct TalkDetail {
    pub topic: Topic,
    pub messages: Vec<TalkMessage>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct Topic {
    pub is_complete: bool,
    pub user_masked_idx: Option<String>,
    pub orderid: Option<String>,
    pub category_name: Vec<String>,
    pub title: Option<String>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct TalkMessage {
    pub message_id: serde_json::Value,
    /// `user` | `seller`
    pub post_user_type: String,
    /// UNIX seconds as a string.
    pub postdate: serde_json::Value,
    pub body: Option<String>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct AddRequest<'a> {
    pub seller_id: &'a str,
    pub body: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub file_list: Vec<FileRef>,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct FileRef {
    pub file_name: String,
    pub file_path: String,
    pub file_ext: String,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
pub struct AddResponse {
    pub topicid: serde_json::Value,
    pub messageid: serde_json::Value,
    pub postdate: serde_json::Value,
}

#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct FileAddResponse {
    pub object_key: String,
}

#[derive(Serialize, Debug)]
#[serde(rename_all = "camelCase")]
pub struct SellerRequest<'a> {
    pub seller_id: &'a str,
}
