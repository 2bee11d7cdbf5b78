//! `sbom score` on the real SBOMs in `../shared/data/sboms`: every JSON, XML and tag-value SBOM
//! is scored without error, and spot checks pin the NTIA elements found missing (the same as
//! ntia-conformance-checker finds where it parses the file; see benches/sbom-score-crosscheck.sh).

use depgate::evaluate::sbom_quality::{self, Standard};
use depgate::ingest::sbom_facts::read_facts;

use crate::data_dir;

#[test]
fn every_real_sbom_is_scored() {
    let Some(data) = data_dir() else { return };
    let mut scored = 0;
    for folder in ["sboms/spdx", "sboms/cyclonedx"] {
        let mut files: Vec<_> = std::fs::read_dir(data.join(folder))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().to_string();
            let sbom = name.ends_with(".json") || name.ends_with(".spdx") || name.ends_with(".xml");
            if !sbom || name.contains("not-cyclonedx") {
                continue;
            }
            let facts = read_facts(&file).unwrap_or_else(|e| panic!("{name}: {e}"));
            let score = sbom_quality::score(&facts);
            assert_eq!(
                score.fields.len(),
                sbom_quality::field_ids().count(),
                "{name}"
            );
            scored += 1;
        }
    }
    assert!(scored >= 34, "scored {scored} files");
}

#[test]
fn spot_checks_agree_with_the_ntia_checker() {
    let Some(data) = data_dir() else { return };
    let cases: [(&str, &[&str], usize); 4] = [
        (
            "sboms/spdx/kubectl-image_syft-0.90.0.spdx-2.3.json",
            &["supplier"],
            89,
        ),
        (
            "sboms/spdx/kubernetes-1.25.4-release_bom.spdx",
            &["version", "supplier"],
            130,
        ),
        (
            "sboms/spdx/photon-image_tern.spdx-2.2.json",
            &["version", "supplier"],
            38,
        ),
        (
            "sboms/spdx/container-atlassian_pipelines-auth-proxy_sha256-b856033_tern.spdx.json",
            &["version", "supplier"],
            37,
        ),
    ];
    for (file, missing, components) in cases {
        let facts = read_facts(&data.join(file)).unwrap();
        let score = sbom_quality::score(&facts);
        assert_eq!(score.components, components, "{file}");
        let verdict = score.verdict(Standard::Ntia).unwrap();
        assert_eq!(verdict.failing, missing, "{file}");
    }
}
