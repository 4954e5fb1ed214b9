//! The portfolio dashboard, the project report and the diversity report.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::*;
use super::{Portfolio, ProjectReport};
use crate::components::ErrorNotice;
use crate::signals::{Level, Signal as SignalLevel};

/// A level as colour and word, with its reasons on hover or keyboard focus.
#[component]
pub fn LevelBadge(
    /// The level.
    level: Level,
    /// The facts behind it.
    #[prop(default = Vec::new())]
    reasons: Vec<String>,
    /// What the badge is about, for screen readers.
    #[prop(default = "")]
    about: &'static str,
) -> impl IntoView {
    let class = match level {
        Level::Green => "badge badge-green signal",
        Level::Amber => "badge badge-amber signal",
        Level::Red => "badge badge-red signal",
        Level::InsufficientData => "badge signal",
    };
    let has_reasons = !reasons.is_empty();
    view! {
        <span class=class tabindex=if has_reasons { "0" } else { "-1" }>
            {(!about.is_empty()).then(|| view! { <span class="sr-only">{format!("{about}: ")}</span> })}
            {level.label()}
            {has_reasons.then(|| view! {
                <span class="tip" role="tooltip">
                    <ul>{reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ul>
                </span>
            })}
        </span>
    }
}

fn signal_badge(s: &SignalLevel, about: &'static str) -> impl IntoView + use<> {
    view! { <LevelBadge level=s.level reasons=s.reasons.clone() about/> }
}

/// `/reports` (and the start page for leads): every project's five signals, a page at a time.
#[component]
pub fn PortfolioPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).filter(|s| !s.is_empty());
        (
            get("as_of"),
            get("sort"),
            get("lacking"),
            get("at_risk"),
            get("after"),
            get("before"),
        )
    };
    let portfolio = Resource::new(params, |(as_of, sort, lacking, at_risk, after, before)| {
        get_portfolio(as_of, sort, lacking, at_risk, after, before, None)
    });
    view! {
        <Title text="Portfolio · Touchpoint"/>
        <section class="page">
            <div class="page-head">
                <h1>"Portfolio"</h1>
                <nav class="tabs inline-tabs" aria-label="Reports">
                    <a href="/reports">"Portfolio"</a>
                    <a href="/reports/diversity">"Diversity"</a>
                </nav>
            </div>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match portfolio.await {
                        Ok(p) => {
                            let as_of = p.as_of.to_string();
                            view! {
                                <PortfolioFilters as_of/>
                                <PortfolioTable portfolio=p/>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The portfolio's filters. "As of" shows the date in force: the one asked for, else the
/// workspace's today that the portfolio was computed for.
#[component]
fn PortfolioFilters(as_of: String) -> impl IntoView {
    let query = use_query_map();
    view! {
            <form method="get" class="filters" action="/reports">
                <div>
                    <label for="as_of">"As of"</label>
                    <input id="as_of" name="as_of" type="date" value=as_of/>
                </div>
                <div>
                    <label for="sort">"Sort by"</label>
                    <select id="sort" name="sort">
                        {[("name", "Name"), ("risk", "At risk first"), ("contact", "Oldest end-user contact"), ("m1", "M1 agility & diversity"), ("m2", "M2 end users"), ("m3", "M3 productionization"), ("m4", "M4 data debt"), ("m5", "M5 beyond ML")]
                            .into_iter()
                            .map(|(v, l)| view! { <option value=v selected=move || query.read().get("sort").as_deref() == Some(v)>{l}</option> })
                            .collect_view()}
                    </select>
                </div>
                <label class="check"><input type="checkbox" name="lacking" value="1" checked=move || query.read().get("lacking").is_some()/>" Lacking end-user contact"</label>
                <label class="check"><input type="checkbox" name="at_risk" value="1" checked=move || query.read().get("at_risk").is_some()/>" At risk"</label>
                <button type="submit">"Apply"</button>
            </form>
    }
}

/// The address of another page of the portfolio: the filters in force, and a cursor.
fn page_href(query: &leptos_router::params::ParamsMap, cursor: (&str, &str)) -> String {
    let mut parts: Vec<String> = ["as_of", "sort", "lacking", "at_risk"]
        .into_iter()
        .filter_map(|k| {
            query
                .get(k)
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", crate::stakeholders::url_encode(&v)))
        })
        .collect();
    parts.push(format!("{}={}", cursor.0, cursor.1));
    format!("/reports?{}", parts.join("&"))
}

#[component]
fn PortfolioTable(portfolio: Portfolio) -> impl IntoView {
    let query = use_query_map();
    let as_of = portfolio.as_of;
    let rows = portfolio.rows;
    let shown = rows.len();
    let (prev, next) = {
        let q = query.read_untracked();
        (
            portfolio
                .prev
                .as_deref()
                .map(|c| page_href(&q, ("before", &super::encode_cursor(c)))),
            portfolio
                .next
                .as_deref()
                .map(|c| page_href(&q, ("after", &super::encode_cursor(c)))),
        )
    };
    let csv = format!("/reports/portfolio.csv?as_of={as_of}");
    view! {
        <p class="hint">
            {format!("{shown} projects on this page, as of {as_of} (definition version {}). ", crate::signals::DEFINITION_VERSION)}
            <a href=csv download="">"Download CSV"</a>
        </p>
        {if rows.is_empty() {
            view! { <div class="card empty-state"><p>"No projects match."</p></div> }.into_any()
        } else {
            view! {
                <table class="table portfolio">
                    <thead><tr>
                        <th scope="col">"Project"</th>
                        <th scope="col">"End-user contact"</th>
                        <th scope="col">"M1 agility & diversity"</th>
                        <th scope="col">"M2 end users"</th>
                        <th scope="col">"M3 production"</th>
                        <th scope="col">"M4 data debt"</th>
                        <th scope="col">"M5 beyond ML"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|r| {
                            let sc = r.signals.scorecard.clone();
                            let contact = r.signals.end_user_contact.clone();
                            let href = format!("/projects/{}/report?as_of={as_of}", r.key);
                            view! {
                                <tr class:at-risk=sc.at_risk>
                                    <th scope="row">
                                        <a href=href>{r.name.clone()}</a>
                                        {sc.at_risk.then(|| view! { " " <span class="badge badge-red">"At risk"</span> })}
                                        <div class="hint">{r.status.label()}</div>
                                    </th>
                                    <td>
                                        {contact.last_contact_on.map_or_else(|| "never".to_string(), |d| d.to_string())}
                                        <ul class="flags">
                                            {contact.flags.iter().map(|f| view! {
                                                <li><LevelBadge level=f.level reasons=vec![f.reason.clone()]/>" "{f.code.label()}</li>
                                            }).collect_view()}
                                        </ul>
                                    </td>
                                    <td>{signal_badge(&sc.m1_agility_diversity, "M1")}</td>
                                    <td>{signal_badge(&sc.m2_end_users, "M2")}</td>
                                    <td>{signal_badge(&sc.m3_productionization, "M3")}</td>
                                    <td>{signal_badge(&sc.m4_data_debt, "M4")}</td>
                                    <td>{signal_badge(&sc.m5_beyond_ml, "M5")}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {(prev.is_some() || next.is_some()).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|h| view! { <a href=h rel="prev">"← Previous"</a> })}
                {next.map(|h| view! { <a href=h rel="next">"Next →"</a> })}
            </nav>
        })}
    }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{:.0}%", v * 100.0))
}

fn fixed(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.digits$}"))
}

/// `/projects/{key}/report`.
#[component]
pub fn ProjectReportPage() -> impl IntoView {
    let key = crate::components::use_project_key();
    let query = use_query_map();
    let report = Resource::new(
        move || {
            (
                key.get(),
                query.read().get("as_of").filter(|s| !s.is_empty()),
            )
        },
        |(k, a)| get_project_report(k, a),
    );
    view! {
        <crate::components::ProjectFrame children=Box::new(move |_d| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(r) => view! { <ReportBody report=r/> }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        }.into_any())/>
    }
}

#[component]
fn ReportBody(report: ProjectReport) -> impl IntoView {
    let s = report.signals.clone();
    let c = s.cadence.clone();
    let d = s.diversity.clone();
    let target = report.target_iteration_days;
    let csv = format!("/projects/{}/report.csv?as_of={}", report.key, s.as_of);
    view! {
        <form method="get" class="filters">
            <label for="as_of">"As of"</label>
            <input id="as_of" name="as_of" type="date" value=s.as_of.to_string()/>
            <button type="submit">"Show"</button>
            <a href=csv download="">"Download CSV"</a>
        </form>
        <h2>"Risk scorecard" {s.scorecard.at_risk.then(|| view! { " " <span class="badge badge-red">"At risk"</span> })}</h2>
        <div class="scorecard">
            {s.scorecard.entries().into_iter().map(|(code, sig)| {
                let title = crate::signals::scorecard_title(code);
                view! {
                    <div class="card score">
                        <h3>{title}" "<LevelBadge level=sig.level/></h3>
                        <ul>{sig.reasons.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
                    </div>
                }
            }).collect_view()}
        </div>
        <h2>"End-user contact"</h2>
        <p>
            {s.end_user_contact.last_contact_on.map_or_else(
                || "No end-user contact yet.".to_string(),
                |d| format!("Last contact on {d} ({} days ago).", s.end_user_contact.days_since.unwrap_or(0)),
            )}
        </p>
        <ul class="flags">
            {s.end_user_contact.flags.iter().map(|f| view! {
                <li><LevelBadge level=f.level/>" "<strong>{f.code.label()}</strong>": "{f.reason.clone()}</li>
            }).collect_view()}
        </ul>
        <h2>"Sprint timeline"</h2>
        <div class="chart-wrap" inner_html=report.timeline_svg.clone()></div>
        <p class="hint">"Bars are sprints with their length; ▲ marks a review, ● a retrospective, ✓ an end-user contact; thin marks show gaps (above) and overlaps (below)."</p>
        <h2>"Cadence " <LevelBadge level=c.status/></h2>
        <dl class="facts">
            <dt>"Sprints in window"</dt><dd>{c.window_sprints}</dd>
            <dt>"Mean length"</dt><dd>{format!("{} days (target {target})", fixed(c.mean_length, 1))}</dd>
            <dt>"Variation (cv)"</dt><dd>{fixed(c.cv, 2)}</dd>
            <dt>"Mean gap"</dt><dd>{c.mean_gap.map_or_else(|| "—".to_string(), |g| format!("{g:.1} days"))}</dd>
            <dt>"Reviews held on time"</dt><dd>{pct(c.review_rate)}</dd>
            <dt>"Retros held"</dt><dd>{pct(c.retro_rate)}</dd>
            <dt>"Sprints with feedback"</dt><dd>{pct(c.feedback_coverage)}</dd>
            <dt>"… from end users"</dt><dd>{pct(c.end_user_feedback_coverage)}</dd>
            <dt>"Action follow-through"</dt><dd>{pct(c.action_follow_through)}</dd>
            <dt>"Days since last finished sprint"</dt><dd>{c.days_since_last_finished.map_or_else(|| "—".to_string(), |v| v.to_string())}</dd>
        </dl>
        <h2>"Diversity of input " <LevelBadge level=d.status/></h2>
        <dl class="facts">
            <dt>"Input events"</dt><dd>{d.events}</dd>
            <dt>"Functions heard"</dt><dd>{d.distinct_functions}" of 10"</dd>
            <dt>"People"</dt><dd>{d.distinct_stakeholders}</dd>
            <dt>"Diversity index"</dt><dd>{fixed(d.diversity_index, 2)}</dd>
            <dt>"End-user share"</dt><dd>{pct(d.end_user_share)}</dd>
            <dt>"Top stakeholder share"</dt><dd>{pct(d.top_stakeholder_share)}</dd>
        </dl>
        <div class="chart-wrap" inner_html=report.diversity_svg.clone()></div>
        <h2>"Contact timeline"</h2>
        {if report.contacts.is_empty() {
            view! { <p class="empty-state">"No end-user contact on or before this date."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <thead><tr><th>"Date"</th><th>"How"</th><th>"Who"</th></tr></thead>
                    <tbody>
                        {report.contacts.iter().map(|e| view! {
                            <tr><td>{e.on.to_string()}</td><td>{e.kind.clone()}</td><td>{e.who.clone()}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// `/reports/diversity`.
#[component]
pub fn DiversityPage() -> impl IntoView {
    let query = use_query_map();
    let report = Resource::new(
        move || query.read().get("as_of").filter(|s| !s.is_empty()),
        get_diversity_report,
    );
    view! {
        <Title text="Diversity · Touchpoint"/>
        <section class="page">
            <div class="page-head">
                <h1>"Diversity of input"</h1>
                <nav class="tabs inline-tabs" aria-label="Reports">
                    <a href="/reports">"Portfolio"</a>
                    <a href="/reports/diversity">"Diversity"</a>
                </nav>
            </div>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(r) => view! {
                            <p class="hint">{format!("As of {}. Input events by function in each project's window.", r.as_of)}</p>
                            <table class="table">
                                <thead><tr><th>"Project"</th><th>"Status"</th><th>"Events"</th><th>"Functions"</th><th>"Index"</th><th>"End users"</th><th>"Top person"</th></tr></thead>
                                <tbody>
                                    {r.projects.iter().map(|(key, name, d)| view! {
                                        <tr>
                                            <th scope="row"><a href=format!("/projects/{key}/report")>{name.clone()}</a></th>
                                            <td><LevelBadge level=d.status/></td>
                                            <td>{d.events}</td>
                                            <td>{d.distinct_functions}</td>
                                            <td>{fixed(d.diversity_index, 2)}</td>
                                            <td>{pct(d.end_user_share)}</td>
                                            <td>{pct(d.top_stakeholder_share)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <h2>"Self-described attributes"</h2>
                            <p class="hint">{format!("Counts over the {} consenting stakeholders linked to these projects. Counts below 5 read \"fewer than 5\" so that no one can be singled out.", r.consenting)}</p>
                            {if r.attributes.is_empty() {
                                view! { <p class="empty-state">"No consenting stakeholder has described themselves yet."</p> }.into_any()
                            } else {
                                r.attributes.iter().map(|a| view! {
                                    <h3>{a.dimension.clone()}</h3>
                                    <ul class="plain">
                                        {a.values.iter().map(|(v, c)| view! {
                                            <li>{v.clone()}": "{c.map_or_else(|| "fewer than 5".to_string(), |c| c.to_string())}</li>
                                        }).collect_view()}
                                    </ul>
                                }).collect_view().into_any()
                            }}
                        }.into_any(),
                        Err(e) => view! { <ErrorNotice error=e/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
