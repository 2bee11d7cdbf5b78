//! VEX against the official schemas and examples in `../shared/data/vex` and the CycloneDX
//! vulnerability test documents: depgate's reader and the schemas agree on which documents
//! are valid, and every document `depgate vex` writes validates (CSAF also passes the VEX
//! profile's mandatory tests that can be checked offline).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use depgate::enrich::vex::{self, Justification, VexError, VexStatus};
use serde_json::{Value, json};

use crate::data_dir;
use crate::sbom::json_validator;

/// A named way to break a valid document.
type Mutation = (&'static str, Box<dyn Fn(&mut Value)>);

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator
        .iter_errors(document)
        .map(|error| format!("{error} at `{}`", error.instance_path))
        .collect()
}

/// The OpenVEX 0.2.0 schema.
fn openvex_validator(data: &Path) -> jsonschema::Validator {
    let dir = data.join("vex/openvex");
    json_validator(&dir.join("openvex_json_schema-0.2.0.json"), &dir)
}

/// The CSAF 2.0 schema (its CVSS schemas resolved from the same folder).
fn csaf_validator(data: &Path) -> jsonschema::Validator {
    let dir = data.join("vex/csaf/schema");
    json_validator(&dir.join("csaf_json_schema-2.0.json"), &dir)
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files
}

fn read_value(value: &Value) -> Result<vex::VexDocument, VexError> {
    vex::parse(Path::new("mutated.json"), &value.to_string())
}

#[test]
fn openvex_examples_the_reader_and_the_schema_agree() {
    let Some(data) = data_dir() else {
        return;
    };
    let dir = data.join("vex/openvex");
    let validator = openvex_validator(&data);
    let mut verdicts = BTreeMap::new();
    for file in files(&dir.join("examples")) {
        let text = std::fs::read_to_string(&file).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        let read = vex::parse(&file, &text);
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if value["@context"] == "https://openvex.dev/ns/v0.2.0" {
            // The 0.2.0 schema covers these: both say valid, or both say invalid.
            let errors = schema_errors(&validator, &value);
            assert_eq!(
                read.is_ok(),
                errors.is_empty(),
                "{name}: reader {read:?}, schema {errors:?}"
            );
        } else {
            // 0.0.1 has no published schema; the reader takes every example.
            assert!(read.is_ok(), "{name}: {read:?}");
        }
        verdicts.insert(name, read.is_ok());
    }
    // Two of go-vex's 0.2.0 test documents lack the required `timestamp` and `version`.
    assert_eq!(verdicts.get("vex_testdata_v0.2.0.json"), Some(&true));
    assert_eq!(verdicts.get("vex_testdata_v020-1.vex.json"), Some(&false));
    assert_eq!(
        verdicts.values().filter(|ok| **ok).count(),
        4,
        "{verdicts:?}"
    );

    let valid: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("examples/vex_testdata_v0.2.0.json")).unwrap(),
    )
    .unwrap();
    let document = read_value(&valid).unwrap();
    assert_eq!(document.statements.len(), 5);
    let not_affected = &document.statements[3];
    assert_eq!(not_affected.status, VexStatus::NotAffected);
    assert_eq!(
        not_affected.justification,
        Some(Justification::VulnerableCodeNotPresent)
    );
    assert_eq!(
        not_affected.products[0].subcomponents[0].purl.as_deref(),
        Some("pkg:apk/alpine/libssl3@3.0.8-r3")
    );
    // Broken copies: the schema and the reader both reject each.
    let mutations: Vec<Mutation> = vec![
        (
            "unknown status",
            Box::new(|v| v["statements"][0]["status"] = json!("resolved")),
        ),
        (
            "no author",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("author");
            }),
        ),
        (
            "unknown member",
            Box::new(|v| v["statements"][0]["severity"] = json!("high")),
        ),
        (
            "not_affected without a reason",
            Box::new(|v| {
                let statement = v["statements"][3].as_object_mut().unwrap();
                statement.remove("justification");
                statement.remove("impact_statement");
            }),
        ),
        (
            "affected without an action",
            Box::new(|v| v["statements"][0]["status"] = json!("affected")),
        ),
        ("version 0", Box::new(|v| v["version"] = json!(0))),
        (
            "product without id",
            Box::new(|v| v["statements"][0]["products"][0] = json!({"hashes": {}})),
        ),
    ];
    for (name, mutate) in mutations {
        let mut broken = valid.clone();
        mutate(&mut broken);
        assert!(
            !schema_errors(&validator, &broken).is_empty(),
            "{name}: schema accepts"
        );
        let error = read_value(&broken).expect_err(name);
        assert!(error.to_string().contains("at `$"), "{name}: {error}");
    }
}

