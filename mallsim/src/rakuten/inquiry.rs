//! Rakuten InquiryManagementAPI (問い合わせ管理API) — MARKETPLACES.md §1.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{Shop, json_body, json_status};
use crate::Sim;
use crate::data;
use crate::state::{FileRef, Inquiry, Kind, Message, Party, StoredFile};
use crate::time;

/// Upload limit of `attachment.post`.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;
/// ASSUMED: a reply is a duplicate (409) when the same text was posted to the same inquiry
/// within this many seconds.
pub const DUPLICATE_WINDOW_SECS: i64 = 60;
const WINDOW_DAYS: i64 = 31;
const DATE_PATTERN: &str = r#"must match "^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$""#;
const NUMBER_PATTERN: &str = r#"must match "^[0-9a-zA-Z-]+$""#;
const ALLOWED_URL_DOMAINS: &[&str] = &[
    "rakuten.co.jp",
    "rakuten.ne.jp",
    "rakuten.com",
    "rakuten-bank.co.jp",
    "trafficgate.net",
    "rakuten-card.co.jp",
    "payment.sej.co.jp",
    "faq.rakuten.net",
    "support.rakuten-card.jp",
];

pub fn router() -> Router<Sim> {
    Router::new()
        .route("/inquiries", get(list))
        .route("/inquiries/count", get(count))
        .route("/inquiry/{inquiry_number}", get(single))
        .route("/inquiry/reply", post(reply))
        .route("/attachment", post(upload).get(download).layer(DefaultBodyLimit::max(4 * MAX_ATTACHMENT_BYTES)))
        .route("/inquiries/read", patch(mark_read))
        .route("/inquiries/complete", patch(mark_complete))
        .route("/inquiries/incomplete", patch(mark_incomplete))
}

// ---------------------------------------------------------------- wire types

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct AttachmentWire {
    pub label: String,
    pub path: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplyWire {
    pub id: u32,
    pub message: String,
    pub reg_date: String,
    pub reply_from: Party,
    pub is_read: bool,
    pub is_message_deleted: bool,
    pub attachments: Vec<AttachmentWire>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InquiryWire {
    pub inquiry_number: String,
    pub shop_id: i64,
    pub user_name: String,
    pub user_mask_email: String,
    pub message: String,
    pub reg_date: String,
    pub item_url: Option<String>,
    pub item_name: Option<String>,
    pub item_number: Option<String>,
    pub is_completed: bool,
    pub completed_date: Option<String>,
    pub order_number: Option<String>,
    pub read_by_merchant: bool,
    pub attachments: Vec<AttachmentWire>,
    pub replies: Vec<ReplyWire>,
    pub category: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub is_message_deleted: bool,
    pub last_update_date: String,
    pub social_gift_user_type: Option<String>,
}

fn attachments(refs: &[FileRef]) -> Vec<AttachmentWire> {
    refs.iter().map(|f| AttachmentWire { label: f.label.clone(), path: f.path.clone() }).collect()
}

pub fn wire(inq: &Inquiry, shop_id: i64) -> InquiryWire {
    let first = &inq.messages[0];
    InquiryWire {
        inquiry_number: inq.id.clone(),
        shop_id,
        user_name: inq.user_name.clone(),
        user_mask_email: inq.user_mask_email.clone(),
        message: first.body.clone(),
        reg_date: time::rakuten_inquiry(inq.created_at),
        item_url: inq.item.as_ref().map(|i| i.url.clone()),
        item_name: inq.item.as_ref().map(|i| i.name.clone()),
        item_number: inq.item.as_ref().map(|i| i.number.clone()),
        is_completed: inq.is_completed(),
        completed_date: inq.completed_at.map(time::rakuten_inquiry),
        order_number: inq.order_number.clone(),
        read_by_merchant: inq.read_by_merchant,
        attachments: attachments(&first.attachments),
        replies: inq.messages[1..]
            .iter()
            .enumerate()
            .map(|(i, m)| ReplyWire {
                id: i as u32,
                message: m.body.clone(),
                reg_date: time::rakuten_inquiry(m.at),
                reply_from: m.from,
                is_read: m.is_read,
                is_message_deleted: false,
                attachments: attachments(&m.attachments),
            })
            .collect(),
        category: inq.category.clone(),
        kind: inq.kind.clone(),
        is_message_deleted: false,
        last_update_date: time::rakuten_inquiry(inq.updated_at),
        social_gift_user_type: None,
    }
}

// ---------------------------------------------------------------- errors

fn error(status: StatusCode, code: &str, message: &str, targets: Option<Map<String, Value>>) -> Response {
    let mut e = json!({"code": code, "message": message});
    if let Some(t) = targets {
        e["targets"] = Value::Object(t);
    }
    json_status(status, json!({ "error": e }))
}

/// `IE001 bad parameter` with the offending parameters and their messages.
fn bad_parameter(targets: Map<String, Value>) -> Response {
    error(StatusCode::BAD_REQUEST, "IE001", "bad parameter", Some(targets))
}

fn target(name: &str, message: &str) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(name.into(), Value::String(message.into()));
    m
}

/// ASSUMED: the documented status table has 404 for every endpoint but no sample body.
fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "IE002", "not found.", None)
}

