//! The compatibility matrix as HTML, Markdown and JSON.
//!
//! A cell is one trial on one runtime: passed, failed, failed as expected (listed in the
//! runtime's expectations file), passed although listed as expected to fail, or ignored. The
//! reason or the failure's first lines are the cell's HTML `title`, and a cell links to the
//! trial's transcript. Each area has a pass rate per runtime: passed trials out of those that
//! ran, so ignored trials do not count and expected failures count as failures.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{Column, file_name};

/// The state of one cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// The trial passed.
    Passed,
    /// The trial failed and is not listed as expected to fail.
    Failed,
    /// The trial failed and the expectations file lists it.
    ExpectedFailure,
    /// The trial passed although the expectations file lists it, which fails the run.
    UnexpectedPass,
    /// The runtime cannot run the trial.
    Ignored,
    /// The runtime's report has no such trial.
    Missing,
}

impl State {
    fn of(record: Option<&Value>) -> State {
        let Some(record) = record else {
            return State::Missing;
        };
        let expected = record["expected_failure"].as_bool().unwrap_or(false);
        match (record["outcome"].as_str(), expected) {
            (Some("passed"), false) => State::Passed,
            (Some("passed"), true) => State::UnexpectedPass,
            (Some("failed"), false) => State::Failed,
            (Some("failed"), true) => State::ExpectedFailure,
            (Some("ignored"), _) => State::Ignored,
            _ => State::Missing,
        }
    }

    /// Returns the name used in JSON and as the CSS class.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Passed => "passed",
            State::Failed => "failed",
            State::ExpectedFailure => "expected-failure",
            State::UnexpectedPass => "unexpected-pass",
            State::Ignored => "ignored",
            State::Missing => "missing",
        }
    }

    fn label(self) -> &'static str {
        match self {
            State::Passed => "pass",
            State::Failed => "FAIL",
            State::ExpectedFailure => "fail (expected)",
            State::UnexpectedPass => "PASS (listed as failing)",
            State::Ignored => "ignored",
            State::Missing => "",
        }
    }
}

/// Passed and run trials of one area on one runtime.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rate {
    /// Trials that passed.
    pub passed: usize,
    /// Trials that ran: passed or failed, expected or not.
    pub ran: usize,
    /// Trials the runtime ignored.
    pub ignored: usize,
}

impl Rate {
    fn add(&mut self, state: State) {
        match state {
            State::Passed | State::UnexpectedPass => {
                self.passed += 1;
                self.ran += 1;
            }
            State::Failed | State::ExpectedFailure => self.ran += 1,
            State::Ignored => self.ignored += 1,
            State::Missing => {}
        }
    }

    fn text(self) -> String {
        if self.ran == 0 {
            return "–".into();
        }
        let percent = 100.0 * self.passed as f64 / self.ran as f64;
        format!("{}/{} ({percent:.0}%)", self.passed, self.ran)
    }
}

/// One trial across the runtimes.
struct Row {
    name: String,
    title: String,
    area: String,
}

/// The matrix: columns by runtime and rows by trial, grouped by area.
pub struct Matrix {
    columns: Vec<Column>,
    rows: Vec<Row>,
}

impl Matrix {
    /// Builds the rows from every trial that any column has, sorted by area and name.
    pub fn new(columns: Vec<Column>) -> Matrix {
        let mut rows: BTreeMap<(String, String), Row> = BTreeMap::new();
        for column in &columns {
            for (name, record) in &column.trials {
                let area = record["area"].as_str().unwrap_or_default().to_string();
                let row = rows
                    .entry((area.clone(), name.clone()))
                    .or_insert_with(|| Row {
                        name: name.clone(),
                        title: String::new(),
                        area,
                    });
                if row.title.is_empty() {
                    row.title = record["title"].as_str().unwrap_or_default().to_string();
                }
            }
        }
        Matrix {
            columns,
            rows: rows.into_values().collect(),
        }
    }

    fn state(&self, column: &Column, row: &Row) -> State {
        State::of(column.trials.get(&row.name))
    }

    /// Returns the pass rate of each area and column, plus the total under `""`.
    fn rates(&self) -> BTreeMap<String, Vec<Rate>> {
        let mut rates: BTreeMap<String, Vec<Rate>> = BTreeMap::new();
        for row in &self.rows {
            for key in [row.area.clone(), String::new()] {
                let entry = rates
                    .entry(key)
                    .or_insert_with(|| vec![Rate::default(); self.columns.len()]);
                for (index, column) in self.columns.iter().enumerate() {
                    entry[index].add(self.state(column, row));
                }
            }
        }
        rates
    }

