//! Markdown to sanitised HTML, on the server only: the browser receives the HTML as a string,
//! so neither the parser nor the sanitiser enters the wasm bundle.

use pulldown_cmark::{Options, Parser, html};

/// Renders Markdown and removes anything unsafe (scripts, event handlers, `javascript:` links,
/// raw HTML that is not on ammonia's allow list). Links get `rel="noopener noreferrer"`.
pub fn render(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS,
    );
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, parser);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_markdown() {
        let html = render("**Decision:** ship it\n\n- one\n- two");
        assert!(html.contains("<strong>Decision:</strong>"));
        assert!(html.contains("<li>one</li>"));
    }

    #[test]
    fn removes_scripts_handlers_and_javascript_links() {
        let html = render(
            "<script>alert(1)</script><img src=x onerror=alert(2)> <a href=\"https://example.org\">ok</a>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror"), "{html}");
        assert!(html.contains("noopener"), "{html}");
        let link = render("[click me](javascript:alert(3))");
        assert!(!link.contains("href=\"javascript:"), "{link}");
        assert!(link.contains("click me"), "{link}");
    }
}
