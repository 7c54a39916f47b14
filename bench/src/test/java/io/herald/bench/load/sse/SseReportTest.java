package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.bench.load.LoadResult;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's fan-out table: medians over all repetitions, then over the ones the kernel's slow mode left alone. */
class SseReportTest {

    private static final SoftirqSampler.Figures CLEAN = new SoftirqSampler.Figures(0, 42, 48, 0, 60);
    private static final SoftirqSampler.Figures HOT = new SoftirqSampler.Figures(0, 71, 130, 6, 60);

    @Test
    void cleanOnlyRowsHoldTheMediansOfTheUndisturbedRepetitions() {
        SseReport report = new SseReport(SseSuite.Profile.named("quick"), List.of("herald", "nchan"));
        report.fanout("herald", fanout(1, 11.0, 4_000, CLEAN));
        report.fanout("herald", fanout(2, 20.0, 9_000, HOT));
        report.fanout("herald", fanout(3, 12.0, 5_000, CLEAN));
        report.fanout("nchan", fanout(1, 21.0, 8_000, HOT));
        report.fanout("nchan", fanout(2, 13.0, 6_000, CLEAN));
        report.fanout("nchan", fanout(3, 22.0, 9_500, HOT));

        String md = report.markdown("test");

        // All repetitions stay the headline row: the median of 11, 20, 12 is 12.
        assertThat(cells(md, "| herald |").get(7)).isEqualTo("12.00 [11.00-20.00]");
        assertThat(cells(md, "| herald, clean only (2 of 3) |").get(7)).isEqualTo("11.50 [11.00-12.00]");
        assertThat(cells(md, "| herald, clean only (2 of 3) |").get(3)).isEqualTo("4.50 [4.00-5.00]");
        assertThat(cells(md, "| nchan |").get(7)).isEqualTo("21.00 [13.00-22.00]");
        assertThat(cells(md, "| nchan, clean only (1 of 3) |").get(7)).isEqualTo("13.00");
        // Per repetition, each server's softirq figures, the disturbed ones marked.
        assertThat(cells(md, "| herald | 42/s")).containsExactly("herald", "42/s, peak 48, 0 s >= 60",
                "71/s, peak 130, 6 s >= 60 (disturbed)", "42/s, peak 48, 0 s >= 60");
        // The clean-only ratio: Nchan 13.00 / Herald 11.50.
        assertThat(md).contains("| same, clean repetitions only (no second of the kernel's slow mode) | 1.130 | (context) |");
    }

    @Test
    void aServerWithNoCleanRepetitionGetsAnEmptyCleanRowAndUnreadFiguresAreNotClean() {
        SseReport report = new SseReport(SseSuite.Profile.named("quick"), List.of("herald"));
        report.fanout("herald", fanout(1, 20.0, 9_000, HOT));
        report.fanout("herald", fanout(2, 11.0, 4_000, SoftirqSampler.Figures.UNKNOWN));

        String md = report.markdown("test");

        assertThat(cells(md, "| herald, clean only (0 of 2) |")).hasSize(15).allMatch(c -> c.equals("n/a") || c.startsWith("herald"));
        assertThat(SseReport.clean(List.of(fanout(1, 1, 1, CLEAN), fanout(2, 1, 1, HOT), fanout(3, 1, 1, SoftirqSampler.Figures.UNKNOWN))))
                .extracting(f -> f.result().repetition()).containsExactly(1);
    }

    @Test
    void withoutSoftirqFiguresTheTableIsAsBefore() {
        SseReport report = new SseReport(SseSuite.Profile.named("quick"), List.of("herald"));
        report.fanout("herald", new SseBench.Fanout(result(1, 11.0, 4_000), 0.5, 0.01));

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
