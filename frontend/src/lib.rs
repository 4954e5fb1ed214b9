//! The browser entry point: hydrates the islands of the server-rendered page.
#![recursion_limit = "256"]

// The islands (`#[island]` components) are exported from the app crate.
use app as _;

/// Called by the generated JavaScript once the wasm module has loaded.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
