package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options the benchmarks start Herald with are the ones its build ships beside the jar (bin/herald
 * reads the same file), and a jar without that file (a build from before it existed) gets none.
 */
class HeraldJvmOptionsTest {

    @Test
    void readsTheOptionsBesideTheJarWithoutComments(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("jvm.options"), """
                # why these options
                -XX:-G1UseAdaptiveConcRefinement
                  -XX:G1ConcRefinementGreenZone=256\t-XX:G1ConcRefinementYellowZone=512   # two on a line

                -XX:G1ConcRefinementRedZone=1024
                """);

        assertThat(ServerProcess.heraldJvmOptions(dir.resolve("herald-server.jar"))).containsExactly(
                "-XX:-G1UseAdaptiveConcRefinement", "-XX:G1ConcRefinementGreenZone=256",
                "-XX:G1ConcRefinementYellowZone=512", "-XX:G1ConcRefinementRedZone=1024");
    }

    @Test
    void aJarWithoutTheFileGetsNone(@TempDir Path dir) throws Exception {
        assertThat(ServerProcess.heraldJvmOptions(dir.resolve("herald-server.jar"))).isEmpty();
    }

    @Test
    void theShippedFileIsReadWhereTheBuildPutsIt() throws Exception {
        // The server module's own file, as the build copies it beside the jar: its options are JVM flags.
        Path shipped = Path.of("../server/src/main/jvm");
        assertThat(ServerProcess.heraldJvmOptions(shipped.resolve("herald-server.jar")))
                .isNotEmpty()
                .allSatisfy(option -> assertThat(option).startsWith("-XX:"));
    }
}
