//! `grades.csv`: a row per student, as [`super::Row`] holds it.

use super::{not_handed_in, Row};
use crate::show;

/// `grades.csv`: `student`, `name`, `late`, each task's points (empty for a
/// task not handed in), `total`, `max`, the `grades` columns (what each
/// gradebook receives), `status`, `reason`, `report` and `feedback` (the
/// pages, relative to the file). What came from a submission or a roster (the key, the
/// name, the reason) is a [`show::cell`], never a formula; the scores are
/// the grader's numbers and stay numbers.
pub fn csv(tasks: &[&str], grades: &[&str], rows: &[Row]) -> Result<String, ::csv::Error> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let mut header = vec!["student".to_string(), "name".into(), "late".into()];
    header.extend(tasks.iter().map(|t| t.to_string()));
    header.extend(["total", "max"].map(String::from));
    header.extend(grades.iter().map(|g| g.to_string()));
    header.extend(["status", "reason", "report", "feedback"].map(String::from));
    writer.write_record(&header)?;
    for row in rows {
        let mut record = vec![
            show::cell(row.student).into_owned(),
            show::cell(row.name).into_owned(),
            if row.late { "yes" } else { "no" }.to_string(),
        ];
        for task in tasks {
            let score = row
                .report
                .and_then(|r| r.tasks.iter().find(|t| t.task == *task))
                .filter(|t| !not_handed_in(t))
                .map_or(String::new(), |t| t.score.to_string());
            record.push(score);
        }
        record.push(row.report.map_or(String::new(), |r| r.score.to_string()));
        record.push(
            row.report
                .map_or(String::new(), |r| r.max_score.to_string()),
        );
        record.extend(row.grades.iter().cloned());
        record.push(row.status.as_str().to_string());
        record.push(show::cell(row.reason).into_owned());
        record.push(show::cell(&row.link).into_owned());
        record.push(show::cell(row.feedback.as_deref().unwrap_or_default()).into_owned());
        writer.write_record(&record)?;
    }
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
