//! 問い合わせユーザアクション通知: Rakuten's push of a buyer's action on an inquiry.
//!
//! ASSUMED format (Rakuten publishes none; MARKETPLACES.md "What each marketplace can do"):
//! the SystemEventNotification system-event XML (§2.7) with `serviceId` 6000 / `functionId`
//! 1100 and named values, authenticated by the shared key in `authModel/authKey` (also sent as
//! the `X-Auth-Key` header):
//!
//! ```text
//! <notifyModel>
//!   <authModel><contractId>{shopId}</contractId><shopUrl/><authKey>{key}</authKey></authModel>
//!   <notifyInfoModel>
//!     <requestId/><serviceId>6000</serviceId><functionId>1100</functionId>
//!     <value1 name="inquiryNumber">…</value1> <value2 name="actionType">1|2</value2> …
//!   </notifyInfoModel>
//! </notifyModel>
//! ```
//!
//! Answer: `<responseModel><resultCode>N-000-000</resultCode></responseModel>`; `E-400-100`
//! bad values, `E-400-101` auth key mismatch, `E-400-900` unexpected error.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::Deserialize;

/// Pushes one client address may send: a sustained rate per second…
pub const PUSHES_PER_SECOND: u32 = 10;
/// …after a burst of this many.
pub const PUSH_BURST: u32 = 50;

/// Who sent a push, for the rate limit: the peer address when the server knows it, else one
/// shared bucket for all.
pub type PushClient = Option<IpAddr>;

type Limiter = DefaultKeyedRateLimiter<PushClient>;

/// Whether a push from `client` may be handled now; `Err(wait)` says how long until it may.
/// Each server (`server` = an id of its state) has its own limiter, keyed by client address.
pub fn admit(server: usize, client: PushClient) -> Result<(), Duration> {
    static LIMITERS: OnceLock<Mutex<HashMap<usize, Arc<Limiter>>>> = OnceLock::new();
    let limiter = {
        let mut map = LIMITERS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
        map.entry(server)
            .or_insert_with(|| {
                let per_second = NonZeroU32::new(PUSHES_PER_SECOND).unwrap_or(NonZeroU32::MIN);
                let burst = NonZeroU32::new(PUSH_BURST).unwrap_or(NonZeroU32::MIN);
                Arc::new(RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)))
            })
            .clone()
    };
    if limiter.len() > 10_000 {
        limiter.retain_recent();
    }
    limiter.check_key(&client).map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
}

/// Whether two keys are equal, in time that does not depend on where they differ.
pub fn same_key(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// One push as Madoguchi needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Push {
    pub contract_id: String,
    pub auth_key: String,
    /// Every inquiry the push names (one per `notifyInfoModel`).
    pub inquiry_numbers: Vec<String>,
}

pub const OK: &str = "N-000-000";
pub const BAD_VALUES: &str = "E-400-100";
pub const AUTH_MISMATCH: &str = "E-400-101";
pub const UNEXPECTED: &str = "E-400-900";

pub fn answer(code: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><responseModel><resultCode>{code}</resultCode></responseModel>")
}

/// The push document (the parts Madoguchi reads).
#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
struct NotifyModel {
    auth_model: AuthModel,
    notify_info_model: Vec<NotifyInfoModel>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default, rename_all = "camelCase")]
struct AuthModel {
    contract_id: Option<String>,
    auth_key: Option<String>,
}

/// `requestId`, `serviceId`, `functionId` and the named values `value1`, `value2`, …: every
/// child element, whatever its tag.
#[derive(Deserialize, Debug, Default)]
#[serde(default)]
struct NotifyInfoModel {
    #[serde(rename = "$value")]
    values: Vec<NamedValue>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(default)]
struct NamedValue {
    #[serde(rename = "@name")]
    name: Option<String>,
    #[serde(rename = "$text")]
    text: Option<String>,
}

fn trimmed(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Parses a push; `None` when it lacks the shop, the key or any inquiry number.
pub fn parse(xml: &str, header_key: Option<&str>) -> Option<Push> {
    let doc: NotifyModel = quick_xml::de::from_str(xml).ok()?;
    let contract_id = trimmed(doc.auth_model.contract_id.as_deref())?;
    let auth_key = trimmed(doc.auth_model.auth_key.as_deref()).or_else(|| header_key.map(str::to_owned))?;
    let inquiry_numbers: Vec<String> = doc
        .notify_info_model
        .iter()
        .flat_map(|m| &m.values)
        .filter(|v| v.name.as_deref() == Some("inquiryNumber"))
        .filter_map(|v| trimmed(v.text.as_deref()))
        .filter(|n| n.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-'))
        .collect();
    (!inquiry_numbers.is_empty()).then_some(Push { contract_id, auth_key, inquiry_numbers })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_names_its_shop_key_and_inquiries() {
        let xml = r#"<notifyModel><authModel><contractId>123456</contractId><shopUrl>店</shopUrl><authKey>k&amp;1</authKey></authModel>
<notifyInfoModel><requestId>r</requestId><serviceId>6000</serviceId><functionId>1100</functionId>
<value1 name="inquiryNumber">123456-20261101-1t</value1><value2 name="actionType">2</value2></notifyInfoModel></notifyModel>"#;
        let p = parse(xml, None).unwrap();
        assert_eq!(p.contract_id, "123456");
        assert_eq!(p.auth_key, "k&1");
        assert_eq!(p.inquiry_numbers, vec!["123456-20261101-1t".to_owned()]);
        assert!(parse("<notifyModel/>", None).is_none());
        assert!(parse("not xml", None).is_none());
        // The key may come in the header instead; several notifications name several inquiries.
        let two = r#"<notifyModel><authModel><contractId> 1 </contractId><authKey/></authModel>
<notifyInfoModel><value1 name="inquiryNumber"><![CDATA[1-a]]></value1></notifyInfoModel>
<notifyInfoModel><value2 name="actionType">1</value2><value1 name="inquiryNumber">1-b</value1></notifyInfoModel></notifyModel>"#;
        let p = parse(two, Some("h")).unwrap();
        assert_eq!((p.contract_id.as_str(), p.auth_key.as_str()), ("1", "h"));
        assert_eq!(p.inquiry_numbers, vec!["1-a".to_owned(), "1-b".to_owned()]);
    }
}
