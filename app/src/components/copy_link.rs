//! A secret link shown once, with a button that copies it (an island: the only part of it that
//! runs in the browser).

use leptos::prelude::*;

/// Copies text to the clipboard in the browser (no-op on the server).
pub fn copy_to_clipboard(text: &str) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::{JsCast as _, JsValue};
        use leptos::web_sys::js_sys::{Function as JsFunction, Reflect, global};
        let clipboard = Reflect::get(&global(), &JsValue::from_str("navigator"))
            .and_then(|n| Reflect::get(&n, &JsValue::from_str("clipboard")));
        if let Ok(clipboard) = clipboard
            && let Ok(write) = Reflect::get(&clipboard, &JsValue::from_str("writeText"))
            && let Ok(write) = write.dyn_into::<JsFunction>()
        {
            let _ = write.call1(&clipboard, &JsValue::from_str(text));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// A secret link shown once, in a read-only field, with a copy button once JavaScript runs.
#[component]
pub fn CopyLink(
    /// The link.
    url: String,
    /// The field's label.
    label: &'static str,
    /// The field's id.
    id: &'static str,
    /// What to tell the reader under the field (default: shown once, stored scrambled).
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let hint = hint.unwrap_or(
        "This is the only time the full address is shown. Copy it now; only a scrambled form of it is stored.",
    );
    view! {
        <div class="copy-link alert alert-info" role="status">
            <label for=id>{label}</label>
            <div class="copy-row">
                <input id=id type="text" readonly=true value=url.clone() class="copy-input"/>
                <CopyButton text=url/>
            </div>
            <p class="hint">{hint}</p>
        </div>
    }
}

/// A "Copy" button for `text`. It appears once the page's JavaScript runs: without it, the
/// field beside it is there to select and copy by hand.
#[island]
pub fn CopyButton(
    /// What the button copies.
    text: String,
) -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let copied = RwSignal::new(false);
    move || {
        let t = text.clone();
        hydrated.get().then(|| {
            view! {
                <button type="button" on:click=move |_| { copy_to_clipboard(&t); copied.set(true); }>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            }
        })
    }
}
