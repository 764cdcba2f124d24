use super::*;
use crate::InquiryStatus;

#[test]
fn documents_are_generated_with_the_operation_names() {
    let doc = Inquiries::document();
    assert!(doc.starts_with("query Inquiries("), "{doc}");
    assert!(doc.contains("excerpt(matching: $excerptOf)"), "{doc}");
    assert!(InquiryReceivedSub::document().starts_with("subscription InquiryReceived"));
    assert!(CompleteInquiry::document().starts_with("mutation CompleteInquiry("));
    let mut names = ALL.to_vec();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), ALL.len(), "operation names are unique");
}

#[test]
fn variables_serialise_in_the_contract_names() {
    let vars = InquiriesVariables {
        filter: Some(InquiryFilter {
            status: Some(InquiryStatus::NeedsReply),
            shop_id: Some("s1".into()),
            ..InquiryFilter::default()
        }),
        ..InquiriesVariables::default()
    }
    .with_page(Page::after(20, "c1"));
    let json = serde_json::to_value(request::<Inquiries>(vars)).unwrap();
    assert_eq!(json["operationName"], "Inquiries");
    assert_eq!(
        json["variables"],
        serde_json::json!({"filter": {"status": "NEEDS_REPLY", "shopId": "s1"}, "first": 20, "after": "c1"})
    );
    let reply = ReplyVariables {
        input: ReplyInput {
            inquiry_id: "i1".into(),
            body: "x".into(),
            template_id: None,
            last_seen_message_id: Some("m9".into()),
        },
    };
    assert_eq!(
        serde_json::to_value(reply).unwrap(),
        serde_json::json!({"input": {"inquiryId": "i1", "body": "x", "lastSeenMessageId": "m9"}})
    );
    assert_eq!(request::<Viewer>(()).variables, serde_json::json!({}));
}

#[test]
fn responses_deserialise_with_errors_and_timestamps() {
    let body = r#"{"data":null,"errors":[{"message":"古いメッセージです","extensions":{"code":"CONFLICT"}}]}"#;
    let res: Response<InquiryData> = serde_json::from_str(body).unwrap();
    assert!(res.data.is_none());
    assert_eq!(res.errors[0].code(), Some("CONFLICT"));
    let body =
        r#"{"data":{"inquiryUpdated":{"id":"1","status":"REPLIED","lastMessageAt":"2023-11-26T20:14:46+09:00"}}}"#;
    let res: Response<InquiryUpdatedData> = serde_json::from_str(body).unwrap();
    let ev = res.data.unwrap().inquiry_updated;
    assert_eq!(ev.status, InquiryStatus::Replied);
    assert_eq!(ev.last_message_at.to_rfc3339(), "2023-11-26T20:14:46+09:00");
    let utc: InquiryEvent =
        serde_json::from_str(r#"{"id":"1","status":"COMPLETED","lastMessageAt":"2023-11-26T11:14:46.123Z"}"#).unwrap();
    assert_eq!(utc.last_message_at, ev.last_message_at + chrono::Duration::milliseconds(123));
}
