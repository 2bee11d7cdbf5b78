//! Maven `pom.xml` -> direct dependencies and coverage gaps (stage 1, ingest).
//!
//! In: the POM text. Out: the project as the root, one package per `<dependency>` whose version
//! is known (written explicitly, through `${property}` from `<properties>` and
//! `project.*`, or managed in this POM's `<dependencyManagement>`), with edges whose kind
//! follows the Maven scope (compile/runtime: normal, test: dev, provided/system: build). A POM
//! names only direct dependencies and may inherit versions from a parent POM or an imported
//! BOM that is not available here, so what cannot be resolved is reported as a gap: transitive
//! dependencies, the parent, imported BOMs, and each dependency whose version stays unknown.

use std::collections::BTreeMap;
use std::path::Path;

use quick_xml::events::Event;

use super::IngestError;
use super::gradle::maven_package;
use super::support::{Builder, location};
use crate::inventory::{DepKind, Ecosystem, Edge, Inventory, Package, PackageKind, Source};
use crate::vocabulary::LineIndex;

/// One `<dependency>` as written.
#[derive(Debug, Default, Clone)]
pub(crate) struct PomDependency {
    /// `groupId`.
    pub group: String,
    /// `artifactId`.
    pub artifact: String,
    /// `version`, unresolved.
    pub version: String,
    /// `scope` (empty means compile).
    pub scope: String,
    /// `type` (`pom` with scope `import` is a BOM).
    pub kind: String,
    /// `optional`.
    pub optional: bool,
    /// 1-based line of `<dependency>`.
    pub line: u32,
}

/// One `<license>` of a POM.
#[derive(Debug, Default, Clone)]
pub(crate) struct PomLicense {
    /// `name` as written.
    pub name: String,
    /// `url`.
    pub url: String,
}

/// The parts of a POM depgate reads.
#[derive(Debug, Default)]
pub(crate) struct Pom {
    pub group: String,
    pub artifact: String,
    pub version: String,
    pub parent: Option<PomDependency>,
    pub properties: BTreeMap<String, String>,
    pub dependencies: Vec<PomDependency>,
    pub managed: Vec<PomDependency>,
    pub licenses: Vec<PomLicense>,
}

/// How deep elements may nest in a POM (real ones: under ten levels).
const MAX_DEPTH: usize = 256;

