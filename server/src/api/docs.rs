//! `/api/docs`: the API reference, rendered on the server from the OpenAPI document.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn operation(out: &mut String, method: &str, path: &str, op: &Operation) {
    let summary = op
        .description
        .as_deref()
        .or(op.summary.as_deref())
        .unwrap_or_default();
    out.push_str(&format!(
        "<tr><td><code>{}</code></td><td><code>/api/v1{}</code></td><td>{}",
        method,
        esc(path),
        esc(summary)
    ));
    let params: Vec<String> = op
        .parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) if !matches!(p.parameter_in, ParameterIn::Path) => Some(p),
            _ => None,
        })
        .map(|p| format!("<code>{}</code>", esc(&p.name)))
        .collect();
    if !params.is_empty() {
        out.push_str(&format!("<br><small>Query: {}</small>", params.join(", ")));
    }
    if op.request_body.is_some() {
        out.push_str("<br><small>JSON body</small>");
    }
    let codes: Vec<&str> = op.responses.responses.keys().map(String::as_str).collect();
    out.push_str(&format!(
        "</td><td><small>{}</small></td></tr>",
        esc(&codes.join(" "))
    ));
}

/// The whole page, styled by the app's stylesheet at `css_href`.
pub fn reference_page(doc: &OpenApi, css_href: &str) -> String {
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>API reference · Touchpoint</title>\
         <link rel=\"icon\" href=\"data:,\">\
         <link rel=\"stylesheet\" href=\"{}\"></head><body>\
         <main class=\"content\"><section class=\"page\">\
         <p><a href=\"/\">← Touchpoint</a></p><h1>API reference</h1>",
        esc(css_href)
    );
    if let Some(d) = &doc.info.description {
        out.push_str(&format!("<p class=\"lead\">{}</p>", esc(d)));
    }
    out.push_str(
        "<p>The machine-readable document (OpenAPI 3.1) is at \
         <a href=\"/api/v1/openapi.json\"><code>/api/v1/openapi.json</code></a>. \
         Example: <code>curl -H \"Authorization: Bearer $TOKEN\" \
         https://touchpoint.example.org/api/v1/projects</code></p>",
    );
    let tags: Vec<(String, String)> = doc
        .tags
        .iter()
        .flatten()
        .map(|t| (t.name.clone(), t.description.clone().unwrap_or_default()))
        .collect();
    for (tag, description) in tags {
        let mut rows = String::new();
        for (path, item) in &doc.paths.paths {
            let ops = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ];
            for (method, op) in ops {
                if let Some(op) = op
                    && op.tags.iter().flatten().any(|t| *t == tag)
                {
                    operation(&mut rows, method, path, op);
                }
            }
        }
        if rows.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "<h2 id=\"{0}\">{1}</h2><p class=\"hint\">{2}</p><table class=\"table\"><thead><tr>\
             <th>Method</th><th>Path</th><th>What it does</th><th>Statuses</th></tr></thead>\
             <tbody>{3}</tbody></table>",
            esc(&tag),
            esc(&tag[..1].to_uppercase()) + &esc(&tag[1..]),
            esc(&description),
            rows
        ));
    }
    out.push_str("</section></main></body></html>");
    out
}
