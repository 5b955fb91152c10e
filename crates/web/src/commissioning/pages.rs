//! The commissioning pages and downloads.
use super::api::load;
use super::model::{self, Published, Settings};
use crate::AppState;
use crate::auth::Authed;
use crate::error::{AppError, PageError};
use crate::pages::layout;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use haven_domain::error::ValidationErrors;
use haven_needs::report::{Align, Block, blocks};
use maud::{Markup, PreEscaped, html};

fn period_form(action: &str, s: &Settings, errors: &ValidationErrors) -> Markup {
    html! {
        form.period method="get" action=(action) {
            (layout::text_field("from", "First day", Some("YYYY-MM-DD; default: 12 months before the last day"), s.from.as_deref().unwrap_or(""), "text", errors))
            (layout::text_field("to", "Last day", Some("YYYY-MM-DD; default: today"), s.to.as_deref().unwrap_or(""), "text", errors))
            button type="submit" { "Show figures" }
        }
    }
}

fn live_tables(p: &Published) -> Markup {
    html! {
        table.figures {
            thead { tr { th { "Figure" } th { "Value" } th { "How it is counted" } th { "Source" } } }
            tbody {
                @for f in &p.figures {
                    tr id={ "live-" (f.id) } { td { (f.label) } td.num { strong { (f.display) } } td { (f.formula) } td { (f.source) } }
                }
            }
        }
        @for b in &p.breakdowns {
            h3 { (b.title) }
            @if b.rows.is_empty() {
                p.muted { "None in the period." }
            } @else {
                table id={ "breakdown-" (b.id) } {
                    thead { tr { th { "Group" } th { "Number" } } }
                    tbody { @for r in &b.rows { tr { td { (r.label) } td { (r.display) } } } }
                }
            }
        }
    }
}

/// GET /commissioning: the live figures for a period.
pub async fn overview(State(st): State<AppState>, who: Authed, Query(s): Query<Settings>) -> Result<Response, PageError> {
    let today = chrono::Utc::now().date_naive();
    let period = match s.period(today) {
        Ok(p) => p,
        Err(e) => {
            let body = html! { h1 { "Partnership figures" } (layout::error_summary(&e)) (period_form("/commissioning", &s, &e)) };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, layout::page("Partnership figures", &who, body)).into_response());
        }
    };
    let live = st.store.live_figures(&who.ctx(), period).await?;
    let p = model::publish(&live);
    let q = serde_urlencoded::to_string([("from", &p.from), ("to", &p.to)]).unwrap_or_default();
    let body = html! {
        span.hint { "Commissioning" }
        h1 { "Partnership figures" }
        p.lede { "Live figures from Haven for " strong { (p.from) } " to " strong { (p.to) } ". Counts from 1 to 4 are shown as " strong { "<5" } ", as in published statistics; where one small number could be worked out from a total, the next smallest is hidden too." }
        p {
            a.button href={ "/commissioning/needs?" (q) } { "Needs assessment and capacity plan" } " "
            a.button.secondary href={ "/api/v1/figures?" (q) } { "These figures as JSON" }
        }
        (period_form("/commissioning", &s, &ValidationErrors::new()))
        h2 { "Live figures" }
        (live_tables(&p))
        @if !live.districts.is_empty() {
            h2 { "Districts" }
            table id="districts" {
                thead { tr { th { "District" } th { "Lot" } th { "Population" } th { "Referrals" } th { "Police incidents" } } }
                tbody {
                    @for d in &live.districts {
                        tr { td { (d.name) } td { (d.lot) } td { (haven_needs::format::number(d.population as f64, 0)) }
                             td { (model::show_count(haven_store::figures::suppress(d.referrals))) } td { (model::show_count(haven_store::figures::suppress(d.police_incidents))) } }
                    }
                }
            }
        }
        @if !p.marac_recorded { p.muted { "MARAC cases are not recorded in this database yet." } }
    };
    Ok(layout::page("Partnership figures", &who, body).into_response())
}

