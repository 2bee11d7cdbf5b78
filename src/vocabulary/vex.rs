//! VEX vocabulary shared by the VEX readers, the evaluation, the policy's waivers and the VEX
//! writers: the four statuses and the five justifications, with their spellings in OpenVEX,
//! CSAF and CycloneDX.
//!
//! In: nothing. Out: [`VexStatus`], [`Justification`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// What a statement says about a vulnerability in a product (OpenVEX's and CSAF's four
/// statuses; CycloneDX analysis states map onto them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    /// The product is not affected (with a justification or an impact statement).
    NotAffected,
    /// The product is affected (with an action statement).
    Affected,
    /// The product contains a fix.
    Fixed,
    /// It is not known yet.
    UnderInvestigation,
}

impl VexStatus {
    /// Every status.
    pub const ALL: &'static [VexStatus] = &[
        VexStatus::NotAffected,
        VexStatus::Affected,
        VexStatus::Fixed,
        VexStatus::UnderInvestigation,
    ];

    /// The OpenVEX spelling (`not_affected`, ...).
    pub fn as_str(&self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }

    /// Parses the OpenVEX spelling.
    pub fn parse(text: &str) -> Option<VexStatus> {
        VexStatus::ALL.iter().copied().find(|s| s.as_str() == text)
    }

    /// True when the status takes the risk away (`not_affected`, `fixed`): the finding
    /// becomes a note that shows the statement.
    pub fn suppresses(&self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }

    /// The CycloneDX `analysis.state` written for this status.
    pub fn cyclonedx_state(&self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "exploitable",
            VexStatus::Fixed => "resolved",
            VexStatus::UnderInvestigation => "in_triage",
        }
    }

    /// The status a CycloneDX `analysis.state` stands for (`false_positive` is not affected;
    /// `resolved_with_pedigree` is fixed).
    pub fn from_cyclonedx_state(state: &str) -> Option<VexStatus> {
        Some(match state {
            "not_affected" | "false_positive" => VexStatus::NotAffected,
            "exploitable" => VexStatus::Affected,
            "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
            "in_triage" => VexStatus::UnderInvestigation,
            _ => return None,
        })
    }
}

impl fmt::Display for VexStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a product is not affected: the five CISA justifications that OpenVEX statements and
/// CSAF flags share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// The vulnerable component is not in the product.
    ComponentNotPresent,
    /// The component is there, the vulnerable code is not.
    VulnerableCodeNotPresent,
    /// The vulnerable code is never executed.
    VulnerableCodeNotInExecutePath,
    /// An attacker cannot reach or control the vulnerable code.
    VulnerableCodeCannotBeControlledByAdversary,
    /// Mitigations in the product prevent exploitation.
    InlineMitigationsAlreadyExist,
}

impl Justification {
    /// Every justification.
    pub const ALL: &'static [Justification] = &[
        Justification::ComponentNotPresent,
        Justification::VulnerableCodeNotPresent,
        Justification::VulnerableCodeNotInExecutePath,
        Justification::VulnerableCodeCannotBeControlledByAdversary,
        Justification::InlineMitigationsAlreadyExist,
    ];

    /// The OpenVEX spelling (also CSAF's flag label).
    pub fn as_str(&self) -> &'static str {
        match self {
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// Parses the OpenVEX spelling.
    pub fn parse(text: &str) -> Option<Justification> {
        Justification::ALL
            .iter()
            .copied()
            .find(|j| j.as_str() == text)
    }

    /// The CycloneDX `analysis.justification` written for this justification.
    pub fn cyclonedx(&self) -> &'static str {
        match self {
            Justification::ComponentNotPresent | Justification::VulnerableCodeNotPresent => {
                "code_not_present"
            }
            Justification::VulnerableCodeNotInExecutePath => "code_not_reachable",
            Justification::VulnerableCodeCannotBeControlledByAdversary => "requires_environment",
            Justification::InlineMitigationsAlreadyExist => "protected_by_mitigating_control",
        }
    }

    /// The justification a CycloneDX `analysis.justification` stands for (CycloneDX has nine,
    /// finer-grained; each maps to the CISA one it is a case of).
    pub fn from_cyclonedx(text: &str) -> Option<Justification> {
        Some(match text {
            "code_not_present" => Justification::VulnerableCodeNotPresent,
            "code_not_reachable" => Justification::VulnerableCodeNotInExecutePath,
            "requires_configuration" | "requires_dependency" | "requires_environment" => {
                Justification::VulnerableCodeCannotBeControlledByAdversary
            }
            "protected_by_compiler"
            | "protected_at_runtime"
            | "protected_at_perimeter"
            | "protected_by_mitigating_control" => Justification::InlineMitigationsAlreadyExist,
            _ => return None,
        })
    }
}

impl fmt::Display for Justification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
