package io.herald.bench.load.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
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

    @Test
    @EnabledOnOs(OS.LINUX)
    void theShippedFileRunsOnlyTheCompilerThreadsAtTheLowestPriority() throws Exception {
        Path jar = Path.of("../server/src/main/jvm/herald-server.jar");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ServerProcess.heraldJvmOptions(jar));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Idle.class.getName()));
        Process jvm = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.US_ASCII))) {
            assertThat(out.readLine()).as("the JVM started with %s", command).isEqualTo("ready");
            int own = niceOf(Path.of("/proc/self/stat"));
            Map<String, Integer> nice = new LinkedHashMap<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(jvm.pid()), "task"))) {
                for (Path task : tasks.toList()) {
                    nice.put(task.getFileName() + " " + nameOf(task.resolve("stat")), niceOf(task.resolve("stat")));
                }
            }
            assertThat(nice.keySet()).anyMatch(thread -> thread.contains("C2 CompilerThre"));
            nice.forEach((thread, value) -> {
                // The JVM gives CompilerThreadPriority to its code cache sweeper too (JDK 17-19 have one).
                boolean compiler = thread.contains("CompilerThre") || thread.endsWith("Sweeper thread");
                assertThat(value).as("nice of %s", thread).isEqualTo(compiler ? 19 : own);
            });
        } finally {
            jvm.destroy();
            jvm.waitFor();
        }
    }

    /** Started with the shipped options: says it is up, then waits until its input closes. */
    static final class Idle {
        public static void main(String[] args) throws Exception {
            System.out.println("ready");
            System.out.flush();
            System.in.read();
        }
    }

    private static String nameOf(Path stat) throws Exception {
        String line = Files.readString(stat, StandardCharsets.US_ASCII);
        return line.substring(line.indexOf('(') + 1, line.lastIndexOf(')'));
    }

    /** Field 19 of a {@code stat} line; the name in parentheses may hold spaces, so fields count from its end. */
    private static int niceOf(Path stat) throws Exception {
        String line = Files.readString(stat, StandardCharsets.US_ASCII);
        String[] fields = line.substring(line.lastIndexOf(')') + 2).trim().split(" ");
        return Integer.parseInt(fields[16]);
    }
}
