//! Shared HTML machinery: a minijinja environment with HTML autoescaping and the inline
//! stylesheet, so every HTML report is one self-contained file (no scripts, no external
//! stylesheets, fonts or images) that reads on screen and prints cleanly.
//!
//! In: a template name and a serialisable context. Out: HTML bytes.

use minijinja::Environment;

/// The stylesheet inlined into every HTML report (screen and print rules).
pub const STYLESHEET: &str = include_str!("templates/report.css");

/// Why an HTML report could not be rendered (a bug in a template, not bad input).
#[derive(Debug, thiserror::Error)]
#[error("cannot render the HTML report `{template}`")]
pub struct HtmlError {
    /// The template.
    pub template: String,
    /// The template engine's error.
    #[source]
    pub source: minijinja::Error,
}

/// The environment with every report template. Templates named `*.html` are autoescaped.
fn environment() -> Result<Environment<'static>, HtmlError> {
    let mut env = Environment::new();
    for (name, text) in [
        ("licenses.html", include_str!("templates/licenses.html")),
        ("notices.html", include_str!("templates/notices.html")),
    ] {
        env.add_template(name, text).map_err(|source| HtmlError {
            template: name.to_string(),
            source,
        })?;
    }
    Ok(env)
}

/// Renders `template` with `context`; the stylesheet is available as `css`.
pub fn render(template: &str, context: minijinja::Value) -> Result<Vec<u8>, HtmlError> {
    let env = environment()?;
    let error = |source| HtmlError {
        template: template.to_string(),
        source,
    };
    let compiled = env.get_template(template).map_err(error)?;
    let mut text = compiled.render(context).map_err(error)?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text.into_bytes())
}
