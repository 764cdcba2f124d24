//! 受注CSV取込 and 受注CSV書出 on the 取込・書出 screen (カスタムCSV店舗, SPEC §8).
//!
//! 取込 uploads one file (a GraphQL multipart request) read with the shop's saved column
//! mapping; it shows the run's counts and every refused line (行, 列, 内容) as plain text.
//! 書出 asks for the shop's orders of a period (JST days) as a CSV file and hands it to the
//! browser as a download (base64 → Blob → object URL on a temporary `<a download>`).

use leptos::prelude::*;
use shared::ops::{
    CSV_IMPORT_FILE_AT, CsvExportInput, CsvExportVariables, CsvFile, CsvImport, CsvImportInput, CsvImportVariables,
    ExportOrdersCsv, ImportOrdersCsv, SyncRun,
};
use shared::{CsvEncoding, OrderStatus};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::api::{self, ApiError};
use crate::components::enum_select::EnumSelect;
use crate::components::error::ErrorLine;
use crate::format;

/// 受注CSV取込: a file, its 文字コード (or 自動判別), 取り込む; then the counts and the bad lines.
#[component]
pub fn CsvImportCard(
    shop_id: String,
    can_write: bool,
    /// After a file went in (the run joins the history).
    on_imported: Callback<SyncRun>,
) -> impl IntoView {
    let file = RwSignal::new_local(None::<web_sys::File>);
    let encoding = RwSignal::new(None::<CsvEncoding>);
    let error = RwSignal::new(None::<ApiError>);
    let result = RwSignal::new(None::<CsvImport>);
    // The file is a browser object (not `Send`): the action lives in local storage.
    let importing = Action::new_unsync_local(|(input, chosen): &(CsvImportInput, web_sys::File)| {
        let (input, chosen) = (input.clone(), chosen.clone());
        async move {
            api::gql_with_file::<ImportOrdersCsv>(CsvImportVariables { input }, CSV_IMPORT_FILE_AT, &chosen)
                .await
                .map(|d| d.import_orders_csv)
        }
    });
    let busy = importing.pending();
    Effect::new(move |_| match importing.value().get() {
        Some(Ok(done)) => {
            on_imported.run(done.run.clone());
            result.set(Some(done));
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });

    let choose = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        file.set(input.files().and_then(|list| list.get(0)));
        error.set(None);
    };
    let chosen_label =
        move || file.with(|f| f.as_ref().map(|f| format!("{}（{}）", f.name(), format::file_size(f.size() as i64))));

    let import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(chosen) = file.get_untracked() else {
            error.set(None);
            return;
        };
        let input = CsvImportInput {
            shop_id: shop_id.clone().into(),
            file: shared::ops::Upload,
            encoding: encoding.get_untracked(),
        };
        error.set(None);
        result.set(None);
        importing.clear();
        importing.dispatch_local((input, chosen));
    };

    view! {
        <section class="card sync-card csv-import" data-kind="CSV_IMPORT">
            <h2>"受注CSV取込"</h2>
            <p class="editor-help">
                "CSVファイルの受注を、店舗設定の「CSV列の設定」に従って取り込みます。1行が1商品で、同じ受注番号の行は1件の受注になります。エラーのある行を含む受注は取り込まれません。"
            </p>
            <form class="csv-form" on:submit=import>
                <label>
                    "CSVファイル"
                    <input type="file" name="csvFile" accept=".csv,text/csv" on:change=choose/>
                </label>
                {move || chosen_label().map(|l| view! { <span class="muted small-note chosen-file">{l}</span> })}
                <label>
                    "文字コード"
                    <EnumSelect
                        name="importEncoding"
                        any="自動判別"
                        value=encoding
                        on_change=Callback::new(move |e| encoding.set(e))
                    />
                </label>
                <button
                    type="submit"
                    class="primary"
                    disabled=move || !can_write || busy.get() || file.with(|f| f.is_none())
                >
                    {move || if busy.get() { "取り込み中…" } else { "取り込む" }}
                </button>
            </form>
            <div class="run-status" aria-live="polite">
                {move || busy.get().then(|| view! { <p class="loading">"ファイルを取り込んでいます…"</p> })}
                <ErrorLine error/>
                {move || result.get().map(|r| view! { <CsvImportResult result=r/> })}
            </div>
        </section>
    }
}

