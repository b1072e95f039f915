package io.fraudstream.replay.eval;

import io.fraudstream.model.RankingMetrics;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * ROC, precision-recall and score-histogram charts as PNG bytes, drawn with XChart (run with
 * {@code -Djava.awt.headless=true}; no display needed). Every chart has a title, labelled axes with ticks
 * and a legend.
 */
public final class Charts {

    static final int WIDTH = 640;
    static final int HEIGHT = 480;
    private static final Color CURVE = new Color(0x1f77b4);
    private static final Color FRAUD = new Color(0xd62728);
    private static final Color GRID = new Color(0xdddddd);
    /** The histogram's log axis starts here: a class share below it (or zero) draws no bar. */
    private static final double HISTOGRAM_FLOOR = 1e-5;
    /**
     * The x values of the straight reference lines: three points, the middle one at 1/e, on purpose. XChart 3.8
     * labels an axis whose values are all evenly spaced on every k-th value, rounded (0.105 reads "0.1"), which put
     * the labels about 5% off the data on the report's ROC chart; a point off any regular grid avoids that
     * ({@code ChartsTest}).
     */
    private static final double[] REFERENCE_X = {0, 1 / Math.E, 1};

    private Charts() {}

    /** ROC curve with the chance diagonal; the x axis is the false-positive rate. */
    public static byte[] roc(RankingMetrics.Curve c, double auc) {
        XYChart chart = unitSquare("ROC curve (AUC " + fmt(auc) + ")", "False-positive rate",
                "True-positive rate (recall)");
        line(chart, "model", c.fpr(), c.tpr(), CURVE, false);
        line(chart, "chance", REFERENCE_X, REFERENCE_X, Color.GRAY, true);
        return png(chart);
    }

