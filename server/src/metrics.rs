//! `GET /metrics`: a few counters of this instance in the Prometheus text format, for admins
//! (a session or an admin's API token: `authorization: Bearer …` in the scrape settings).

use axum::Extension;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use app::auth::Role;
use app::auth::service::RequestCtx;
use app::error::AppError;
use app::state::AppState;

/// The counters of this instance.
pub async fn metrics(
    State(state): State<AppState>,
    Extension(ctx): Extension<RequestCtx>,
) -> Result<Response, AppError> {
    let user = ctx
        .auth
        .map(|a| a.user)
        .ok_or_else(AppError::unauthorized)?;
    if user.role != Role::Admin {
        return Err(AppError::Forbidden(
            "Only admins can read the metrics.".into(),
        ));
    }
    let body = render(&[
        (
            "touchpoint_db_queries_total",
            "counter",
            "Queries sent to the database by this instance.",
            vec![
                ("source=\"requests\"", state.db.queries_sent()),
                ("source=\"background\"", state.background_db.queries_sent()),
            ],
        ),
        (
            "touchpoint_event_streams_open",
            "gauge",
            "Live-update streams open on this instance.",
            vec![("", state.live.streams.total() as u64)],
        ),
    ]);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response())
}

type Family<'a> = (&'a str, &'a str, &'a str, Vec<(&'a str, u64)>);

fn render(families: &[Family<'_>]) -> String {
    let mut out = String::new();
    for (name, kind, help, samples) in families {
        out.push_str(&format!("# HELP {name} {help}\n# TYPE {name} {kind}\n"));
        for (labels, value) in samples {
            if labels.is_empty() {
                out.push_str(&format!("{name} {value}\n"));
            } else {
                out.push_str(&format!("{name}{{{labels}}} {value}\n"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn families_render_in_the_text_format() {
        let text = render(&[
            (
                "a_total",
                "counter",
                "As.",
                vec![("x=\"1\"", 3), ("x=\"2\"", 4)],
            ),
            ("b", "gauge", "Bs.", vec![("", 7)]),
        ]);
        assert_eq!(
            text,
            "# HELP a_total As.\n# TYPE a_total counter\na_total{x=\"1\"} 3\na_total{x=\"2\"} 4\n\
             # HELP b Bs.\n# TYPE b gauge\nb 7\n"
        );
    }
}