/// The counts of one upload and its refused lines.
#[component]
fn CsvImportResult(result: CsvImport) -> impl IntoView {
    let run = result.run;
    let errors = result.row_errors;
    view! {
        <div class="run-summary csv-result" data-state=run.state.as_str()>
            <p>
                <span class=format!(
                    "run-state state-{}",
                    run.state.as_str().to_ascii_lowercase(),
                )>{run.state.label_ja()}</span>
                " 受注CSV取込"
            </p>
            <dl class="counts">
                <div data-count="created">
                    <dt>"新規"</dt>
                    <dd>{run.created}</dd>
                </div>
                <div data-count="updated">
                    <dt>"更新"</dt>
                    <dd>{run.updated}</dd>
                </div>
                <div data-count="unchanged">
                    <dt>"変更なし"</dt>
                    <dd>{run.unchanged}</dd>
                </div>
                <div data-count="failed" class:bad={run.failed > 0}>
                    <dt>"エラー"</dt>
                    <dd>{run.failed}</dd>
                </div>
            </dl>
            {(!errors.is_empty())
                .then(|| {
                    view! {
                        <div class="table-scroll">
                            <table class="grid csv-row-errors">
                                <thead>
                                    <tr>
                                        <th class="num">"行"</th>
                                        <th>"列"</th>
                                        <th>"内容"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {errors
                                        .into_iter()
                                        .map(|e| {
                                            view! {
                                                <tr data-line=e.line>
                                                    <td class="num">{e.line}</td>
                                                    <td>{e.column.unwrap_or_else(|| "—".into())}</td>
                                                    <td>{e.message}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                })}
        </div>
    }
}

/// 受注CSV書出: period (注文日, JST days), status, 文字コード; 書き出す downloads the file.
#[component]
pub fn CsvExportCard(shop_id: String) -> impl IntoView {
    let from = RwSignal::new(format::day_value(30));
    let to = RwSignal::new(format::day_value(0));
    let status = RwSignal::new(None::<OrderStatus>);
    let encoding = RwSignal::new(Some(CsvEncoding::Utf8));
    let range_error = RwSignal::new(None::<String>);
    // Asks for the file and hands it to the browser; a file that cannot be handed over is
    // still reported as written, with the reason.
    let exporting = Action::new_local(|input: &CsvExportInput| {
        let input = input.clone();
        async move {
            let file = api::gql::<ExportOrdersCsv>(CsvExportVariables { input }).await?.export_orders_csv;
            let not_downloaded = download(&file).err().map(ApiError::Decode);
            Ok::<(CsvFile, Option<ApiError>), ApiError>((file, not_downloaded))
        }
    });
    let busy = exporting.pending();
    let error = Signal::derive(move || match exporting.value().get() {
        Some(Err(e)) => Some(e),
        Some(Ok((_, not_downloaded))) => not_downloaded,
        None => None,
    });
    let done = Signal::derive(move || exporting.value().get().and_then(Result::ok).map(|(file, _)| file));

    let export = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        // An empty date leaves that end of the period open.
        let day = |value: String, end: bool| -> Result<Option<shared::ops::Timestamp>, ()> {
            if value.trim().is_empty() { Ok(None) } else { format::parse_day(&value, end).map(Some).ok_or(()) }
        };
        let (f, t) = match (day(from.get_untracked(), false), day(to.get_untracked(), true)) {
            (Ok(f), Ok(t)) => (f, t),
            _ => {
                range_error.set(Some("期間の日付を正しく入力してください。".into()));
                return;
            }
        };
        if let (Some(f), Some(t)) = (f, t)
            && f > t
        {
            range_error.set(Some("期間の開始が終了より後になっています。".into()));
            return;
        }
        range_error.set(None);
        let input = CsvExportInput {
            shop_id: shop_id.clone().into(),
            from: f,
            to: t,
            status: status.get_untracked(),
            encoding: encoding.get_untracked(),
        };
        exporting.clear();
        exporting.dispatch(input);
    };

    let date_input = move |label: &'static str, name: &'static str, signal: RwSignal<String>| {
        view! {
            <label>
                {label}
                <input
                    type="date"
                    name=name
                    prop:value=move || signal.get()
                    on:input=move |ev| signal.set(event_target_value(&ev))
                />
            </label>
        }
    };

    view! {
        <section class="card sync-card csv-export" data-kind="CSV_EXPORT">
            <h2>"受注CSV書出"</h2>
            <p class="editor-help">
                "注文日が期間内の受注を、店舗の「CSV列の設定」の列でCSVファイルに書き出します（1行が1商品、発送情報を含みます）。"
            </p>
            <form class="csv-form" on:submit=export>
                <div class="form-row">
                    {date_input("注文日（開始）", "exportFrom", from)}
                    {date_input("注文日（終了）", "exportTo", to)}
                </div>
                {move || range_error.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                <div class="form-row">
                    <label>
                        "受注ステータス"
                        <EnumSelect
                            name="exportStatus"
                            any="すべて"
                            value=status
                            on_change=Callback::new(move |s| status.set(s))
                        />
                    </label>
                    <label>
                        "文字コード"
                        <EnumSelect
                            name="exportEncoding"
                            value=encoding
                            on_change=Callback::new(move |e| encoding.set(e))
                        />
                    </label>
                </div>
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { "書き出し中…" } else { "書き出す" }}
                </button>
            </form>
            <div class="run-status" aria-live="polite">
                {move || busy.get().then(|| view! { <p class="loading">"ファイルを作成しています…"</p> })}
                <ErrorLine error/>
                {move || {
                    done.get()
                        .map(|f| {
                            let line = format!(
                                "{}（受注{}件・{}行、{}）を書き出しました。",
                                f.file_name,
                                f.order_count,
                                f.row_count,
                                f.encoding.label_ja(),
                            );
                            view! {
                                <div class="csv-exported" data-order-count=f.order_count>
                                    <p class="success" role="status">{line}</p>
                                    {(f.order_count == 0)
                                        .then(|| view! { <p class="muted">"期間内に該当する受注はありません。"</p> })}
                                    {(!f.warnings.is_empty())
                                        .then(|| {
                                            view! {
                                                <p class="notice">
                                                    "Shift_JISで表せない文字は「?」で書き出しました。"
                                                </p>
                                                <ul class="run-errors csv-warnings">
                                                    {f
                                                        .warnings
                                                        .into_iter()
                                                        .map(|w| view! { <li>{w}</li> })
                                                        .collect_view()}
                                                </ul>
                                            }
                                        })}
                                </div>
                            }
                        })
                }}
            </div>
        </section>
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = URL, js_name = createObjectURL, catch)]
    fn create_object_url(blob: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(js_namespace = URL, js_name = revokeObjectURL)]
    fn revoke_object_url(url: &str);
}

/// Hands the file to the browser as a download: its bytes in a Blob of its content type, an
/// object URL on a temporary `<a download=fileName>`, clicked, then revoked.
fn download(file: &CsvFile) -> Result<(), String> {
    let bytes = decode_base64(&file.content_base64).ok_or("ファイルの内容を読み取れませんでした。")?;
    let fail = |_| "ファイルを保存できませんでした。".to_string();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"type".into(), &file.content_type.as_str().into()).map_err(fail)?;
    let blob_class: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"Blob".into()).map_err(fail)?.dyn_into().map_err(fail)?;
    let blob = js_sys::Reflect::construct(&blob_class, &js_sys::Array::of2(&parts, &options)).map_err(fail)?;
    let url = create_object_url(&blob).map_err(fail)?;

    let document = window().document().ok_or("ファイルを保存できませんでした。")?;
    let link = document.create_element("a").map_err(fail)?;
    link.set_attribute("href", &url).map_err(fail)?;
    link.set_attribute("download", &file.file_name).map_err(fail)?;
    link.set_attribute("hidden", "").map_err(fail)?;
    if let Some(body) = document.body() {
        body.append_child(&link).map_err(fail)?;
    }
    if let Some(a) = link.dyn_ref::<web_sys::HtmlElement>() {
        a.click();
    }
    link.remove();
    // The download has started from the URL; let it go once the browser has taken it.
    gloo_timers::callback::Timeout::new(10_000, move || revoke_object_url(&url)).forget();
    Ok(())
}

/// Standard base64 (with `=` padding; whitespace ignored) to bytes; `None` if malformed.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64_decodes_with_and_without_padding() {
        assert_eq!(decode_base64("").unwrap(), b"");
        assert_eq!(decode_base64("Zg==").unwrap(), b"f");
        assert_eq!(decode_base64("Zm8=").unwrap(), b"fo");
        assert_eq!(decode_base64("Zm9v").unwrap(), b"foo");
        assert_eq!(decode_base64("Zm9vYmFy\n").unwrap(), b"foobar");
        // A UTF-8 BOM and Japanese text, as a UTF-8 export starts.
        assert_eq!(decode_base64("77u/5Y+X5rOo55Wq5Y+3").unwrap(), "\u{feff}受注番号".as_bytes());
        assert_eq!(decode_base64("/+8=").unwrap(), [0xff, 0xef]);
        assert!(decode_base64("Zm9").is_none());
        assert!(decode_base64("Zm9*").is_none());
    }
}
