//! Live updates: pages that several people watch at once (a retro board, a feedback inbox)
//! follow an event stream and refresh the parts of the page that others changed.
//!
//! The server sends only *that* something changed (`/projects/{key}/live`, Server-Sent Events);
//! the page then asks for itself again and swaps in the regions marked `data-live="…"`. So what
//! a viewer sees is always rendered by the same code, with the same access checks, as a reload
//! would show, and catching up after a lost connection is one more refresh. Without JavaScript
//! the page works as before: forms post and the page reloads.

#[cfg(feature = "ssr")]
pub use store::live::{hub, presence, streams};

use leptos::prelude::*;

/// The state of the connection, as the viewer sees it (set by the browser only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Link {
    Connecting,
    Live,
    Reconnecting,
    Closed,
}

/// Follows `stream` and keeps this page's `data-live` regions current; with `presence`, also
/// says how many people are on the board.
#[island]
pub fn LiveUpdates(
    /// The event stream (`/projects/{key}/live?…`).
    stream: String,
    /// Whether to show how many people are here.
    presence: bool,
) -> impl IntoView {
    let link = RwSignal::new(Link::Connecting);
    let count = RwSignal::new(None::<u64>);
    #[cfg(feature = "hydrate")]
    client::follow(&stream, link, count);
    #[cfg(not(feature = "hydrate"))]
    let _ = &stream;
    // The text is never empty (an empty text node cannot be hydrated); before the script runs,
    // or without it, the line is hidden: the page is a snapshot.
    view! {
        <p class="live-status hint" role="status" hidden=move || link.get() == Link::Connecting
            data-link=move || format!("{:?}", link.get()).to_lowercase()>
            {move || match link.get() {
                Link::Connecting => "Connecting…".to_string(),
                Link::Live => match (presence, count.get()) {
                    (true, Some(n)) => format!("Live · {}", people_here(n)),
                    _ => "Live".to_string(),
                },
                Link::Reconnecting => "Reconnecting…".to_string(),
                Link::Closed => "Live updates stopped: reload the page.".to_string(),
            }}
        </p>
    }
}

/// "1 person on this board", "3 people on this board".
fn people_here(n: u64) -> String {
    if n == 1 {
        "1 person on this board".to_string()
    } else {
        format!("{n} people on this board")
    }
}

#[cfg(feature = "hydrate")]
mod client {
    use std::cell::RefCell;
    use std::rc::Rc;

    use leptos::prelude::*;
    use leptos::wasm_bindgen::JsCast;
    use leptos::wasm_bindgen::closure::Closure;
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{DomParser, EventSource, MessageEvent, SupportedType};

    use super::Link;

    #[derive(Default)]
    struct State {
        /// A refresh is under way.
        busy: bool,
        /// Another change arrived during it: refresh once more when it ends.
        again: bool,
        /// A region was left alone because the viewer is typing in it: refresh when they leave.
        deferred: bool,
        /// The stream has opened before (so the next open is a reconnect that must catch up).
        opened: bool,
    }

