package io.fraudstream.replay.eval;

import io.fraudstream.model.RankingMetrics;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * ROC, precision-recall and score-histogram charts as PNG bytes, drawn with Java2D (run with
 * {@code -Djava.awt.headless=true}; no display needed). Every chart has a title, labelled axes with ticks
 * and a legend.
 */
public final class Charts {

    static final int WIDTH = 640;
    static final int HEIGHT = 480;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 60;
    private static final Color CURVE = new Color(0x1f77b4);
    private static final Color FRAUD = new Color(0xd62728);
    private static final Color GRID = new Color(0xdddddd);

    private Charts() {}

    /** ROC curve with the chance diagonal; the x axis is the false-positive rate. */
    public static byte[] roc(RankingMetrics.Curve c, double auc) {
        Plot p = new Plot("ROC curve (AUC " + fmt(auc) + ")", "False-positive rate", "True-positive rate (recall)",
                0, 1, 0, 1);
        p.line(new double[] {0, 1}, new double[] {0, 1}, Color.GRAY, true);
        p.line(c.fpr(), c.tpr(), CURVE, false);
        p.legend(new String[] {"model", "chance"}, new Color[] {CURVE, Color.GRAY});
        return p.png();
    }

    /** Precision-recall curve (step-wise, as average precision integrates it) with the base rate. */
    public static byte[] precisionRecall(RankingMetrics.Curve c, double averagePrecision, double baseRate) {
        Plot p = new Plot("Precision-recall curve (AP " + fmt(averagePrecision) + ")", "Recall", "Precision", 0, 1, 0, 1);
        p.line(new double[] {0, 1}, new double[] {baseRate, baseRate}, Color.GRAY, true);
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
        p.line(x, y, CURVE, false);
        p.legend(new String[] {"model", "fraud base rate " + fmt(baseRate)}, new Color[] {CURVE, Color.GRAY});
        return p.png();
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
        double floor = 1e-5;
        Plot p = new Plot("Score histogram (share of each class per bin, log scale)", "Score",
                "Share of class (log10)", 0, 1, Math.log10(floor), 0);
        double w = 1.0 / bins;
        for (int b = 0; b < bins; b++) {
            double g = ng == 0 ? 0 : genuine[b] / ng;
            double f = nf == 0 ? 0 : frauds[b] / nf;
            if (g > 0) {
                p.bar(b * w, b * w + w / 2, Math.log10(Math.max(floor, g)), CURVE);
            }
            if (f > 0) {
                p.bar(b * w + w / 2, b * w + w, Math.log10(Math.max(floor, f)), FRAUD);
            }
        }
        p.legend(new String[] {"genuine (" + ng + ")", "fraud (" + nf + ")"}, new Color[] {CURVE, FRAUD});
        return p.png();
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    /** A plot area with axes, ticks and labels in data coordinates. */
    private static final class Plot {
        private final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        private final Graphics2D g = image.createGraphics();
        private final double x0;
        private final double x1;
        private final double y0;
        private final double y1;

        Plot(String title, String xLabel, String yLabel, double x0, double x1, double y0, double y1) {
            this.x0 = x0;
            this.x1 = x1;
            this.y0 = y0;
            this.y1 = y1;
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            for (int i = 0; i <= 5; i++) {
                double fx = x0 + (x1 - x0) * i / 5;
                double fy = y0 + (y1 - y0) * i / 5;
                g.setColor(GRID);
                g.drawLine(px(fx), TOP, px(fx), HEIGHT - BOTTOM);
                g.drawLine(LEFT, py(fy), WIDTH - RIGHT, py(fy));
                g.setColor(Color.BLACK);
                String xs = String.format(Locale.ROOT, "%.1f", fx);
                g.drawString(xs, px(fx) - fm.stringWidth(xs) / 2, HEIGHT - BOTTOM + 16);
                String ys = String.format(Locale.ROOT, "%.1f", fy);
                g.drawString(ys, LEFT - 6 - fm.stringWidth(ys), py(fy) + 4);
            }
            g.setColor(Color.BLACK);
            g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
            g.drawString(xLabel, LEFT + (WIDTH - LEFT - RIGHT - fm.stringWidth(xLabel)) / 2, HEIGHT - 20);
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -(TOP + (HEIGHT - TOP - BOTTOM + fm.stringWidth(yLabel)) / 2), 20);
            g.setTransform(saved);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, LEFT, TOP - 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        }

        int px(double x) {
            return LEFT + (int) Math.round((x - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT));
        }

        int py(double y) {
            return HEIGHT - BOTTOM - (int) Math.round((y - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM));
        }

        void line(double[] xs, double[] ys, Color color, boolean dashed) {
            Path2D.Double path = new Path2D.Double();
            boolean started = false;
            for (int i = 0; i < xs.length; i++) {
                if (Double.isNaN(xs[i]) || Double.isNaN(ys[i])) {
                    continue;
                }
                if (!started) {
                    path.moveTo(px(xs[i]), py(ys[i]));
                    started = true;
                } else {
                    path.lineTo(px(xs[i]), py(ys[i]));
                }
            }
            g.setColor(color);
            g.setStroke(dashed ? new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                    new float[] {6f, 4f}, 0f) : new BasicStroke(2f));
            g.draw(path);
            g.setStroke(new BasicStroke(1f));
        }

        void bar(double from, double to, double height, Color color) {
            g.setColor(color);
            int top = py(height);
            int bottom = py(y0);
            g.fillRect(px(from), top, Math.max(1, px(to) - px(from)), Math.max(1, bottom - top));
        }

        void legend(String[] names, Color[] colors) {
            FontMetrics fm = g.getFontMetrics();
            int w = 0;
            for (String n : names) {
                w = Math.max(w, fm.stringWidth(n));
            }
            int x = WIDTH - RIGHT - w - 40;
            int y = HEIGHT - BOTTOM - 12 - 18 * names.length;
            g.setColor(Color.WHITE);
            g.fillRect(x - 6, y - 4, w + 40, 18 * names.length + 6);
            g.setColor(Color.GRAY);
            g.drawRect(x - 6, y - 4, w + 40, 18 * names.length + 6);
            for (int i = 0; i < names.length; i++) {
                g.setColor(colors[i]);
                g.fillRect(x, y + 18 * i + 4, 20, 6);
                g.setColor(Color.BLACK);
                g.drawString(names[i], x + 26, y + 18 * i + 11);
            }
        }

        byte[] png() {
            g.dispose();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ImageIO.write(image, "png", out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toByteArray();
        }
    }
}
