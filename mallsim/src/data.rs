//! Deterministic data generator: the same seed gives the same buyers, products, orders and
//! questions. Everything random is drawn from the state's seeded RNG.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::seq::SliceRandom;

use crate::state::{
    AccountKey, FileRef, Inquiry, ItemRef, Marketplace, Message, Order, OrderLine, OrderState, Party, Person, State,
};
use crate::time;

const FAMILY: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("山口", "ヤマグチ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("林", "ハヤシ"),
    ("斎藤", "サイトウ"),
    ("清水", "シミズ"),
];

const GIVEN: &[(&str, &str)] = &[
    ("翔太", "ショウタ"),
    ("陽菜", "ヒナ"),
    ("大輔", "ダイスケ"),
    ("美咲", "ミサキ"),
    ("健一", "ケンイチ"),
    ("由美", "ユミ"),
    ("拓也", "タクヤ"),
    ("彩", "アヤ"),
    ("直樹", "ナオキ"),
    ("恵子", "ケイコ"),
    ("蓮", "レン"),
    ("結衣", "ユイ"),
    ("和子", "カズコ"),
    ("誠", "マコト"),
    ("さくら", "サクラ"),
    ("悠真", "ユウマ"),
];

/// (postal code, prefecture, city, town) — real combinations.
const PLACES: &[(&str, &str, &str, &str)] = &[
    ("1500043", "東京都", "渋谷区", "道玄坂"),
    ("1600023", "東京都", "新宿区", "西新宿"),
    ("1130033", "東京都", "文京区", "本郷"),
    ("5300001", "大阪府", "大阪市北区", "梅田"),
    ("4600008", "愛知県", "名古屋市中区", "栄"),
    ("0600001", "北海道", "札幌市中央区", "北一条西"),
    ("8100001", "福岡県", "福岡市中央区", "天神"),
    ("2200012", "神奈川県", "横浜市西区", "みなとみらい"),
    ("9800021", "宮城県", "仙台市青葉区", "中央"),
    ("6008216", "京都府", "京都市下京区", "東塩小路町"),
    ("7300011", "広島県", "広島市中区", "基町"),
    ("3300063", "埼玉県", "さいたま市浦和区", "高砂"),
    ("2600013", "千葉県", "千葉市中央区", "中央"),
    ("9000006", "沖縄県", "那覇市", "おもろまち"),
    ("6500044", "兵庫県", "神戸市中央区", "東川崎町"),
    ("3900811", "長野県", "松本市", "中央"),
];

const BUILDINGS: &[&str] =
    &["", "", "", " メゾン桜 201", " グランハイツ 305", " コーポ若葉 102", " ライオンズマンション 810"];

/// (manage number, name, tax-inclusive price, tax rate, variants)
const PRODUCTS: &[(&str, &str, i64, f64, &[&str])] = &[
    ("kome-koshi-5kg", "新潟県産コシヒカリ 5kg 令和6年産", 3980, 0.08, &["5KG"]),
    ("sencha-fukamushi", "静岡 深蒸し煎茶 100g×3袋", 2160, 0.08, &["100G3"]),
    ("imabari-ft2", "今治タオル フェイスタオル 2枚組", 2750, 0.10, &["WHT", "NVY", "GRY"]),
    ("yuzu-soap3", "柚子の香り 無添加石けん 3個セット", 1320, 0.10, &["3P"]),
    ("hasami-mug", "波佐見焼 マグカップ 藍", 2420, 0.10, &["AI", "SHIRO"]),
    ("merino-sox3", "メリノウール 靴下 3足組", 1980, 0.10, &["M", "L"]),
    ("acacia-honey", "国産アカシアはちみつ 500g", 3240, 0.08, &["500G"]),
    ("leather-case", "手帳型スマホケース 本革", 4400, 0.10, &["BLK", "BRN", "RED"]),
    ("sapporo-miso10", "札幌味噌ラーメン 10食セット", 2980, 0.08, &["10P"]),
    ("denim-apron", "岡山デニム エプロン", 5280, 0.10, &["IND", "BLK"]),
    ("hinoki-candle", "ひのきアロマキャンドル", 1650, 0.10, &["S", "L"]),
    ("magewappa-1", "曲げわっぱ 弁当箱 一段", 6600, 0.10, &["STD"]),
];

