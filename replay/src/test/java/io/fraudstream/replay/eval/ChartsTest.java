package io.fraudstream.replay.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.fraudstream.model.RankingMetrics;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The axes' tick marks line up with the data: a ROC curve ending at FPR 1 ends on the last vertical grid line (the
 * 1.0 tick), not beside it.
 */
class ChartsTest {

    @Test
    void rocCurveEndsOnTheOneTick() throws Exception {
        System.setProperty("java.awt.headless", "true");
        // FPR evenly spaced (i / 1999): XChart then put a label on every k-th value, rounded (0.105 read "0.1")
        int n = 2_000;
        double[] fpr = new double[n];
        double[] tpr = new double[n];
        for (int i = 0; i < n; i++) {
            fpr[i] = i / (n - 1.0);
            tpr[i] = Math.sqrt(fpr[i]);
        }
        RankingMetrics.Curve curve = new RankingMetrics.Curve(new double[n], fpr, tpr, new double[n]);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(Charts.roc(curve, 0.5)));

        int curveRight = -1;
        int lastGrid = -1;
        for (int x = 0; x < img.getWidth(); x++) {
            int blue = 0;
            int grid = 0;
            for (int y = 0; y < img.getHeight(); y++) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (b > 150 && r < 80 && g > 90 && g < 150) { // the model's blue (0x1f77b4)
                    blue++;
                }
                if (r == g && g == b && r >= 200 && r <= 240) { // the light-grey grid (0xdddddd, antialiased)
                    grid++;
                }
            }
            if (blue > 0) {
                curveRight = x;
            }
            if (grid > img.getHeight() / 6) { // a vertical grid line (dashed: a good share of the column)
                lastGrid = x;
            }
        }
        assertThat(curveRight).as("the curve is drawn").isPositive();
        assertThat(lastGrid).as("vertical grid lines are drawn").isPositive();
        assertThat(Math.abs(curveRight - lastGrid)).as("curve end x %d vs 1.0 grid line x %d", curveRight, lastGrid)
                .isLessThanOrEqualTo(3);
    }
}