    pub fn follow(url: &str, link: RwSignal<Link>, count: RwSignal<Option<u64>>) {
        let Ok(source) = EventSource::new(url) else {
            link.set(Link::Closed);
            return;
        };
        let state = Rc::new(RefCell::new(State::default()));

        let st = Rc::clone(&state);
        let on_change = Closure::<dyn Fn(MessageEvent)>::new(move |_: MessageEvent| {
            refresh(Rc::clone(&st));
        });
        let on_presence = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(n) = ev.data().as_string().and_then(|s| s.trim().parse().ok()) {
                count.set(Some(n));
            }
        });
        let st = Rc::clone(&state);
        let on_open = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
            link.set(Link::Live);
            let reconnect = std::mem::replace(&mut st.borrow_mut().opened, true);
            if reconnect {
                // What happened while the stream was down is on the page now.
                refresh(Rc::clone(&st));
            }
        });
        let es = source.clone();
        let on_error = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
            // The browser reconnects by itself unless the server refused the stream.
            if es.ready_state() == EventSource::CLOSED {
                link.set(Link::Closed);
            } else {
                link.set(Link::Reconnecting);
            }
        });
        let st = Rc::clone(&state);
        let on_focusout = Closure::<dyn Fn(web_sys::Event)>::new(move |_: web_sys::Event| {
            if std::mem::take(&mut st.borrow_mut().deferred) {
                refresh(Rc::clone(&st));
            }
        });
        let _ =
            source.add_event_listener_with_callback("change", on_change.as_ref().unchecked_ref());
        let _ = source
            .add_event_listener_with_callback("presence", on_presence.as_ref().unchecked_ref());
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc
                .add_event_listener_with_callback("focusout", on_focusout.as_ref().unchecked_ref());
        }
        // The page lives as long as these do.
        on_change.forget();
        on_presence.forget();
        on_open.forget();
        on_error.forget();
        on_focusout.forget();
    }

    fn refresh(state: Rc<RefCell<State>>) {
        {
            let mut s = state.borrow_mut();
            if s.busy {
                s.again = true;
                return;
            }
            s.busy = true;
        }
        leptos::task::spawn_local(async move {
            loop {
                if let Err(e) = swap_regions(&state).await {
                    leptos::logging::warn!("live refresh failed: {e:?}");
                }
                let mut s = state.borrow_mut();
                if !std::mem::take(&mut s.again) {
                    s.busy = false;
                    break;
                }
            }
        });
    }

    /// Fetches this page again and replaces each `data-live` region that changed, except one
    /// the viewer is typing in (that one waits until focus leaves it).
    async fn swap_regions(state: &Rc<RefCell<State>>) -> Result<(), leptos::wasm_bindgen::JsValue> {
        let window = web_sys::window().ok_or("no window")?;
        let document = window.document().ok_or("no document")?;
        let href = window.location().href()?;
        let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&href))
            .await?
            .dyn_into()?;
        // Signed out, or the page is gone: leave what is shown alone.
        if !response.ok() || response.redirected() {
            return Ok(());
        }
        let html = JsFuture::from(response.text()?)
            .await?
            .as_string()
            .unwrap_or_default();
        let fresh = DomParser::new()?.parse_from_string(&html, SupportedType::TextHtml)?;
        let regions = document.query_selector_all("[data-live]")?;
        let active = document.active_element();
        let typing_in = |el: &web_sys::Element| {
            active.as_ref().is_some_and(|a| {
                el.contains(Some(a)) && !matches!(a.tag_name().as_str(), "BODY" | "BUTTON" | "A")
            })
        };
        // The page changed shape (a retro was started or deleted): load it whole, unless the
        // viewer is in the middle of typing.
        if names(&regions) != names(&fresh.query_selector_all("[data-live]")?) {
            match document.body() {
                Some(body) if typing_in(&body) => state.borrow_mut().deferred = true,
                _ => window.location().reload()?,
            }
            return Ok(());
        }
        for i in 0..regions.length() {
            let Some(region) = regions
                .item(i)
                .and_then(|n| n.dyn_into::<web_sys::Element>().ok())
            else {
                continue;
            };
            let Some(name) = region.get_attribute("data-live") else {
                continue;
            };
            let Some(new) = fresh.query_selector(&format!("[data-live=\"{name}\"]"))? else {
                continue;
            };
            let html = new.inner_html();
            if region.inner_html() == html {
                continue;
            }
            if typing_in(&region) {
                state.borrow_mut().deferred = true;
                continue;
            }
            region.set_inner_html(&html);
        }
        Ok(())
    }

    /// The names of the `data-live` regions, in order.
    fn names(list: &web_sys::NodeList) -> Vec<String> {
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
            .filter_map(|el| el.get_attribute("data-live"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::people_here;

    #[test]
    fn presence_reads_as_people() {
        assert_eq!(people_here(1), "1 person on this board");
        assert_eq!(people_here(0), "0 people on this board");
        assert_eq!(people_here(3), "3 people on this board");
    }
}
