//! The names LMSs give what students hand in, read back.
//!
//! - Canvas ("Download submissions"): one flat zip of files named
//!   `<lastnamefirstname>_<user id>_<submission id>_<original name>`, with
//!   `late` after the name for a late one (`smithbob_late_340934_…`). The
//!   second number is, in Canvas's own code, the file's attachment id: its
//!   "Re-upload submissions" takes the first two numbers of a name as the
//!   user and that attachment (`Assignment#infer_comment_context_from_filename`).
//! - Moodle ("Download all submissions"): a folder per student and
//!   submission plugin, `<Full Name>_<participant id>_assignsubmission_file_`
//!   (Moodle 4.1 and later drop the last `_`); without "in folders", each
//!   file named so, then `_<original name>`.
//! - GitHub Classroom (`gh classroom clone student-repos`): a folder
//!   `<assignment>-submissions` of clones named `<assignment>-<login>`.

/// A Canvas file name, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanvasName {
    /// `lastnamefirstname`, as Canvas writes it.
    pub name: String,
    pub late: bool,
    pub user_id: String,
    /// What the issue calls the submission id: the file's attachment id.
    pub submission_id: String,
    /// The name the student gave the file.
    pub original: String,
}

/// Reads `smithbob_late_340934_208490284_work.zip`; `None` for a name
/// Canvas would not give.
pub fn canvas(file: &str) -> Option<CanvasName> {
    let mut parts = file.splitn(2, '_');
    let name = parts.next()?;
    let mut rest = parts.next()?;
    if name.is_empty() || !name.chars().all(char::is_alphanumeric) {
        return None;
    }
    let mut late = false;
    if let Some(after) = rest
        .strip_prefix("late_")
        .or_else(|| rest.strip_prefix("LATE_"))
    {
        late = true;
        rest = after;
    }
    let (user_id, rest) = rest.split_once('_')?;
    let (submission_id, original) = rest.split_once('_')?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if !digits(user_id) || !digits(submission_id) || original.is_empty() {
        return None;
    }
    Some(CanvasName {
        name: name.to_string(),
        late,
        user_id: user_id.to_string(),
        submission_id: submission_id.to_string(),
        original: original.to_string(),
    })
}

/// A Moodle folder or file name, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoodleName {
    pub full_name: String,
    pub participant: String,
    /// The submission plugin: `file`, `onlinetext`, …
    pub plugin: String,
    /// What follows the plugin in a file's name (empty for a folder).
    pub original: String,
}

/// Reads `Ana Lima_2001_assignsubmission_file_` (a folder) or
/// `Ana Lima_2001_assignsubmission_file_server.rs` (a file, downloaded
/// without folders).
pub fn moodle(entry: &str) -> Option<MoodleName> {
    // The full name holds no `_`: Moodle splits on it when it reads
    // feedback files back.
    let parts: Vec<&str> = entry.splitn(5, '_').collect();
    let [full_name, participant, kind, plugin, rest @ ..] = parts.as_slice() else {
        return None;
    };
    let digits = !participant.is_empty() && participant.chars().all(|c| c.is_ascii_digit());
    if full_name.trim().is_empty() || !digits || *kind != "assignsubmission" || plugin.is_empty() {
        return None;
    }
    Some(MoodleName {
        full_name: full_name.trim().to_string(),
        participant: participant.to_string(),
        plugin: plugin.to_string(),
        original: rest.first().copied().unwrap_or_default().to_string(),
    })
}

/// The logins of a GitHub Classroom clone folder: the part of each folder
/// name after the prefix all of them share, up to its last `-`. `None`
/// when the names share no such prefix, or when there is a single one and
/// the folder holding it is not named `<prefix>submissions`.
pub fn classroom_logins(folder: &str, clones: &[String]) -> Option<(String, Vec<String>)> {
    let first = clones.first()?;
    let prefix = if clones.len() == 1 {
        let assignment = folder.strip_suffix("submissions")?;
        if assignment.is_empty() || !assignment.ends_with('-') {
            return None;
        }
        assignment.to_string()
    } else {
        let mut common = first.len();
        for other in &clones[1..] {
            common = first
                .bytes()
                .zip(other.bytes())
                .take(common)
                .take_while(|(a, b)| a == b)
                .count();
        }
        let shared = &first[..common];
        shared[..shared.rfind('-')? + 1].to_string()
    };
    let logins: Option<Vec<String>> = clones
        .iter()
        .map(|c| {
            c.strip_prefix(&prefix)
                .filter(|l| !l.is_empty())
                .map(String::from)
        })
        .collect();
    Some((prefix.trim_end_matches('-').to_string(), logins?))
}

