package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bench.load.LoadResult;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's fan-out table: medians over all repetitions, then over the ones the kernel's slow mode left alone. */
class SseReportTest {

    // At today's level: the run's baseline is the median window rate, 16 (of 15, 15, 16, 16, 20, 22), so the
    // threshold at 1.6x is 25.6; the clean windows peak at 21-25, the episodes at 26-33, all far below 60.
    private static final SoftirqSampler.Figures CLEAN_A = new SoftirqSampler.Figures(0, 15, 21);
    private static final SoftirqSampler.Figures CLEAN_B = new SoftirqSampler.Figures(0, 16, 25);
    private static final SoftirqSampler.Figures HOT_A = new SoftirqSampler.Figures(0, 20, 31);
    private static final SoftirqSampler.Figures HOT_B = new SoftirqSampler.Figures(0, 22, 33);
    private static final SoftirqSampler.Figures HOT_C = new SoftirqSampler.Figures(0, 16, 26);
    private static final double FACTOR = 1.6;

    @Test
    void cleanOnlyRowsHoldTheMediansOfTheUndisturbedRepetitions() {
        SseReport report = new SseReport(SseSuite.Profile.named("quick"), List.of("herald", "nchan"), FACTOR);
        report.fanout("herald", fanout(1, 11.0, 4_000, CLEAN_A));
        report.fanout("herald", fanout(2, 20.0, 9_000, HOT_A));
        report.fanout("herald", fanout(3, 12.0, 5_000, CLEAN_B));
        report.fanout("nchan", fanout(1, 21.0, 8_000, HOT_B));
        report.fanout("nchan", fanout(2, 13.0, 6_000, CLEAN_A));
        report.fanout("nchan", fanout(3, 22.0, 9_500, HOT_C));

        String md = report.markdown("test");

        // All repetitions stay the headline row: the median of 11, 20, 12 is 12.
        assertThat(cells(md, "| herald |").get(7)).isEqualTo("12.00 [11.00-20.00]");
        assertThat(cells(md, "| herald, clean only (2 of 3) |").get(7)).isEqualTo("11.50 [11.00-12.00]");
        assertThat(cells(md, "| herald, clean only (2 of 3) |").get(3)).isEqualTo("4.50 [4.00-5.00]");
        assertThat(cells(md, "| nchan |").get(7)).isEqualTo("21.00 [13.00-22.00]");
        assertThat(cells(md, "| nchan, clean only (1 of 3) |").get(7)).isEqualTo("13.00");
        // Per repetition, each server's softirq figures, the disturbed ones marked, under the run's baseline.
        assertThat(md).contains("median window rate of its 6 repetitions (all servers), is **16.0 ticks/s**; "
                + "a repetition with a 1-s peak >= 1.6 x baseline = **25.6** is disturbed");
        assertThat(cells(md, "| herald | 15/s")).containsExactly("herald", "15/s, peak 21", "20/s, peak 31 (disturbed)",
                "16/s, peak 25");
        assertThat(cells(md, "| nchan | 22/s")).containsExactly("nchan", "22/s, peak 33 (disturbed)", "15/s, peak 21",
                "16/s, peak 26 (disturbed)");
        // The clean-only ratio: Nchan 13.00 / Herald 11.50.
        assertThat(md).contains("| same, clean repetitions only (no 1-s softirq peak >= the baseline's threshold) | 1.130 | (context) |");
    }

    @Test
    void aServerWithNoCleanRepetitionGetsAnEmptyCleanRowAndUnreadFiguresAreNotClean() {
        SseReport report = new SseReport(SseSuite.Profile.named("quick"), List.of("herald"), FACTOR);
        report.fanout("herald", fanout(1, 20.0, 9_000, HOT_C));
        report.fanout("herald", fanout(2, 11.0, 4_000, SoftirqSampler.Figures.UNKNOWN));

        String md = report.markdown("test");

        // The baseline is the one read window's rate, 16; its own peak of 26 is >= 25.6.
        assertThat(cells(md, "| herald, clean only (0 of 2) |")).hasSize(15).allMatch(c -> c.equals("n/a") || c.startsWith("herald"));
        SoftirqBaseline baseline = SoftirqBaseline.of(List.of(CLEAN_B, HOT_C, CLEAN_A), FACTOR);
        assertThat(SseReport.clean(List.of(fanout(1, 1, 1, CLEAN_B), fanout(2, 1, 1, HOT_C),
                        fanout(3, 1, 1, SoftirqSampler.Figures.UNKNOWN)), baseline))
                .extracting(f -> f.result().repetition()).containsExactly(1);
    }

    @Test
    void aRunTooQuietToJudgeShowsItsBaselineButNoCleanRowsAndNoMarks() {
        // The quick profile's load: ~1 tick/s, peaks of 2.
        SseReport report = new SseReport(SseSuite.Profile.named("quick"), List.of("herald", "nchan"), FACTOR);
        report.fanout("herald", fanout(1, 20.0, 9_000, new SoftirqSampler.Figures(0, 1, 2)));
        report.fanout("nchan", fanout(1, 11.0, 4_000, new SoftirqSampler.Figures(0, 1, 1)));

        String md = report.markdown("test");

        assertThat(md).doesNotContain(", clean only (").doesNotContain("(disturbed)").doesNotContain("clean repetitions only")
                .contains("median window rate of its 2 repetitions, is **1.0 ticks/s**: below 10");
        assertThat(cells(md, "| herald | 1/s")).containsExactly("herald", "1/s, peak 2");
    }

    @Test
    void withoutSoftirqFiguresTheTableIsAsBefore() {
        SseReport report = new SseReport(SseSuite.Profile.named("quick"), List.of("herald"), FACTOR);
        report.fanout("herald", new SseBench.Fanout(result(1, 11.0, 4_000), 0.5, 0.01, SoftirqSampler.Figures.UNKNOWN));

        String md = report.markdown("test");

        assertThat(md).doesNotContain("clean only").doesNotContain("Kernel softirq");
        assertThat(cells(md, "| herald |").get(7)).isEqualTo("11.00");
    }

    private static SseBench.Fanout fanout(int repetition, double coreMicros, long p99Micros, SoftirqSampler.Figures softirq) {
        return new SseBench.Fanout(result(repetition, coreMicros, p99Micros), 0.5, 0.01, softirq);
    }

    private static LoadResult result(int repetition, double coreMicros, long p99Micros) {
        return new LoadResult("sse-test", repetition, 20, 1, 3, 60, 12_000, 12_000, 4_000, 4_000, 0, 0, 0, 0, null,
                1_000, p99Micros, p99Micros, p99Micros, 1_000_000, coreMicros / 2, coreMicros, 300L << 20, 50L << 20, "test");
    }

    /** The cells of the first Markdown table row starting with {@code prefix}. */
    private static List<String> cells(String md, String prefix) {
        String row = md.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + prefix + " in\n" + md));
        return Arrays.stream(row.substring(1, row.length() - 1).split("\\|")).map(String::trim).toList();
    }
}
