//! Yahoo! 問い合わせ管理API (質問 / talk) — MARKETPLACES.md §3. JSON answers, UNIX seconds as
//! strings, buyers known only by masked ids. Completion is one-way and, for condition 1 (the
//! default), needs a prior seller message.

use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Seller, error};
use crate::Sim;
use crate::rakuten::inquiry::content_type_for;
use crate::state::{FileRef, Inquiry, Kind, Message, Party, StoredFile};
use crate::time;

pub const PAGE_SIZE: usize = 20;
/// ASSUMED: the largest talk file accepted.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

pub fn router() -> Router<Sim> {
    Router::new()
        .route("/externalTalkList", get(list))
        .route("/externalTalkDetail", get(detail))
        .route("/externalTalkAdd", post(add))
        .route("/externalTalkRead", put(read))
        .route("/externalTalkComplete", put(complete))
        .route("/externalTalkPrivate", put(private))
        .route("/externalTalkFileAdd", post(file_add).layer(DefaultBodyLimit::max(4 * MAX_FILE_BYTES)))
        .route("/externalTalkFileDownload", get(file_download))
        .route("/externalTalkFileDelete", delete(file_delete))
}

type Q = Query<HashMap<String, String>>;

fn bad(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "tk-40001", message)
}

fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "tk-40401", "topic not found.")
}

/// Category names (parent, child) of the question categories.
fn category_names(id: u32) -> Vec<&'static str> {
    match id {
        1 => vec!["商品の質問"],
        2 => vec!["お届け日・発送日"],
        3 => vec!["在庫・再入荷"],
        4 => vec!["送料"],
        5 => vec!["その他"],
        7 => vec!["お届け日について", "お届け日・発送日の確認"],
        8 => vec!["お届け日について", "お届け日の変更"],
        9 => vec!["注文のキャンセル"],
        11 => vec!["注文内容の変更", "お届け先の変更"],
        12 => vec!["注文内容の変更", "支払い方法の変更"],
        13 => vec!["注文内容の変更", "注文内容の変更"],
        15 => vec!["商品が届かない", "商品が届かない"],
        18 => vec!["商品の質問"],
        22 => vec!["領収書"],
        23 => vec!["支払い方法"],
        24 => vec!["返品・返金"],
        25 => vec!["ギフト"],
        _ => vec!["その他"],
    }
}

fn qa_type(i: &Inquiry) -> &'static str {
    if i.order_number.is_some() { "order" } else { "item" }
}

fn item_code(seller: &str, i: &Inquiry) -> Option<String> {
    i.item.as_ref().map(|it| format!("{seller}_{}", it.number))
}

fn unanswered(i: &Inquiry) -> bool {
    !i.is_completed() && i.awaits_merchant()
}

fn status_name(i: &Inquiry) -> &'static str {
    if i.is_completed() {
        "completed"
    } else if i.awaits_merchant() {
        "unanswered"
    } else {
        "answered"
    }
}

fn condition_name(id: Option<u8>) -> &'static str {
    match id {
        Some(2) => "電話完了",
        Some(3) => "メール対応",
        Some(4) => "同一質問",
        Some(5) => "回答不要",
        _ => "通常完了",
    }
}

// ---------------------------------------------------------------- list

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Headline {
    topic_id: String,
    is_unread: bool,
    is_no_answer: bool,
    is_completed: bool,
    complete_condition_id: Option<u8>,
    complete_condition_short_name: Option<&'static str>,
    user_post_time: Option<String>,
    seller_post_time: Option<String>,
    qa_type: &'static str,
    is_private: bool,
    category: u32,
    title: String,
    body: String,
    message_count: usize,
    user_masked_id: String,
    item_code: Option<String>,
    order_id: Option<String>,
    first_poster: &'static str,
    service_type: &'static str,
    memo: Option<Vec<Value>>,
}

fn headline(seller: &str, i: &Inquiry) -> Headline {
    Headline {
        topic_id: i.id.clone(),
        is_unread: !i.read_by_merchant,
        is_no_answer: i.last_from(Party::Merchant).is_none(),
        is_completed: i.is_completed(),
        complete_condition_id: i.complete_condition,
        complete_condition_short_name: i.complete_condition.map(|c| condition_name(Some(c))),
        user_post_time: i.last_from(Party::User).map(|m| time::unix(m.at)),
        seller_post_time: i.last_from(Party::Merchant).map(|m| time::unix(m.at)),
        qa_type: qa_type(i),
        is_private: i.is_private,
        category: i.category_id,
        title: i.title.clone(),
        body: i.messages[0].body.clone(),
        message_count: i.messages.len(),
        user_masked_id: i.user_masked_id.clone(),
        item_code: item_code(seller, i),
        order_id: i.order_number.clone(),
        first_poster: "user",
        service_type: "shp",
        memo: None,
    }
}

