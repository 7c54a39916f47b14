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
    void aLineWithJavaVersionsAppliesToThoseOnly(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("jvm.options"), """
                -Xss512k
                17-19: -XX:G1ConcRefinementGreenZone=256 -XX:-G1UseAdaptiveConcRefinement
                21-: -XX:+UseZGC # open-ended
                """);
        Path jar = dir.resolve("herald-server.jar");

        assertThat(ServerProcess.heraldJvmOptions(jar, 16)).containsExactly("-Xss512k");
        assertThat(ServerProcess.heraldJvmOptions(jar, 17)).containsExactly("-Xss512k",
                "-XX:G1ConcRefinementGreenZone=256", "-XX:-G1UseAdaptiveConcRefinement");
        assertThat(ServerProcess.heraldJvmOptions(jar, 19)).hasSize(3);
        assertThat(ServerProcess.heraldJvmOptions(jar, 20)).containsExactly("-Xss512k");
        assertThat(ServerProcess.heraldJvmOptions(jar, 25)).containsExactly("-Xss512k", "-XX:+UseZGC");
    }

    @Test
    void theShippedFileDefersG1RefinementOnJava17Only() throws Exception {
        // The server module's own file, as the build copies it beside the jar. JDK 21 refuses the refinement flags.
        Path jar = Path.of("../server/src/main/jvm/herald-server.jar");
        assertThat(ServerProcess.heraldJvmOptions(jar, 17)).contains("-XX:-G1UseAdaptiveConcRefinement",
                "-XX:G1ConcRefinementGreenZone=256");
        assertThat(ServerProcess.heraldJvmOptions(jar, 21)).noneMatch(option -> option.contains("G1ConcRefinement"));
    }
}
