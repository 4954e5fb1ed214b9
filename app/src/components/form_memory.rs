//! Keeps what someone typed in a form when the server refuses it.
//!
//! Forms post without JavaScript and the page reloads. When the server refuses the input, it
//! sends the browser back to the form with the error in the address (`__path`, `__err`), and
//! the fresh page would show the form empty. This island remembers a form's fields in the tab's
//! session storage as it is sent and, after such a reload, puts them back into the form that
//! was refused. Passwords and files are never stored; hidden fields only pick the form. The
//! entry is removed as soon as the next page has loaded.

use leptos::prelude::*;

/// Installs the memory on the page. Renders nothing.
#[island]
pub fn FormMemory() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    browser::install();
}

/// One field as it was sent: its name, its value (a select's chosen values, one per line), and
/// for a checkbox or radio button whether it was checked.
#[cfg(any(feature = "hydrate", test))]
type Field = (String, String, Option<bool>);

/// A sent form: where it was, which server function it posted to, its hidden fields (to find
/// the same form among several) and the fields to put back.
#[cfg(any(feature = "hydrate", test))]
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Sent {
    page: String,
    action: String,
    hidden: Vec<(String, String)>,
    fields: Vec<Field>,
}

/// Whether a reload at `page` with `__path` = `error_path` is the refusal of `sent`.
#[cfg(any(feature = "hydrate", test))]
fn is_refusal_of(sent: &Sent, page: &str, error_path: Option<&str>) -> bool {
    error_path.is_some_and(|p| p == sent.action) && page == sent.page
}

