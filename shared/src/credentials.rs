//! API情報: the credential keys each marketplace takes (API.md's key table), with the label the
//! shop settings form shows, whether the key must be set, and whether it is typed into a
//! password input. The server accepts exactly these keys; the browser app's form offers every
//! one of them.
//!
//! Saving is a merge: the keys sent replace the stored ones of the same name and every other
//! stored key stays ([`merged`]), so a form that sends only what staff typed never drops a key
//! set elsewhere (e.g. Rakuten's `pushAuthKey` set through the API).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::Marketplace;

/// One credential of a marketplace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CredentialKey {
    /// The key in the `credentials` JSON object.
    pub key: &'static str,
    /// What the shop settings form calls it.
    pub label: &'static str,
    /// The marketplace cannot be called without it.
    pub required: bool,
    /// Typed into a password input (never shown back).
    pub secret: bool,
}

const fn key(key: &'static str, label: &'static str, required: bool, secret: bool) -> CredentialKey {
    CredentialKey { key, label, required, secret }
}

const RAKUTEN: &[CredentialKey] = &[
    key("serviceSecret", "serviceSecret（サービスシークレット）", true, true),
    key("licenseKey", "licenseKey（ライセンスキー）", true, true),
    key("shopId", "shopId（RMS店舗ID・任意）", false, false),
    key("pushAuthKey", "pushAuthKey（問い合わせユーザアクション通知の認証キー・任意）", false, true),
];
const YAHOO: &[CredentialKey] = &[
    key("sellerId", "sellerId（ストアアカウント）", true, false),
    key("accessToken", "accessToken（アクセストークン）", true, true),
    key("refreshToken", "refreshToken（リフレッシュトークン・任意）", false, true),
    key("clientId", "clientId（クライアントID・任意）", false, false),
    key("clientSecret", "clientSecret（シークレット・任意）", false, true),
    key("publicKey", "publicKey（公開鍵・任意）", false, true),
    key("publicKeyVersion", "publicKeyVersion（公開鍵バージョン・任意）", false, false),
];
const RAKUMA: &[CredentialKey] = &[
    key("email", "email（API用メールアドレス）", true, false),
    key("password", "password（パスワード）", true, true),
    key("clientId", "clientId（クライアントID）", true, false),
    key("clientSecret", "clientSecret（クライアントシークレット）", true, true),
    key("accountType", "accountType（アカウント種別・1点ものアカウントは single・任意）", false, false),
];
const AU_PAY: &[CredentialKey] =
    &[key("shopId", "shopId（ショップID）", true, false), key("apiKey", "apiKey（APIキー）", true, true)];
const AMAZON: &[CredentialKey] = &[
    key("sellerId", "sellerId（セラーID）", true, false),
    key("marketplaceId", "marketplaceId（マーケットプレイスID）", true, false),
    key("clientId", "clientId（クライアントID）", true, false),
    key("clientSecret", "clientSecret（クライアントシークレット）", true, true),
    key("refreshToken", "refreshToken（リフレッシュトークン）", true, true),
];

/// The key that expires and must be issued again at the marketplace, and its lifetime in days
/// (MARKETPLACES.md: Rakuten's licenseKey and au PAY Market's key, 90 days).
pub fn expiring_key(m: Marketplace) -> Option<(&'static str, i64)> {
    match m {
        Marketplace::Rakuten => Some(("licenseKey", 90)),
        Marketplace::AuPay => Some(("apiKey", 90)),
        _ => None,
    }
}

/// How many days ahead staff are warned that a key expires.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// Whole days left until `expires_at` (negative once expired), when staff should be warned:
/// within [`EXPIRY_WARNING_DAYS`], or already expired.
pub fn expiry_warning(expires_at: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> Option<i64> {
    let left = (expires_at - now).num_days();
    (left <= EXPIRY_WARNING_DAYS).then_some(left)
}

/// The credential keys a marketplace takes, in the form's order (none for a カスタムCSV店舗).
pub fn keys(m: Marketplace) -> &'static [CredentialKey] {
    match m {
        Marketplace::Rakuten => RAKUTEN,
        Marketplace::Yahoo => YAHOO,
        Marketplace::Rakuma => RAKUMA,
        Marketplace::AuPay => AU_PAY,
        Marketplace::Amazon => AMAZON,
        Marketplace::CustomCsv => &[],
    }
}

/// Whether `name` is one of the marketplace's credential keys.
pub fn is_key(m: Marketplace, name: &str) -> bool {
    keys(m).iter().any(|k| k.key == name)
}

/// The `credentials` object the shop settings form sends: only the keys staff typed (trimmed);
/// `None` when nothing was typed (the stored credentials stay as they are). Once anything is
/// typed, every required key must be: the error names the required keys left empty.
pub fn to_send(m: Marketplace, typed: &BTreeMap<String, String>) -> Result<Option<Map<String, Value>>, String> {
    let fields = keys(m);
    let values: Map<String, Value> = fields
        .iter()
        .filter_map(|f| {
            let v = typed.get(f.key).map(|v| v.trim()).unwrap_or("");
            (!v.is_empty()).then(|| (f.key.to_string(), Value::String(v.to_string())))
        })
        .collect();
    if values.is_empty() {
        return Ok(None);
    }
    let missing: Vec<&str> = fields
        .iter()
        .filter(|f| f.required && !values.contains_key(f.key) && !comes_from_link(m, f.key, &values))
        .map(|f| f.key)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "API情報を変更する場合は、すべての必須項目を入力してください（未入力: {}）",
            missing.join(", ")
        ));
    }
    Ok(Some(values))
}

