//! Deadlines: the one way the grader bounds a wait.
//!
//! Every wait in the grader (a line from a program, a byte from a socket, an
//! exit) is given a [`Deadline`], made by [`Timing`] so that
//! `--timeout-scale` stretches all of them at once on a slow machine.

use std::time::{Duration, Instant};

/// Turns the nominal waits written in the checks into deadlines.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    scale: f64,
}

impl Timing {
    /// `scale` multiplies every nominal wait (1.0 = as written).
    pub fn new(scale: f64) -> Self {
        Timing { scale }
    }

    /// A nominal wait as it applies on this machine.
    pub fn scaled(&self, nominal: Duration) -> Duration {
        nominal.mul_f64(self.scale)
    }

    /// A deadline `nominal` (scaled) from now.
    pub fn deadline(&self, nominal: Duration) -> Deadline {
        Deadline::after(self.scaled(nominal))
    }
}

impl Default for Timing {
    fn default() -> Self {
        Timing::new(1.0)
    }
}

/// A point in time after which a wait gives up.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Instant,
    budget: Duration,
}

impl Deadline {
    pub fn after(budget: Duration) -> Self {
        Deadline {
            at: Instant::now() + budget,
            budget,
        }
    }

    /// Time left, or `None` once the deadline has passed.
    pub fn remaining(&self) -> Option<Duration> {
        self.at
            .checked_duration_since(Instant::now())
            .filter(|left| !left.is_zero())
    }

    pub fn expired(&self) -> bool {
        self.remaining().is_none()
    }

    /// The next `most` of this deadline (less when less is left): a long
    /// wait taken in steps, to look up between them.
    pub fn step(&self, most: Duration) -> Deadline {
        Deadline::after(self.remaining().unwrap_or_default().min(most))
    }

    /// The whole wait this deadline allowed, for messages ("after 5 s").
    pub fn budget(&self) -> Duration {
        self.budget
    }
}

/// A duration as people read it in a message: `5 s`, `250 ms`, `1.5 s`.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms.is_multiple_of(1000) {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_stretches_every_wait() {
        let timing = Timing::new(2.5);
        assert_eq!(
            timing.scaled(Duration::from_secs(2)),
            Duration::from_secs(5)
        );
        assert_eq!(
            timing.deadline(Duration::from_secs(2)).budget(),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn a_zero_deadline_has_already_passed() {
        assert!(Deadline::after(Duration::ZERO).expired());
        assert!(!Deadline::after(Duration::from_secs(60)).expired());
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::from_secs(5)), "5 s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5 s");
    }
}
