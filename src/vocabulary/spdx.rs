//! SPDX license helpers shared by every stage: lenient normalisation of messy license
//! metadata, a case-insensitive id lookup, and the license categories (permissive, weak,
//! strong and network copyleft, public domain, proprietary).
//!
//! In: license strings and SPDX ids. Out: canonical expressions and categories. Pure.

use serde::Serialize;
use spdx::{Expression, LicenseId, LicenseItem};

/// License categories, defined from SPDX license-list facts (see [`category_of`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LicenseCategory {
    /// OSI-approved or FSF-free, not copyleft (MIT, Apache-2.0, BSD-3-Clause, ISC, Zlib...).
    Permissive,
    /// File- or library-level copyleft (MPL-2.0, LGPL-*, EPL-2.0, CDDL-1.0...).
    WeakCopyleft,
    /// Whole-work copyleft (GPL-*, EUPL-*, CC-BY-SA-*...).
    StrongCopyleft,
    /// Copyleft that also triggers on network use (AGPL-*, SSPL-1.0, OSL-3.0...).
    NetworkCopyleft,
    /// Public-domain dedications (CC0-1.0, Unlicense, 0BSD...).
    PublicDomain,
    /// Not OSI-approved nor FSF-free, or a `LicenseRef-…`: proprietary or unknown terms.
    Proprietary,
}

impl LicenseCategory {
    /// Every category.
    pub const ALL: &'static [LicenseCategory] = &[
        LicenseCategory::Permissive,
        LicenseCategory::WeakCopyleft,
        LicenseCategory::StrongCopyleft,
        LicenseCategory::NetworkCopyleft,
        LicenseCategory::PublicDomain,
        LicenseCategory::Proprietary,
    ];

    /// The kebab-case spelling used in policy files.
    pub fn as_str(&self) -> &'static str {
        match self {
            LicenseCategory::Permissive => "permissive",
            LicenseCategory::WeakCopyleft => "weak-copyleft",
            LicenseCategory::StrongCopyleft => "strong-copyleft",
            LicenseCategory::NetworkCopyleft => "network-copyleft",
            LicenseCategory::PublicDomain => "public-domain",
            LicenseCategory::Proprietary => "proprietary",
        }
    }

    /// Parses the spelling used in policy files.
    pub fn parse(text: &str) -> Option<LicenseCategory> {
        LicenseCategory::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == text)
    }
}

/// Network copyleft: the license's obligations also trigger when users interact with the
/// software over a network, or it restricts offering it as a service.
const NETWORK_COPYLEFT: &[&str] = &[
    "AGPL-1.0",
    "AGPL-1.0-only",
    "AGPL-1.0-or-later",
    "AGPL-3.0",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "SSPL-1.0",
    "OSL-1.0",
    "OSL-1.1",
    "OSL-2.0",
    "OSL-2.1",
    "OSL-3.0",
    "RPL-1.1",
    "RPL-1.5",
    "CPAL-1.0",
];

/// Weak copyleft: obligations reach only the licensed files or library, not the whole work.
const WEAK_COPYLEFT: &[&str] = &[
    "LGPL-2.0",
    "LGPL-2.0+",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1+",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0+",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "LGPLLR",
    "MPL-1.0",
    "MPL-1.1",
    "MPL-2.0",
    "MPL-2.0-no-copyleft-exception",
    "EPL-1.0",
    "EPL-2.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "CPL-1.0",
    "IPL-1.0",
    "MS-RL",
    "APSL-2.0",
    "CECILL-C",
    "ErlPL-1.1",
    "SPL-1.0",
    "NPL-1.0",
    "NPL-1.1",
    "EUPL-1.1",
    "EUPL-1.2",
    "Artistic-1.0",
    "Artistic-2.0",
    "CATOSL-1.1",
    "LiLiQ-R-1.1",
    "OpenSSL",
];

/// Strong copyleft besides what SPDX flags as copyleft: whole-work share-alike licenses.
const STRONG_COPYLEFT: &[&str] = &[
    "GPL-1.0",
    "GPL-1.0+",
    "GPL-1.0-only",
    "GPL-1.0-or-later",
    "GPL-2.0",
    "GPL-2.0+",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0+",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "EUPL-1.0",
    "CECILL-2.0",
    "CECILL-2.1",
    "Sleepycat",
    "CC-BY-SA-3.0",
    "CC-BY-SA-4.0",
    "QPL-1.0",
    "ODbL-1.0",
];