// ---------------------------------------------------------------- list / count

/// `fromDate` / `toDate`: required, JST without offset, from ≤ to, at most 31 days apart.
fn date_window(q: &HashMap<String, String>) -> Result<(DateTime<Utc>, DateTime<Utc>), Response> {
    let mut targets = Map::new();
    let mut parse = |name: &str| match q.get(name) {
        None => {
            targets.insert(name.into(), "must not be null".into());
            None
        }
        Some(s) => {
            let t = time::parse_rakuten_inquiry(s);
            if t.is_none() {
                targets.insert(name.into(), DATE_PATTERN.into());
            }
            t
        }
    };
    let from = parse("fromDate");
    let to = parse("toDate");
    let (Some(from), Some(to)) = (from, to) else {
        return Err(bad_parameter(targets));
    };
    if from > to {
        return Err(bad_parameter(target("fromDate", "date time range is invalid.")));
    }
    if to - from > Duration::days(WINDOW_DAYS) {
        return Err(bad_parameter(target("toDate", "date time range should be within 31 days.")));
    }
    Ok((from, to))
}

fn int_param(q: &HashMap<String, String>, name: &str, default: i64) -> Result<i64, Response> {
    match q.get(name) {
        None => Ok(default),
        Some(s) => s.parse().map_err(|_| bad_parameter(target(name, "must be a number"))),
    }
}

fn no_merchant_reply(q: &HashMap<String, String>) -> bool {
    q.get("noMerchantReply").is_some_and(|v| v == "true")
}

/// Inquiries of the shop whose first date (regDate) is in the window.
///
/// ASSUMED: `noMerchantReply=true` keeps the inquiries whose latest message is the buyer's.
fn matching<'a>(
    st: &'a crate::state::State,
    shop: &'a Shop,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    unanswered_only: bool,
) -> Vec<&'a Inquiry> {
    let mut v: Vec<&Inquiry> = st
        .inquiries_of(&shop.0)
        .filter(|i| i.created_at >= from && i.created_at <= to)
        .filter(|i| !unanswered_only || i.awaits_merchant())
        .collect();
    v.sort_by_key(|i| std::cmp::Reverse(i.created_at));
    v
}

