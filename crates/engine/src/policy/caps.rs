//! The budget's caps, as `grading.toml`'s `[sandbox]` table sets them, and
//! the sizes an instructor writes them in ("2 GiB", "512 MiB").

/// The budget's caps, as `grading.toml`'s `[sandbox]` table sets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caps {
    /// Bytes of memory, all programs together (no swap).
    pub memory: u64,
    /// Processes and threads, all programs together.
    pub processes: u64,
    /// CPU time per second of wall time, in thousandths of a CPU.
    pub cpu_millis: u64,
}

impl Default for Caps {
    /// Room to spare for the reference: eight checks at once, a task04
    /// server with a pool of 128 threads in each, and its build.
    fn default() -> Self {
        Caps {
            memory: 2 << 30,
            processes: 2048,
            cpu_millis: 2000,
        }
    }
}

/// `n` bytes as an instructor writes them: `2 GiB`, `512 MiB`.
pub fn bytes(n: u64) -> String {
    if n >= 1 << 30 && n.is_multiple_of(1 << 30) {
        format!("{} GiB", n >> 30)
    } else {
        format!("{} MiB", n >> 20)
    }
}

/// The least memory a submission can be given: below it, not even the
/// reference starts.
const LEAST_MEMORY: u64 = 64 << 20;
/// The fewest processes and threads a submission can be given.
const FEWEST_PROCESSES: u64 = 16;

impl Caps {
    /// The caps in words, for reports.
    pub fn describe(&self) -> String {
        format!(
            "{} of memory, {} processes and threads, {}",
            bytes(self.memory),
            self.processes,
            self.cpus()
        )
    }

    pub fn cpus(&self) -> String {
        let whole = self.cpu_millis / 1000;
        let part = self.cpu_millis % 1000;
        let number = if part == 0 {
            whole.to_string()
        } else {
            format!("{whole}.{}", format!("{part:03}").trim_end_matches('0'))
        };
        format!(
            "{number} CPU{}",
            if self.cpu_millis == 1000 { "" } else { "s" }
        )
    }

    /// Sets the cap `key` (`memory`, `processes` or `cpus`) from its
    /// `grading.toml` value; the error says what the value should be.
    pub fn set(&mut self, key: &str, value: &toml_edit::Item) -> Result<(), String> {
        match key {
            "memory" => {
                let size = value
                    .as_str()
                    .and_then(parse_size)
                    .or_else(|| value.as_integer().and_then(|n| u64::try_from(n).ok()))
                    .ok_or("`sandbox.memory` is a size such as \"2 GiB\" or \"512 MiB\"")?;
                if size < LEAST_MEMORY {
                    return Err(format!(
                        "`sandbox.memory` is {}: at least {} are needed",
                        bytes(size),
                        bytes(LEAST_MEMORY)
                    ));
                }
                self.memory = size;
            }
            "processes" => {
                let n = value
                    .as_integer()
                    .and_then(|n| u64::try_from(n).ok())
                    .filter(|&n| n >= FEWEST_PROCESSES)
                    .ok_or(format!(
                        "`sandbox.processes` is a whole number, {FEWEST_PROCESSES} or more"
                    ))?;
                self.processes = n;
            }
            "cpus" => {
                let cpus = value
                    .as_float()
                    .or_else(|| value.as_integer().map(|n| n as f64))
                    .filter(|&c| (0.01..=1024.0).contains(&c))
                    .ok_or("`sandbox.cpus` is a number of CPUs, from 0.01 to 1024, such as 2 or 1.5")?;
                self.cpu_millis = (cpus * 1000.0).round() as u64;
            }
            other => {
                return Err(format!(
                    "`sandbox.{other}` is not a setting; `[sandbox]` has `memory`, `processes` and `cpus`"
                ))
            }
        }
        Ok(())
    }
}

/// `2 GiB`, `512 MiB`, `1.5GiB`, `100 KiB` or a plain number of bytes.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let unit = match unit.trim() {
        "" | "B" => 1u64,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        "TiB" => 1 << 40,
        _ => return None,
    };
    let bytes = number * unit as f64;
    (bytes.is_finite() && bytes >= 0.0 && bytes < u64::MAX as f64).then_some(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(text: &str) -> Result<Caps, String> {
        let doc: toml_edit::DocumentMut = text.parse().unwrap();
        let mut caps = Caps::default();
        for (key, value) in doc.iter() {
            caps.set(key, value)?;
        }
        Ok(caps)
    }

    #[test]
    fn sizes_read_as_an_instructor_writes_them() {
        assert_eq!(parse_size("2 GiB"), Some(2 << 30));
        assert_eq!(parse_size("512MiB"), Some(512 << 20));
        assert_eq!(parse_size("1.5 GiB"), Some(3 << 29));
        assert_eq!(parse_size("100 KiB"), Some(100 << 10));
        assert_eq!(parse_size("4096"), Some(4096));
        for wrong in ["", "2 GB", "lots", "-1 GiB", "2 GiB extra", "1e400 GiB"] {
            assert_eq!(parse_size(wrong), None, "{wrong:?}");
        }
    }

    #[test]
    fn caps_are_set_and_described() {
        assert_eq!(
            caps("memory = \"3 GiB\"\nprocesses = 4096\ncpus = 1.5\n").unwrap(),
            Caps {
                memory: 3 << 30,
                processes: 4096,
                cpu_millis: 1500
            }
        );
        assert_eq!(caps("memory = 1073741824").unwrap().memory, 1 << 30);
        assert_eq!(caps("cpus = 1").unwrap().cpu_millis, 1000);
        assert_eq!(
            Caps::default().describe(),
            "2 GiB of memory, 2048 processes and threads, 2 CPUs"
        );
        assert_eq!(caps("cpus = 0.25").unwrap().cpus(), "0.25 CPUs");
        assert_eq!(caps("cpus = 1").unwrap().cpus(), "1 CPU");
    }

    #[test]
    fn wrong_caps_say_what_is_expected() {
        let cases = [
            (
                "memory = \"2 GB\"",
                "`sandbox.memory` is a size such as \"2 GiB\"",
            ),
            (
                "memory = \"1 MiB\"",
                "`sandbox.memory` is 1 MiB: at least 64 MiB",
            ),
            (
                "processes = 4",
                "`sandbox.processes` is a whole number, 16 or more",
            ),
            (
                "processes = \"many\"",
                "`sandbox.processes` is a whole number",
            ),
            ("cpus = 0", "`sandbox.cpus` is a number of CPUs"),
            ("cpus = \"2\"", "`sandbox.cpus` is a number of CPUs"),
            ("threads = 3", "`sandbox.threads` is not a setting"),
        ];
        for (text, expected) in cases {
            let err = caps(text).unwrap_err();
            assert!(err.contains(expected), "{text:?} gave {err:?}");
        }
    }
}
