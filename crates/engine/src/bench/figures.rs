//! What a load run shows people: a table of its levels, and a chart of
//! throughput and p99 latency against the number of clients.

use super::Level;
use std::time::Duration;

/// A table of levels, one line each.
pub fn table(name: &str, levels: &[Level]) -> String {
    let ms = |d: Duration| format!("{:.2}", d.as_secs_f64() * 1000.0);
    let mut out = format!(
        "{name}\n{:>8} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9} {:>11} {:>7}\n",
        "clients", "size", "msg/s", "MB/s", "p50 ms", "p99 ms", "max ms", "conn p99", "errors"
    );
    for level in levels {
        out.push_str(&format!(
            "{:>8} {:>8} {:>10.0} {:>9.2} {:>9} {:>9} {:>9} {:>11} {:>7}\n",
            level.conns,
            level.size,
            level.messages_per_second(),
            level.megabytes_per_second(),
            ms(level.latency(50.0)),
            ms(level.latency(99.0)),
            ms(level.latency(100.0)),
            ms(level.connect(99.0)),
            level.errors
        ));
        if let Some(error) = &level.first_error {
            out.push_str(&format!("{:>8} first error: {error}\n", ""));
        }
    }
    out
}

/// What a chart shows of each level.
#[cfg(feature = "charts")]
#[derive(Clone, Copy)]
enum Measure {
    Throughput,
    P99,
}

#[cfg(feature = "charts")]
impl Measure {
    fn of(self, level: &Level) -> f64 {
        match self {
            Measure::Throughput => level.messages_per_second(),
            Measure::P99 => level.latency(99.0).as_secs_f64() * 1000.0,
        }
    }
}

/// Throughput and p99 latency against the number of clients, one line per
/// server, as an SVG file at `path`.
#[cfg(feature = "charts")]
pub fn plot(path: &std::path::Path, series: &[(&str, &[Level])]) -> Result<(), String> {
    use plotters::prelude::*;
    let root = SVGBackend::new(path, (900, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (top, bottom) = root.split_vertically(350);
    let conns: Vec<f64> = series
        .iter()
        .flat_map(|(_, l)| l.iter().map(|l| l.conns as f64))
        .collect();
    let most_conns = conns.iter().copied().fold(1.0, f64::max) * 1.5;
    let colours = [
        RGBColor(79, 127, 217),
        RGBColor(217, 83, 79),
        RGBColor(60, 160, 90),
    ];

    let panels = [
        (
            &top,
            "Throughput",
            "messages per second",
            Measure::Throughput,
        ),
        (&bottom, "Latency", "p99 round trip (ms)", Measure::P99),
    ];
    for (area, caption, y_label, measure) in panels {
        let value = |level: &Level| measure.of(level);
        let highest = series
            .iter()
            .flat_map(|(_, levels)| levels.iter().map(value))
            .fold(1.0, f64::max)
            * 1.2;
        let mut chart = ChartBuilder::on(area)
            .caption(caption, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((0.8f64..most_conns).log_scale(), 0f64..highest)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc("clients at once")
            .y_desc(y_label)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()
            .map_err(|e| e.to_string())?;
        for (k, (name, levels)) in series.iter().enumerate() {
            let colour = colours[k % colours.len()];
            let points: Vec<(f64, f64)> =
                levels.iter().map(|l| (l.conns as f64, value(l))).collect();
            chart
                .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
                .map_err(|e| e.to_string())?
                .label(*name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                });
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 4, colour.filled())),
                )
                .map_err(|e| e.to_string())?;
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| e.to_string())?;
    }
    root.present().map_err(|e| e.to_string())
}

/// Without the `charts` feature (the student edition) there is no chart:
/// the table says it all.
#[cfg(not(feature = "charts"))]
pub fn plot(_path: &std::path::Path, _series: &[(&str, &[Level])]) -> Result<(), String> {
    Err("this grader is built without charts (the `charts` feature)".into())
}