fn settings_form(s: &Settings, errors: &ValidationErrors, defaults: Option<&model::Inputs>) -> Markup {
    let v = |x: &Option<String>| x.clone().unwrap_or_default();
    let d = |x: Option<(f64, &str)>| x.map(|(v, src)| format!("Default {} ({src}).", haven_needs::format::short(v, 2)));
    let hint = |x: Option<(f64, &str)>, extra: &str| d(x).unwrap_or_else(|| extra.to_string());
    let i = defaults;
    html! {
        details.settings open[!errors.is_empty()] {
            summary { "Change the model's inputs" }
            form method="get" action="/commissioning/needs" {
                p.hint { "Leave a box empty to use the live figure or the published rate named under it." }
                (layout::text_field("from", "First day of the period", Some("YYYY-MM-DD"), &v(&s.from), "text", errors))
                (layout::text_field("to", "Last day of the period", Some("YYYY-MM-DD; default today"), &v(&s.to), "text", errors))
                (layout::text_field("population", "Resident population", Some("Default: the sum of the districts' populations."), &v(&s.population), "text", errors))
                (layout::text_field("women_16_plus", "Women aged 16 and over", Some("ONS mid-year estimate. Needed for prevalence, the MARAC benchmark and access ratios."), &v(&s.women_16_plus), "text", errors))
                (layout::text_field("men_16_plus", "Men aged 16 and over", Some("ONS mid-year estimate. Needed for the men's access ratio."), &v(&s.men_16_plus), "text", errors))
                (layout::text_field("prevalence_women", "Prevalence among women, % a year", Some(&hint(i.map(|i| (i.prevalence_women.0, i.prevalence_women.1.as_str())), "")), &v(&s.prevalence_women), "text", errors))
                (layout::text_field("prevalence_men", "Prevalence among men, % a year", Some(&hint(i.map(|i| (i.prevalence_men.0, i.prevalence_men.1.as_str())), "")), &v(&s.prevalence_men), "text", errors))
                (layout::text_field("high_medium_percent", "Female victims at high or medium risk, %", Some(&hint(i.map(|i| (i.high_medium_percent.0, i.high_medium_percent.1.as_str())), "")), &v(&s.high_medium_percent), "text", errors))
                (layout::text_field("high_percent", "Of those, at high risk, %", Some(&hint(i.map(|i| (i.high_percent.0, i.high_percent.1.as_str())), "")), &v(&s.high_percent), "text", errors))
                (layout::text_field("caseload_high", "IDVA caseload, high risk", Some(&hint(i.map(|i| (i.caseload_high.0, i.caseload_high.1.as_str())), "")), &v(&s.caseload_high), "text", errors))
                (layout::text_field("caseload_medium", "IDVA caseload, medium risk", Some(&hint(i.map(|i| (i.caseload_medium.0, i.caseload_medium.1.as_str())), "")), &v(&s.caseload_medium), "text", errors))
                (layout::text_field("idva_fte", "IDVA FTE in post", Some("Default: the FTE of the IDVA teams in Haven."), &v(&s.idva_fte), "text", errors))
                (layout::text_field("share_with_children", "Victims with dependent children, %", Some(&hint(i.map(|i| (i.share_with_children.0, i.share_with_children.1.as_str())), "")), &v(&s.share_with_children), "text", errors))
                (layout::text_field("children_per_family", "Children per family", Some(&hint(i.map(|i| (i.children_per_family.0, i.children_per_family.1.as_str())), "")), &v(&s.children_per_family), "text", errors))
                (layout::text_field("refuge_beds", "Refuge beds in place", Some("Compared with the Council of Europe target of 1 bed per 10,000 people."), &v(&s.refuge_beds), "text", errors))
                (layout::text_field("marac_per_10000", "MARAC cases expected per 10,000 women", Some(&hint(i.map(|i| (i.marac_per_10000.0, i.marac_per_10000.1.as_str())), "")), &v(&s.marac_per_10000), "text", errors))
                button type="submit" { "Recalculate" }
                " " a href="/commissioning/needs" { "Back to the defaults" }
            }
        }
    }
}