/// Input types that are not stored.
#[cfg(any(feature = "hydrate", test))]
fn skipped(kind: &str) -> bool {
    matches!(
        kind,
        "password" | "file" | "submit" | "button" | "reset" | "image"
    )
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use web_sys::{
        Element, HtmlFormElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement,
        Storage, UrlSearchParams,
    };

    use super::{Field, Sent, is_refusal_of, skipped};

    const KEY: &str = "touchpoint-form-memory";

    fn storage() -> Option<Storage> {
        web_sys::window()?.session_storage().ok()?
    }

    pub fn install() {
        restore();
        let on_submit = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
            if let Some(form) = ev
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
            {
                remember(&form);
            }
        });
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.add_event_listener_with_callback_and_bool(
                "submit",
                on_submit.as_ref().unchecked_ref(),
                true,
            );
        }
        on_submit.forget();
    }

    /// The form's controls in document order.
    fn controls(form: &HtmlFormElement) -> Vec<Element> {
        let all = form.elements();
        (0..all.length()).filter_map(|i| all.item(i)).collect()
    }

    fn select_values(select: &HtmlSelectElement) -> String {
        let options = select.options();
        (0..options.length())
            .filter_map(|i| options.item(i))
            .filter_map(|o| o.dyn_into::<web_sys::HtmlOptionElement>().ok())
            .filter(|o| o.selected())
            .map(|o| o.value())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Reads one control: `Ok(field)` to put back, `Err(Some(..))` a hidden field, `Err(None)`
    /// nothing.
    fn read(el: &Element) -> Result<Field, Option<(String, String)>> {
        if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
            let kind = input.type_();
            if input.name().is_empty() || skipped(&kind) {
                return Err(None);
            }
            if kind == "hidden" {
                return Err(Some((input.name(), input.value())));
            }
            let checked = matches!(kind.as_str(), "checkbox" | "radio").then(|| input.checked());
            return Ok((input.name(), input.value(), checked));
        }
        if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
            return if area.name().is_empty() {
                Err(None)
            } else {
                Ok((area.name(), area.value(), None))
            };
        }
        if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
            return if select.name().is_empty() {
                Err(None)
            } else {
                Ok((select.name(), select_values(select), None))
            };
        }
        Err(None)
    }

    fn remember(form: &HtmlFormElement) {
        if !form.method().eq_ignore_ascii_case("post") {
            return;
        }
        let (Some(store), Some(page)) = (
            storage(),
            web_sys::window().and_then(|w| w.location().pathname().ok()),
        ) else {
            return;
        };
        let mut sent = Sent {
            page,
            action: form.get_attribute("action").unwrap_or_default(),
            hidden: Vec::new(),
            fields: Vec::new(),
        };
        for el in controls(form) {
            match read(&el) {
                Ok(field) => sent.fields.push(field),
                Err(Some(hidden)) => sent.hidden.push(hidden),
                Err(None) => {}
            }
        }
        if let Ok(json) = serde_json::to_string(&sent) {
            let _ = store.set_item(KEY, &json);
        }
    }

    fn restore() {
        let Some(store) = storage() else { return };
        let Ok(Some(json)) = store.get_item(KEY) else {
            return;
        };
        let _ = store.remove_item(KEY);
        let Ok(sent) = serde_json::from_str::<Sent>(&json) else {
            return;
        };
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        let (Ok(page), Ok(search)) = (location.pathname(), location.search()) else {
            return;
        };
        let error_path = UrlSearchParams::new_with_str(&search)
            .ok()
            .filter(|p| p.get("__err").is_some())
            .and_then(|p| p.get("__path"));
        if !is_refusal_of(&sent, &page, error_path.as_deref()) {
            return;
        }
        let Some(forms) = window
            .document()
            .and_then(|d| d.query_selector_all("form[method=post]").ok())
        else {
            return;
        };
        let form = (0..forms.length())
            .filter_map(|i| forms.item(i))
            .filter_map(|n| n.dyn_into::<HtmlFormElement>().ok())
            .find(|f| {
                let hidden: Vec<_> = controls(f)
                    .iter()
                    .filter_map(|el| read(el).err().flatten())
                    .collect();
                f.get_attribute("action").as_deref() == Some(sent.action.as_str())
                    && hidden == sent.hidden
            });
        if let Some(form) = form {
            put_back(&form, &sent.fields);
        }
    }

    fn put_back(form: &HtmlFormElement, fields: &[Field]) {
        let mut saved = fields.iter();
        for el in controls(form) {
            let Ok((name, _, _)) = read(&el) else {
                continue;
            };
            let Some((saved_name, value, checked)) = saved.next() else {
                return;
            };
            if *saved_name != name {
                // The form changed shape: leave it as it is.
                return;
            }
            if let Some(input) = el.dyn_ref::<HtmlInputElement>() {
                match checked {
                    Some(c) => input.set_checked(*c),
                    None => input.set_value(value),
                }
            } else if let Some(area) = el.dyn_ref::<HtmlTextAreaElement>() {
                area.set_value(value);
            } else if let Some(select) = el.dyn_ref::<HtmlSelectElement>() {
                let chosen: Vec<&str> = value.split('\n').collect();
                let options = select.options();
                for o in (0..options.length())
                    .filter_map(|i| options.item(i))
                    .filter_map(|o| o.dyn_into::<web_sys::HtmlOptionElement>().ok())
                {
                    o.set_selected(chosen.contains(&o.value().as_str()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent() -> Sent {
        Sent {
            page: "/projects/new".into(),
            action: "/api/fn/projects/create".into(),
            hidden: vec![],
            fields: vec![("name".into(), "Churn model".into(), None)],
        }
    }

    #[test]
    fn only_the_refusal_of_the_same_form_on_the_same_page_restores() {
        let s = sent();
        assert!(is_refusal_of(
            &s,
            "/projects/new",
            Some("/api/fn/projects/create")
        ));
        assert!(
            !is_refusal_of(&s, "/projects/new", None),
            "no error: it was saved"
        );
        assert!(!is_refusal_of(&s, "/projects/new", Some("/api/fn/other")));
        assert!(!is_refusal_of(
            &s,
            "/projects",
            Some("/api/fn/projects/create")
        ));
    }

    #[test]
    fn passwords_and_files_are_never_stored() {
        for kind in ["password", "file", "submit"] {
            assert!(skipped(kind), "{kind}");
        }
        for kind in [
            "text", "email", "number", "date", "checkbox", "radio", "hidden",
        ] {
            assert!(!skipped(kind), "{kind}");
        }
    }

    #[test]
    fn what_is_stored_reads_back() {
        let s = sent();
        let json = serde_json::to_string(&s).expect("json");
        assert_eq!(serde_json::from_str::<Sent>(&json).expect("read"), s);
    }
}
