//! The latency-over-time chart: p50 and p99 of the requests sent in each 250 ms, on a log
//! scale, with the failure window shaded and the buckets where the client saw errors
//! marked; written as SVG with `plotters`.

use std::io;
use std::path::Path;
use std::time::Duration;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::load::Sample;
use crate::report::percentile;
use crate::schedule::Schedule;

/// The width of a bucket.
const BUCKET: Duration = Duration::from_millis(250);
/// The chart's size in pixels.
const SIZE: (u32, u32) = (1000, 500);

/// The latencies of one bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bucket {
    /// The bucket's start, in seconds.
    pub(crate) start: f64,
    /// The median latency, in milliseconds.
    pub(crate) p50: f64,
    /// The 99th percentile, in milliseconds.
    pub(crate) p99: f64,
    /// Requests that did not end with a `2xx` response.
    pub(crate) errors: u64,
}

/// The samples grouped by the 250 ms in which they were sent (empty buckets left out).
pub(crate) fn buckets(samples: &[Sample]) -> Vec<Bucket> {
    let width = BUCKET.as_micros() as u32;
    let count = samples.iter().map(|s| s.at_micros / width + 1).max().unwrap_or(0) as usize;
    let mut latencies = vec![Vec::new(); count];
    let mut errors = vec![0; count];
    for sample in samples {
        let index = (sample.at_micros / width) as usize;
        latencies[index].push(sample.latency_micros);
        errors[index] += u64::from(!sample.outcome.is_success());
    }
    let millis = |d: Option<Duration>| d.map_or(0.0, |d| d.as_secs_f64() * 1e3);
    latencies
        .into_iter()
        .zip(errors)
        .enumerate()
        .filter(|(_, (latencies, _))| !latencies.is_empty())
        .map(|(index, (mut latencies, errors))| {
            latencies.sort_unstable();
            Bucket {
                start: index as f64 * BUCKET.as_secs_f64(),
                p50: millis(percentile(&latencies, 0.5)),
                p99: millis(percentile(&latencies, 0.99)),
                errors,
            }
        })
        .collect()
}

/// Writes the chart of `samples` to `path` (creating its directory).
///
/// # Errors
///
/// Creating the directory or writing the file failed.
pub(crate) fn write(path: &Path, samples: &[Sample], schedule: Schedule) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    draw(path, &buckets(samples), schedule).map_err(|e| io::Error::other(format!("drawing {}: {e}", path.display())))
}

/// The chart's coordinates: seconds, and milliseconds on a log scale.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, LogCoord<f64>>>;
/// What drawing fails with.
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Draws the buckets.
fn draw(path: &Path, buckets: &[Bucket], schedule: Schedule) -> DrawResult {
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let top = buckets.iter().map(|b| b.p99).fold(1.0, f64::max) * 6.0; // headroom for the legend
    let bottom = buckets
        .iter()
        .map(|b| b.p50)
        .filter(|&p| p > 0.0)
        .fold(top, f64::min)
        .min(1.0)
        / 2.0;
    let mut chart = ChartBuilder::on(&root)
        .caption("latency through the proxy, per 250 ms", ("sans-serif", 22))
        .margin(15)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..schedule.duration.as_secs_f64(), (bottom..top).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("seconds since the start")
        .y_desc("latency (ms, log scale)")
        .draw()?;
    draw_window(&mut chart, schedule, (bottom, top))?;
    draw_errors(&mut chart, buckets, top)?;
    draw_lines(&mut chart, buckets)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Shades the failure window: its 503 part orange, its reset part red.
fn draw_window(chart: &mut Chart<'_, '_>, schedule: Schedule, (bottom, top): (f64, f64)) -> DrawResult {
    let parts = [
        (
            schedule.fail_at,
            schedule.reset_at,
            RGBColor(255, 165, 0),
            "flaky backend answers 503",
        ),
        (
            schedule.reset_at,
            schedule.recover_at,
            RED,
            "flaky backend resets connections",
        ),
    ];
    for (from, to, color, label) in parts {
        let style = color.mix(0.25).filled();
        let area = Rectangle::new([(from.as_secs_f64(), bottom), (to.as_secs_f64(), top)], style);
        chart
            .draw_series([area])?
            .label(label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], style));
    }
    Ok(())
}

/// Marks the buckets in which the client saw errors with a black bar at the top.
fn draw_errors(chart: &mut Chart<'_, '_>, buckets: &[Bucket], top: f64) -> DrawResult {
    let width = BUCKET.as_secs_f64();
    let failed: Vec<&Bucket> = buckets.iter().filter(|b| b.errors > 0).collect();
    let label = format!("client saw errors ({} of {} buckets)", failed.len(), buckets.len());
    let bars = failed
        .iter()
        .map(|b| Rectangle::new([(b.start, top / 1.5), (b.start + width, top)], BLACK.filled()));
    chart
        .draw_series(bars)?
        .label(label)
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 15, y + 5)], BLACK.filled()));
    Ok(())
}

/// Draws the p50 and p99 lines, each point in the middle of its bucket.
fn draw_lines(chart: &mut Chart<'_, '_>, buckets: &[Bucket]) -> DrawResult {
    let p50: fn(&Bucket) -> f64 = |b| b.p50;
    let p99: fn(&Bucket) -> f64 = |b| b.p99;
    for (label, color, pick) in [("p50", BLUE, p50), ("p99", MAGENTA, p99)] {
        let points = buckets.iter().map(|b| (b.start + BUCKET.as_secs_f64() / 2.0, pick(b)));
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 15, y)], color.stroke_width(2)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Outcome;

    fn sample(at_ms: u32, latency_ms: u32, outcome: Outcome) -> Sample {
        Sample {
            at_micros: at_ms * 1000,
            latency_micros: latency_ms * 1000,
            outcome,
        }
    }

    #[test]
    fn groups_samples_by_quarter_second() {
        let samples = [
            sample(10, 1, Outcome::Status(200)),
            sample(200, 3, Outcome::Status(200)),
            sample(760, 8, Outcome::Status(503)),
        ];
        let buckets = buckets(&samples);
        assert_eq!(buckets.len(), 2);
        assert_eq!(
            (buckets[0].start, buckets[0].p50, buckets[0].p99, buckets[0].errors),
            (0.0, 1.0, 3.0, 0)
        );
        assert_eq!((buckets[1].start, buckets[1].p99, buckets[1].errors), (0.75, 8.0, 1));
    }
}
