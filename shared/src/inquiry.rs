//! The rules of an inquiry (お問い合わせ, SPEC §5): its derived status, completing and
//! reopening per marketplace, how the customer is named, and the one-line preview.

use std::fmt;

use crate::{DeliveryState, InquiryStatus, Marketplace, MessageAuthor};

/// THE derivation of an inquiry's status; it is never stored by hand.
///
/// - completed (対応完了) when the completed flag is set;
/// - otherwise needs reply (返信が必要) when the last message is the customer's, or there is no
///   message yet, or the shop's latest reply was not delivered (送信失敗: the customer was never
///   answered, so someone must look again);
/// - otherwise replied (返信済み): the shop wrote last and its reply is sent or on its way.
pub fn status(completed: bool, last_author: Option<MessageAuthor>, reply_failed: bool) -> InquiryStatus {
    if completed {
        return InquiryStatus::Completed;
    }
    match last_author {
        Some(MessageAuthor::Shop) if !reply_failed => InquiryStatus::Replied,
        _ => InquiryStatus::NeedsReply,
    }
}

/// Whether the shop's latest reply failed to reach the marketplace, given the delivery state
/// of the shop's latest message (`None`: the shop has not written).
pub fn reply_failed(latest_shop_message: Option<DeliveryState>) -> bool {
    latest_shop_message == Some(DeliveryState::Failed)
}

/// Why a completed inquiry cannot be set back to 返信が必要.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReopenRefusal {
    /// The marketplace has no inquiries (or no completion) in Madoguchi.
    NotSupported { marketplace: Marketplace },
    /// The marketplace's completion is one-way (Yahoo! Shopping).
    OneWay { marketplace: Marketplace },
    /// The inquiry is not completed, so there is nothing to reopen.
    NotCompleted,
}

impl fmt::Display for ReopenRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReopenRefusal::NotSupported { marketplace } => write!(
                f,
                "{}のお問い合わせは対応完了・再開を扱えません ({} inquiries cannot be completed or reopened)",
                marketplace.label_ja(),
                marketplace.name_en()
            ),
            ReopenRefusal::OneWay { marketplace } => write!(
                f,
                "{}では対応完了にしたお問い合わせを「返信が必要」に戻せません \
                 ({} does not allow reopening a completed inquiry)",
                marketplace.label_ja(),
                marketplace.name_en()
            ),
            ReopenRefusal::NotCompleted => {
                write!(f, "このお問い合わせは対応完了になっていません (the inquiry is not completed)")
            }
        }
    }
}

impl std::error::Error for ReopenRefusal {}

/// Whether staff may set a completed inquiry back to 返信が必要.
///
/// Checked in this order: the marketplace supports completing at all, the inquiry is completed,
/// the marketplace allows going back (Rakuten does; Yahoo! never does).
pub fn check_reopen(marketplace: Marketplace, completed: bool) -> Result<(), ReopenRefusal> {
    let caps = marketplace.capabilities();
    if !caps.imports_inquiries || !caps.can_complete {
        return Err(ReopenRefusal::NotSupported { marketplace });
    }
    if !completed {
        return Err(ReopenRefusal::NotCompleted);
    }
    if !caps.can_reopen {
        return Err(ReopenRefusal::OneWay { marketplace });
    }
    Ok(())
}

/// Why an inquiry cannot be completed (完了する).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompleteRefusal {
    /// The marketplace has no inquiries (or no completion) in Madoguchi.
    NotSupported { marketplace: Marketplace },
    /// The inquiry is already 対応完了.
    AlreadyCompleted,
    /// The marketplace requires a shop reply before completing (Yahoo! Shopping).
    NeedsShopReplyFirst { marketplace: Marketplace },
}

impl fmt::Display for CompleteRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompleteRefusal::NotSupported { marketplace } => write!(
                f,
                "{}のお問い合わせは対応完了にできません ({} inquiries cannot be completed)",
                marketplace.label_ja(),
                marketplace.name_en()
            ),
            CompleteRefusal::AlreadyCompleted => {
                write!(f, "このお問い合わせはすでに対応完了です (the inquiry is already completed)")
            }
            CompleteRefusal::NeedsShopReplyFirst { marketplace } => write!(
                f,
                "{}では、店舗から一度も返信していないお問い合わせは対応完了にできません。先に返信してください \
                 ({} requires a reply from the shop before an inquiry can be completed)",
                marketplace.label_ja(),
                marketplace.name_en()
            ),
        }
    }
}

impl std::error::Error for CompleteRefusal {}

