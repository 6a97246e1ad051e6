//! The names LMSs give what students hand in, read back.
//!
//! - Canvas ("Download submissions", canvas-lms lib/content_zipper.rb):
//!   one flat zip of files named
//!   `<lastnamefirstname>[_LATE]_<user id>_<attachment id>_<original name>`,
//!   one per file of the latest attempt, `…_<user id>_text.html` and
//!   `…_link.html` for online text and URLs, and `anon_<id>` in place of
//!   name and user id when the assignment is anonymous. Its "Re-upload
//!   submissions" takes the first two numbers of a name as the user and
//!   the attachment (`Assignment#infer_comment_context_from_filename`).
//! - Moodle ("Download all submissions"): a folder per student and
//!   submission plugin, `<Full Name>_<participant id>_assignsubmission_file_`
//!   (Moodle 4.1 and later drop the last `_`); without "in folders", each
//!   file named so, then `_<original name>`.
//! - GitHub Classroom (`gh classroom clone student-repos`): a folder
//!   `<assignment>-submissions` of clones named `<assignment>-<login>`.

/// What a Canvas entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CanvasKind {
    /// An uploaded file: `<name>_<user id>_<attachment id>_<file>`.
    File,
    /// An online text entry: `<name>_<user id>_text.html`.
    Text,
    /// A website URL: `<name>_<user id>_link.html`.
    Link,
}

/// A Canvas entry's name, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanvasName {
    /// `lastnamefirstname` as Canvas writes it (NFC); empty for an
    /// anonymous entry.
    pub name: String,
    pub late: bool,
    /// Canvas's user id, or `anon_<anonymous id>` when the assignment
    /// hides students' names.
    pub user_id: String,
    /// What the issue calls the submission id: the file's attachment id
    /// (empty for a text or link entry).
    pub submission_id: String,
    pub kind: CanvasKind,
    /// The name the student gave the file.
    pub original: String,
    /// The entry's name up to the student's file: feedback files are
    /// named after it.
    pub prefix: String,
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// A character Canvas keeps in a name: canvas-lms lib/content_zipper.rb
/// `sanitize_file_name` drops all but `[[:word:]]` (letters, marks, digits,
/// `_`).
fn word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || unicode_normalization::char::is_combining_mark(c)
}

/// Reads a Canvas entry's name (NFC first); `None` for a name Canvas would
/// not give. canvas-lms lib/content_zipper.rb: `get_filename` joins the
/// sanitised sortable name, `LATE` when late, and the user id (or
/// `anon_<anonymous id>`) with `_`; `add_upload_submission` appends
/// `_<attachment id>_<file name>`, `add_text_or_url` `_text.html` or
/// `_link.html`. `sanitize_user_name` removes every `_<digits>_` from the
/// name, so the first `_<digits>_` is the user id's.
pub fn canvas(entry: &str) -> Option<CanvasName> {
    let entry = nfc(entry);
    let parts: Vec<&str> = entry.split('_').collect();
    let (at, user_id, after) = (0..parts.len()).find_map(|i| {
        if parts[i] == "anon"
            && parts
                .get(i + 1)
                .is_some_and(|a| !a.is_empty() && a.chars().all(char::is_alphanumeric))
        {
            Some((i, format!("anon_{}", parts[i + 1]), i + 2))
        } else if digits(parts[i]) && i > 0 {
            Some((i, parts[i].to_string(), i + 1))
        } else {
            None
        }
    })?;
    let mut before = &parts[..at];
    let late = matches!(before.last(), Some(&"LATE") | Some(&"late"))
        && (before.len() > 1 || user_id.starts_with("anon_"));
    if late {
        before = &before[..before.len() - 1];
    }
    let name = before.join("_");
    let anonymous = user_id.starts_with("anon_");
    if (name.is_empty() != anonymous) || !name.chars().all(word) {
        return None;
    }
    let rest = parts[after..].join("_");
    let (kind, submission_id, original) = match rest.as_str() {
        "text.html" => (CanvasKind::Text, String::new(), rest.clone()),
        "link.html" => (CanvasKind::Link, String::new(), rest.clone()),
        _ => {
            let (id, original) = rest.split_once('_')?;
            if !digits(id) || original.is_empty() {
                return None;
            }
            (CanvasKind::File, id.to_string(), original.to_string())
        }
    };
    let prefix = entry[..entry.len() - original.len()]
        .trim_end_matches('_')
        .to_string();
    Some(CanvasName {
        name,
        late,
        user_id,
        submission_id,
        kind,
        original,
        prefix,
    })
}