async fn list(State(sim): State<Sim>, seller: Seller, Query(q): Q) -> Response {
    if let Err(r) = seller.check(q.get("sellerId").map(String::as_str)) {
        return r;
    }
    let start: usize = match q.get("start").map(|s| s.parse()) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        _ => return bad("start must be 1 or more."),
    };
    let result: usize = match q.get("result").map(|s| s.parse()) {
        None => PAGE_SIZE,
        Some(Ok(n)) if (1..=PAGE_SIZE).contains(&n) => n,
        _ => return bad("result must be between 1 and 20."),
    };
    let date_type = q.get("dateType").map(String::as_str);
    let range = match date_type {
        None => None,
        Some("userPostTime" | "sellerPostTime") => {
            match (
                q.get("startDate").and_then(|s| time::parse_unix(s)),
                q.get("endDate").and_then(|s| time::parse_unix(s)),
            ) {
                (Some(a), Some(b)) => Some((a, b)),
                _ => return bad("startDate and endDate are required with dateType."),
            }
        }
        Some(_) => return bad("dateType must be userPostTime or sellerPostTime."),
    };
    let filters: Option<Vec<String>> =
        q.get("requestFilter").map(|f| f.split(',').map(|s| s.trim().to_string()).collect());
    if filters
        .as_ref()
        .is_some_and(|f| f.iter().any(|s| !matches!(s.as_str(), "unanswered" | "answered" | "completed")))
    {
        return bad("requestFilter must be unanswered, answered or completed.");
    }
    let st = sim.state().await;
    let post_time =
        |i: &Inquiry, by_seller: bool| i.last_from(if by_seller { Party::Merchant } else { Party::User }).map(|m| m.at);
    let by_seller_date = date_type == Some("sellerPostTime");
    let mut found: Vec<&Inquiry> = st
        .inquiries_of(&seller.0)
        .filter(|i| range.is_none_or(|(a, b)| post_time(i, by_seller_date).is_some_and(|t| t >= a && t <= b)))
        .filter(|i| filters.as_ref().is_none_or(|f| f.iter().any(|s| s == status_name(i))))
        .filter(|i| q.get("qaType").is_none_or(|t| t == qa_type(i)))
        .filter(|i| q.get("category").is_none_or(|c| c == &i.category_id.to_string()))
        .filter(|i| q.get("isPrivate").is_none_or(|p| p == &i.is_private.to_string()))
        .filter(|_| q.get("firstPoster").is_none_or(|p| p == "user"))
        .collect();
    let sort_seller = q.get("sort").map(String::as_str) == Some("sellerPostTime");
    found.sort_by_key(|i| post_time(i, sort_seller));
    if q.get("sortOrder").map(String::as_str) != Some("asc") {
        found.reverse();
    }
    let count = found.len();
    let headlines: Vec<Headline> =
        found.into_iter().skip(start - 1).take(result).map(|i| headline(&seller.0.id, i)).collect();
    let end = if headlines.is_empty() { start - 1 } else { start + headlines.len() - 1 };
    let unanswered_count = st.inquiries_of(&seller.0).filter(|i| unanswered(i)).count();
    Json(json!({
        "summary": {
            "filter": q.get("requestFilter").cloned().unwrap_or_else(|| "all".into()),
            "unansweredCount": unanswered_count,
            "topic": {"start": start, "end": end, "count": count},
        },
        "headlines": headlines,
    }))
    .into_response()
}

// ---------------------------------------------------------------- detail

fn file_list(files: &[FileRef], st: &crate::state::State) -> Vec<Value> {
    files
        .iter()
        .map(|f| {
            let size = st.files.get(&f.path).map(|s| s.bytes.len()).unwrap_or_default();
            let ext = f.label.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
            json!({"fileName": f.label, "objectKey": f.path, "fileExt": ext, "thumbnailUrl": null, "fileSize": size})
        })
        .collect()
}

