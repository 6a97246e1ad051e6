//! Who sees a check's result, and when: `grading.toml` sets it, every
//! format honours it.

use serde::{Deserialize, Serialize};

/// Who sees a check's result, and when: Gradescope's values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    #[default]
    Visible,
    Hidden,
    AfterDueDate,
    AfterPublished,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Visible => "visible",
            Visibility::Hidden => "hidden",
            Visibility::AfterDueDate => "after_due_date",
            Visibility::AfterPublished => "after_published",
        }
    }

    pub fn is_visible(&self) -> bool {
        *self == Visibility::Visible
    }

    /// When students see it, in words for instructors' reports.
    pub fn words(self) -> &'static str {
        match self {
            Visibility::Visible => "shown to students",
            Visibility::Hidden => "hidden from students",
            Visibility::AfterDueDate => "shown to students after the due date",
            Visibility::AfterPublished => "shown to students once grades are published",
        }
    }

    /// The value `grading.toml` writes (`after_due_date`), if it is one.
    pub fn parse(text: &str) -> Option<Visibility> {
        [
            Visibility::Visible,
            Visibility::Hidden,
            Visibility::AfterDueDate,
            Visibility::AfterPublished,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }
}