    /// Returns the text a cell shows on hover: the reason it failed or was ignored.
    fn detail(column: &Column, row: &Row, state: State) -> String {
        let Some(record) = column.trials.get(&row.name) else {
            return format!("{} has no result for this trial", column.target);
        };
        let text = |key: &str| record[key].as_str().unwrap_or_default().to_string();
        match state {
            State::Passed => "passed".into(),
            State::Failed => text("failure_summary"),
            State::ExpectedFailure => format!(
                "expected to fail: {}\n\n{}",
                text("expected_failure_reason"),
                text("failure_summary")
            ),
            State::UnexpectedPass => format!(
                "passed, but listed as expected to fail ({}): remove the entry from {}",
                text("expected_failure_reason"),
                column
                    .expectations
                    .as_deref()
                    .unwrap_or("the expectations file")
            ),
            State::Ignored => text("ignore_reason"),
            State::Missing => String::new(),
        }
    }

    /// Returns the transcript link of a cell, relative to `target/edgecase`.
    fn transcript(column: &Column, row: &Row) -> Option<String> {
        let record = column.trials.get(&row.name)?;
        record["transcript"].as_str()?;
        let (id, syntax) = row.name.rsplit_once("::")?;
        Some(format!(
            "transcripts/{}/{id}.{syntax}.txt",
            file_name(&column.target)
        ))
    }