/// `text` in Unicode's composed form (NFC): a name re-packed on macOS
/// arrives decomposed (NFD), and must still equal the roster's.
pub fn nfc(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfc().collect()
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
    // moodle mod/assign/classes/downloader.php `get_student_prefix`: the
    // full name with every `_` made a space, `_`, the participant id; then
    // `_<subtype>_<type>` (and `_<file>` without folders).
    let entry = nfc(entry);
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

/// The part before the login in the names of a GitHub Classroom clone
/// folder's clones (`socket-lab-`): from the folder's own name when it is
/// `<assignment>-submissions` (gh-classroom cmd/gh-classroom/clone/
/// student-repos/student-repos.go clones into
/// `<assignment slug>-submissions/<repository name>`), else the part of the
/// clones' names they all share, up to its last `-` (at least two clones).
/// Classroom names each repository `<assignment slug>-<login>`
/// (github-education-resources/classroom, `generate_github_repository_name`).
pub fn classroom_prefix(folder: &str, clones: &[String]) -> Option<String> {
    if let Some(assignment) = folder.strip_suffix("-submissions") {
        if !assignment.is_empty() {
            return Some(format!("{assignment}-"));
        }
    }
    let (first, others) = clones.split_first()?;
    if others.is_empty() {
        return None;
    }
    let mut common = first.len();
    for other in others {
        common = first
            .bytes()
            .zip(other.bytes())
            .take(common)
            .take_while(|(a, b)| a == b)
            .count();
    }
    let shared = &first[..common];
    Some(shared[..shared.rfind('-')? + 1].to_string())
}

/// Canvas's `lastnamefirstname` for a roster's name: `Lima, Ana` and
/// `Ana Lima` both give `limaana`.
pub fn canvas_login(name: &str) -> String {
    let name = nfc(name);
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
        .filter(|c| word(*c))
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
                kind: CanvasKind::File,
                original: "Bobs_Work.zip".into(),
                prefix: "smithbob_340934_208490284".into(),
            })
        );
        // canvas-lms lib/content_zipper.rb `get_filename`: `LATE` after
        // the name; older downloads wrote `late`.
        for file in [
            "wellslane_LATE_334244_394803489_lab.zip",
            "wellslane_late_334244_394803489_lab.zip",
        ] {
            let late = canvas(file).unwrap();
            assert!(late.late, "{file}");
            assert_eq!(
                (
                    late.name.as_str(),
                    late.user_id.as_str(),
                    late.original.as_str()
                ),
                ("wellslane", "334244", "lab.zip")
            );
        }
        // A name may hold `_` and digits, never `_<digits>_`.
        let odd = canvas("de_la_cruzana2_1001_5001_lab.zip").unwrap();
        assert_eq!(
            (odd.name.as_str(), odd.user_id.as_str()),
            ("de_la_cruzana2", "1001")
        );
        for not in [
            "ana.zip",
            "ana_lab.zip",
            "ana_12_lab.zip",
            "ana_x1_2_lab.zip",
            "_1_2_lab.zip",
            "an a_1_2_lab.zip",
            "ana_1_text.htm",
        ] {
            assert_eq!(canvas(not), None, "{not}");
        }
    }

    #[test]
    fn canvas_text_link_and_anonymous_entries_are_read() {
        // canvas-lms lib/content_zipper.rb `add_text_or_url`.
        let text = canvas("limaana_LATE_1001_text.html").unwrap();
        assert_eq!(
            (
                text.kind,
                text.user_id.as_str(),
                text.late,
                text.submission_id.as_str()
            ),
            (CanvasKind::Text, "1001", true, "")
        );
        assert_eq!(
            canvas("limaana_1001_link.html").unwrap().kind,
            CanvasKind::Link
        );
        // `get_filename` with `anonymize_students?`: no name.
        let anon = canvas("anon_x7Kq2_5001_lab.zip").unwrap();
        assert_eq!(
            (
                anon.name.as_str(),
                anon.user_id.as_str(),
                anon.submission_id.as_str()
            ),
            ("", "anon_x7Kq2", "5001")
        );
        assert!(canvas("LATE_anon_x7Kq2_5001_lab.zip").unwrap().late);
    }

    #[test]
    fn names_are_compared_composed() {
        // `Zoë` re-packed on macOS: `e` and a combining diaeresis.
        let nfd = canvas("obrienzoe\u{308}_1001_5001_lab.zip").unwrap();
        assert_eq!(nfd.name, "obrienzo\u{eb}");
        assert_eq!(canvas_login("O'Brien, Zoe\u{308}"), "obrienzo\u{eb}");
        let moodle = moodle("Zoe\u{308} O'Brien_2001_assignsubmission_file").unwrap();
        assert_eq!(moodle.full_name, "Zo\u{eb} O'Brien");
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
    fn classroom_prefixes_come_from_the_folder_or_the_shared_start() {
        let clones = ["socket-lab-ana-l".to_string(), "socket-lab-bo".to_string()];
        assert_eq!(
            classroom_prefix("class", &clones).as_deref(),
            Some("socket-lab-")
        );
        // gh classroom clone's own folder names the assignment, so one
        // clone, or logins that start alike, are read right.
        let alike = [
            "socket-lab-ana-l".to_string(),
            "socket-lab-ana-b".to_string(),
        ];
        assert_eq!(
            classroom_prefix("socket-lab-submissions", &alike).as_deref(),
            Some("socket-lab-")
        );
        assert_eq!(classroom_prefix("class", &clones[..1]), None);
        let unrelated = ["ana".to_string(), "bo".to_string()];
        assert_eq!(classroom_prefix("class", &unrelated), None);
    }

    #[test]
    fn roster_names_become_canvas_logins() {
        assert_eq!(canvas_login("Lima, Ana"), "limaana");
        assert_eq!(canvas_login("Ana Maria Lima"), "limaanamaria");
        assert_eq!(canvas_login("O'Brien, Zoë"), "obrienzoë");
    }
}