const PAYMENTS: &[&str] = &["クレジットカード", "クレジットカード", "代金引換", "銀行振込", "後払い決済"];
const DELIVERIES: &[&str] = &["宅配便", "宅配便", "メール便", "ゆうパケット"];
const REMARKS: &[&str] = &[
    "",
    "",
    "[配送日時指定:]\n指定なし",
    "[配送日時指定:]\n午前中",
    "[配送日時指定:]\n19時～21時",
    "[備考:]\nプレゼント用にラッピングをお願いします。",
];

/// A buyer question: what it is about and how each marketplace files it.
pub struct Question {
    pub title: &'static str,
    pub body: &'static str,
    pub order_related: bool,
    /// Rakuten category for 受注問い合わせ / for 商品・店舗問い合わせ.
    pub rakuten_category: &'static str,
    pub yahoo_category: u32,
}

pub const QUESTIONS: &[Question] = &[
    Question {
        title: "配送日の確認",
        body: "いつ頃発送していただけますでしょうか。今週末までに届くと助かります。",
        order_related: true,
        rakuten_category: "送料・商品配送",
        yahoo_category: 7,
    },
    Question {
        title: "お届け先の変更",
        body: "注文後に引っ越しが決まりました。お届け先を新しい住所に変更していただくことは可能でしょうか。",
        order_related: true,
        rakuten_category: "注文情報の追加連絡",
        yahoo_category: 11,
    },
    Question {
        title: "領収書の発行",
        body: "会社の経費で購入したため、宛名を「株式会社みなと企画」で領収書を発行していただけますか。",
        order_related: true,
        rakuten_category: "決済方法・購入金額",
        yahoo_category: 22,
    },
    Question {
        title: "キャンセル希望",
        body: "誤って同じ商品を2つ注文してしまいました。1つキャンセルをお願いできますでしょうか。",
        order_related: true,
        rakuten_category: "返品交換・キャンセル",
        yahoo_category: 9,
    },
    Question {
        title: "商品が届きません",
        body: "発送済みのご連絡をいただきましたが、まだ届いていません。お荷物の状況を確認していただけますか。",
        order_related: true,
        rakuten_category: "送料・商品配送",
        yahoo_category: 15,
    },
    Question {
        title: "破損していました",
        body: "届いた商品の箱が潰れていて、中身が欠けていました。交換していただくことはできますか。写真もお送りできます。",
        order_related: true,
        rakuten_category: "返品交換・キャンセル",
        yahoo_category: 24,
    },
    Question {
        title: "ラッピングについて",
        body: "プレゼント用なので、のし（御祝）とラッピングをお願いできますか。追加料金がかかる場合は教えてください。",
        order_related: true,
        rakuten_category: "注文情報の追加連絡",
        yahoo_category: 25,
    },
    Question {
        title: "再入荷の予定",
        body: "こちらの商品の再入荷予定はありますか。入荷したら購入したいと考えています。",
        order_related: false,
        rakuten_category: "再入荷・在庫",
        yahoo_category: 3,
    },
    Question {
        title: "サイズについて",
        body: "サイズ感について教えてください。普段はMサイズを着ていますが、どちらがおすすめでしょうか。",
        order_related: false,
        rakuten_category: "商品詳細",
        yahoo_category: 1,
    },
    Question {
        title: "送料について",
        body: "2点購入した場合、送料は1つ分になりますか。北海道への配送です。",
        order_related: false,
        rakuten_category: "配送",
        yahoo_category: 4,
    },
];