/// Whether staff may complete an inquiry.
///
/// `shop_has_replied`: at least one shop message exists on the inquiry. Yahoo! requires one for
/// its normal completion condition (MARKETPLACES.md §3.3); a reply that is still being delivered
/// counts only if the caller says so — the server should count replies delivered to the
/// marketplace.
pub fn check_complete(
    marketplace: Marketplace,
    completed: bool,
    shop_has_replied: bool,
) -> Result<(), CompleteRefusal> {
    let caps = marketplace.capabilities();
    if !caps.imports_inquiries || !caps.can_complete {
        return Err(CompleteRefusal::NotSupported { marketplace });
    }
    if completed {
        return Err(CompleteRefusal::AlreadyCompleted);
    }
    if caps.completion_needs_shop_reply && !shop_has_replied {
        return Err(CompleteRefusal::NeedsShopReplyFirst { marketplace });
    }
    Ok(())
}

/// The completed flag after a new customer message arrives.
///
/// Rakuten: the message reopens the inquiry (back to 返信が必要), so `false`.
/// Yahoo!: a completed inquiry stays completed (`true` if it was).
/// Other marketplaces: unchanged.
pub fn completed_after_customer_message(marketplace: Marketplace, completed: bool) -> bool {
    completed && !marketplace.capabilities().customer_message_reopens
}

/// The name the inbox shows for the customer.
///
/// Where the marketplace hides names (Yahoo!), only the masked id it gives (e.g. `1b7*****`),
/// never a name, even one known from the order. Elsewhere the name, or the masked id when no
/// name is known. Blank values count as absent; `None` when nothing is left.
pub fn customer_display_name(marketplace: Marketplace, masked_id: Option<&str>, name: Option<&str>) -> Option<String> {
    let present = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    if marketplace.capabilities().hides_customer_name {
        present(masked_id)
    } else {
        present(name).or_else(|| present(masked_id))
    }
}

/// The preview of a message: its first non-blank line, trimmed, cut to `max_chars` characters.
///
/// "…" is appended when the line was cut or when more non-blank text follows it (SPEC §4: "the
/// first line of its latest customer message, cut with …"). A blank body gives "".
/// Line breaks are `\n`, `\r\n` or `\r`; trimming includes the full-width space.
pub fn first_line_preview(body: &str, max_chars: usize) -> String {
    let mut lines = body.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return String::new();
    };
    let more_follows = lines.next().is_some();
    let cut = first.chars().count() > max_chars;
    let mut preview: String = first.chars().take(max_chars).collect();
    if cut || more_follows {
        preview.truncate(preview.trim_end().len());
        preview.push('…');
    }
    preview
}

#[cfg(test)]
mod tests {
    use super::*;
    use Marketplace::*;

    #[test]
    fn a_completed_inquiry_is_completed_whoever_wrote_last() {
        for last in [None, Some(MessageAuthor::Customer), Some(MessageAuthor::Shop)] {
            for failed in [false, true] {
                assert_eq!(status(true, last, failed), InquiryStatus::Completed);
            }
        }
    }

    #[test]
    fn an_open_inquiry_whose_last_message_is_the_customers_needs_reply() {
        assert_eq!(status(false, Some(MessageAuthor::Customer), false), InquiryStatus::NeedsReply);
    }

    #[test]
    fn an_open_inquiry_without_messages_needs_reply() {
        assert_eq!(status(false, None, false), InquiryStatus::NeedsReply);
    }

    #[test]
    fn an_open_inquiry_where_the_shop_wrote_last_is_replied() {
        assert_eq!(status(false, Some(MessageAuthor::Shop), false), InquiryStatus::Replied);
    }

    #[test]
    fn an_open_inquiry_whose_latest_reply_failed_to_send_needs_reply() {
        assert_eq!(status(false, Some(MessageAuthor::Shop), true), InquiryStatus::NeedsReply);
    }

    #[test]
    fn a_reply_counts_as_failed_only_when_the_shops_latest_message_failed() {
        assert!(reply_failed(Some(DeliveryState::Failed)));
        assert!(!reply_failed(Some(DeliveryState::Pending)));
        assert!(!reply_failed(Some(DeliveryState::Sent)));
        assert!(!reply_failed(None));
    }

    #[test]
    fn rakuten_inquiry_can_be_reopened_after_completion() {
        assert_eq!(check_reopen(Rakuten, true), Ok(()));
    }

    #[test]
    fn yahoo_inquiry_cannot_be_reopened_after_completion() {
        let refusal = check_reopen(Yahoo, true).unwrap_err();
        assert_eq!(refusal, ReopenRefusal::OneWay { marketplace: Yahoo });
        assert_eq!(
            refusal.to_string(),
            "Yahoo!ショッピングでは対応完了にしたお問い合わせを「返信が必要」に戻せません \
             (Yahoo! Shopping does not allow reopening a completed inquiry)"
        );
    }

