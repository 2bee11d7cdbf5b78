#![no_main]
//! VEX documents: OpenVEX, CSAF and CycloneDX VEX (JSON and XML), told apart by content.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some(text) = depgate_fuzz::text(data) else {
        return;
    };
    if let Ok(document) = depgate::enrich::vex::parse(&depgate_fuzz::path("vex.json"), text) {
        for statement in &document.statements {
            let _ = statement.ids().count();
        }
    }
});