pub const FOLLOW_UPS: &[&str] = &[
    "ご返信ありがとうございます。よろしくお願いいたします。",
    "追加で質問です。配達時間の指定はできますか。",
    "承知しました。お待ちしております。",
    "確認ありがとうございます。その内容で大丈夫です。",
    "すみません、まだ届いていないのですが、追跡番号を教えていただけますか。",
    "領収書の但し書きは「お品代」でお願いします。",
];

/// One entry of a table of this file (each has entries; an empty one would panic here).
fn pick<'a, T, R: Rng>(rng: &mut R, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

fn digits<R: Rng>(rng: &mut R, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

fn hex<R: Rng>(rng: &mut R, n: usize) -> String {
    const H: &[u8] = b"0123456789abcdef";
    (0..n).map(|_| char::from(H[rng.gen_range(0..16)])).collect()
}

fn alnum<R: Rng>(rng: &mut R, n: usize) -> String {
    const A: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..n).map(|_| char::from(A[rng.gen_range(0..A.len())])).collect()
}

pub fn person<R: Rng>(rng: &mut R) -> Person {
    let (family, family_kana) = *pick(rng, FAMILY);
    let (given, given_kana) = *pick(rng, GIVEN);
    let (zip, pref, city, town) = *pick(rng, PLACES);
    let building = *pick(rng, BUILDINGS);
    let sub_address =
        format!("{}{}-{}-{}{}", town, rng.gen_range(1..9), rng.gen_range(1..30), rng.gen_range(1..20), building);
    let prefix = *pick(rng, &["090", "080", "070"]);
    let phone = format!("{}-{}-{}", prefix, digits(rng, 4), digits(rng, 4));
    let email = format!("{}.{}@example.jp", alnum(rng, 6).to_lowercase(), digits(rng, 3));
    Person {
        family_name: family.into(),
        first_name: given.into(),
        family_name_kana: family_kana.into(),
        first_name_kana: given_kana.into(),
        zip_code: zip.into(),
        prefecture: pref.into(),
        city: city.into(),
        sub_address,
        phone,
        email,
    }
}

/// The marketplace's order number format.
pub fn order_number(st: &mut State, key: &AccountKey, at: DateTime<Utc>) -> String {
    let date = time::jst_date(at).format("%Y%m%d").to_string();
    let serial = st.next_serial();
    let rng = &mut st.rng;
    match key.marketplace {
        // {shopId}-{yyyyMMdd}-{10 digits}
        Marketplace::Rakuten => format!("{}-{}-{}", key.id, date, digits(rng, 10)),
        // {sellerId}-{8 digits}
        Marketplace::Yahoo => format!("{}-{}", key.id, 10_000_000 + serial),
        // digits
        Marketplace::Aupay => format!("{}", 100_000_000 + rng.gen_range(0..900_000_000u64)),
        // nnn-nnnnnnn-nnnnnnn
        Marketplace::Amazon => format!("{}-{}-{}", pick(rng, &["249", "250", "503"]), digits(rng, 7), digits(rng, 7)),
        // Rakuma transaction id (assumed): 12 digits
        Marketplace::Rakuma => digits(rng, 12),
    }
}