    /** Precision-recall curve (step-wise, as average precision integrates it) with the base rate. */
    public static byte[] precisionRecall(RankingMetrics.Curve c, double averagePrecision, double baseRate) {
        XYChart chart = unitSquare("Precision-recall curve (AP " + fmt(averagePrecision) + ")", "Recall", "Precision");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE); // the curve ends bottom right
        int n = c.size();
        double[] x = new double[2 * n];
        double[] y = new double[2 * n];
        for (int i = 0; i < n; i++) {
            // a horizontal step to the new recall at the new precision, then on
            x[2 * i] = i == 0 ? 0 : c.tpr()[i - 1];
            y[2 * i] = c.precision()[i];
            x[2 * i + 1] = c.tpr()[i];
            y[2 * i + 1] = c.precision()[i];
        }
        line(chart, "model", x, y, CURVE, false);
        line(chart, "fraud base rate " + fmt(baseRate), REFERENCE_X, new double[] {baseRate, baseRate, baseRate},
                Color.GRAY, true);
        return png(chart);
    }

    /**
     * Score histogram, genuine and fraud side by side, each as the share of its own class per bin (so the
     * rare class is visible), on a log scale from 1e-5.
     */
    public static byte[] histogram(double[] scores, boolean[] fraud, int bins) {
        double[] genuine = new double[bins];
        double[] frauds = new double[bins];
        long nf = 0;
        long ng = 0;
        for (int i = 0; i < scores.length; i++) {
            int b = Math.min(bins - 1, Math.max(0, (int) (scores[i] * bins)));
            if (fraud[i]) {
                frauds[b]++;
                nf++;
            } else {
                genuine[b]++;
                ng++;
            }
        }
        List<String> edges = new ArrayList<>(bins);
        List<Double> g = new ArrayList<>(bins);
        List<Double> f = new ArrayList<>(bins);
        for (int b = 0; b < bins; b++) {
            edges.add(String.format(Locale.ROOT, "%.2f", (double) b / bins));
            g.add(Math.max(HISTOGRAM_FLOOR, ng == 0 ? 0 : genuine[b] / ng));
            f.add(Math.max(HISTOGRAM_FLOOR, nf == 0 ? 0 : frauds[b] / nf));
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Score histogram (share of each class per bin, log scale)")
                .xAxisTitle("Score (bin's lower edge)").yAxisTitle("Share of class").build();
        style(chart.getStyler());
        chart.getStyler().setYAxisLogarithmic(true).setYAxisMin(HISTOGRAM_FLOOR).setYAxisMax(1.0)
                .setXAxisMaxLabelCount(11).setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setAvailableSpaceFill(0.9).setOverlapped(false);
        CategorySeries gs = chart.addSeries("genuine (" + ng + ")", edges, g);
        gs.setFillColor(CURVE);
        CategorySeries fs = chart.addSeries("fraud (" + nf + ")", edges, f);
        fs.setFillColor(FRAUD);
        return png(chart);
    }

    /** Colours of successive series in {@link #perDay}. */
    private static final Color[] SERIES = {Color.BLACK, CURVE, FRAUD, new Color(0x2ca02c), new Color(0xff7f0e),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
        new Color(0x17becf)};

    /**
     * Counts per UTC day (a backtest's hits per day): one line per series, in the order given, each aligned with
     * {@code days}. The first series is drawn in black (the whole set); at most {@value #MAX_SERIES} series.
     */
    public static byte[] perDay(String title, String yLabel, List<java.time.LocalDate> days,
            java.util.LinkedHashMap<String, long[]> series) {
        XYChart chart = new XYChartBuilder().width(WIDTH * 3 / 2).height(HEIGHT).title(title).xAxisTitle("day (UTC)")
                .yAxisTitle(yLabel).build();
        style(chart.getStyler());
        chart.getStyler().setDatePattern("yyyy-MM-dd").setYAxisMin(0.0).setXAxisMaxLabelCount(12)
                .setLegendPosition(Styler.LegendPosition.InsideNW);
        List<java.util.Date> x = new ArrayList<>(days.size());
        for (java.time.LocalDate d : days) {
            x.add(java.util.Date.from(d.atStartOfDay(java.time.ZoneOffset.UTC).toInstant()));
        }
        if (x.isEmpty()) {
            // XChart refuses an empty series: one zero point says "nothing"
            x.add(new java.util.Date(0));
            series = new java.util.LinkedHashMap<>(java.util.Map.of("no events", new long[] {0}));
        }
        int i = 0;
        for (java.util.Map.Entry<String, long[]> e : series.entrySet()) {
            if (i == MAX_SERIES) {
                break;
            }
            List<Long> y = new ArrayList<>(x.size());
            for (long v : e.getValue()) {
                y.add(v);
            }
            XYSeries s = chart.addSeries(e.getKey(), x, y);
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(SERIES[i % SERIES.length]);
            s.setLineWidth(i == 0 ? 1.5f : 1f);
            i++;
        }
        return png(chart);
    }

    /** Lines in one {@link #perDay} chart. */
    public static final int MAX_SERIES = 11;

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static XYChart unitSquare(String title, String xLabel, String yLabel) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xLabel)
                .yAxisTitle(yLabel).build();
        style(chart.getStyler());
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0)
                .setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0")
                .setLegendPosition(Styler.LegendPosition.InsideSE);
        return chart;
    }

    private static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderColor(Color.BLACK);
        s.setPlotGridLinesColor(GRID);
        s.setLegendBorderColor(Color.GRAY);
        s.setAntiAlias(true);
    }

    /** Adds a line without markers; NaN points (an undefined precision, say) are left out. */
    private static void line(XYChart chart, String name, double[] xs, double[] ys, Color color, boolean dashed) {
        int n = 0;
        double[] x = new double[xs.length];
        double[] y = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            if (!Double.isNaN(xs[i]) && !Double.isNaN(ys[i])) {
                x[n] = xs[i];
                y[n++] = ys[i];
            }
        }
        if (n == 0) {
            return; // nothing to draw: XChart refuses an empty series
        }
        XYSeries s = chart.addSeries(name, Arrays.copyOf(x, n), Arrays.copyOf(y, n));
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(color);
        s.setLineWidth(dashed ? 1.5f : 2f);
        s.setLineStyle(dashed ? SeriesLines.DASH_DASH : SeriesLines.SOLID);
    }

    private static byte[] png(Chart<?, ?> chart) {
        try {
            return BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