async fn list(State(sim): State<Sim>, shop: Shop, Query(q): Query<HashMap<String, String>>) -> Response {
    let (from, to) = match date_window(&q) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (limit, page) = match (int_param(&q, "limit", 10), int_param(&q, "page", 1)) {
        (Ok(l), Ok(p)) => (l, p),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if limit > 100 {
        return bad_parameter(target("limit", "should be less than equal 100"));
    }
    if limit < 1 {
        return bad_parameter(target("limit", "should be greater than equal 1"));
    }
    if page < 1 {
        return bad_parameter(target("page", "should be greater than equal 1"));
    }
    if page > 10_000 {
        return error(StatusCode::BAD_REQUEST, "IE001", "400 Bad Request", None);
    }
    if limit * (page - 1) + limit > 10_000 {
        return error(StatusCode::BAD_REQUEST, "IE000", "400 Bad Request", None);
    }
    let st = sim.state().await;
    let all = matching(&st, &shop, from, to, no_merchant_reply(&q));
    let total = all.len() as i64;
    let list: Vec<InquiryWire> = all
        .into_iter()
        .skip(((page - 1) * limit) as usize)
        .take(limit as usize)
        .map(|i| wire(i, shop.shop_id()))
        .collect();
    json_body(json!({
        "totalCount": total,
        "totalPageCount": (total + limit - 1) / limit,
        "page": page,
        "list": list,
    }))
}

async fn count(State(sim): State<Sim>, shop: Shop, Query(q): Query<HashMap<String, String>>) -> Response {
    let (from, to) = match date_window(&q) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let st = sim.state().await;
    let n = matching(&st, &shop, from, to, no_merchant_reply(&q)).len();
    json_body(json!({"result": {"count": n}}))
}

async fn single(State(sim): State<Sim>, shop: Shop, Path(number): Path<String>) -> Response {
    let st = sim.state().await;
    match st.inquiry(&shop.0, &number) {
        Some(i) => json_body(json!({"result": wire(i, shop.shop_id())})),
        None => not_found(),
    }
}

// ---------------------------------------------------------------- reply

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReplyRequest {
    inquiry_number: Option<String>,
    shop_id: Option<Value>,
    message: Option<String>,
    attachments: Option<Vec<AttachmentWire>>,
}

/// Message rules: 1–2000 characters, at most 300 per line, URLs only https on Rakuten's
/// domains. The target texts for the length and URL rules are ASSUMED.
fn check_message(message: &str) -> Option<&'static str> {
    let n = message.chars().count();
    if message.trim().is_empty() {
        return Some("must not be blank");
    }
    if n > 2000 {
        return Some("size must be between 1 and 2000");
    }
    if message.lines().any(|l| l.chars().count() > 300) {
        return Some("each line must be within 300 characters");
    }
    for (i, _) in message.match_indices("http") {
        let rest = &message[i..];
        if let Some(url) = rest.strip_prefix("https://") {
            let host: String =
                url.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-').collect();
            let allowed = ALLOWED_URL_DOMAINS.iter().any(|d| host == *d || host.ends_with(&format!(".{d}")));
            if !allowed {
                return Some("contains a URL that is not allowed");
            }
        } else if rest.starts_with("http://") {
            return Some("contains a URL that is not allowed");
        }
    }
    None
}

fn ext(name: &str) -> String {
    name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default()
}