/// A new order placed at `at`. Rakuma accounts are single-item (1点もの) accounts: one line,
/// one unit.
pub fn order(st: &mut State, key: &AccountKey, at: DateTime<Utc>) -> Order {
    let number = order_number(st, key, at);
    let single = key.marketplace == Marketplace::Rakuma;
    let rng = &mut st.rng;
    let buyer = person(rng);
    let recipient = if rng.gen_bool(0.2) { person(rng) } else { buyer.clone() };
    let n_lines = if single { 1 } else { rng.gen_range(1..=3) };
    let mut lines = Vec::new();
    let mut chosen: Vec<usize> = (0..PRODUCTS.len()).collect();
    chosen.shuffle(rng);
    for (i, p) in chosen.into_iter().take(n_lines).enumerate() {
        let (manage, name, price, tax, variants) = PRODUCTS[p];
        let variant = *pick(rng, variants);
        lines.push(OrderLine {
            detail_id: 100_000 + rng.gen_range(0..900_000) * 10 + i as i64,
            item_id: 10_000_000 + p as i64 * 1000 + rng.gen_range(0..1000),
            manage_number: manage.into(),
            sku: format!("{manage}-{variant}"),
            name: name.into(),
            price,
            units: if single { 1 } else { *pick(rng, &[1, 1, 1, 2, 3]) },
            tax_rate: tax,
        });
    }
    let goods: i64 = lines.iter().map(|l| l.price * l.units).sum();
    let postage = if goods >= 5000 || single { 0 } else { *pick(rng, &[550, 660, 880]) };
    Order {
        marketplace: key.marketplace,
        account: key.id.clone(),
        number,
        ordered_at: at,
        updated_at: at,
        confirmed_at: None,
        shipped_at: None,
        state: OrderState::New,
        seen: false,
        buyer,
        recipient,
        lines,
        postage,
        payment_method: (*pick(rng, PAYMENTS)).into(),
        delivery_name: (*pick(rng, DELIVERIES)).into(),
        remarks: (*pick(rng, REMARKS)).into(),
        basket_id: 10_000_000 + rng.gen_range(0..90_000_000),
        shipments: Vec::new(),
        evaluation: None,
    }
}

/// Rakuten `999999-20190806-1t`, Yahoo! 64-hex topic id.
pub fn inquiry_id(st: &mut State, key: &AccountKey, at: DateTime<Utc>) -> String {
    match key.marketplace {
        Marketplace::Yahoo => hex(&mut st.rng, 64),
        _ => {
            let date = time::jst_date(at).format("%Y%m%d");
            let serial = st.next_serial();
            format!("{}-{}-{}t", key.id, date, serial)
        }
    }
}

/// What to put in a new inquiry, chosen by the control API or at random.
#[derive(Default, Clone, Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InquirySpec {
    pub message: Option<String>,
    pub title: Option<String>,
    pub user_name: Option<String>,
    pub order_number: Option<String>,
    /// When the buyer asked; defaults to now.
    pub at: Option<DateTime<Utc>>,
    pub category: Option<String>,
    pub category_id: Option<u32>,
}

pub fn inquiry(st: &mut State, key: &AccountKey, spec: InquirySpec) -> Inquiry {
    let at = spec.at.unwrap_or_else(Utc::now);
    let id = inquiry_id(st, key, at);
    let q = pick(&mut st.rng, QUESTIONS);
    // An order-related question is tied to one of the account's orders when there is one.
    let order_number = spec.order_number.clone().or_else(|| {
        if !q.order_related {
            return None;
        }
        let numbers: Vec<String> = st.orders_of(key).map(|o| o.number.clone()).collect();
        numbers.choose(&mut st.rng).cloned()
    });
    let order = order_number.as_ref().and_then(|n| st.order(key, n)).cloned();
    let rng = &mut st.rng;
    let buyer = order.as_ref().map(|o| o.buyer.clone()).unwrap_or_else(|| person(rng));
    let user_name = spec.user_name.clone().unwrap_or_else(|| buyer.full_name());
    let item = order
        .as_ref()
        .and_then(|o| o.lines.first())
        .map(|l| (l.manage_number.clone(), l.name.clone()))
        .or_else(|| {
            (!q.order_related).then(|| {
                let (m, n, ..) = *pick(rng, PRODUCTS);
                (m.to_string(), n.to_string())
            })
        })
        .map(|(number, name)| ItemRef { url: format!("/{}/{}/", shop_slug(key), number), number, name });
    let (kind, category) = match (&order_number, &item) {
        (Some(_), _) => ("受注問い合わせ", if q.order_related { q.rakuten_category } else { "その他" }),
        (None, Some(_)) => ("商品問い合わせ", if q.order_related { "商品詳細" } else { q.rakuten_category }),
        (None, None) => ("店舗問い合わせ", "店舗サービス"),
    };
    let seed = hex(rng, 16);
    let message = spec.message.clone().unwrap_or_else(|| q.body.to_string());
    Inquiry {
        marketplace: key.marketplace,
        account: key.id.clone(),
        id,
        created_at: at,
        updated_at: at,
        kind: kind.into(),
        category: spec.category.clone().unwrap_or_else(|| category.into()),
        // Categories 6–28 are after-order ones; without an order the question is filed as その他 (5).
        category_id: spec.category_id.unwrap_or(if order_number.is_none() && q.order_related {
            5
        } else {
            q.yahoo_category
        }),
        title: spec.title.clone().unwrap_or_else(|| q.title.into()),
        user_name,
        user_mask_email: format!("{seed}s1@pc.fw.rakuten.ne.jp"),
        user_masked_id: alnum(rng, 8),
        user_masked_idx: format!("{}*****", &seed[..3]),
        order_number,
        item,
        messages: vec![Message {
            id: 0,
            from: Party::User,
            body: message,
            at,
            attachments: Vec::<FileRef>::new(),
            is_read: false,
        }],
        read_by_merchant: false,
        seller_last_read: None,
        completed_at: None,
        complete_condition: None,
        is_private: true,
    }
}