/// Canvas's `lastnamefirstname` for a roster's name: `Lima, Ana` and
/// `Ana Lima` both give `limaana`.
pub fn canvas_login(name: &str) -> String {
    let ordered = match name.split_once(',') {
        Some((last, first)) => format!("{last}{first}"),
        None => {
            let words: Vec<&str> = name.split_whitespace().collect();
            match words.split_last() {
                Some((last, first)) => format!("{last}{}", first.join("")),
                None => String::new(),
            }
        }
    };
    ordered
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canvas_names_are_read_late_or_not() {
        assert_eq!(
            canvas("smithbob_340934_208490284_Bobs_Work.zip"),
            Some(CanvasName {
                name: "smithbob".into(),
                late: false,
                user_id: "340934".into(),
                submission_id: "208490284".into(),
                original: "Bobs_Work.zip".into(),
            })
        );
        let late = canvas("wellslane_late_334244_394803489_lab.zip").unwrap();
        assert!(late.late);
        assert_eq!(
            (late.user_id.as_str(), late.original.as_str()),
            ("334244", "lab.zip")
        );
        for not in [
            "ana.zip",
            "ana_lab.zip",
            "ana_12_lab.zip",
            "ana_x1_2_lab.zip",
            "_1_2_lab.zip",
            "an a_1_2_lab.zip",
        ] {
            assert_eq!(canvas(not), None, "{not}");
        }
    }

    #[test]
    fn moodle_folders_and_files_are_read() {
        let folder = moodle("Ana Lima_2001_assignsubmission_file_").unwrap();
        assert_eq!(
            (
                folder.full_name.as_str(),
                folder.participant.as_str(),
                folder.plugin.as_str(),
                folder.original.as_str()
            ),
            ("Ana Lima", "2001", "file", "")
        );
        // Moodle 4.1 and later: no `_` at the end.
        assert_eq!(
            moodle("Ana Lima_2001_assignsubmission_file")
                .unwrap()
                .participant,
            "2001"
        );
        let file = moodle("Bo Chen_2002_assignsubmission_file_task1.zip").unwrap();
        assert_eq!(file.original, "task1.zip");
        for not in [
            "ana",
            "Ana Lima_x_assignsubmission_file_",
            "Ana Lima_2001_assignfeedback_file_",
        ] {
            assert_eq!(moodle(not), None, "{not}");
        }
    }

    #[test]
    fn classroom_logins_follow_the_shared_prefix() {
        let clones = ["socket-lab-ana-l".to_string(), "socket-lab-bo".to_string()];
        assert_eq!(
            classroom_logins("socket-lab-submissions", &clones),
            Some((
                "socket-lab".to_string(),
                vec!["ana-l".to_string(), "bo".to_string()]
            ))
        );
        let one = ["socket-lab-cy".to_string()];
        assert_eq!(
            classroom_logins("socket-lab-submissions", &one).map(|(_, l)| l),
            Some(vec!["cy".to_string()])
        );
        assert_eq!(classroom_logins("class", &one), None);
        let unrelated = ["ana".to_string(), "bo".to_string()];
        assert_eq!(classroom_logins("class", &unrelated), None);
    }

    #[test]
    fn roster_names_become_canvas_logins() {
        assert_eq!(canvas_login("Lima, Ana"), "limaana");
        assert_eq!(canvas_login("Ana Maria Lima"), "limaanamaria");
        assert_eq!(canvas_login("O'Brien, Zoë"), "obrienzoë");
    }
}