async fn reply(State(sim): State<Sim>, shop: Shop, body: Bytes) -> Response {
    let Ok(req) = serde_json::from_slice::<ReplyRequest>(&body) else {
        return error(StatusCode::BAD_REQUEST, "IE001", "400 Bad Request", None);
    };
    let mut targets = Map::new();
    let number = req.inquiry_number.unwrap_or_default();
    if number.trim().is_empty() {
        targets.insert("inquiryNumber".into(), "must not be blank".into());
    } else if number.len() > 40 {
        targets.insert("inquiryNumber".into(), "size must be between 1 and 40".into());
    }
    let shop_id = match &req.shop_id {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if shop_id.is_empty() {
        targets.insert("shopId".into(), "must not be blank".into());
    } else if shop_id != shop.0.id {
        targets.insert("shopId".into(), "does not match the licensed shop".into());
    }
    let message = req.message.unwrap_or_default();
    if let Some(m) = check_message(&message) {
        targets.insert("message".into(), m.into());
    }
    let atts = req.attachments.unwrap_or_default();
    if atts.len() > 1 {
        targets.insert("attachments".into(), "size must be between 0 and 1".into());
    }
    if !targets.is_empty() {
        return bad_parameter(targets);
    }
    let mut st = sim.state().await;
    for a in &atts {
        match st.files.get(&a.path) {
            Some(f) if f.account == shop.0 => {
                if a.label.chars().count() > 100 || ext(&a.label) != ext(&f.name) {
                    return bad_parameter(target("attachments[0].label", "must have the uploaded file's extension"));
                }
            }
            _ => return bad_parameter(target("attachments[0].path", "attachment not found.")),
        }
    }
    let now = Utc::now();
    let Some(inq) = st.inquiry_mut(&shop.0, &number) else {
        return not_found();
    };
    let duplicate = inq.messages.iter().rev().any(|m| {
        m.from == Party::Merchant && m.body == message && now - m.at < Duration::seconds(DUPLICATE_WINDOW_SECS)
    });
    if duplicate {
        if let Some(a) = st.account_mut(&shop.0) {
            a.counters.duplicate_replies += 1;
        }
        return error(StatusCode::CONFLICT, "IE409", "409 Conflict: duplicate reply", None);
    }
    let refs: Vec<FileRef> = atts.iter().map(|a| FileRef { label: a.label.clone(), path: a.path.clone() }).collect();
    inq.messages.push(Message {
        id: inq.messages.len() as u32,
        from: Party::Merchant,
        body: message.clone(),
        at: now,
        attachments: refs,
        is_read: false,
    });
    inq.updated_at = now;
    st.record(&shop.0, Kind::Reply, &number, json!({"message": message, "attachments": atts}));
    json_status(
        StatusCode::CREATED,
        json!({"result": {
            "inquiryNumber": number,
            "message": message,
            "regDate": time::rakuten_inquiry(now),
            "replyFrom": "merchant",
            "isRead": false,
            "attachments": atts,
        }}),
    )
}

// ---------------------------------------------------------------- attachments

fn too_large() -> Response {
    json_status(
        StatusCode::PAYLOAD_TOO_LARGE,
        json!({"errors": [{"code": "GF0003", "message": "Request entity too large"}]}),
    )
}

pub fn content_type_for(name: &str) -> Option<&'static str> {
    match ext(name).as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "pdf" => Some("application/pdf"),
        _ => None,
    }
}

async fn upload(State(sim): State<Sim>, shop: Shop, mut form: Multipart) -> Response {
    // One file per request; when several `file` parts are sent the last one wins.
    let mut file: Option<(String, Bytes)> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                if field.name() != Some("file") {
                    continue;
                }
                let name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
                    Err(_) => return bad_parameter(target("file", "attachment file is empty.")),
                }
            }
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return too_large(),
            Err(_) => return bad_parameter(target("file", "attachment file is empty.")),
        }
    }
    let Some((name, bytes)) = file else {
        return bad_parameter(target("file", "attachment file is empty."));
    };
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return too_large();
    }
    if bytes.is_empty() {
        return bad_parameter(target("file", "attachment file is empty."));
    }
    if name.chars().count() > 100 {
        return bad_parameter(target("file", "too long attachment file name."));
    }
    // ASSUMED target text for a type outside png/jpeg/jpg/gif/pdf.
    let Some(content_type) = content_type_for(&name) else {
        return bad_parameter(target("file", "file extension is not allowed."));
    };
    let now = time::to_jst(Utc::now());
    let mut st = sim.state().await;
    let hash = data::hex_id(&mut st.rng, 32);
    let path = format!("{}/{}/{}_{}", now.format("%Y/%m/%d"), shop.0.id, now.format("%H%M%S"), hash);
    st.files.insert(
        path.clone(),
        StoredFile { account: shop.0.clone(), name: name.clone(), content_type: content_type.into(), bytes },
    );
    st.record(&shop.0, Kind::Attachment, &path, json!({"label": name}));
    json_status(StatusCode::CREATED, json!({"result": {"label": name, "path": path}}))
}