pub fn follow_up<R: Rng>(rng: &mut R) -> &'static str {
    FOLLOW_UPS.choose(rng).copied().unwrap_or(FOLLOW_UPS[0])
}

fn shop_slug(key: &AccountKey) -> String {
    format!("shop{}", key.id)
}

/// Spread `n` timestamps over the past `days` days, oldest first.
pub fn past_times<R: Rng>(rng: &mut R, n: usize, days: i64) -> Vec<DateTime<Utc>> {
    let now = Utc::now();
    let span = (days.max(1) * 86_400) as u64;
    let mut v: Vec<DateTime<Utc>> =
        (0..n).map(|_| now - Duration::seconds(rng.gen_range(60..span.max(61)) as i64)).collect();
    v.sort();
    v
}

pub fn token<R: Rng>(rng: &mut R, prefix: &str) -> String {
    format!("{prefix}{}", alnum(rng, 40))
}

pub fn hex_id<R: Rng>(rng: &mut R, n: usize) -> String {
    hex(rng, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn same_seed_same_orders() {
        let key = AccountKey::new(Marketplace::Rakuten, "123456");
        let at = Utc::now();
        let mut a = State::new(StdRng::seed_from_u64(7));
        let mut b = State::new(StdRng::seed_from_u64(7));
        let oa = order(&mut a, &key, at);
        let ob = order(&mut b, &key, at);
        assert_eq!(oa.number, ob.number);
        assert_eq!(oa.buyer.full_name(), ob.buyer.full_name());
    }

    #[test]
    fn order_numbers_follow_each_marketplace() {
        let mut st = State::new(StdRng::seed_from_u64(1));
        let at = Utc::now();
        let r = order_number(&mut st, &AccountKey::new(Marketplace::Rakuten, "123456"), at);
        let parts: Vec<&str> = r.split('-').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "123456");
        assert_eq!(parts[1].len(), 8);
        assert_eq!(parts[2].len(), 10);
        let y = order_number(&mut st, &AccountKey::new(Marketplace::Yahoo, "teststore"), at);
        assert!(y.starts_with("teststore-") && y.len() == "teststore-".len() + 8);
        let a = order_number(&mut st, &AccountKey::new(Marketplace::Amazon, "A1"), at);
        let lens: Vec<usize> = a.split('-').map(str::len).collect();
        assert_eq!(lens, vec![3, 7, 7]);
        let w = order_number(&mut st, &AccountKey::new(Marketplace::Aupay, "1"), at);
        assert!(w.bytes().all(|c| c.is_ascii_digit()));
        let t = inquiry_id(&mut st, &AccountKey::new(Marketplace::Yahoo, "s"), at);
        assert_eq!(t.len(), 64);
    }
}
