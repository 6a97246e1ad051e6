//! Grades as the kit counts them, scaled to the maximum of the LMS's
//! assignment, and numbers written and read as LMSs write and read them.

use std::path::PathBuf;

/// Where the LMS's maximum came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// Read from the LMS's own file (a Canvas export's `Points Possible`
    /// row, a Moodle worksheet's `Maximum grade`).
    Export(PathBuf),
    /// `--points-possible`.
    Given,
    /// Moodle's default maximum grade, 100: nothing else said otherwise.
    MoodleDefault,
}

/// Points as the kit counts them, scaled to the LMS assignment's maximum.
#[derive(Debug, Clone, PartialEq)]
pub struct Scale {
    /// The most a submission can score in the kit.
    pub most: u32,
    /// The LMS assignment's maximum.
    pub max: f64,
    pub source: Source,
}

impl Scale {
    pub fn new(most: u32, max: f64, source: &Source) -> Scale {
        Scale {
            most,
            max,
            source: source.clone(),
        }
    }

    /// `score` of `most` as the LMS's grade, to two decimals (the
    /// precision Canvas exports and Moodle's grade items show by default).
    pub fn grade(&self, score: u32) -> String {
        if self.most == 0 {
            return number(0.0);
        }
        number(f64::from(score) * self.max / f64::from(self.most))
    }

    /// `grades scaled to 100 (…): 261 points = 100`.
    pub fn words(&self) -> String {
        let from = match &self.source {
            Source::Export(path) => format!("read from {}", path.display()),
            Source::Given => "--points-possible".to_string(),
            Source::MoodleDefault => {
                "Moodle's default maximum grade; give the grading worksheet as --roster, or --points-possible, if yours differs".to_string()
            }
        };
        if self.most == 0 {
            return format!("grades out of {} ({from})", number(self.max));
        }
        format!(
            "grades scaled to {} ({from}): {} points = {}",
            number(self.max),
            self.most,
            number(self.max)
        )
    }
}

/// A number as an LMS reads it: at most two decimals, no trailing zeros.
pub fn number(value: f64) -> String {
    let text = format!("{:.2}", (value * 100.0).round() / 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A number as an LMS writes it: `100`, `100.00`, or with a decimal comma
/// (`100,00`), as Canvas's importer and Moodle's `unformat_float` take it.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    let text = match (text.rfind(','), text.rfind('.')) {
        (Some(comma), Some(dot)) if comma > dot => text.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => text.replace(',', ""),
        (Some(_), None) => text.replace(',', "."),
        _ => text.to_string(),
    };
    text.parse::<f64>().ok().filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_are_scaled_and_written_as_an_lms_reads_them() {
        let scale = Scale {
            most: 261,
            max: 100.0,
            source: Source::Given,
        };
        assert_eq!(scale.grade(261), "100");
        assert_eq!(scale.grade(26), "9.96");
        assert_eq!(scale.grade(0), "0");
        assert_eq!(
            scale.words(),
            "grades scaled to 100 (--points-possible): 261 points = 100"
        );
        for (text, value) in [
            ("100.00", 100.0),
            ("100,00", 100.0),
            ("1,000.5", 1000.5),
            ("1.000,5", 1000.5),
            (" 7 ", 7.0),
        ] {
            assert_eq!(parse_number(text), Some(value), "{text}");
        }
        assert_eq!(parse_number("(read only)"), None);
    }
}
