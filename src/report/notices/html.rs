//! Third-party notices as one self-contained HTML page (inline CSS, no scripts or external
//! assets), autoescaped by minijinja, with print rules.
//!
//! In: a [`NoticesReport`]. Out: HTML bytes.

use minijinja::context;
use minijinja::value::Serde;

use super::NoticesReport;
use crate::report::html::{HtmlError, STYLESHEET, render as render_template};

/// Renders the notices as HTML.
pub fn render(report: &NoticesReport) -> Result<Vec<u8>, HtmlError> {
    render_template(
        "notices.html",
        context! {
            report => Serde(report),
            css => STYLESHEET,
        },
    )
}
