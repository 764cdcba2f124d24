//! CSV列の設定 of a カスタムCSV店舗: which header carries which order field, for 受注CSV取込 and
//! 受注CSV書出, saved on its own beside the shop's form.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use shared::CsvField;
use shared::csv_orders::{CsvColumn, REQUIRED};
use shared::ops::{
    ShopCsvMapping, ShopInput, ShopSettingsInput, ShopWithSettings, UpdateShopCsvMapping, UpdateShopVariables,
};

use crate::api::{self, ApiError};

/// The mapping to save from the editor's rows (in their order; an empty header = not
/// mapped), or the message for each required field left empty.
pub(super) fn mapping_to_send(
    rows: &[CsvField],
    headers: &BTreeMap<CsvField, String>,
) -> Result<Vec<CsvColumn>, BTreeMap<CsvField, String>> {
    let missing: BTreeMap<CsvField, String> = rows
        .iter()
        .filter(|f| REQUIRED.contains(f) && headers.get(f).is_none_or(|h| h.trim().is_empty()))
        .map(|f| (*f, format!("「{}」は必須です。列名を入力してください", f.label_ja())))
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(rows
        .iter()
        .filter_map(|f| {
            let header = headers.get(f).map(|h| h.trim()).unwrap_or("");
            (!header.is_empty()).then(|| CsvColumn { field: *f, header: header.to_string() })
        })
        .collect())
}

/// The editor's rows: the mapped fields in their column order, then the unmapped ones.
fn rows_of(mapping: &[CsvColumn]) -> (Vec<CsvField>, BTreeMap<CsvField, String>) {
    let mut rows: Vec<CsvField> = mapping.iter().map(|c| c.field).collect();
    let mapped: BTreeSet<CsvField> = rows.iter().copied().collect();
    rows.extend(CsvField::ALL.iter().copied().filter(|f| !mapped.contains(f)));
    (rows, mapping.iter().map(|c| (c.field, c.header.clone())).collect())
}

