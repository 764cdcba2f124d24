//! 問い合わせユーザアクション通知 — the push of a buyer's action on an inquiry.
//!
//! ASSUMED CONTRACT (the one place it is defined). Rakuten publishes no format for this push;
//! the simulator reuses the SystemEventNotification system-event XML (MARKETPLACES.md §2.7):
//!
//! ```text
//! POST <registered url>
//! Content-Type: text/xml; charset=UTF-8
//! X-Auth-Key: <shared secret>                      (also in authModel/authKey)
//!
//! <notifyModel>
//!   <authModel><contractId>{shopId}</contractId><shopUrl>{shop name}</shopUrl><authKey>{secret}</authKey></authModel>
//!   <notifyInfoModel>
//!     <requestId>{unique id}</requestId>
//!     <serviceId>6000</serviceId><functionId>1100</functionId>
//!     <value1 name="inquiryNumber">{inquiryNumber}</value1>
//!     <value2 name="actionType">1 (new inquiry) | 2 (buyer message)</value2>
//!     <value3 name="actionDate">yyyy/MM/dd HH:mm:ss (JST)</value3>
//!     <value4 name="messageId">{id of the buyer's message}</value4>
//!   </notifyInfoModel>
//! </notifyModel>
//! ```
//!
//! The receiver answers `<responseModel><resultCode>N-000-000</resultCode></responseModel>`
//! (`E-400-101` for a wrong auth key). Every push is counted as `pushes`, with the result code
//! and HTTP status in the received log.

use chrono::Utc;
use serde_json::json;

use crate::Sim;
use crate::state::{AccountKey, Kind};
use crate::time;
use crate::xml::{self, Writer};

/// Madoguchi's answer to a push: `<responseModel><resultCode/></responseModel>`.
#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct PushAnswer {
    result_code: Option<String>,
}

pub const SERVICE_ID: &str = "6000";
pub const FUNCTION_ID: &str = "1100";
pub const SECRET_HEADER: &str = "X-Auth-Key";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    NewInquiry,
    UserMessage,
}

impl Action {
    fn code(self) -> &'static str {
        match self {
            Action::NewInquiry => "1",
            Action::UserMessage => "2",
        }
    }
}

/// What the callback answered.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushOutcome {
    pub status: u16,
    pub result_code: Option<String>,
}

/// Posts the push for `inquiry` to the account's registered callback.
pub async fn send(sim: &Sim, key: &AccountKey, inquiry: &str, action: Action) -> Result<PushOutcome, String> {
    let (target, body) = {
        let mut st = sim.state().await;
        let request_id = crate::data::hex_id(&mut st.rng, 32);
        let acc = st.account(key).ok_or("no such account")?;
        let target = acc.push.clone().ok_or("no push callback registered")?;
        let shop_url = acc.shop_name.clone();
        let inq = st.inquiry(key, inquiry).ok_or("no such inquiry")?;
        let last = inq.messages.last().ok_or("the inquiry has no message")?;
        let mut w = Writer::new();
        w.open("notifyModel")
            .open("authModel")
            .leaf("contractId", &key.id)
            .leaf("shopUrl", &shop_url)
            .leaf("authKey", &target.secret)
            .close("authModel")
            .open("notifyInfoModel")
            .leaf("requestId", &request_id)
            .leaf("serviceId", SERVICE_ID)
            .leaf("functionId", FUNCTION_ID);
        let values = [
            ("inquiryNumber", inquiry.to_string()),
            ("actionType", action.code().to_string()),
            ("actionDate", time::to_jst(last.at).format("%Y/%m/%d %H:%M:%S").to_string()),
            ("messageId", last.id.to_string()),
        ];
        for (i, (name, value)) in values.into_iter().enumerate() {
            let tag = format!("value{}", i + 1);
            w.open_with(&tag, &[("name", name.to_string())]).leaf_text(&value).close(&tag);
        }
        w.close("notifyInfoModel").close("notifyModel");
        (target, w.finish())
    };
    let result = sim
        .http()
        .post(&target.url)
        .header("content-type", "text/xml; charset=UTF-8")
        .header(SECRET_HEADER, &target.secret)
        .body(body)
        .send()
        .await;
    let outcome = match result {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            let result_code = xml::read::<PushAnswer>(&text, "responseModel")
                .and_then(|a| xml::text(&a.result_code).map(str::to_string));
            PushOutcome { status, result_code }
        }
        Err(e) => {
            sim.state().await.record(
                key,
                Kind::Push,
                inquiry,
                json!({"action": action.code(), "error": e.to_string(), "at": Utc::now()}),
            );
            return Err(e.to_string());
        }
    };
    sim.state().await.record(
        key,
        Kind::Push,
        inquiry,
        json!({"action": action.code(), "status": outcome.status, "resultCode": outcome.result_code}),
    );
    Ok(outcome)
}
