//! How a failed call reads on screen.

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
