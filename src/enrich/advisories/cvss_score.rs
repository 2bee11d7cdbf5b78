//! CVSS v3.x and v4.0 vectors → base score → severity label, via the `cvss` crate.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The qualitative severity of an advisory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityLabel {
    /// No severity information.
    Unknown,
    /// Score 0.0.
    None,
    /// 0.1–3.9.
    Low,
    /// 4.0–6.9.
    Medium,
    /// 7.0–8.9.
    High,
    /// 9.0–10.0.
    Critical,
}

impl SeverityLabel {
    /// The CVSS qualitative rating for a base score.
    pub fn from_score(score: f64) -> SeverityLabel {
        if score >= 9.0 {
            SeverityLabel::Critical
        } else if score >= 7.0 {
            SeverityLabel::High
        } else if score >= 4.0 {
            SeverityLabel::Medium
        } else if score > 0.0 {
            SeverityLabel::Low
        } else {
            SeverityLabel::None
        }
    }

    /// A database's textual severity (`CRITICAL`, `HIGH`, `MODERATE`, `MEDIUM`, `LOW`).
    pub fn from_text(text: &str) -> SeverityLabel {
        match text.trim().to_ascii_lowercase().as_str() {
            "critical" => SeverityLabel::Critical,
            "high" => SeverityLabel::High,
            "moderate" | "medium" => SeverityLabel::Medium,
            "low" => SeverityLabel::Low,
            "none" => SeverityLabel::None,
            _ => SeverityLabel::Unknown,
        }
    }

    /// Lowercase name.
    pub fn as_str(&self) -> &'static str {
        match self {
            SeverityLabel::Unknown => "unknown",
            SeverityLabel::None => "none",
            SeverityLabel::Low => "low",
            SeverityLabel::Medium => "medium",
            SeverityLabel::High => "high",
            SeverityLabel::Critical => "critical",
        }
    }
}

impl fmt::Display for SeverityLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The base score of a CVSS v3.0, v3.1 or v4.0 vector; `None` for anything else or junk.
pub fn score_vector(vector: &str) -> Option<f64> {
    let vector = vector.trim();
    if !(vector.starts_with("CVSS:3.") || vector.starts_with("CVSS:4.")) {
        return None;
    }
    let parsed = cvss::Cvss::from_str(vector).ok()?;
    let score = parsed.score();
    // One decimal, as CVSS publishes scores.
    Some((score * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_scores() {
        assert_eq!(
            score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8)
        );
        assert_eq!(
            score_vector("CVSS:3.0/AV:L/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H"),
            Some(5.1)
        );
        assert_eq!(score_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
        assert_eq!(score_vector("CVSS:3.1/garbage"), None);
    }

    #[test]
    fn v4_scores() {
        // Reference values from the FIRST CVSS v4.0 calculator.
        assert_eq!(
            score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(9.3)
        );
        assert_eq!(
            score_vector("CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            Some(8.5)
        );
        assert_eq!(
            score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"),
            Some(0.0)
        );
    }

    #[test]
    fn labels() {
        assert_eq!(SeverityLabel::from_score(9.0), SeverityLabel::Critical);
        assert_eq!(SeverityLabel::from_score(8.9), SeverityLabel::High);
        assert_eq!(SeverityLabel::from_score(4.0), SeverityLabel::Medium);
        assert_eq!(SeverityLabel::from_score(0.1), SeverityLabel::Low);
        assert_eq!(SeverityLabel::from_score(0.0), SeverityLabel::None);
        assert_eq!(SeverityLabel::from_text("MODERATE"), SeverityLabel::Medium);
    }
}
