//! How a failed call reads on screen: the red line of a form or a list, and the message beside
//! one input field (from the browser's own checks or the server's `VALIDATION` error).

use leptos::prelude::*;

use crate::api::ApiError;

/// A red line with the error, or nothing.
#[component]
pub fn ErrorLine(#[prop(into)] error: Signal<Option<ApiError>>) -> impl IntoView {
    move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
}

/// The message for one input field, from a `VALIDATION` error's `extensions.field`.
#[component]
pub fn FieldError(#[prop(into)] error: Signal<Option<ApiError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.field_message(field)).map(|m| view! { <p class="field-error" role="alert">{m}</p> })
    }
}

/// What a form shows of its errors: the browser's own checks by field, then the server's
/// refusal (by field when it names one, else as the form's red line).
#[derive(Clone, Copy)]
pub struct FormErrors {
    /// The browser's checks: (field, message), shown before anything is sent.
    pub client: RwSignal<Vec<(&'static str, String)>>,
    /// The server's refusal of the last attempt.
    pub server: Signal<Option<ApiError>>,
}

impl FormErrors {
    pub fn new(server: impl Into<Signal<Option<ApiError>>>) -> Self {
        FormErrors { client: RwSignal::new(Vec::new()), server: server.into() }
    }

    /// The message beside `field`, the browser's first.
    pub fn field(self, field: &'static str) -> impl IntoView + Copy {
        move || {
            self.client
                .with(|errs| errs.iter().find(|(f, _)| *f == field).map(|(_, m)| m.clone()))
                .or_else(|| self.server.with(|e| e.as_ref().and_then(|e| e.field_message(field))))
                .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
        }
    }

    /// The server's refusal when it names no field.
    pub fn general(self) -> impl IntoView + Copy {
        move || {
            self.server
                .get()
                .filter(|e| !e.has_field_errors())
                .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
        }
    }
}

/// The `fallback` of an `ErrorBoundary`: each error as a red line.
pub fn error_lines(errors: ArcRwSignal<Errors>) -> impl IntoView {
    move || {
        errors
            .get()
            .into_iter()
            .map(|(_, e)| view! { <p class="error" role="alert">{e.to_string()}</p> })
            .collect_view()
    }
}

/// The `fallback` of an `ErrorBoundary` around a list that can be asked again: each error as
/// a red line with 再試行.
pub fn error_lines_with_retry(retry: Callback<()>) -> impl Fn(ArcRwSignal<Errors>) -> AnyView + Clone + Send + 'static {
    move |errors| {
        (move || {
            errors
                .get()
                .into_iter()
                .map(|(_, e)| {
                    view! {
                        <p class="error" role="alert">
                            {e.to_string()}
                            <button class="retry" on:click=move |_| retry.run(())>
                                "再試行"
                            </button>
                        </p>
                    }
                })
                .collect_view()
        })
        .into_any()
    }
}
