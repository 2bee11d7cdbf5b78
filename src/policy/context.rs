//! Reading one policy file: spans become origins, problems are collected instead of stopping
//! at the first, and the values every section shares are checked here (levels, non-empty text,
//! numbers in a range, version ranges, package selectors).
//!
//! In: a file's path and text, and its values with spans. Out: checked values with the
//! [`Origin`] they were written at, and the file's [`Problem`]s.

use std::fmt::Display;
use std::ops::{Range, RangeInclusive};
use std::path::Path;

use serde::de::{DeserializeOwned, Visitor};
use toml::Spanned;
use toml::de::{DeValue, ValueDeserializer};

use super::model::{Origin, PackageSelector};
use super::validate::Problem;
use crate::vocabulary::Level;

/// A span-carrying string.
pub(super) type Text = Spanned<String>;

/// A scalar setting of a section and where it was written; `None` when the file leaves it out.
pub(super) type Setting<T> = Option<(T, Origin)>;

/// The value of a setting, without its origin.
pub(super) fn value<T: Clone>(setting: &Setting<T>) -> Option<T> {
    setting.as_ref().map(|(value, _)| value.clone())
}

/// One file being read: turns spans into origins and collects its problems.
pub(super) struct FileContext<'a> {
    path: &'a Path,
    text: &'a str,
    /// Every problem found so far, in the order found.
    pub problems: Vec<Problem>,
}

impl<'a> FileContext<'a> {
    /// A context for `text`, read from `path`.
    pub fn new(path: &'a Path, text: &'a str) -> Self {
        Self {
            path,
            text,
            problems: Vec::new(),
        }
    }

    /// The file's text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Where the byte offset `span.start` is: the file, its line and column.
    pub fn origin(&self, span: Range<usize>) -> Origin {
        let (line, column) = crate::vocabulary::line_column(self.text, span.start);
        Origin {
            file: self.path.to_path_buf(),
            line,
            column,
        }
    }

    /// Records a problem at `span`.
    pub fn problem(&mut self, span: Range<usize>, message: impl Into<String>) {
        let origin = self.origin(span);
        self.problem_at(&origin, message);
    }

    /// Records a problem at `origin` (an entry's, when no one key is to blame).
    pub fn problem_at(&mut self, origin: &Origin, message: impl Into<String>) {
        self.problems.push(Problem::at(origin, message));
    }

    /// Deserialises one value into a raw struct, recording a problem instead of failing.
    pub fn deserialize<T: DeserializeOwned>(
        &mut self,
        value: Spanned<DeValue<'_>>,
        what: &str,
    ) -> Option<T> {
        let span = value.span();
        let mut value = value;
        // Serde stops at the first error. To report every problem, the key that caused an
        // error is recorded, removed, and the rest deserialised again.
        loop {
            let error = match T::deserialize(ValueDeserializer::from(value.clone())) {
                Ok(parsed) => return Some(parsed),
                Err(error) => error,
            };
            let at = error.span().unwrap_or(span.clone());
            self.problem(at.clone(), format!("in {what}: {}", error.message().trim()));
            let DeValue::Table(table) = value.get_mut() else {
                return None;
            };
            let culprit = table
                .iter()
                .find(|(key, item)| {
                    at != span
                        && key.span().start <= at.start
                        && at.start < item.span().end.max(key.span().end)
                })
                .map(|(key, _)| key.clone());
            match culprit {
                Some(key) => {
                    table.remove(&key);
                }
                None => return None,
            }
        }
    }

    /// Deserialises one entry of an array of tables, with where it was written.
    pub fn entry<T: DeserializeOwned>(
        &mut self,
        value: Spanned<DeValue<'_>>,
        what: &str,
    ) -> Option<(T, Origin)> {
        let entry = self.deserialize::<Spanned<T>>(value, what)?;
        let origin = self.origin(entry.span());
        Some((entry.into_inner(), origin))
    }

    /// Checks each text of a list with `check`, keeping the ones that pass.
    pub fn each<T>(&mut self, texts: &[Text], check: fn(&mut Self, &Text) -> Option<T>) -> Vec<T> {
        texts.iter().filter_map(|text| check(self, text)).collect()
    }