async fn detail(State(sim): State<Sim>, seller: Seller, Query(q): Q) -> Response {
    if let Err(r) = seller.check(q.get("sellerId").map(String::as_str)) {
        return r;
    }
    let st = sim.state().await;
    let Some(i) = q.get("topicId").and_then(|t| st.inquiry(&seller.0, t)) else {
        return not_found();
    };
    let messages: Vec<Value> = i
        .messages
        .iter()
        .map(|m| {
            let mut v = json!({
                "messageId": m.id,
                "postUserType": if m.from == Party::User { "user" } else { "seller" },
                "postdate": time::unix(m.at),
                "body": m.body,
                "fileList": file_list(&m.attachments, &st),
            });
            if m.from == Party::Merchant {
                v["bid"] = json!("seller_1");
            }
            v
        })
        .collect();
    Json(json!({
        "topic": {
            "accessUserType": "seller",
            "userLastReadTime": null,
            "isUserUnRead": i.messages.last().is_some_and(|m| m.from == Party::Merchant),
            "sellerLastReadTime": i.seller_last_read.map(time::unix),
            "isSellerUnRead": !i.read_by_merchant,
            "isPrivate": i.is_private,
            "isComplete": i.is_completed(),
            "completeConditionId": i.complete_condition,
            "isMail": false,
            "userMaskedIdx": i.user_masked_idx,
            "itemcode": item_code(&seller.0.id, i),
            "orderid": i.order_number,
            "categoryid": i.category_id,
            "categoryName": category_names(i.category_id),
            "title": i.title,
        },
        "messages": messages,
    }))
    .into_response()
}

// ---------------------------------------------------------------- send

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AddRequest {
    seller_id: Option<String>,
    body: Option<String>,
    file_list: Option<Vec<AddFile>>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct AddFile {
    file_name: String,
    file_path: String,
    file_ext: Option<String>,
}

async fn add(State(sim): State<Sim>, seller: Seller, Query(q): Q, raw: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<AddRequest>(&raw) else {
        return bad("request body must be JSON.");
    };
    if let Err(r) = seller.check(req.seller_id.as_deref()) {
        return r;
    }
    let body = req.body.unwrap_or_default();
    let n = body.chars().count();
    if body.trim().is_empty() || n > 2000 {
        return bad("body must be between 1 and 2000 characters.");
    }
    let topic = q.get("topicId").cloned().unwrap_or_default();
    let mut st = sim.state().await;
    let files = req.file_list.unwrap_or_default();
    for f in &files {
        let ok = st.files.get(&f.file_path).is_some_and(|s| s.account == seller.0)
            && f.file_path.starts_with(&format!("{topic}/"));
        if !ok {
            return bad("fileList contains an unknown file.");
        }
    }
    let now = Utc::now();
    let Some(i) = st.inquiry_mut(&seller.0, &topic) else {
        return not_found();
    };
    if i.is_completed() {
        return error(StatusCode::CONFLICT, "tk-40901", "the topic is completed.");
    }
    let id = i.messages.len() as u32;
    i.messages.push(Message {
        id,
        from: Party::Merchant,
        body: body.clone(),
        at: now,
        attachments: files.iter().map(|f| FileRef { label: f.file_name.clone(), path: f.file_path.clone() }).collect(),
        is_read: false,
    });
    i.updated_at = now;
    st.record(&seller.0, Kind::Reply, &topic, json!({"body": body, "fileList": files}));
    Json(json!({"topicid": topic, "messageid": id, "postdate": time::unix(now)})).into_response()
}

// ---------------------------------------------------------------- read / complete / private

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PutRequest {
    seller_id: Option<String>,
    complete_condition_id: Option<Value>,
}

fn put_request(raw: &[u8]) -> Result<PutRequest, Response> {
    serde_json::from_slice(raw).map_err(|_| bad("request body must be JSON."))
}

fn ok() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

async fn read(State(sim): State<Sim>, seller: Seller, Query(q): Q, raw: Bytes) -> Response {
    let req = match put_request(&raw) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(r) = seller.check(req.seller_id.as_deref()) {
        return r;
    }
    let topic = q.get("topicId").cloned().unwrap_or_default();
    let mut st = sim.state().await;
    let Some(i) = st.inquiry_mut(&seller.0, &topic) else {
        return not_found();
    };
    let changed = !i.read_by_merchant;
    i.read_by_merchant = true;
    i.seller_last_read = Some(Utc::now());
    for m in i.messages.iter_mut().filter(|m| m.from == Party::User) {
        m.is_read = true;
    }
    if changed {
        st.record(&seller.0, Kind::Read, &topic, Value::Null);
    }
    ok()
}

async fn complete(State(sim): State<Sim>, seller: Seller, Query(q): Q, raw: Bytes) -> Response {
    let req = match put_request(&raw) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(r) = seller.check(req.seller_id.as_deref()) {
        return r;
    }
    let condition: u8 = match &req.complete_condition_id {
        None | Some(Value::Null) => 1,
        Some(Value::String(s)) => s.parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0) as u8,
        _ => 0,
    };
    if !(1..=5).contains(&condition) {
        return bad("completeConditionId must be 1 to 5.");
    }
    let topic = q.get("topicId").cloned().unwrap_or_default();
    let mut st = sim.state().await;
    let Some(i) = st.inquiry_mut(&seller.0, &topic) else {
        return not_found();
    };
    if i.is_completed() {
        return error(StatusCode::CONFLICT, "tk-40902", "the topic is already completed.");
    }
    if condition == 1 && i.last_from(Party::Merchant).is_none() {
        return bad("a seller message is required before completing with completeConditionId 1.");
    }
    i.completed_at = Some(Utc::now());
    i.complete_condition = Some(condition);
    st.record(&seller.0, Kind::Completion, &topic, json!({"completeConditionId": condition}));
    ok()
}

