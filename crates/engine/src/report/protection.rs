//! What protected a grading run: the report's `sandbox` field, as data.
//! The classroom's sandbox fills it in (`crate::sandbox::protection`);
//! every format only reads it.

use serde::{Deserialize, Serialize};

/// What protected a grading run: the `sandbox` field of every report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Protection {
    pub mode: Mode,
    /// Each layer in force, in words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<String>,
    /// What the submission as a whole used of its budget, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Usage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Every layer in force.
    Sandboxed,
    /// Untrusted code run without a sandbox, because the instructor said
    /// so (`--unsandboxed`): every report shows it as a warning.
    Unsandboxed,
}

impl Protection {
    pub fn unsandboxed() -> Self {
        Protection {
            mode: Mode::Unsandboxed,
            layers: vec![
                "none: untrusted code ran as the grader's own user (--unsandboxed)".into(),
            ],
            budget: None,
        }
    }

    /// One line for the human report.
    pub fn headline(&self) -> &'static str {
        match self.mode {
            Mode::Sandboxed => "sandboxed",
            Mode::Unsandboxed => "NOT sandboxed (--unsandboxed)",
        }
    }
}

/// What a submission used of its budget, for the report's `sandbox`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// The most memory its programs held at once, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_memory: Option<u64>,
    /// The most processes and threads at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_processes: Option<u64>,
    /// Programs the kernel killed for the memory cap.
    pub memory_kills: u64,
    /// Processes and threads refused for the process cap.
    pub processes_refused: u64,
    /// Time its programs were held back for the CPU cap, in milliseconds.
    #[serde(default)]
    pub cpu_throttled_ms: u64,
    /// Each cap that was hit, in words naming its setting.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hit: Vec<String>,
}