/// Yahoo!'s access token comes from 連携する (YConnect) once the shop's client is saved: with
/// clientId and clientSecret typed, accessToken may be left empty.
fn comes_from_link(m: Marketplace, key: &str, values: &Map<String, Value>) -> bool {
    m == Marketplace::Yahoo
        && key == "accessToken"
        && values.contains_key("clientId")
        && values.contains_key("clientSecret")
}

/// The credentials stored after a save: the stored ones with the keys sent put over them
/// (a key sent replaces the stored value of that key; a key not sent keeps its value).
pub fn merged(stored: &Map<String, Value>, sent: &Map<String, Value>) -> Map<String, Value> {
    let mut out = stored.clone();
    for (k, v) in sent {
        out.insert(k.clone(), v.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn typed(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_marketplace_with_an_api_has_keys_and_the_custom_csv_shop_has_none() {
        for m in Marketplace::ALL {
            assert_eq!(keys(*m).is_empty(), *m == Marketplace::CustomCsv, "{m}");
            let mut names: Vec<&str> = keys(*m).iter().map(|k| k.key).collect();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), keys(*m).len(), "{m}: a key is listed twice");
            for k in keys(*m) {
                assert!(k.label.starts_with(k.key), "{m}: the label names the key as the manual does: {}", k.label);
                assert_eq!(k.label.contains("任意"), !k.required, "{m}: {} says whether it is optional", k.key);
            }
        }
    }

    #[test]
    fn rakuten_takes_the_push_key_as_an_optional_secret() {
        let push = keys(Marketplace::Rakuten).iter().find(|k| k.key == "pushAuthKey").copied();
        assert_eq!(push.map(|k| (k.required, k.secret)), Some((false, true)));
        assert!(is_key(Marketplace::Rakuten, "shopId") && !is_key(Marketplace::Rakuten, "apiKey"));
        assert!(is_key(Marketplace::Rakuma, "accountType"));
    }

    #[test]
    fn credentials_are_sent_only_when_typed_and_then_with_every_required_key() {
        assert_eq!(to_send(Marketplace::Rakuten, &typed(&[])), Ok(None));
        assert_eq!(to_send(Marketplace::Rakuten, &typed(&[("serviceSecret", "  ")])), Ok(None), "blank is not typed");
        assert!(to_send(Marketplace::Rakuten, &typed(&[("serviceSecret", "s")])).unwrap_err().contains("licenseKey"));
        let sent = to_send(Marketplace::Rakuten, &typed(&[("serviceSecret", " s "), ("licenseKey", "k")])).unwrap();
        assert_eq!(sent.map(Value::Object), Some(json!({"serviceSecret": "s", "licenseKey": "k"})));
        let with_push = to_send(
            Marketplace::Rakuten,
            &typed(&[("serviceSecret", "s"), ("licenseKey", "k"), ("pushAuthKey", "p"), ("other", "x")]),
        )
        .unwrap();
        assert_eq!(
            with_push.map(Value::Object),
            Some(json!({"serviceSecret": "s", "licenseKey": "k", "pushAuthKey": "p"})),
            "only the marketplace's keys"
        );
    }

    #[test]
    fn a_yahoo_shop_may_leave_its_access_token_to_the_yconnect_link() {
        let without_client = to_send(Marketplace::Yahoo, &typed(&[("sellerId", "store")]));
        assert!(without_client.unwrap_err().contains("accessToken"));
        let with_client =
            to_send(Marketplace::Yahoo, &typed(&[("sellerId", "store"), ("clientId", "c"), ("clientSecret", "s")]));
        assert_eq!(
            with_client.unwrap().map(Value::Object),
            Some(json!({"sellerId": "store", "clientId": "c", "clientSecret": "s"}))
        );
        assert!(
            to_send(Marketplace::Yahoo, &typed(&[("clientId", "c"), ("clientSecret", "s")]))
                .unwrap_err()
                .contains("sellerId"),
            "the store account is still needed"
        );
    }

    #[test]
    fn a_save_replaces_the_keys_sent_and_keeps_the_others() {
        let stored = json!({"serviceSecret": "old", "licenseKey": "old", "shopId": "123", "pushAuthKey": "push"});
        let sent = json!({"serviceSecret": "new", "licenseKey": "new"});
        let (Value::Object(stored), Value::Object(sent)) = (stored, sent) else { unreachable!() };
        assert_eq!(
            Value::Object(merged(&stored, &sent)),
            json!({"serviceSecret": "new", "licenseKey": "new", "shopId": "123", "pushAuthKey": "push"})
        );
        assert_eq!(merged(&Map::new(), &sent), sent);
    }
}