    /// A rule level: `deny`, `warn` or `allow`; anything else is a problem at its span, never
    /// a silent default.
    pub fn level(&mut self, text: &Text) -> Option<(Level, Origin)> {
        let origin = self.origin(text.span());
        match text.get_ref().as_str() {
            "deny" => Some((Level::Deny, origin)),
            "warn" => Some((Level::Warn, origin)),
            "allow" => Some((Level::Allow, origin)),
            other => {
                self.problem(
                    text.span(),
                    format!("unknown level `{other}`: expected `deny`, `warn` or `allow`"),
                );
                None
            }
        }
    }

    /// The trimmed text, or a problem when it is empty.
    pub fn non_empty(&mut self, text: &Text, what: &str) -> Option<String> {
        let value = text.get_ref().trim();
        if value.is_empty() {
            self.problem(text.span(), format!("{what} must not be empty"));
            None
        } else {
            Some(value.to_string())
        }
    }

    /// An optional text that must not be empty when written.
    pub fn optional_text(&mut self, text: &Option<Text>, what: &str) -> Option<String> {
        text.as_ref().and_then(|text| self.non_empty(text, what))
    }

    /// An optional non-empty text as a setting, with where it was written.
    pub fn text_setting(&mut self, text: &Option<Text>, what: &str) -> Setting<String> {
        let text = text.as_ref()?;
        let value = self.non_empty(text, what)?;
        Some((value, self.origin(text.span())))
    }

    /// A number that must lie in `range`; out of range is a problem at its span.
    pub fn in_range<T: PartialOrd + Display + Copy>(
        &mut self,
        number: &Option<Spanned<T>>,
        range: RangeInclusive<T>,
        problem: &str,
    ) -> Setting<T> {
        let number = number.as_ref()?;
        let value = *number.get_ref();
        if range.contains(&value) {
            Some((value, self.origin(number.span())))
        } else {
            self.problem(number.span(), format!("{problem}, not {value}"));
            None
        }
    }

    /// An optional semver range; `Err` when one is written and does not parse.
    pub fn version_req(&mut self, text: &Option<Text>) -> Result<Option<semver::VersionReq>, ()> {
        let Some(text) = text else { return Ok(None) };
        match semver::VersionReq::parse(text.get_ref()) {
            Ok(req) => Ok(Some(req)),
            Err(error) => {
                self.problem(
                    text.span(),
                    format!("invalid version range `{}`: {error}", text.get_ref()),
                );
                Err(())
            }
        }
    }

    /// A package `name` with an optional version range, both checked.
    pub fn selector(&mut self, name: &Text, version: &Option<Text>) -> Option<PackageSelector> {
        let name = self.non_empty(name, "`name`");
        let version = self.version_req(version);
        Some(PackageSelector {
            name: name?,
            version: version.ok()?,
        })
    }
}

/// The keys a serde struct reads (its field names, as renamed), so a section can name every
/// key it accepts: its own fields and the ones the rule table gives it. A derived
/// `Deserialize` hands its field list to `deserialize_struct`; this deserializer keeps that
/// list and reads nothing. (`serde-aux` has the same trick, with two more crates behind it.)
pub(super) fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields<'a>(&'a mut &'static [&'static str]);

    impl<'de> serde::Deserializer<'de> for Fields<'_> {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("only the field names are read"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(serde::de::Error::custom("only the field names are read"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    // The error is the point: the deserializer stops as soon as it has the field list.
    let _only_the_fields: Result<T, _> = T::deserialize(Fields(&mut fields));
    fields
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize)]
    #[serde(rename_all = "kebab-case")]
    #[allow(dead_code)]
    struct Sample {
        plain: Option<String>,
        two_words: Vec<String>,
        #[serde(rename = "other")]
        renamed: bool,
    }

    #[test]
    fn field_names_are_the_renamed_serde_fields() {
        assert_eq!(
            field_names::<Sample>(),
            &["plain", "two-words", "other"][..]
        );
        // A type that is not a struct has no fields.
        assert!(field_names::<String>().is_empty());
    }
}