async fn download(State(sim): State<Sim>, shop: Shop, Query(q): Query<HashMap<String, String>>) -> Response {
    let st = sim.state().await;
    match q.get("path").and_then(|p| st.files.get(p)) {
        Some(f) if f.account == shop.0 => {
            ([(axum::http::header::CONTENT_TYPE, f.content_type.clone())], f.bytes.clone()).into_response()
        }
        _ => not_found(),
    }
}

// ---------------------------------------------------------------- read / complete / incomplete

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NumbersRequest {
    inquiry_numbers: Option<Vec<String>>,
}

#[derive(Clone, Copy)]
enum Mark {
    Read,
    Complete,
    Incomplete,
}

async fn mark_read(sim: State<Sim>, shop: Shop, body: Bytes) -> Response {
    mark(sim, shop, body, Mark::Read).await
}
async fn mark_complete(sim: State<Sim>, shop: Shop, body: Bytes) -> Response {
    mark(sim, shop, body, Mark::Complete).await
}
async fn mark_incomplete(sim: State<Sim>, shop: Shop, body: Bytes) -> Response {
    mark(sim, shop, body, Mark::Incomplete).await
}

/// Up to 20 numbers; 200 with the numbers changed in `ok` and the others in `error`.
async fn mark(State(sim): State<Sim>, shop: Shop, body: Bytes, what: Mark) -> Response {
    let Ok(req) = serde_json::from_slice::<NumbersRequest>(&body) else {
        return error(StatusCode::BAD_REQUEST, "IE001", "400 Bad Request", None);
    };
    let numbers = req.inquiry_numbers.unwrap_or_default();
    if numbers.is_empty() || numbers.len() > 20 {
        return bad_parameter(target("inquiryNumbers", "size must be between 1 and 20"));
    }
    if numbers.iter().any(|n| n.trim().is_empty()) {
        return bad_parameter(target("inquiryNumbers[]", "must not be blank"));
    }
    if numbers.iter().any(|n| !n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')) {
        return bad_parameter(target("inquiryNumbers[]", NUMBER_PATTERN));
    }
    let now = Utc::now();
    let mut st = sim.state().await;
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for n in numbers {
        let Some(inq) = st.inquiry_mut(&shop.0, &n) else {
            errors.push(json!({"inquiryNumber": n, "errorMessage": "not found."}));
            continue;
        };
        let changed = match what {
            Mark::Read => {
                let was = inq.read_by_merchant;
                inq.read_by_merchant = true;
                inq.seller_last_read = Some(now);
                for m in inq.messages.iter_mut().filter(|m| m.from == Party::User) {
                    m.is_read = true;
                }
                !was
            }
            Mark::Complete => {
                let was = inq.is_completed();
                if !was {
                    inq.completed_at = Some(now);
                    inq.updated_at = now;
                }
                !was
            }
            Mark::Incomplete => {
                let was = inq.is_completed();
                if was {
                    inq.completed_at = None;
                    inq.updated_at = now;
                }
                was
            }
        };
        if changed {
            let kind = match what {
                Mark::Read => Kind::Read,
                Mark::Complete => Kind::Completion,
                Mark::Incomplete => Kind::Incompletion,
            };
            st.record(&shop.0, kind, &n, Value::Null);
            ok.push(n);
        } else {
            errors.push(json!({"inquiryNumber": n, "errorMessage": "already set value as specified"}));
        }
    }
    json_body(json!({"result": {"ok": ok, "error": errors}}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_text_rules() {
        assert!(check_message("ありがとうございます。").is_none());
        assert!(check_message("").is_some());
        assert!(check_message(&"あ".repeat(301)).is_some());
        assert!(check_message(&format!("{}\n{}", "あ".repeat(300), "い".repeat(300))).is_none());
        assert!(check_message("詳しくは https://item.rakuten.co.jp/shop/x/ をご覧ください").is_none());
        assert!(check_message("https://example.com/").is_some());
        assert!(check_message("http://www.rakuten.co.jp/").is_some());
    }
}
