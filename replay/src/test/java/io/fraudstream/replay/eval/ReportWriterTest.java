package io.fraudstream.replay.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report files exist, carry the metrics, and the charts are drawn images, not blank ones. */
class ReportWriterTest {

    @TempDir
    Path dir;

    @Test
    void writesMarkdownHtmlJsonAndNonBlankCharts() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Random random = new Random(3);
        List<ScoredTransaction> rows = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            boolean fraud = random.nextInt(50) == 0;
            double score = Math.min(1, Math.max(0, (fraud ? 0.6 : 0.2) + random.nextGaussian() * 0.15));
            rows.add(new ScoredTransaction("t" + i, "c" + random.nextInt(300), 1_700_000_000_000L + i * 60_000L, score,
                    fraud));
        }
        Evaluation e = Evaluation.of("Test report", "v1", 0.5, rows, Map.of("Input", "synthetic"));
        ReportWriter.write(e, dir);

        String md = Files.readString(dir.resolve("report.md"));
        assertThat(md).contains("| AUC-ROC | " + ReportWriter.num(e.auc()) + " |").contains("## Daily series");
        String html = Files.readString(dir.resolve("report.html"));
        assertThat(html).contains("data:image/png;base64,").contains("Card precision@100");
        String json = Files.readString(dir.resolve("report.json"));
        assertThat(json).contains("\"auc_roc\": " + e.auc()).contains("\"daily\": [");
        assertThat(e.auc()).isGreaterThan(0.9);

        for (String chart : new String[] {"roc.png", "pr.png", "histogram.png"}) {
            BufferedImage img = ImageIO.read(dir.resolve(chart).toFile());
            assertThat(img.getWidth()).isEqualTo(Charts.WIDTH);
            // Drawn: curves in colour, not only white background and grey grid.
            long coloured = 0;
            for (int x = 0; x < img.getWidth(); x++) {
                for (int y = 0; y < img.getHeight(); y++) {
                    int rgb = img.getRGB(x, y);
                    int r = (rgb >> 16) & 0xff;
                    int g = (rgb >> 8) & 0xff;
                    int b = rgb & 0xff;
                    if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                        coloured++;
                    }
                }
            }
            assertThat(coloured).as(chart).isGreaterThan(500);
        }
    }
}
