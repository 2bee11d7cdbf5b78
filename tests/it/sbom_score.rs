//! `depgate sbom score`: coverage per field and verdicts (NTIA, BSI TR-03183-2) for
//! hand-written SBOMs and for depgate's own output, the three formats, `--require` exit codes,
//! and input errors.

use serde_json::Value;

use crate::common::{depgate, fixture};

fn score_json(args: &[&str]) -> (Option<i32>, Value) {
    let output = depgate()
        .args(["sbom", "score", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code(), value)
}

fn field<'a>(file: &'a Value, id: &str) -> &'a Value {
    file["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .unwrap_or_else(|| panic!("no field `{id}`"))
}

fn failing(file: &Value, standard: &str) -> Vec<String> {
    let verdict = file["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["standard"] == standard)
        .unwrap();
    verdict["failing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_complete_cyclonedx_sbom_meets_ntia_but_not_bsi() {
    let path = fixture("sbom-score/ntia-complete.cdx.json");
    let (code, report) = score_json(&[path.to_str().unwrap(), "--require", "ntia"]);
    assert_eq!(code, Some(0));
    assert_eq!(report["schema"], "depgate.sbom-score/v1");
    let file = &report["files"][0];
    assert_eq!(file["format"], "CycloneDX 1.5 JSON");
    assert_eq!(file["components"], 2);
    assert!(failing(file, "ntia").is_empty());
    let bsi = failing(file, "bsi-tr-03183-2");
    for id in [
        "format-version",
        "creator-contact",
        "completeness",
        "filename",
        "sha512",
    ] {
        assert!(bsi.contains(&id.to_string()), "{bsi:?}");
    }
    // The subject has no license: one of two components carries distribution licences.
    let licences = field(file, "distribution-licences");
    assert_eq!(
        (licences["present"].as_u64(), licences["total"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(licences["missing"], serde_json::json!(["app@1.0.0"]));
    assert_eq!(
        field(file, "external-identifier")["bsi-tr-03183-2"],
        "additional"
    );
}

#[test]
fn a_tag_value_sbom_without_a_supplier_fails_require_ntia() {
    let path = fixture("sbom-score/no-supplier.spdx");
    let (code, report) = score_json(&[path.to_str().unwrap(), "--require", "ntia"]);
    assert_eq!(code, Some(1));
    let file = &report["files"][0];
    assert_eq!(file["format"], "SPDX-2.3 tag-value");
    // The file between the document and the first package is not a package, and its SPDXID
    // does not replace the document's.
    assert_eq!(file["components"], 2);
    assert_eq!(failing(file, "ntia"), ["supplier"]);
    let supplier = field(file, "supplier");
    assert_eq!(supplier["missing"], serde_json::json!(["zlib@1.3"]));
    assert_eq!(field(file, "sha512")["present"], 1);
    assert_eq!(field(file, "distribution-licences")["present"], 1);
    assert_eq!(field(file, "original-licences")["present"], 2);
}

#[test]
fn score_agrees_with_the_warnings_of_the_bsi_profile() {
    // depgate's own BSI output of a lockfile whose packages no manifest describes: the score
    // must find missing exactly what `sbom --profile` warned about.
    let dir = tempfile::tempdir().unwrap();
    let artifact = dir.path().join("app");
    std::fs::write(&artifact, b"\x7fELF\x02\x01\x01").unwrap();
    for format in ["cyclonedx-json", "spdx3-json"] {
        let out = dir.path().join(format!("bsi.{format}"));
        let written = depgate()
            .env("CARGO_HOME", dir.path().join("empty-cargo-home"))
            .args([
                "sbom",
                "--offline",
                "--profile",
                "bsi-tr-03183-2",
                "--format",
                format,
            ])
            .args(["--creator", "Jane <jane@example.org>", "--artifact"])
            .arg(&artifact)
            .arg("-o")
            .arg(&out)
            .arg(fixture("cargo/sbom-small/Cargo.lock"))
            .output()
            .unwrap();
        assert!(written.status.success(), "{written:?}");
        let stderr = String::from_utf8_lossy(&written.stderr);
        assert!(stderr.contains("component creator (e-mail or URL) missing for 2 components"));
        assert!(stderr.contains("(SHA-512) of the deployable component missing for 2"));
        let (_, report) = score_json(&[out.to_str().unwrap()]);
        let file = &report["files"][0];
        let bsi = failing(file, "bsi-tr-03183-2");
        assert!(
            bsi.contains(&"component-creator".to_string()),
            "{format}: {bsi:?}"
        );
        assert!(bsi.contains(&"sha512".to_string()), "{format}: {bsi:?}");
        for filled in [
            "creator-contact",
            "timestamp",
            "completeness",
            "format-version",
            "filename",
        ] {
            assert!(
                !bsi.contains(&filled.to_string()),
                "{format}: {filled} in {bsi:?}"
            );
        }
        // Two dependencies (registry artefacts) and the root (`--artifact`).
        assert_eq!(field(file, "filename")["present"], 3, "{format}");
        assert_eq!(field(file, "filename")["total"], 3, "{format}");
        // Only the product's own file has a SHA-512 here.
        assert_eq!(field(file, "sha512")["present"], 1, "{format}");
    }
}

#[test]
fn cyclonedx_xml_scores_like_the_same_document_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let (xml, json) = (dir.path().join("bom.xml"), dir.path().join("bom.json"));
    for (format, out) in [("cyclonedx-xml", &xml), ("cyclonedx-json", &json)] {
        let written = depgate()
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .args([
                "sbom",
                "--offline",
                "--spec-version",
                "1.5",
                "--format",
                format,
            ])
            .arg("--supplier")
            .arg("ACME <https://acme.example>")
            .arg("-o")
            .arg(out)
            .arg(fixture("cargo/sbom-small/Cargo.lock"))
            .output()
            .unwrap();
        assert!(written.status.success(), "{written:?}");
    }
    let (_, report) = score_json(&[xml.to_str().unwrap(), json.to_str().unwrap()]);
    let (from_xml, from_json) = (&report["files"][0], &report["files"][1]);
    assert_eq!(from_xml["format"], "CycloneDX 1.5 XML");
    assert_eq!(from_xml["components"], 3);
    assert_eq!(from_xml["fields"], from_json["fields"]);
    assert_eq!(from_xml["verdicts"], from_json["verdicts"]);
    assert_eq!(field(from_xml, "hash")["present"], 2);
    // The broken XML case: an error with the line.
    let broken = dir.path().join("broken.xml");
    std::fs::write(
        &broken,
        "<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\">\n<components>\n</bom>\n",
    )
    .unwrap();
    let output = depgate()
        .args(["sbom", "score"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken.xml"));
}

#[test]
fn table_and_markdown_show_the_same_verdicts() {
    let path = fixture("sbom-score/no-supplier.spdx");
    let table = depgate()
        .args(["sbom", "score"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(table.status.code(), Some(0));
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("NTIA minimum elements: not conformant (missing: supplier)"),
        "{text}"
    );
    assert!(text.contains("1/2 (50%)"), "{text}");
    let markdown = depgate()
        .args(["sbom", "score", "--format", "markdown"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&markdown.stdout);
    assert!(text.starts_with("# SBOM quality\n"), "{text}");
    assert!(text.contains("- NTIA minimum elements: not conformant (missing: supplier)"));
    assert!(
        text.contains("| Supplier name | required |  | 1/2 (50%) | zlib@1.3 |"),
        "{text}"
    );
}

#[test]
fn bad_inputs_are_errors_naming_the_file() {
    let not_sbom = fixture("cargo/sbom-small/Cargo.lock");
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.cdx.json");
    std::fs::write(&broken, "{\n  \"bomFormat\": \"CycloneDX\",\n  oops\n}").unwrap();
    for (path, expected) in [
        (not_sbom.as_path(), "not an SBOM"),
        (broken.as_path(), "line 3"),
        (
            std::path::Path::new("/nonexistent/bom.json"),
            "/nonexistent/bom.json",
        ),
    ] {
        let output = depgate()
            .args(["sbom", "score"])
            .arg(path)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", path.display());
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{}: {stderr}", path.display());
    }
    let output = depgate().args(["sbom", "score"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "a file is required");
}

#[test]
fn sbom_without_a_subcommand_still_scans_a_path() {
    // `sbom score` is a subcommand; `sbom PATH` keeps working, flags in any order.
    let output = depgate()
        .args(["sbom", "--format", "spdx-json"])
        .arg(fixture("cargo/sbom-small/Cargo.lock"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(document["spdxVersion"], "SPDX-2.3");
}

/// Runs `check --sbom` on the no-supplier fixture with `policy` and returns (exit code, the
/// `sbom-quality-insufficient` findings).
fn gate(policy: &str) -> (Option<i32>, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    let policy_file = dir.path().join("depgate.toml");
    std::fs::write(&policy_file, policy).unwrap();
    let output = depgate()
        .args([
            "check",
            "--format",
            "json",
            "--allow-stale-db",
            "--today",
            "2026-01-01",
        ])
        .arg("--policy")
        .arg(&policy_file)
        .arg("--sbom")
        .arg(fixture("sbom-score/no-supplier.spdx"))
        .arg(dir.path())
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let findings = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "sbom-quality-insufficient")
        .cloned()
        .collect();
    (output.status.code(), findings)
}

const GATE_POLICY: &str = "[policy]\nowner = \"compliance@example.org\"\n\n\
    [licenses]\nallow = [\"MIT\", \"Zlib\"]\n\n[sbom-quality]\nprofile = \"ntia\"\n";

#[test]
fn check_sbom_gates_a_vendor_sbom_on_its_quality() {
    let (code, findings) = gate(GATE_POLICY);
    assert_eq!(code, Some(1));
    assert_eq!(findings.len(), 1, "{findings:?}");
    let finding = &findings[0];
    assert_eq!(finding["rule"], "sbom-quality.coverage");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["owner"], "compliance@example.org");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("Supplier name on 1 of 2 components (50%)"),
        "{message}"
    );
    assert!(message.contains("zlib@1.3"), "{message}");
    assert!(
        finding["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("no-supplier.spdx")
    );
}

#[test]
fn sbom_quality_findings_are_waivable_and_tunable() {
    let waived = format!(
        "{GATE_POLICY}\n[[waivers.waive]]\nrule = \"sbom-quality.coverage\"\n\
         reason = \"vendor fixes it in the next release\"\nowner = \"bob@example.org\"\n\
         expires = 2026-06-30\n"
    );
    let (code, findings) = gate(&waived);
    assert_eq!(code, Some(0));
    assert_eq!(findings[0]["severity"], "note");
    assert_eq!(findings[0]["waiver"]["owner"], "bob@example.org");
    // Half the components is enough with `min-coverage = 50`; `sha512` (1 of 2) too.
    let tuned = "[policy]\nowner = \"c\"\n[licenses]\nallow = [\"MIT\", \"Zlib\"]\n\
                 [sbom-quality]\nprofile = \"ntia\"\nrequired-fields = [\"sha512\"]\n\
                 min-coverage = 50\n";
    let (code, findings) = gate(tuned);
    assert_eq!((code, findings.len()), (Some(0), 0), "{findings:?}");
    // As a warning, it reports without failing.
    let warn = format!("{GATE_POLICY}coverage = \"warn\"\n");
    let (code, findings) = gate(&warn);
    assert_eq!(
        (code, findings[0]["severity"].as_str()),
        (Some(0), Some("warning"))
    );
}

#[test]
fn sbom_quality_policy_mistakes_point_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let policy_file = dir.path().join("depgate.toml");
    std::fs::write(
        &policy_file,
        "[policy]\nowner = \"c\"\n[sbom-quality]\nprofile = \"cra\"\n\
         required-fields = [\"sha-512\"]\nmin-coverage = 120\n",
    )
    .unwrap();
    let output = depgate()
        .args(["policy", "lint", "--policy"])
        .arg(&policy_file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 4") && stderr.contains("unknown profile `cra`"),
        "{stderr}"
    );
    assert!(stderr.contains("line 5") && stderr.contains("unknown SBOM field `sha-512`"));
    assert!(
        stderr.contains("line 6") && stderr.contains("between 0 and 100"),
        "{stderr}"
    );
}