async fn private(State(sim): State<Sim>, seller: Seller, Query(q): Q, raw: Bytes) -> Response {
    let req = match put_request(&raw) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Err(r) = seller.check(req.seller_id.as_deref()) {
        return r;
    }
    let topic = q.get("topicId").cloned().unwrap_or_default();
    let mut st = sim.state().await;
    match st.inquiry_mut(&seller.0, &topic) {
        Some(i) => {
            i.is_private = true;
            ok()
        }
        None => not_found(),
    }
}

// ---------------------------------------------------------------- files

async fn file_add(State(sim): State<Sim>, seller: Seller, Query(q): Q, mut form: Multipart) -> Response {
    if let Err(r) = seller.check(q.get("sellerId").map(String::as_str)) {
        return r;
    }
    let topic = q.get("topicId").cloned().unwrap_or_default();
    let mut file = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or_default().to_string();
            match field.bytes().await {
                Ok(b) => file = Some((name, b)),
                Err(_) => return bad("the file is too large."),
            }
        }
    }
    let Some((name, bytes)) = file else {
        return bad("file is required.");
    };
    if bytes.is_empty() || bytes.len() > MAX_FILE_BYTES {
        return bad("the file is empty or too large.");
    }
    let Some(content_type) = content_type_for(&name) else {
        return bad("only JPEG, PNG, GIF and PDF files can be posted.");
    };
    let mut st = sim.state().await;
    if st.inquiry(&seller.0, &topic).is_none() {
        return not_found();
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    let stamp = time::to_jst(Utc::now()).format("%Y%m%d%H%M%S%3f");
    let mut key = format!("{topic}/{stamp}_SELLER.{ext}");
    while st.files.contains_key(&key) {
        key = format!("{topic}/{stamp}{}_SELLER.{ext}", st.next_serial());
    }
    st.files
        .insert(key.clone(), StoredFile { account: seller.0.clone(), name, content_type: content_type.into(), bytes });
    st.record(&seller.0, Kind::Attachment, &topic, json!({"objectKey": key}));
    Json(json!({"objectKey": key})).into_response()
}

async fn file_download(State(sim): State<Sim>, seller: Seller, Query(q): Q) -> Response {
    if let Err(r) = seller.check(q.get("sellerId").map(String::as_str)) {
        return r;
    }
    let st = sim.state().await;
    match q.get("key").and_then(|k| st.files.get(k)) {
        Some(f) if f.account == seller.0 => {
            ([(axum::http::header::CONTENT_TYPE, f.content_type.clone())], f.bytes.clone()).into_response()
        }
        _ => error(StatusCode::NOT_FOUND, "tk-40402", "file not found."),
    }
}

async fn file_delete(State(sim): State<Sim>, seller: Seller, Query(q): Q) -> Response {
    if let Err(r) = seller.check(q.get("sellerId").map(String::as_str)) {
        return r;
    }
    let mut st = sim.state().await;
    let key = q.get("key").cloned().unwrap_or_default();
    let mine = st.files.get(&key).is_some_and(|f| f.account == seller.0);
    if mine {
        st.files.remove(&key);
    }
    Json(json!({"status": if mine { "ok" } else { "ng" }})).into_response()
}