    /// Renders the page.
    pub fn html(&self) -> String {
        let rates = self.rates();
        let mut out = String::new();
        out.push_str(HTML_HEAD);

        out.push_str("<h1>Edgecase compatibility matrix</h1>\n");
        out.push_str(
            "<p>Each cell is one conformance trial on one runtime. Hover a cell for the reason \
             it failed or was ignored, and click it for the transcript of the exchange. \
             Expected failures are listed in <code>conformance/expectations/</code>. A pass \
             rate counts trials that ran; ignored trials are left out.</p>\n",
        );
        out.push_str("<p class=\"legend\">");
        for state in [
            State::Passed,
            State::Failed,
            State::ExpectedFailure,
            State::UnexpectedPass,
            State::Ignored,
        ] {
            let _ = write!(
                out,
                "<span class=\"cell {}\">{}</span> ",
                state.as_str(),
                state.label()
            );
        }
        out.push_str("</p>\n");

        out.push_str("<table>\n<thead><tr><th class=\"trial\">trial</th>");
        for column in &self.columns {
            let _ = write!(
                out,
                "<th><div class=\"target\">{}</div><div class=\"version\">{}</div></th>",
                escape(&column.target),
                escape(&column.version)
            );
        }
        out.push_str("</tr>\n");
        write_rate_row(&mut out, "all areas", &rates[""], "total");
        out.push_str("</thead>\n<tbody>\n");

        let mut area: Option<&str> = None;
        for row in &self.rows {
            if area != Some(row.area.as_str()) {
                area = Some(row.area.as_str());
                let label = if row.area.is_empty() { "-" } else { &row.area };
                write_rate_row(&mut out, label, &rates[&row.area], "area");
            }
            let _ = write!(
                out,
                "<tr><td class=\"trial\" title=\"{}\">{}</td>",
                escape(&row.title),
                escape(&row.name)
            );
            for column in &self.columns {
                let state = self.state(column, row);
                let detail = Self::detail(column, row, state);
                let label = escape(state.label());
                let content = match Self::transcript(column, row) {
                    Some(link) => format!("<a href=\"{}\">{label}</a>", escape(&link)),
                    None => label,
                };
                let _ = write!(
                    out,
                    "<td class=\"cell {}\" title=\"{}\">{content}</td>",
                    state.as_str(),
                    escape(&detail)
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n</body>\n</html>\n");
        out
    }

    /// Renders the Markdown page: the pass rates, the table, and every cell that did not pass
    /// with its reason, since Markdown has no hover text.
    pub fn markdown(&self) -> String {
        let rates = self.rates();
        let mut out = String::new();
        out.push_str("# Edgecase compatibility matrix\n\n");
        out.push_str("| runtime | version | expectations |\n| --- | --- | --- |\n");
        for column in &self.columns {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} |",
                column.target,
                md(&column.version),
                column
                    .expectations
                    .as_deref()
                    .map_or("-".to_string(), |file| format!("`{file}`"))
            );
        }

        out.push_str("\n## Pass rates\n\nPassed trials out of those that ran.\n\n| area |");
        for column in &self.columns {
            let _ = write!(out, " `{}` |", column.target);
        }
        out.push_str("\n| --- |");
        out.push_str(&" --- |".repeat(self.columns.len()));
        out.push('\n');
        for (area, row) in &rates {
            let label = if area.is_empty() { "**all**" } else { area };
            let _ = write!(out, "| {label} |");
            for rate in row {
                let _ = write!(out, " {} |", rate.text());
            }
            out.push('\n');
        }

        out.push_str("\n## Trials\n\n| trial |");
        for column in &self.columns {
            let _ = write!(out, " `{}` |", column.target);
        }
        out.push_str("\n| --- |");
        out.push_str(&" --- |".repeat(self.columns.len()));
        out.push('\n');
        for row in &self.rows {
            let _ = write!(out, "| `{}` |", row.name);
            for column in &self.columns {
                let _ = write!(out, " {} |", self.state(column, row).label());
            }
            out.push('\n');
        }

        out.push_str("\n## Differences\n\nEvery cell that did not pass, with its reason.\n\n");
        for column in &self.columns {
            let lines: Vec<String> = self
                .rows
                .iter()
                .filter_map(|row| {
                    let state = self.state(column, row);
                    if matches!(state, State::Passed | State::Missing) {
                        return None;
                    }
                    let detail = Self::detail(column, row, state);
                    let first = detail.lines().next().unwrap_or_default();
                    Some(format!(
                        "- `{}`: {}: {}",
                        row.name,
                        state.label(),
                        md(first)
                    ))
                })
                .collect();
            if lines.is_empty() {
                continue;
            }
            let _ = writeln!(out, "### `{}`\n", column.target);
            for line in lines {
                let _ = writeln!(out, "{line}");
            }
            out.push('\n');
        }
        out
    }

    /// Returns the matrix for machines: the runtimes, the pass rates by area, and every
    /// trial's state on every runtime.
    pub fn json(&self) -> Value {
        let rates = self.rates();
        let runtimes: Vec<Value> = self
            .columns
            .iter()
            .map(|column| {
                json!({
                    "target": column.target,
                    "version": column.version,
                    "expectations": column.expectations,
                })
            })
            .collect();
        let areas: serde_json::Map<String, Value> = rates
            .iter()
            .map(|(area, row)| {
                let by_target: serde_json::Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|(column, rate)| {
                        let value = json!({
                            "passed": rate.passed,
                            "ran": rate.ran,
                            "ignored": rate.ignored,
                        });
                        (column.target.clone(), value)
                    })
                    .collect();
                let key = if area.is_empty() { "all" } else { area };
                (key.to_string(), Value::Object(by_target))
            })
            .collect();
        let trials: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let results: serde_json::Map<String, Value> = self
                    .columns
                    .iter()
                    .map(|column| {
                        let state = self.state(column, row);
                        let value = json!({
                            "state": state.as_str(),
                            "detail": Self::detail(column, row, state),
                            "transcript": Self::transcript(column, row),
                        });
                        (column.target.clone(), value)
                    })
                    .collect();
                json!({
                    "name": row.name,
                    "area": row.area,
                    "title": row.title,
                    "results": results,
                })
            })
            .collect();
        json!({ "runtimes": runtimes, "areas": areas, "trials": trials })
    }
}

fn write_rate_row(out: &mut String, label: &str, rates: &[Rate], class: &str) {
    let _ = write!(
        out,
        "<tr class=\"{class}\"><th class=\"trial\">{}</th>",
        escape(label)
    );
    for rate in rates {
        let _ = write!(
            out,
            "<th title=\"{} ignored\">{}</th>",
            rate.ignored,
            escape(&rate.text())
        );
    }
    out.push_str("</tr>\n");
}

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a Markdown table cell or list item.
fn md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