/// The CSAF 2.0 mandatory tests (section 6.1) that apply to a VEX document and need nothing
/// but the document: the problems found, empty when it passes.
fn csaf_mandatory_problems(document: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let tree = &document["product_tree"];
    // 6.1.2: each product id defined once; 6.1.13: helper purls parse.
    let mut defined = BTreeSet::new();
    let mut definitions = Vec::new();
    let mut stack: Vec<&Value> = tree["branches"].as_array().into_iter().flatten().collect();
    while let Some(branch) = stack.pop() {
        definitions.extend(branch.get("product"));
        stack.extend(branch["branches"].as_array().into_iter().flatten());
    }
    definitions.extend(tree["full_product_names"].as_array().into_iter().flatten());
    definitions.extend(
        tree["relationships"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| &r["full_product_name"]),
    );
    for definition in definitions {
        let id = definition["product_id"].as_str().unwrap_or_default();
        if !defined.insert(id.to_string()) {
            problems.push(format!("6.1.2: `{id}` defined twice"));
        }
        if let Some(purl) = definition["product_identification_helper"]["purl"].as_str()
            && !depgate::inventory::purl::matches(
                purl,
                purl,
                depgate::inventory::purl::Qualifiers::Respect,
            )
        {
            problems.push(format!("6.1.13: `{purl}` is not a purl"));
        }
    }
    let groups: BTreeMap<&str, Vec<&str>> = tree["product_groups"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|g| {
            let members = g["product_ids"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str);
            (
                g["group_id"].as_str().unwrap_or_default(),
                members.collect(),
            )
        })
        .collect();
    let ids_of = |item: &Value| -> Vec<String> {
        let mut ids: Vec<String> = item["product_ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        for group in item["group_ids"].as_array().into_iter().flatten() {
            ids.extend(
                groups[group.as_str().unwrap()]
                    .iter()
                    .map(|s| s.to_string()),
            );
        }
        ids
    };
    // 6.1.14/6.1.16: the history is sorted and the version is its last number.
    let tracking = &document["document"]["tracking"];
    let history = tracking["revision_history"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let dates: Vec<&str> = history.iter().filter_map(|r| r["date"].as_str()).collect();
    if !dates.windows(2).all(|pair| pair[0] <= pair[1]) {
        problems.push("6.1.14: revision history not sorted".into());
    }
    if tracking["status"] == "final"
        && history.last().map(|r| &r["number"]) != Some(&tracking["version"])
    {
        problems.push("6.1.16: version is not the last revision".into());
    }
    // 6.1.27.4 and 6.1.27.11: a product tree and vulnerabilities.
    if tree.is_null() {
        problems.push("6.1.27.4: no product tree".into());
    }
    let vulnerabilities = document["vulnerabilities"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if vulnerabilities.is_empty() {
        problems.push("6.1.27.11: no vulnerabilities".into());
    }
    let mut cves = BTreeSet::new();
    for (index, vulnerability) in vulnerabilities.iter().enumerate() {
        let at = format!("vulnerabilities[{index}]");
        if let Some(cve) = vulnerability["cve"].as_str()
            && !cves.insert(cve.to_string())
        {
            problems.push(format!("6.1.23: {at}: `{cve}` used twice"));
        }
        if vulnerability["notes"].as_array().is_none_or(Vec::is_empty) {
            problems.push(format!("6.1.27.5: {at}: no notes"));
        }
        if vulnerability["cve"].is_null() && vulnerability["ids"].is_null() {
            problems.push(format!("6.1.27.8: {at}: neither `cve` nor `ids`"));
        }
        let status = &vulnerability["product_status"];
        let list = |key: &str| -> Vec<String> {
            status[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        };
        if [
            "fixed",
            "known_affected",
            "known_not_affected",
            "under_investigation",
        ]
        .iter()
        .all(|key| list(key).is_empty())
        {
            problems.push(format!("6.1.27.6/7: {at}: no VEX product status"));
        }
        // 6.1.6: one status group per product.
        let mut group_of: BTreeMap<String, &str> = BTreeMap::new();
        for (group, keys) in [
            (
                "affected",
                &["first_affected", "known_affected", "last_affected"][..],
            ),
            ("not affected", &["known_not_affected"][..]),
            ("fixed", &["first_fixed", "fixed"][..]),
            ("under investigation", &["under_investigation"][..]),
        ] {
            for id in keys.iter().flat_map(|key| list(key)) {
                if let Some(other) = group_of.insert(id.clone(), group)
                    && other != group
                {
                    problems.push(format!("6.1.6: {at}: `{id}` is {other} and {group}"));
                }
            }
        }
        let referenced_by = |key: &str, filter: &dyn Fn(&Value) -> bool| -> Vec<Vec<String>> {
            vulnerability[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|item| filter(item))
                .map(ids_of)
                .collect()
        };
        let flags = referenced_by("flags", &|_| true);
        let impacts = referenced_by("threats", &|t| t["category"] == "impact");
        let remediations = referenced_by("remediations", &|_| true);
        // 6.1.29 and 6.1.32: remediations and flags name products.
        for (what, lists) in [
            ("6.1.29 remediation", &remediations),
            ("6.1.32 flag", &flags),
        ] {
            if lists.iter().any(Vec::is_empty) {
                problems.push(format!("{what} without a product in {at}"));
            }
        }
        // 6.1.33: at most one flag per product.
        let mut flagged = BTreeSet::new();
        for id in flags.iter().flatten() {
            if !flagged.insert(id.clone()) {
                problems.push(format!("6.1.33: {at}: `{id}` has several flags"));
            }
        }
        for id in list("known_not_affected") {
            if !flagged.contains(&id) && !impacts.iter().flatten().any(|i| *i == id) {
                problems.push(format!("6.1.27.9: {at}: `{id}` has no flag or impact"));
            }
        }
        for id in list("known_affected") {
            if !remediations.iter().flatten().any(|i| *i == id) {
                problems.push(format!("6.1.27.10: {at}: `{id}` has no remediation"));
            }
        }
        // 6.1.1: every product id used is defined.
        let used = [
            "first_affected",
            "first_fixed",
            "fixed",
            "known_affected",
            "known_not_affected",
            "last_affected",
            "under_investigation",
        ]
        .iter()
        .flat_map(|key| list(key))
        .chain(
            flags
                .iter()
                .chain(&impacts)
                .chain(&remediations)
                .flatten()
                .cloned(),
        );
        for id in used {
            if !defined.contains(&id) {
                problems.push(format!("6.1.1: {at}: `{id}` is not defined"));
            }
        }
    }
    problems
}

#[test]
fn csaf_examples_validate_are_read_and_pass_the_offline_mandatory_tests() {
    let Some(data) = data_dir() else {
        return;
    };
    let dir = data.join("vex/csaf");
    let validator = csaf_validator(&data);
    let examples = files(&dir.join("examples"));
    assert_eq!(examples.len(), 13);
    let mut statements = 0;
    for file in &examples {
        let text = std::fs::read_to_string(file).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        let name = file.display();
        assert_eq!(
            schema_errors(&validator, &value),
            Vec::<String>::new(),
            "{name}"
        );
        assert_eq!(
            csaf_mandatory_problems(&value),
            Vec::<String>::new(),
            "{name}"
        );
        let document = vex::parse(file, &text).unwrap_or_else(|e| panic!("{e}"));
        assert!(!document.statements.is_empty(), "{name}");
        statements += document.statements.len();
    }
    assert!(statements >= 13, "{statements}");

    // Broken copies: the schema and the reader reject each; the checker is not vacuous.
    let valid: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("examples/sec-vex-2022-0001.json")).unwrap(),
    )
    .unwrap();
    let mutations: Vec<Mutation> = vec![
        (
            "tracking status",
            Box::new(|v| v["document"]["tracking"]["status"] = json!("done")),
        ),
        (
            "no namespace",
            Box::new(|v| {
                v["document"]["publisher"]
                    .as_object_mut()
                    .unwrap()
                    .remove("namespace");
            }),
        ),
        (
            "flag label",
            Box::new(|v| v["vulnerabilities"][0]["flags"][0]["label"] = json!("not_present")),
        ),
        (
            "threat category",
            Box::new(|v| v["vulnerabilities"][0]["threats"][0]["category"] = json!("effect")),
        ),
    ];
    for (name, mutate) in mutations {
        let mut broken = valid.clone();
        mutate(&mut broken);
        assert!(
            !schema_errors(&validator, &broken).is_empty(),
            "{name}: schema accepts"
        );
        assert!(read_value(&broken).is_err(), "{name}: reader accepts");
    }
    let mut undefined = valid.clone();
    undefined["vulnerabilities"][0]["product_status"]["known_not_affected"] = json!(["CSAFPID-9"]);
    assert!(
        csaf_mandatory_problems(&undefined)
            .iter()
            .any(|p| p.starts_with("6.1.1:"))
    );
    let error = read_value(&undefined).unwrap_err().to_string();
    assert!(error.contains("`CSAFPID-9` is not defined"), "{error}");
}

#[test]
fn cyclonedx_vulnerability_test_documents_are_read() {
    let Some(data) = data_dir() else {
        return;
    };
    let boms = data.join("cyclonedx-schema/test-boms");
    for (file, last) in [
        ("1.4/valid-vulnerability-1.4.json", "2021-01-01T00:00:00Z"),
        ("1.5/valid-vulnerability-1.5.json", "2022-02-01T00:00:00Z"),
        ("1.6/valid-vulnerability-1.6.json", "2022-02-01T00:00:00Z"),
        ("1.6/valid-vulnerability-1.6.xml", "2022-02-01T00:00:00Z"),
    ] {
        let document = vex::read(&boms.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(document.statements.len(), 1, "{file}");
        let statement = &document.statements[0];
        assert_eq!(statement.status, VexStatus::NotAffected, "{file}");
        assert_eq!(
            statement.justification,
            Some(Justification::VulnerableCodeNotInExecutePath),
            "{file}"
        );
        assert_eq!(statement.aliases, ["CVE-2018-7489"], "{file}");
        assert_eq!(
            statement.products[0].component.purl.as_deref(),
            Some("pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.4"),
            "{file}"
        );
        assert_eq!(
            statement.timestamp.map(depgate::util::rfc3339).as_deref(),
            Some(last),
            "{file}"
        );
    }
    let error = vex::read(&boms.join("1.7/valid-vulnerability-1.7.json")).unwrap_err();
    assert!(matches!(error, VexError::NotVex { .. }), "{error}");
}

/// `depgate vex` of the VEX fixture project in `format`, with `policy` and the vendor's
/// OpenVEX document when `carry` is set.
fn written(format: &str, policy: &str, carry: bool) -> Value {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vex");
    let mut command = Command::new(env!("CARGO_BIN_EXE_depgate"));
    command
        .arg("vex")
        .arg(fixtures.join("project"))
        .arg("--policy")
        .arg(fixtures.join(policy))
        .arg("--advisory-db")
        .arg(fixtures.join("advisories"))
        .args(["--allow-stale-db", "--offline", "--format", format]);
    if carry {
        command
            .arg("--vex")
            .arg(fixtures.join("documents/vendor.openvex.json"));
    }
    let output = command
        .env("SOURCE_DATE_EPOCH", "4083264000")
        .env(
            "DEPGATE_CACHE",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-depgate-cache"),
        )
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn what_depgate_vex_writes_validates_against_the_official_schemas() {
    let Some(data) = data_dir() else {
        return;
    };
    let openvex = openvex_validator(&data);
    let csaf = csaf_validator(&data);
    let cyclonedx_dir = data.join("cyclonedx-schema/schema");
    let cyclonedx = json_validator(&cyclonedx_dir.join("bom-1.6.schema.json"), &cyclonedx_dir);
    // Carried-over statements (not affected, fixed) beside our own (affected); then a waiver
    // (not affected, its reason the impact statement) beside our own.
    for (policy, carry, expected) in [
        (
            "policy.toml",
            true,
            vec![
                VexStatus::NotAffected,
                VexStatus::Affected,
                VexStatus::Fixed,
            ],
        ),
        (
            "policy-waived.toml",
            false,
            vec![VexStatus::NotAffected, VexStatus::Affected],
        ),
    ] {
        for (format, validator) in [
            ("openvex", &openvex),
            ("csaf", &csaf),
            ("cyclonedx", &cyclonedx),
        ] {
            let document = written(format, policy, carry);
            assert_eq!(
                schema_errors(validator, &document),
                Vec::<String>::new(),
                "{format}"
            );
            if format == "csaf" {
                assert_eq!(csaf_mandatory_problems(&document), Vec::<String>::new());
            }
            let read = read_value(&document).unwrap_or_else(|e| panic!("{format}: {e}"));
            let statuses: BTreeSet<VexStatus> = read.statements.iter().map(|s| s.status).collect();
            assert_eq!(
                statuses,
                expected.iter().copied().collect(),
                "{format} {policy}"
            );
        }
    }
}