    #[test]
    fn an_open_inquiry_cannot_be_reopened() {
        assert_eq!(check_reopen(Rakuten, false), Err(ReopenRefusal::NotCompleted));
        assert_eq!(check_reopen(Yahoo, false), Err(ReopenRefusal::NotCompleted));
    }

    #[test]
    fn marketplaces_without_inquiries_cannot_reopen_or_complete() {
        for m in [Rakuma, AuPay, Amazon, CustomCsv] {
            assert_eq!(check_reopen(m, true), Err(ReopenRefusal::NotSupported { marketplace: m }));
            assert_eq!(check_complete(m, false, true), Err(CompleteRefusal::NotSupported { marketplace: m }));
        }
    }

    #[test]
    fn rakuten_inquiry_can_be_completed_without_a_shop_reply() {
        assert_eq!(check_complete(Rakuten, false, false), Ok(()));
        assert_eq!(check_complete(Rakuten, false, true), Ok(()));
    }

    #[test]
    fn yahoo_inquiry_needs_a_shop_reply_before_completion() {
        let refusal = check_complete(Yahoo, false, false).unwrap_err();
        assert_eq!(refusal, CompleteRefusal::NeedsShopReplyFirst { marketplace: Yahoo });
        assert!(refusal.to_string().starts_with("Yahoo!ショッピングでは、店舗から一度も返信していない"));
        assert_eq!(check_complete(Yahoo, false, true), Ok(()));
    }

    #[test]
    fn a_completed_inquiry_cannot_be_completed_again() {
        assert_eq!(check_complete(Rakuten, true, true), Err(CompleteRefusal::AlreadyCompleted));
        assert_eq!(check_complete(Yahoo, true, false), Err(CompleteRefusal::AlreadyCompleted));
    }

    #[test]
    fn a_new_customer_message_reopens_a_completed_rakuten_inquiry() {
        assert!(!completed_after_customer_message(Rakuten, true));
        assert_eq!(
            status(completed_after_customer_message(Rakuten, true), Some(MessageAuthor::Customer), false),
            InquiryStatus::NeedsReply
        );
    }

    #[test]
    fn a_new_customer_message_leaves_a_completed_yahoo_inquiry_completed() {
        assert!(completed_after_customer_message(Yahoo, true));
    }

    #[test]
    fn a_new_customer_message_never_completes_an_open_inquiry() {
        for m in Marketplace::ALL {
            assert!(!completed_after_customer_message(*m, false));
        }
    }

    #[test]
    fn other_marketplaces_keep_the_completed_flag_on_a_customer_message() {
        for m in [Rakuma, AuPay, Amazon, CustomCsv] {
            assert!(completed_after_customer_message(m, true));
        }
    }

    #[test]
    fn yahoo_shows_the_masked_id_and_never_the_name() {
        assert_eq!(customer_display_name(Yahoo, Some("1b7*****"), Some("山田 太郎")).as_deref(), Some("1b7*****"));
        assert_eq!(customer_display_name(Yahoo, None, Some("山田 太郎")), None);
        assert_eq!(customer_display_name(Yahoo, Some("  "), Some("山田 太郎")), None);
    }

    #[test]
    fn rakuten_shows_the_customer_name_or_else_the_masked_id() {
        assert_eq!(customer_display_name(Rakuten, Some("x***"), Some(" 山田 太郎 ")).as_deref(), Some("山田 太郎"));
        assert_eq!(customer_display_name(Rakuten, Some("x***"), Some("")).as_deref(), Some("x***"));
        assert_eq!(customer_display_name(Rakuten, None, None), None);
    }

    #[test]
    fn preview_is_the_first_non_blank_line_trimmed() {
        assert_eq!(first_line_preview("\n  \n　商品が届きません　", 50), "商品が届きません");
    }

    #[test]
    fn preview_is_cut_with_an_ellipsis() {
        assert_eq!(first_line_preview("あいうえおかきくけこ", 5), "あいうえお…");
        assert_eq!(first_line_preview("あいうえお", 5), "あいうえお");
    }

    #[test]
    fn preview_gets_an_ellipsis_when_more_lines_follow() {
        assert_eq!(first_line_preview("お世話になります。\r\n商品が届きません。", 50), "お世話になります。…");
        assert_eq!(first_line_preview("お世話になります。\n\n  \n", 50), "お世話になります。");
    }

    #[test]
    fn preview_does_not_leave_a_space_before_the_ellipsis() {
        assert_eq!(first_line_preview("abc def", 4), "abc…");
    }

    #[test]
    fn preview_of_a_blank_body_is_empty() {
        assert_eq!(first_line_preview("", 10), "");
        assert_eq!(first_line_preview(" \n\t\n　", 10), "");
    }
}