/// Reads a POM; errors carry the byte offset of the problem.
pub(crate) fn read_pom(text: &str) -> Result<Pom, (usize, String)> {
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut pom = Pom::default();
    let mut stack: Vec<String> = Vec::new();
    let mut current: Option<PomDependency> = None;
    let mut license: Option<PomLicense> = None;
    let mut value = String::new();
    let lines = LineIndex::new(text);
    loop {
        let position = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| (reader.error_position() as usize, e.to_string()))?;
        match event {
            Event::Start(start) => {
                // Whitespace before a tag is skipped (trimmed), so the position before the
                // read is not the tag's; step back from its end over `<` + content + `>`.
                let position = (reader.buffer_position() as usize).saturating_sub(start.len() + 2);
                let name = start.local_name().into_inner().to_string();
                value.clear();
                // The path is rebuilt at every tag, so depth costs time squared: a POM is a
                // few levels deep, and a hostile one 100,000 deep took most of a minute.
                if stack.len() >= MAX_DEPTH {
                    return Err((
                        position,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let path = stack.join("/");
                if name == "dependency"
                    && (path == "project/dependencies"
                        || path == "project/dependencyManagement/dependencies")
                {
                    current = Some(PomDependency {
                        line: lines.line_of(position),
                        ..PomDependency::default()
                    });
                }
                if name == "parent" && path == "project" {
                    current = Some(PomDependency {
                        line: lines.line_of(position),
                        ..PomDependency::default()
                    });
                }
                if name == "license" && path == "project/licenses" {
                    license = Some(PomLicense::default());
                }
                stack.push(name);
            }
            Event::Text(text) => value.push_str(&text.xml10_content()),
            Event::CData(data) => value.push_str(&data.xml10_content()),
            Event::GeneralRef(reference) => {
                if let Ok(Some(c)) = reference.resolve_char_ref() {
                    value.push(c);
                } else {
                    value.push_str(match &*reference.into_inner() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else {
                    return Err((position, "closing tag without an opening tag".to_string()));
                };
                let parent = stack.join("/");
                let text = value.trim().to_string();
                match parent.as_str() {
                    "project" => match name.as_str() {
                        "groupId" => pom.group = text,
                        "artifactId" => pom.artifact = text,
                        "version" => pom.version = text,
                        "dependency" | "parent" => {}
                        _ => {}
                    },
                    "project/properties" => {
                        pom.properties.insert(name.clone(), text);
                    }
                    "project/dependencies/dependency"
                    | "project/dependencyManagement/dependencies/dependency"
                    | "project/parent" => {
                        if let Some(dependency) = current.as_mut() {
                            match name.as_str() {
                                "groupId" => dependency.group = text,
                                "artifactId" => dependency.artifact = text,
                                "version" => dependency.version = text,
                                "scope" => dependency.scope = text,
                                "type" => dependency.kind = text,
                                "optional" => dependency.optional = text == "true",
                                _ => {}
                            }
                        }
                    }
                    "project/licenses/license" => {
                        if let Some(license) = license.as_mut() {
                            match name.as_str() {
                                "name" => license.name = text,
                                "url" => license.url = text,
                                _ => {}
                            }
                        }
                    }
                    _ => {}
                }
                let closed = format!("{parent}/{name}");
                match closed.as_str() {
                    "project/dependencies/dependency" => {
                        pom.dependencies.extend(current.take());
                    }
                    "project/dependencyManagement/dependencies/dependency" => {
                        pom.managed.extend(current.take());
                    }
                    "project/parent" => pom.parent = current.take(),
                    "project/licenses/license" => pom.licenses.extend(license.take()),
                    _ => {}
                }
                value.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err((
            text.len(),
            format!("`<{}>` is never closed", stack.join("/")),
        ));
    }
    if pom.artifact.is_empty() {
        return Err((0, "no `<project>` with an `<artifactId>`".to_string()));
    }
    Ok(pom)
}

/// Resolves `${name}` references from properties and `project.*`; `None` if any is unknown.
pub(crate) fn resolve(pom: &Pom, value: &str) -> Option<String> {
    let mut text = value.to_string();
    // Properties may refer to other properties; a bound stops reference cycles.
    for _ in 0..10 {
        let Some(start) = text.find("${") else {
            return Some(text);
        };
        let end = start + text[start..].find('}')?;
        let name = &text[start + 2..end];
        let parent_version = pom.parent.as_ref().map(|p| p.version.clone());
        let replacement = match name {
            "project.version" | "pom.version" | "version" => Some(pom.version.clone())
                .filter(|v| !v.is_empty())
                .or(parent_version),
            "project.groupId" | "pom.groupId" => Some(pom.group.clone())
                .filter(|g| !g.is_empty())
                .or_else(|| pom.parent.as_ref().map(|p| p.group.clone())),
            "project.artifactId" | "pom.artifactId" => Some(pom.artifact.clone()),
            "project.parent.version" => parent_version,
            "project.parent.groupId" => pom.parent.as_ref().map(|p| p.group.clone()),
            other => pom.properties.get(other).cloned(),
        }?;
        text.replace_range(start..=end, &replacement);
    }
    None
}

/// Parses a `pom.xml`.
pub fn parse(path: &Path, text: &str) -> Result<Inventory, IngestError> {
    let pom = read_pom(text).map_err(|(offset, message)| {
        let line = LineIndex::new(text).line_of(offset);
        IngestError::parse(path, Some(line), format!("invalid pom.xml: {message}"))
    })?;
    let group = if pom.group.is_empty() {
        pom.parent
            .as_ref()
            .map(|p| p.group.clone())
            .unwrap_or_default()
    } else {
        pom.group.clone()
    };
    let version = resolve(&pom, &pom.version)
        .filter(|v| !v.is_empty())
        .or_else(|| pom.parent.as_ref().map(|p| p.version.clone()))
        .unwrap_or_default();
    let mut builder = Builder::default();
    let mut root = Package::new(
        Ecosystem::Maven,
        format!("{group}:{}", pom.artifact),
        version,
        location(path, None),
    );
    root.kind = PackageKind::Root;
    root.source = Source::Path {
        path: ".".to_string(),
    };
    let root = builder.add_root(root);
    let display = path.display().to_string();
    let mut gaps: Vec<(String, String, usize)> = Vec::new();
    if let Some(parent) = &pom.parent {
        gaps.push((
            "maven-parent-unresolved".to_string(),
            format!(
                "`{display}` line {}: parent POM `{}:{}:{}` is not read; the dependencies and managed versions it contributes are not in the inventory",
                parent.line, parent.group, parent.artifact, parent.version
            ),
            1,
        ));
    }
    // Versions managed in this POM, by `group:artifact`.
    let mut managed: BTreeMap<String, String> = BTreeMap::new();
    for dependency in &pom.managed {
        if dependency.scope == "import" {
            gaps.push((
                "maven-bom-unresolved".to_string(),
                format!(
                    "`{display}` line {}: imported BOM `{}:{}:{}` is not read; versions it manages are unknown",
                    dependency.line, dependency.group, dependency.artifact, dependency.version
                ),
                1,
            ));
            continue;
        }
        if let (Some(group), Some(artifact), Some(version)) = (
            resolve(&pom, &dependency.group),
            resolve(&pom, &dependency.artifact),
            resolve(&pom, &dependency.version),
        ) {
            managed.insert(format!("{group}:{artifact}"), version);
        }
    }
    let mut unresolved = 0;
    for dependency in &pom.dependencies {
        let group = resolve(&pom, &dependency.group);
        let artifact = resolve(&pom, &dependency.artifact);
        let (Some(group), Some(artifact)) = (group, artifact) else {
            unresolved += 1;
            gaps.push((
                "maven-version-unresolved".to_string(),
                format!(
                    "`{display}` line {}: dependency `{}:{}` has coordinates that use unknown properties",
                    dependency.line, dependency.group, dependency.artifact
                ),
                1,
            ));
            continue;
        };
        let version = if dependency.version.is_empty() {
            managed.get(&format!("{group}:{artifact}")).cloned()
        } else {
            resolve(&pom, &dependency.version)
        };
        let Some(version) = version.filter(|v| !v.is_empty()) else {
            unresolved += 1;
            let why = if dependency.version.is_empty() {
                "has no version here (managed by a parent POM or BOM that is not available)"
                    .to_string()
            } else {
                format!(
                    "has version `{}` that uses an unknown property",
                    dependency.version
                )
            };
            gaps.push((
                "maven-version-unresolved".to_string(),
                format!(
                    "`{display}` line {}: dependency `{group}:{artifact}` {why}; it is not in the inventory",
                    dependency.line
                ),
                1,
            ));
            continue;
        };
        let package = maven_package(path, Some(dependency.line), &group, &artifact, &version);
        let (id, _) = builder.add(format!("{group}:{artifact}@{version}"), package);
        let kind = match dependency.scope.as_str() {
            "test" => DepKind::Dev,
            "provided" | "system" => DepKind::Build,
            _ => DepKind::Normal,
        };
        builder.inventory.add_edge(Edge {
            from: root,
            to: id,
            kind,
            optional: dependency.optional,
        });
    }
    let mut inventory = builder.inventory;
    if !pom.dependencies.is_empty() {
        gaps.push((
            "maven-transitive-unresolved".to_string(),
            format!(
                "`{display}` lists direct dependencies only; their transitive dependencies need Maven resolution and are not in the inventory{}",
                if unresolved > 0 {
                    format!(" ({unresolved} direct dependencies without a known version are left out too)")
                } else {
                    String::new()
                }
            ),
            pom.dependencies.len() - unresolved,
        ));
    }
    for (kind, message, count) in gaps {
        inventory.add_gap(&kind, message, count);
    }
    Ok(inventory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_resolve_recursively_and_project_version() {
        let mut pom = Pom {
            version: "2.0".into(),
            ..Pom::default()
        };
        pom.properties.insert("a".into(), "${b}".into());
        pom.properties.insert("b".into(), "1.5".into());
        pom.properties.insert("loop".into(), "${loop}".into());
        assert_eq!(resolve(&pom, "${a}").as_deref(), Some("1.5"));
        assert_eq!(resolve(&pom, "${project.version}").as_deref(), Some("2.0"));
        assert_eq!(resolve(&pom, "${missing}"), None);
        assert_eq!(resolve(&pom, "${loop}"), None);
    }
}