/// The report's blocks, in the page (charts are the report's own SVG).
fn report_markup(input: &haven_needs::report::ReportInput) -> Markup {
    let full = haven_needs::report::html(input);
    let mut svgs = full
        .match_indices("<svg ")
        .filter_map(|(start, _)| full[start..].find("</svg>").map(|end| full[start..start + end + 6].to_string()));
    html! {
        @for b in blocks(input) {
            @match b {
                Block::Title(_) => {}
                Block::Heading(t) => h2 { (t) }
                Block::Subheading(t) => h3 { (t) }
                Block::Para(t) => p { (t) }
                Block::Formula(t) => p.formula { code { (t) } }
                Block::Note(t) => p.hint { (t) }
                Block::Chart(c) => figure.chart { figcaption { strong { (c.title) } } @if let Some(s) = svgs.next() { (PreEscaped(s)) } }
                Block::Table { header, rows, align, total_rows, .. } => {
                    table.report {
                        thead { tr { @for (i, h) in header.iter().enumerate() { th.num[align.get(i) == Some(&Align::Right)] { (h) } } } }
                        tbody {
                            @let first_total = rows.len().saturating_sub(total_rows);
                            @for (ri, r) in rows.iter().enumerate() {
                                tr {
                                    @for (i, c) in r.iter().enumerate() {
                                        td.num[align.get(i) == Some(&Align::Right)] { @if ri >= first_total { strong { (c) } } @else { (c) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// GET /commissioning/needs: the needs engine on live figures.
pub async fn needs(State(st): State<AppState>, who: Authed, Query(s): Query<Settings>) -> Result<Response, PageError> {
    let run = match load(&st, &who, &s).await {
        Ok(r) => r,
        Err(AppError::Invalid(e)) => {
            let body = html! {
                span.hint { "Commissioning" }
                h1 { "Needs assessment and capacity plan" }
                (layout::error_summary(&e))
                p { "Nothing was calculated: correct the inputs below." }
                (settings_form(&s, &e, None))
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, layout::page("Needs assessment", &who, body)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let q = s.query();
    let qs = if q.is_empty() { String::new() } else { format!("?{q}") };
    let body = html! {
        span.hint { "Commissioning" }
        h1 { "Needs assessment and capacity plan" }
        p.lede { "The SafeLives/CAADA capacity model run on Haven's live figures for " strong { (run.published.from) } " to " strong { (run.published.to) } ". Each figure shows its formula and its source; counts below 5 are suppressed and not used." }
        p.downloads {
            a.button href={ "/commissioning/needs/report.pdf" (qs) } { "Download the report (PDF)" } " "
            a.button.secondary href={ "/commissioning/needs/report.html" (qs) } { "Report (HTML)" } " "
            a.button.secondary href={ "/commissioning/needs/figures.csv" (qs) } { "Figures (CSV)" } " "
            a.button.secondary href={ "/api/v1/figures/needs" (qs) } { "Figures (JSON)" } " "
            a.button.secondary href={ "/commissioning/needs/capacity.toml" (qs) } { "Model inputs (TOML)" }
        }
        p { a href={ "/commissioning?" (serde_urlencoded::to_string([("from", &run.published.from), ("to", &run.published.to)]).unwrap_or_default()) } { "All live figures for this period" } }
        (settings_form(&s, &ValidationErrors::new(), Some(&run.inputs)))
        @if !run.notes.is_empty() {
            div.notes role="note" {
                h2 { "What is not calculated, and why" }
                ul { @for n in &run.notes { li { (n) } } }
            }
        }
        h2 { "Live inputs" }
        table id="live-inputs" {
            thead { tr { th { "Input" } th { "Value" } th { "How it is counted" } th { "Source" } } }
            tbody {
                @for f in run.published.figures.iter().filter(|f| matches!(f.id.as_str(), "police_incidents" | "police_victims" | "police_repeat_rate" | "victims_high" | "victims_medium" | "victims" | "marac_cases" | "marac_repeat_share" | "marac_children" | "fte_idva" | "population")) {
                    tr id={ "input-" (f.id) } { td { (f.label) } td { strong { (f.display) } } td { (f.formula) } td { (f.source) } }
                }
            }
        }
        div id="needs-report" { (report_markup(&run.report_input())) }
    };
    Ok(layout::page("Needs assessment", &who, body).into_response())
}

fn download(content_type: &'static str, name: &str, body: Vec<u8>) -> Response {
    let disp = format!("attachment; filename=\"{name}\"");
    let mut r = (StatusCode::OK, [(header::CONTENT_TYPE, content_type)], body).into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&disp) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

fn file_stem(run: &model::Run) -> String {
    format!("needs-{}-{}", run.published.from, run.published.to)
}

/// GET /commissioning/needs/report.html: the standalone report (as `haven needs report --html`).
pub async fn report_html(State(st): State<AppState>, who: Authed, Query(s): Query<Settings>) -> Result<Response, PageError> {
    let run = load(&st, &who, &s).await?;
    let body = haven_needs::report::html(&run.report_input());
    Ok(download("text/html; charset=utf-8", &format!("{}.html", file_stem(&run)), body.into_bytes()))
}

/// GET /commissioning/needs/report.pdf
pub async fn report_pdf(State(st): State<AppState>, who: Authed, Query(s): Query<Settings>) -> Result<Response, PageError> {
    let run = load(&st, &who, &s).await?;
    let pdf = haven_needs::report::pdf(&run.report_input()).map_err(|e| AppError::Internal(format!("pdf: {e}")))?;
    Ok(download("application/pdf", &format!("{}.pdf", file_stem(&run)), pdf))
}

/// GET /commissioning/needs/figures.csv: one row per figure, live inputs first.
pub async fn figures_csv(State(st): State<AppState>, who: Authed, Query(s): Query<Settings>) -> Result<Response, PageError> {
    let run = load(&st, &who, &s).await?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| AppError::Internal(format!("csv: {e}"));
    w.write_record(["section", "id", "label", "value", "rounding", "rounded", "unit", "formula", "source"]).map_err(csv_err)?;
    for f in &run.published.figures {
        let v = f.value.map(|x| x.to_string()).unwrap_or_default();
        w.write_record(["live", &f.id, &f.label, &v, "", &f.display, "", &f.formula, &f.source]).map_err(csv_err)?;
    }
    let sections = run.capacity.sections.iter().chain(run.groups.iter().flat_map(|g| g.sections.iter()));
    for sec in sections {
        for f in &sec.figures {
            let unit = serde_json::to_value(f.unit).ok().and_then(|u| u.as_str().map(String::from)).unwrap_or_default();
            w.write_record([
                sec.id.as_str(),
                &f.id,
                &f.label,
                &f.value.to_string(),
                &f.rounding.to_string(),
                &f.rounded.to_string(),
                &unit,
                &f.formula,
                &f.source,
            ])
            .map_err(csv_err)?;
        }
    }
    let bytes = w.into_inner().map_err(|e| AppError::Internal(format!("csv: {e}")))?;
    Ok(download("text/csv; charset=utf-8", &format!("{}.csv", file_stem(&run)), bytes))
}

/// GET /commissioning/needs/capacity.toml: the generated capacity config.
pub async fn capacity_toml(State(st): State<AppState>, who: Authed, Query(s): Query<Settings>) -> Result<Response, PageError> {
    let run = load(&st, &who, &s).await?;
    let mut t = run.capacity_toml.clone();
    if let Some(g) = &run.groups_toml {
        t.push_str("\n# ---- groups (save as a separate file for `haven needs groups --config`) ----\n");
        for l in g.lines() {
            t.push_str("# ");
            t.push_str(l);
            t.push('\n');
        }
    }
    Ok(download("text/plain; charset=utf-8", &format!("{}-capacity.toml", file_stem(&run)), t.into_bytes()))
}
