package io.herald.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeAndOptionsTest {

    @Test
    void cpuTicksAreUtimePlusStimeEvenWhenTheCommandNameHoldsParentheses() {
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 999 1000 200";

        assertThat(ProcProbe.cpuTicks(stat)).isEqualTo(1234 + 567);
    }

    @Test
    void statusValuesAreReadInKilobytes() {
        String status = "Name:\tjava\nVmPeak:\t  500 kB\nVmRSS:\t  123456 kB\nThreads:\t42\n";

        assertThat(ProcProbe.statusKb(status, "VmRSS")).isEqualTo(123456);
        assertThat(ProcProbe.statusKb(status, "VmSwap")).isEqualTo(-1);
    }

    @Test
    void probesThisProcessThroughProc() {
        ProcProbe probe = new ProcProbe(ProcessHandle.current().pid());

        assertThat(probe.cpuNanos()).isPositive();
        assertThat(probe.rssBytes()).isGreaterThan(1 << 20);
        assertThat(ProcProbe.clockTicksPerSecond()).isPositive();
    }

    @Test
    void theServerCoreIsReadFromItsOwnProcStatLineAndOnlyWhenPinned() {
        ProcProbe pinned = new ProcProbe(ProcessHandle.current().pid(), 0);
        ProcProbe unpinned = new ProcProbe(ProcessHandle.current().pid());

        assertThat(pinned.coreBusyNanos()).isPositive();
        assertThat(unpinned.coreBusyNanos()).isEqualTo(-1);
        assertThat(io.herald.bench.load.sse.MachineLoad.busyNanos(Integer.MAX_VALUE)).isEqualTo(-1);
        // One CPU is never busier than the whole machine.
        assertThat(io.herald.bench.load.sse.MachineLoad.busyNanos(0)).isLessThanOrEqualTo(io.herald.bench.load.sse.MachineLoad.busyNanos());
    }

    @Test
    void aProcessThatDoesNotExistIsRefusedByPid() {
        assertThatThrownBy(() -> new ProcProbe(Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no process " + Integer.MAX_VALUE);
    }

    @Test
    void optionsHaveDefaultsAndAcceptBothSpellings() {
        LoadOptions defaults = LoadOptions.parse();
        assertThat(defaults.scenarios()).containsExactly("ceiling");
        assertThat(defaults.url()).isEqualTo(URI.create("http://127.0.0.1:8080/api/publish"));
        assertThat(defaults.apiKey()).isNull();
        assertThat(defaults.ceilingUrl()).isNull();
        assertThat(defaults.ceilingPid()).isEqualTo(-1);

        LoadOptions o = LoadOptions.parse("--rate=2500", "--warmup", "2", "--duration", "4", "--scenarios", "ceiling, publish",
                "--api-key", "k");
        assertThat(o.scenarios()).isEqualTo(List.of("ceiling", "publish"));
        assertThat(o.warmupSends()).isEqualTo(5000);
        assertThat(o.measuredSends()).isEqualTo(10000);
        assertThat(o.apiKey()).isEqualTo("k");
    }

    @Test
    void badOptionsAreRefusedByName() {
        assertThatThrownBy(() -> LoadOptions.parse("--rates", "5"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown option --rates");
        assertThatThrownBy(() -> LoadOptions.parse("--rate", "fast"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate must be a number");
        assertThatThrownBy(() -> LoadOptions.parse("--rate", "0"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--rate must be between");
        assertThatThrownBy(() -> LoadOptions.parse("--duration"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--duration needs a value");
        assertThatThrownBy(() -> LoadOptions.parse("--ceiling-url", "localhost:8091"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--ceiling-url must be an absolute http URL");
        assertThatThrownBy(() -> LoadOptions.parse("--url", "http://a b/"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--url is not a URL");
        assertThatThrownBy(() -> LoadOptions.parse("rate"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 'rate'");
    }

    @Test
    void theSequenceNumberTravelsInThePayload() {
        assertThat(LoadPayload.seqOf(LoadPayload.data(1234567, 10))).isEqualTo(1234567);
        assertThat(LoadPayload.publishBody("/bench/a", 7, 3)).isEqualTo("{\"channel\":\"/bench/a\",\"data\":{\"seq\":7,\"pad\":\"xxx\"}}");
        assertThatThrownBy(() -> LoadPayload.seqOf("{\"n\":1}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no \"seq\"");
        assertThatThrownBy(() -> LoadPayload.seqOf("{\"seq\":\"a\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number");
    }
}
