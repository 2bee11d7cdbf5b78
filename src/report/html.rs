//! Shared HTML machinery: a minijinja environment with HTML autoescaping and the inline
//! stylesheet, so every HTML report is one self-contained file (no external scripts,
//! stylesheets, fonts or images) that reads on screen and prints cleanly. The reports have no
//! script at all; the dashboard has one small inline script, pinned by a CSP hash.
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
        ("dashboard.html", include_str!("templates/dashboard.html")),
        ("report.html", include_str!("templates/report.html")),
        ("licenses.html", include_str!("templates/licenses.html")),
        ("notices.html", include_str!("templates/notices.html")),
    ] {
        env.add_template(name, text).map_err(|source| HtmlError {
            template: name.to_string(),
            source,
        })?;
    }
    env.add_filter("thousands", thousands);
    Ok(env)
}

/// `1234567` -> `1,234,567`, so large counts read at a glance (the `thousands` filter).
pub(crate) fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// Renders `template` with `context`; the stylesheet is available as `css`. Templates write it
/// as `{{ css|safe }}`: inside `<style>` the browser does not decode entities, so an escaped
/// `"Segoe UI"` or `15px/1.5` would silently drop the whole declaration.
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

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_groups_digits_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(758_985), "758,985");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
