//! SVG bar charts of the comparison, drawn with plotters' SVG backend. Without plotters' `ttf`
//! feature, text goes into the SVG as `<text>` elements that the viewer renders, so no system
//! font is needed at build or run time.

use std::path::Path;

use anyhow::{anyhow, bail};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One category on the x axis: a bar per series, and an optional whisker from each bar's top.
/// Whiskers sit on the segment's center line, so they suit charts with one series.
pub struct BarGroup {
    pub label: String,
    /// One value per series; `None` leaves a gap.
    pub values: Vec<Option<f64>>,
    /// Top of the whisker per series, such as the p90 above a median bar.
    pub whiskers: Vec<Option<f64>>,
}

/// A vertical bar chart with one or two series.
pub struct BarChart<'a> {
    pub title: &'a str,
    pub y_label: &'a str,
    pub series: &'a [&'a str],
    pub groups: Vec<BarGroup>,
    /// Formats the label written above each bar.
    pub format_value: fn(f64) -> String,
}

const WIDTH: u32 = 960;
const HEIGHT: u32 = 480;
const COLORS: [RGBColor; 2] = [RGBColor(49, 110, 180), RGBColor(230, 140, 40)];

/// Draws `chart` into an SVG file at `path`.
pub fn draw_bar_chart(path: &Path, chart: &BarChart) -> anyhow::Result<()> {
    if chart.series.is_empty() || chart.series.len() > COLORS.len() {
        bail!(
            "a bar chart takes 1 or 2 series, not {}",
            chart.series.len()
        );
    }
    if chart.groups.is_empty() {
        bail!("chart `{}` has no bars", chart.title);
    }
    draw(path, chart).map_err(|error| anyhow!("failed to draw chart `{}`: {error}", path.display()))
}

fn draw(path: &Path, chart: &BarChart) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let groups = &chart.groups;
    let top = groups
        .iter()
        .flat_map(|group| group.values.iter().chain(&group.whiskers))
        .flatten()
        .copied()
        .fold(0.0_f64, f64::max);
    // Headroom for the value labels above the bars and the legend in the upper left.
    let y_max = if top > 0.0 { top * 1.3 } else { 1.0 };
    let format_axis = |value: &f64| {
        if y_max >= 100.0 {
            format!("{value:.0}")
        } else {
            format!("{value:.1}")
        }
    };

    let root = SVGBackend::new(path, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut plot = ChartBuilder::on(&root)
        .caption(chart.title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(36)
        .y_label_area_size(72)
        // An integer range includes its end, so `0..last` has one segment per group.
        .build_cartesian_2d((0..groups.len() - 1).into_segmented(), 0.0..y_max)?;
    plot.configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .y_label_formatter(&format_axis)
        .x_labels(groups.len())
        .x_label_formatter(&|position| match position {
            SegmentValue::CenterOf(index) => groups
                .get(*index)
                .map(|group| group.label.clone())
                .unwrap_or_default(),
            _ => String::new(),
        })
        .y_desc(chart.y_label)
        .draw()?;

    let split = chart.series.len() == 2;
    let plot_width = plot.plotting_area().dim_in_pixel().0 as i32;
    let segment_px = plot_width / groups.len().max(1) as i32;
    for (series_index, series) in chart.series.iter().enumerate() {
        let color = COLORS[series_index];
        let bars = groups.iter().enumerate().filter_map(|(index, group)| {
            let value = (*group.values.get(series_index)?)?;
            let (left, right) = bar_span(index, series_index, split);
            let mut bar = Rectangle::new([(left, 0.0), (right, value)], color.filled());
            bar.set_margin(0, 0, 6, 6);
            Some(bar)
        });
        plot.draw_series(bars)?
            .label(*series)
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled()));

        let whiskers = groups.iter().enumerate().filter_map(|(index, group)| {
            let value = (*group.values.get(series_index)?)?;
            let whisker = (*group.whiskers.get(series_index)?)?;
            let line = vec![
                (SegmentValue::CenterOf(index), value),
                (SegmentValue::CenterOf(index), whisker),
            ];
            Some(PathElement::new(line, BLACK))
        });
        plot.draw_series(whiskers)?;
        let caps = groups.iter().enumerate().filter_map(|(index, group)| {
            let whisker = (*group.whiskers.get(series_index)?)?;
            let anchor = EmptyElement::at((SegmentValue::CenterOf(index), whisker));
            Some(anchor + PathElement::new(vec![(-6, 0), (6, 0)], BLACK))
        });
        plot.draw_series(caps)?;

        // Segment positions are discrete, so a label of one of two bars is placed with a
        // pixel offset from the segment's center: a quarter of the segment to either side.
        let offset = match (split, series_index) {
            (false, _) => 0,
            (true, 0) => -segment_px / 4,
            (true, _) => segment_px / 4,
        };
        let labels = groups.iter().enumerate().filter_map(|(index, group)| {
            let value = (*group.values.get(series_index)?)?;
            let whisker = group.whiskers.get(series_index).copied().flatten();
            let height = whisker.map_or(value, |whisker| whisker.max(value));
            let style =
                TextStyle::from(("sans-serif", 13)).pos(Pos::new(HPos::Center, VPos::Bottom));
            // Above the whisker, if any, so the two do not overlap.
            let anchor = EmptyElement::at((SegmentValue::CenterOf(index), height));
            Some(anchor + Text::new((chart.format_value)(value), (offset, -2), style))
        });
        plot.draw_series(labels)?;
    }
    plot.configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Returns the left and right edges of a bar: the whole segment for one series, or its left or
/// right half for two.
fn bar_span(
    index: usize,
    series: usize,
    split: bool,
) -> (SegmentValue<usize>, SegmentValue<usize>) {
    match (split, series) {
        (false, _) => (SegmentValue::Exact(index), SegmentValue::Exact(index + 1)),
        (true, 0) => (SegmentValue::Exact(index), SegmentValue::CenterOf(index)),
        (true, _) => (
            SegmentValue::CenterOf(index),
            SegmentValue::Exact(index + 1),
        ),
    }
}