const HTML_HEAD: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Edgecase compatibility matrix</title>
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 24px; color: #1d1d1f; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  p { max-width: 900px; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #d0d0d7; padding: 3px 8px; text-align: center; white-space: nowrap; }
  thead th { position: sticky; top: 0; background: #f4f4f8; white-space: normal; }
  td.cell { min-width: 100px; }
  th.trial, td.trial { text-align: left; font-family: ui-monospace, monospace; }
  .version { font-weight: normal; font-size: 11px; color: #555; max-width: 170px; margin: 0 auto; }
  tr.total th { background: #e4e4ee; }
  tr.area th { background: #eef0f6; text-align: left; }
  tr.area th + th { text-align: center; }
  .cell a { color: inherit; text-decoration: none; display: block; }
  .passed { background: #d8f3dc; }
  .failed { background: #f8c9c9; font-weight: bold; }
  .expected-failure { background: #fde8c8; }
  .unexpected-pass { background: #f3c4f0; font-weight: bold; }
  .ignored { background: #ececec; color: #777; }
  .legend .cell { display: inline-block; padding: 2px 8px; margin-right: 4px; border: 1px solid #d0d0d7; }
</style>
</head>
<body>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn column(target: &str, trials: &[(&str, &str, bool)]) -> Column {
        Column {
            target: target.into(),
            version: format!("{target} 1.0"),
            expectations: Some(format!("conformance/expectations/{target}.json")),
            trials: trials
                .iter()
                .map(|(name, outcome, expected)| {
                    let record = json!({
                        "name": name,
                        "area": name.split('/').next().unwrap(),
                        "title": "A <title>",
                        "outcome": outcome,
                        "expected_failure": expected,
                        "expected_failure_reason": expected.then_some("real clock"),
                        "ignore_reason": "lacks `cpu-limit`",
                        "failure_summary": "status\n  expected: 200",
                        "transcript": "target/edgecase/transcripts/x.txt",
                    });
                    (name.to_string(), record)
                })
                .collect(),
        }
    }

    fn matrix() -> Matrix {
        Matrix::new(vec![
            column(
                "reference",
                &[
                    ("basics/hello::module", "passed", false),
                    ("model/time::module", "passed", false),
                ],
            ),
            column(
                "exec:workerd",
                &[
                    ("basics/hello::module", "failed", false),
                    ("model/time::module", "failed", true),
                    ("model/cpu::module", "ignored", false),
                ],
            ),
        ])
    }

    #[test]
    fn states_follow_outcome_and_flag() {
        assert_eq!(
            State::of(Some(&json!({"outcome": "passed"}))),
            State::Passed
        );
        assert_eq!(
            State::of(Some(
                &json!({"outcome": "failed", "expected_failure": true})
            )),
            State::ExpectedFailure
        );
        assert_eq!(
            State::of(Some(
                &json!({"outcome": "passed", "expected_failure": true})
            )),
            State::UnexpectedPass
        );
        assert_eq!(State::of(None), State::Missing);
    }

    #[test]
    fn rates_count_only_trials_that_ran() {
        let rates = matrix().rates();

        assert_eq!(
            rates["model"][1],
            Rate {
                passed: 0,
                ran: 1,
                ignored: 1
            }
        );
        assert_eq!(rates[""][0].text(), "2/2 (100%)");
        assert_eq!(rates[""][1].text(), "0/2 (0%)");
    }

    #[test]
    fn html_has_titles_and_links() {
        let html = matrix().html();

        assert!(
            html.contains("<div class=\"version\">exec:workerd 1.0</div>"),
            "{html}"
        );
        assert!(
            html.contains("title=\"expected to fail: real clock\n\nstatus\n  expected: 200\">"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"transcripts/exec-workerd/basics/hello.module.txt\">FAIL</a>"),
            "{html}"
        );
        assert!(html.contains("title=\"A &lt;title&gt;\""), "{html}");
    }

    #[test]
    fn markdown_lists_differences() {
        let markdown = matrix().markdown();

        assert!(
            markdown
                .contains("- `model/time::module`: fail (expected): expected to fail: real clock"),
            "{markdown}"
        );
        assert!(
            markdown.contains("- `model/cpu::module`: ignored: lacks `cpu-limit`"),
            "{markdown}"
        );
        assert!(
            markdown.contains("| **all** | 2/2 (100%) | 0/2 (0%) |"),
            "{markdown}"
        );
    }

    #[test]
    fn json_has_states_by_target() {
        let json = matrix().json();

        assert_eq!(json["runtimes"][1]["target"], "exec:workerd");
        assert_eq!(json["areas"]["all"]["exec:workerd"]["ran"], 2);
        let hello = &json["trials"][0];
        assert_eq!(hello["name"], "basics/hello::module");
        assert_eq!(hello["results"]["exec:workerd"]["state"], "failed");
        assert_eq!(hello["results"]["reference"]["state"], "passed");
    }
}