/// Permissive licenses that are neither OSI-approved nor FSF-listed in the SPDX data, but
/// whose terms only ask for attribution (data and notice-style licenses).
const PERMISSIVE_EXTRA: &[&str] = &[
    "CDLA-Permissive-1.0",
    "CDLA-Permissive-2.0",
    "BlueOak-1.0.0",
    "curl",
    "MIT-CMU",
    "bzip2-1.0.6",
    "libpng-2.0",
    "X11-distribute-modifications-variant",
];

/// Public-domain dedications and equivalents.
const PUBLIC_DOMAIN: &[&str] = &[
    "CC0-1.0",
    "Unlicense",
    "0BSD",
    "PDDL-1.0",
    "CC-PDDC",
    "blessing",
    "SAX-PD",
    "WTFPL",
    "MIT-0",
];

/// Several licenses of one package as a choice (`A OR B`), in the given order, each compound
/// parenthesised; one license stays as written; `None` for none.
pub fn choice_of(licenses: &[&str]) -> Option<String> {
    match licenses {
        [] => None,
        [one] => Some(one.to_string()),
        many => Some(
            many.iter()
                .map(|license| {
                    if license.contains(' ') {
                        format!("({license})")
                    } else {
                        license.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
    }
}

/// The category of an SPDX license, from the license list's facts:
///
/// | category | rule |
/// |---|---|
/// | network-copyleft | listed in `NETWORK_COPYLEFT` (AGPL, SSPL, OSL, RPL, CPAL) |
/// | weak-copyleft | listed in `WEAK_COPYLEFT` (LGPL, MPL, EPL, CDDL, EUPL-1.1+, Artistic…) |
/// | public-domain | listed in `PUBLIC_DOMAIN` (CC0-1.0, Unlicense, 0BSD, WTFPL, MIT-0…) |
/// | strong-copyleft | listed in `STRONG_COPYLEFT`, or SPDX `is_copyleft()` and not above |
/// | permissive | OSI-approved or FSF free/libre, and not copyleft; or in `PERMISSIVE_EXTRA` |
/// | proprietary | none of the above (not OSI nor FSF: BUSL-1.1, CC-BY-NC-*…) |
pub fn category_of(id: LicenseId) -> LicenseCategory {
    let name = id.name;
    if NETWORK_COPYLEFT.contains(&name) {
        LicenseCategory::NetworkCopyleft
    } else if WEAK_COPYLEFT.contains(&name) {
        LicenseCategory::WeakCopyleft
    } else if PUBLIC_DOMAIN.contains(&name) {
        LicenseCategory::PublicDomain
    } else if STRONG_COPYLEFT.contains(&name) || id.is_copyleft() {
        LicenseCategory::StrongCopyleft
    } else if id.is_osi_approved() || id.is_fsf_free_libre() || PERMISSIVE_EXTRA.contains(&name) {
        LicenseCategory::Permissive
    } else {
        LicenseCategory::Proprietary
    }
}

/// The category of one license term (a `LicenseRef-…` is proprietary/unknown).
pub fn category_of_item(item: &LicenseItem) -> LicenseCategory {
    match item {
        LicenseItem::Spdx { id, .. } => category_of(*id),
        LicenseItem::Other(_) => LicenseCategory::Proprietary,
    }
}

/// A case-insensitive lookup of an SPDX license or exception id: `mit` -> `MIT`.
pub fn suggest_id(text: &str) -> Option<String> {
    let text = text.trim();
    spdx::identifiers::LICENSES
        .iter()
        .map(|l| l.name)
        .chain(spdx::identifiers::EXCEPTIONS.iter().map(|e| e.name))
        .find(|name| name.eq_ignore_ascii_case(text) && *name != text)
        .map(str::to_string)
}

/// A license expression read leniently: what was written and how it was read.
#[derive(Debug, Clone)]
pub struct Normalized {
    /// As written by the metadata.
    pub original: String,
    /// The canonical SPDX form it was read as.
    pub normalized: String,
    /// The parsed expression.
    pub expression: Expression,
}

impl Normalized {
    /// `` `MIT` `` or `` `MIT/Apache-2.0` (read as `MIT OR Apache-2.0`) ``.
    pub fn describe(&self) -> String {
        if self.original.trim() == self.normalized {
            format!("`{}`", self.normalized)
        } else {
            format!("`{}` (read as `{}`)", self.original, self.normalized)
        }
    }
}

/// Reads messy license metadata: strict SPDX first; else a case-insensitive id pass, then the
/// spdx crate's lax mode (`/` as `OR`, imprecise names such as `Apache 2.0`, deprecated ids
/// such as `GPL-2.0`), canonicalised. An unknown id stays an error: we never guess.
pub fn normalize(text: &str) -> Result<Normalized, String> {
    let original = text.trim();
    if original.is_empty() {
        return Err("the license is empty".to_string());
    }
    if let Ok(expression) = Expression::parse(original) {
        return Ok(Normalized {
            original: original.to_string(),
            normalized: original.to_string(),
            expression,
        });
    }
    let prepassed = case_prepass(original);
    let canonical = match Expression::canonicalize(&prepassed) {
        Ok(Some(canonical)) => canonical,
        Ok(None) => prepassed.clone(),
        Err(error) => return Err(error.reason.to_string()),
    };
    match Expression::parse(&canonical) {
        Ok(expression) => Ok(Normalized {
            original: original.to_string(),
            normalized: canonical,
            expression,
        }),
        Err(error) => Err(error.reason.to_string()),
    }
}

/// Fixes the case of known ids and operators: `mit or apache-2.0` -> `MIT OR Apache-2.0`.
fn case_prepass(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let upper = word.to_ascii_uppercase();
        let fixed = if matches!(upper.as_str(), "AND" | "OR" | "WITH") {
            upper
        } else if spdx::license_id(word).is_some() || spdx::exception_id(word).is_some() {
            word.clone()
        } else {
            let (base, plus) = match word.strip_suffix('+') {
                Some(base) => (base, "+"),
                None => (word.as_str(), ""),
            };
            suggest_id(base)
                .map(|s| format!("{s}{plus}"))
                .unwrap_or_else(|| word.clone())
        };
        out.push_str(&fixed);
        word.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() || c == '(' || c == ')' || c == '/' {
            flush(&mut word, &mut out);
            out.push(c);
        } else {
            word.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn category(name: &str) -> LicenseCategory {
        category_of(spdx::license_id(name).unwrap())
    }

    #[test]
    fn categories_follow_the_table() {
        assert_eq!(category("MIT"), LicenseCategory::Permissive);
        assert_eq!(category("Apache-2.0"), LicenseCategory::Permissive);
        assert_eq!(category("BSD-3-Clause"), LicenseCategory::Permissive);
        assert_eq!(category("MPL-2.0"), LicenseCategory::WeakCopyleft);
        assert_eq!(category("LGPL-2.1-or-later"), LicenseCategory::WeakCopyleft);
        assert_eq!(category("GPL-3.0-only"), LicenseCategory::StrongCopyleft);
        assert_eq!(
            category("AGPL-3.0-or-later"),
            LicenseCategory::NetworkCopyleft
        );
        assert_eq!(category("CC0-1.0"), LicenseCategory::PublicDomain);
        assert_eq!(category("Unlicense"), LicenseCategory::PublicDomain);
        assert_eq!(category("BUSL-1.1"), LicenseCategory::Proprietary);
        assert_eq!(category("Unicode-3.0"), LicenseCategory::Permissive);
    }

    #[test]
    fn messy_metadata_is_normalised_and_shown() {
        let n = normalize("MIT/Apache-2.0").unwrap();
        assert_eq!(n.normalized, "MIT OR Apache-2.0");
        assert_eq!(
            n.describe(),
            "`MIT/Apache-2.0` (read as `MIT OR Apache-2.0`)"
        );
        assert_eq!(normalize("Apache 2.0").unwrap().normalized, "Apache-2.0");
        assert_eq!(normalize("GPL-2.0").unwrap().normalized, "GPL-2.0-only");
        assert_eq!(
            normalize("mit or apache-2.0").unwrap().normalized,
            "MIT OR Apache-2.0"
        );
        assert_eq!(normalize("MIT").unwrap().describe(), "`MIT`");
        assert!(normalize("Totally-Made-Up-1.0").is_err());
        assert!(normalize("  ").is_err());
    }

    #[test]
    fn suggestions_fix_case_only() {
        assert_eq!(suggest_id("mit").as_deref(), Some("MIT"));
        assert_eq!(suggest_id("apache-2.0").as_deref(), Some("Apache-2.0"));
        assert_eq!(suggest_id("MIT"), None);
    }
}
