package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.api.support.AbstractBackendProvider;
import dev.attn4j.cpu.CpuBackendProvider;
import dev.attn4j.cuda.CudaBackendProvider;
import dev.attn4j.cudadriver.DeviceDescription;
import dev.attn4j.cudadriver.DeviceSource;
import dev.attn4j.ilu.IluBackendProvider;
import dev.attn4j.ilu.IluImages;
import dev.attn4j.selector.BackendSelector;
import dev.attn4j.selector.CandidateReport;
import dev.attn4j.selector.Outcome;
import dev.attn4j.selector.ProbeCache;
import dev.attn4j.selector.Selection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On an Iluvatar machine (CoreX provides libcuda, so both cuda and ilu find the device) cuda
 * declines and ilu wins the selection. The machine is stubbed: both real providers' probes read a
 * stubbed device listing and (for ilu) stubbed kernel images, so the decision is theirs; only
 * opening is replaced (the selected backend runs on cpu, as no GPU is here).
 */
class IluvatarSelectionTest {
    private static final DeviceSource ILUVATAR = () -> List.of(new DeviceDescription(0, "Iluvatar BI-V150", 8, 0, 32L << 30));
    private static final DeviceSource H100 = () -> List.of(new DeviceDescription(0, "NVIDIA H100 80GB HBM3", 9, 0, 80L << 30));
    private static final IluImages BOTH_BUILT = new IluImages() {
        @Override
        public Optional<byte[]> corex() {
            return Optional.of(new byte[] {1});
        }

        @Override
        public Optional<byte[]> nvidia() {
            return Optional.of(new byte[] {1});
        }
    };

    /** A real provider whose decision (probe, capabilities) stands, opened on cpu. */
    private abstract static class Stubbed extends AbstractBackendProvider {
        private final AttentionBackendProvider real;

        Stubbed(AttentionBackendProvider real) {
            super(SPI_VERSION, real.priority(), real.capabilities());
            this.real = real;
        }

        @Override
        protected Availability probeDevices(BackendOptions options) {
            return real.probe(options);
        }

        @Override
        protected AttentionBackend openDevice(BackendOptions options, DeviceInfo device) {
            return new DelegatingBackend(name(), new CpuBackendProvider().open(options));
        }
    }

    // One class per provider: the selector caches probes per class.
    private static final class Cuda extends Stubbed {
        Cuda(DeviceSource d) {
            super(new CudaBackendProvider(d));
        }
    }

    private static final class Ilu extends Stubbed {
        Ilu(DeviceSource d) {
            super(new IluBackendProvider(d, BOTH_BUILT));
        }
    }

    @BeforeEach
    @AfterEach
    void clean() {
        ProbeCache.clear();
        System.clearProperty("attn4j.ilu.allowAnyCudaDevice");
    }

    private static Selection select(DeviceSource machine) {
        return BackendSelector.builder().discover(false)
                .register(new Cuda(machine), new Ilu(machine), new CpuBackendProvider())
                .environment(Map.of()).backendProperty(null).build().select(SelectionScenariosTest.REQ);
    }

    @Test
    void onAnIluvatarMachineCudaDeclinesAndIluIsChosen() {
        try (Selection s = select(ILUVATAR)) {
            assertEquals("ilu", s.backend().name(), s.report().table());
            CandidateReport cuda = s.report().candidate("cuda").orElseThrow();
            assertEquals(Outcome.UNAVAILABLE, cuda.outcome());
            // cuda's probe looks at its own kernels first: where nvcc was missing at build time it says that instead.
            assertTrue(cuda.reason().contains("Iluvatar CoreX GPU") && cuda.reason().contains("ilu backend")
                    || cuda.reason().contains("not built"), cuda.reason());
            assertEquals(Outcome.CHOSEN, s.report().candidate("ilu").orElseThrow().outcome());
        }
    }

    @Test
    void onAnNvidiaMachineIluDeclinesUnlessCompatModeIsAsked() {
        Availability plain = new Ilu(H100).probe();
        assertTrue(!plain.isAvailable() && plain.unavailabilityCause().contains("not an Iluvatar CoreX GPU")
                && plain.unavailabilityCause().contains("attn4j.ilu.allowAnyCudaDevice=true"), plain.unavailabilityCause());
        // Compat mode (how the ilu kernels are tested on NVIDIA GPUs) makes ilu available there, but it
        // ranks below cuda: it never takes an NVIDIA machine from cuda by priority.
        ProbeCache.clear();
        System.setProperty("attn4j.ilu.allowAnyCudaDevice", "true");
        Availability compat = new Ilu(H100).probe();
        assertTrue(compat.isAvailable(), compat.unavailabilityCause());
        assertEquals("NVIDIA", compat.devices().get(0).vendor());
        try (Selection s = select(H100)) {
            if (s.report().candidate("cuda").orElseThrow().outcome() == Outcome.CHOSEN) {
                assertEquals(Outcome.NOT_TRIED, s.report().candidate("ilu").orElseThrow().outcome());
            }
        }
    }
}