/// CSV列の設定 of a カスタムCSV店舗: one row per order field with the header that carries it.
#[component]
pub(super) fn CsvMappingEditor(shop: ShopWithSettings) -> impl IntoView {
    let rows = RwSignal::new(Vec::<CsvField>::new());
    let headers = RwSignal::new(BTreeMap::<CsvField, String>::new());
    let loaded = RwSignal::new(false);
    let load_error = RwSignal::new(None::<ApiError>);
    let row_errors = RwSignal::new(BTreeMap::<CsvField, String>::new());
    let saved_note = RwSignal::new(None::<&'static str>);

    let show = move |mapping: &[CsvColumn]| {
        let (order, values) = rows_of(mapping);
        rows.set(order);
        headers.set(values);
        row_errors.set(BTreeMap::new());
        loaded.set(true);
    };
    let shop_id = shop.id.clone();
    let mapping = LocalResource::new(move || {
        let shop_id = shop_id.clone();
        async move {
            api::gql::<ShopCsvMapping>(()).await.map(|d| {
                d.shops
                    .into_iter()
                    .find(|s| s.id == shop_id)
                    .map(|s| s.settings.csv_mapping.into_iter().map(CsvColumn::from).collect::<Vec<_>>())
                    .unwrap_or_default()
            })
        }
    });
    Effect::new(move |_| match mapping.get() {
        Some(Ok(m)) if !loaded.get_untracked() => show(&m),
        Some(Err(e)) => load_error.set(Some(e)),
        _ => {}
    });

    // Saves the columns (none: back to the default) and says so with the note.
    let sending = Action::new_local(move |(columns, note): &(Vec<CsvColumn>, &'static str)| {
        let vars = UpdateShopVariables {
            id: shop.id.clone(),
            input: ShopInput {
                marketplace: shop.marketplace,
                name: shop.name.clone(),
                profile: shop.profile.clone().into(),
                settings: Some(ShopSettingsInput {
                    csv_mapping: Some(columns.iter().cloned().map(Into::into).collect()),
                    ..ShopSettingsInput::default()
                }),
            },
        };
        let note = *note;
        async move {
            api::gql::<UpdateShopCsvMapping>(vars).await.map(|d| {
                (d.update_shop.settings.csv_mapping.into_iter().map(CsvColumn::from).collect::<Vec<_>>(), note)
            })
        }
    });
    let busy = sending.pending();
    let server_error = Signal::derive(move || sending.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok((mapping, note))) = sending.value().get() {
            show(&mapping);
            saved_note.set(Some(note));
        }
    });
    let send = move |columns: Vec<CsvColumn>, note: &'static str| {
        sending.clear();
        saved_note.set(None);
        sending.dispatch((columns, note));
    };
    let save = {
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            saved_note.set(None);
            match headers.with_untracked(|h| rows.with_untracked(|r| mapping_to_send(r, h))) {
                Ok(columns) => {
                    row_errors.set(BTreeMap::new());
                    send(columns, "CSV列の設定を保存しました。");
                }
                Err(missing) => {
                    sending.clear();
                    row_errors.set(missing);
                }
            }
        }
    };
    let reset = move |_| {
        if busy.get_untracked() {
            return;
        }
        let sure =
            window().confirm_with_message("CSV列の設定を初期値（項目名どおりの列名）に戻しますか？").unwrap_or(false);
        if sure {
            send(Vec::new(), "CSV列の設定を初期値に戻しました。");
        }
    };

    let table = move || {
        rows.get()
            .into_iter()
            .map(|field| {
                let required = REQUIRED.contains(&field);
                view! {
                    <tr data-field=field.as_str() class:has-error=move || row_errors.with(|e| e.contains_key(&field))>
                        <th scope="row">
                            {field.label_ja()}
                            {required.then(|| view! { <span class="badge-required">"必須"</span> })}
                        </th>
                        <td>
                            <input
                                type="text"
                                name=format!("csvHeader.{}", field.as_str())
                                aria-label=format!("{}の列名", field.label_ja())
                                maxlength="100"
                                placeholder=if required { "列名（必須）" } else { "取り込まない・書き出さない" }
                                prop:value=move || headers.with(|h| h.get(&field).cloned().unwrap_or_default())
                                on:input=move |ev| {
                                    let value = event_target_value(&ev);
                                    headers.update(|h| {
                                        h.insert(field, value);
                                    });
                                }
                            />
                            {move || {
                                row_errors
                                    .with(|e| e.get(&field).cloned())
                                    .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
                            }}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <form class="card editor-card form csv-mapping" on:submit=save novalidate>
            <h2>"CSV列の設定"</h2>
            <p class="editor-help">
                "受注CSV取込で読む列と、受注CSV書出で書く列の見出し（1行目の列名）を項目ごとに指定します。列名が空欄の項目は取り込まず、書き出しません（必須の項目は空欄にできません）。書き出すCSVの列はこの順になります。"
            </p>
            {move || load_error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            {move || {
                (!loaded.get() && load_error.with(Option::is_none))
                    .then(|| view! { <p class="loading">"読み込み中…"</p> })
            }}
            <Show when=move || loaded.get()>
                <table class="grid csv-mapping-table">
                    <thead>
                        <tr>
                            <th>"項目"</th>
                            <th>"CSVの列名"</th>
                        </tr>
                    </thead>
                    <tbody>{table}</tbody>
                </table>
            </Show>
            <div class="csv-mapping-errors">
                {move || {
                    (!row_errors.with(BTreeMap::is_empty))
                        .then(|| view! { <p class="error" role="alert">"必須の項目の列名を入力してください。"</p> })
                }}
                {move || {
                    server_error
                        .get()
                        .map(|e| {
                            let message = e.field_message("csvMapping").unwrap_or_else(|| e.to_string());
                            view! { <p class="error" role="alert">{message}</p> }
                        })
                }}
                {move || saved_note.get().map(|m| view! { <p class="success" role="status">{m}</p> })}
            </div>
            <div class="form-actions">
                <button type="button" class="reset" on:click=reset disabled=move || busy.get() || !loaded.get()>
                    "初期値に戻す"
                </button>
                <button type="submit" class="primary" disabled=move || busy.get() || !loaded.get()>
                    {move || if busy.get() { "保存中…" } else { "保存" }}
                </button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csv_mapping_keeps_the_row_order_leaves_out_empty_headers_and_needs_the_required_fields() {
        let saved = vec![
            CsvColumn { field: CsvField::ItemName, header: "品名".into() },
            CsvColumn { field: CsvField::OrderNumber, header: "注文ID".into() },
        ];
        let (rows, mut headers) = rows_of(&saved);
        assert_eq!(rows.len(), CsvField::ALL.len());
        assert_eq!(&rows[..3], &[CsvField::ItemName, CsvField::OrderNumber, CsvField::OrderedAt]);
        let missing = mapping_to_send(&rows, &headers).unwrap_err();
        assert!(missing.contains_key(&CsvField::OrderedAt) && !missing.contains_key(&CsvField::Sku));
        for (f, h) in [
            (CsvField::OrderedAt, " 注文日時 "),
            (CsvField::RecipientName, "お届け先"),
            (CsvField::UnitPrice, "価格"),
            (CsvField::Quantity, "個数"),
            (CsvField::Sku, "  "),
        ] {
            headers.insert(f, h.into());
        }
        let sent = mapping_to_send(&rows, &headers).unwrap();
        let fields: Vec<CsvField> = sent.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                CsvField::ItemName,
                CsvField::OrderNumber,
                CsvField::OrderedAt,
                CsvField::RecipientName,
                CsvField::UnitPrice,
                CsvField::Quantity
            ]
        );
        assert_eq!(sent[2].header, "注文日時", "trimmed");
    }
}
