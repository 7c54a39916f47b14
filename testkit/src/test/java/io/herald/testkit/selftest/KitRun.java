package io.herald.testkit.selftest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * One run of a contract kit through the JUnit Platform, in this JVM, and assertions on how its tests ended:
 * the Reactive Streams TCK's {@code requireTestFailure}, for JUnit 5.
 */
final class KitRun {

    private final Class<?> kit;
    private final Events tests;

    private KitRun(Class<?> kit, Events tests) {
        this.kit = kit;
        this.tests = tests;
    }

    /** Runs every test of {@code kit}, nested ones included. */
    static KitRun of(Class<?> kit) {
        return new KitRun(kit, EngineTestKit.engine("junit-jupiter").selectors(selectClass(kit)).execute().testEvents());
    }

    /** Requires {@code test} to have failed with a message containing every one of {@code fragments}. */
    KitRun requireFailure(String test, String... fragments) {
        List<Throwable> thrown = finished(test).stream()
                .map(e -> e.getRequiredPayload(TestExecutionResult.class))
                .filter(r -> r.getStatus() == TestExecutionResult.Status.FAILED)
                .map(r -> r.getThrowable().orElseThrow())
                .toList();
        assertThat(thrown).as("failures of %s run against %s (test outcomes: %s)", test, kit.getSimpleName(), outcomes()).hasSize(1);
        assertThat(thrown.get(0)).as("why %s failed against %s", test, kit.getSimpleName()).hasMessageContainingAll(fragments);
        return this;
    }

    /** Requires {@code test} to have passed: the kit blames only what is broken. */
    KitRun requireSuccess(String test) {
        List<TestExecutionResult> results = finished(test).stream().map(e -> e.getRequiredPayload(TestExecutionResult.class)).toList();
        assertThat(results).as("outcome of %s run against %s", test, kit.getSimpleName()).hasSize(1);
        assertThat(results.get(0).getStatus()).as("outcome of %s run against %s: %s", test, kit.getSimpleName(),
                results.get(0).getThrowable().map(Throwable::toString).orElse("")).isEqualTo(TestExecutionResult.Status.SUCCESSFUL);
        return this;
    }

    private List<Event> finished(String test) {
        return tests.finished().stream().filter(e -> test.equals(methodName(e))).toList();
    }

    private String outcomes() {
        return tests.finished().stream()
                .map(e -> methodName(e) + "=" + e.getRequiredPayload(TestExecutionResult.class).getStatus())
                .collect(Collectors.joining(", "));
    }

    private static String methodName(Event event) {
        return event.getTestDescriptor().getSource()
                .filter(MethodSource.class::isInstance)
                .map(s -> ((MethodSource) s).getMethodName())
                .orElse("");
    }
}
