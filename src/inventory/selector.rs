//! Package selectors: a name and an optional semver range, as policies and clarifications
//! write them (`openssl`, `time@<0.2`).
//!
//! In: a selector and a [`Package`]. Out: whether it matches. Pure.

use std::fmt;

use serde::Serialize;

use super::Package;

/// A package selector: a name and an optional semver range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageSelector {
    /// The package name (exact).
    pub name: String,
    /// The version range; `None` = every version.
    pub version: Option<semver::VersionReq>,
}

impl PackageSelector {
    /// True when the selector matches a package: the name is equal, and the version is in the
    /// range when one is given (a version that is not semver never matches a range).
    pub fn matches(&self, package: &Package) -> bool {
        if self.name != package.name {
            return false;
        }
        match &self.version {
            None => true,
            Some(req) => semver::Version::parse(&package.version)
                .map(|v| req.matches(&v))
                .unwrap_or(false),
        }
    }
}

/// `name` or `name@range`.
impl fmt::Display for PackageSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.version {
            Some(req) => write!(f, "{}@{req}", self.name),
            None => f.write_str(&self.name),
        }
    }
}
