package dev.attn4j.it;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.DType;
import dev.attn4j.api.DeviceException;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvCache;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.OpKind;
import dev.attn4j.api.Plan;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.SupportedInts;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.numeric.Bf16;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.cpu.CpuBackendProvider;

import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Test-only providers, one class per misbehaviour (the probe cache is per class). Each ranks
 * above cpu so selection tries it first. Those that open something open the real cpu backend
 * and break one thing on top.
 */
final class TestProviders {
    private TestProviders() {
    }

    /** Common parts: a name, a priority above cpu, cpu's capabilities. */
    abstract static class Base implements AttentionBackendProvider {
        private final String name;

        Base(String name) {
            this.name = name;
        }

        @Override
        public int spiVersion() {
            return SPI_VERSION;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return 50;
        }

        @Override
        public Availability probe(BackendOptions options) {
            return Availability.available(List.of());
        }

        @Override
        public Capabilities capabilities() {
            return new CpuBackendProvider().capabilities();
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            return new DelegatingBackend(name, new CpuBackendProvider().open(options));
        }
    }

    /** Its probe finds no device. */
    static final class Unavailable extends Base {
        Unavailable() {
            super("t-unavailable");
        }

        @Override
        public int priority() {
            return 60;
        }

        @Override
        public Availability probe(BackendOptions options) {
            return Availability.unavailable("no t-device found (test)");
        }
    }

    /** Its probe throws. */
    static final class ProbeThrows extends Base {
        ProbeThrows() {
            super("t-probe-throws");
        }

        @Override
        public Availability probe(BackendOptions options) {
            throw new UnsatisfiedLinkError("libtdevice.so: cannot open shared object file (test)");
        }
    }

    /** Its open throws. */
    static final class OpenThrows extends Base {
        OpenThrows() {
            super("t-open-throws");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            throw new IllegalStateException("context creation failed (test)");
        }
    }

    /** Supports only head dim 64, BF16 KV, HND: a mismatch on several fields at once. */
    static final class Narrow extends Base {
        Narrow() {
            super("t-narrow");
        }

        @Override
        public Capabilities capabilities() {
            return Capabilities.builder(name())
                    .kvDtypes(EnumSet.of(KvDType.BF16))
                    .granularities(EnumSet.of(ScaleGranularity.Kind.NONE))
                    .layouts(EnumSet.of(KvLayout.HND))
                    .headDims(SupportedInts.of(64))
                    .blockSizes(SupportedInts.any())
                    .groupSizes(SupportedInts.any())
                    .queryDtypes(EnumSet.of(DType.BF16))
                    .features(EnumSet.allOf(Feature.class))
                    .build();
        }
    }

    /** Computes outputs 5 % too large: validation must catch it. */
    static final class WrongNumbers extends Base {
        WrongNumbers() {
            super("t-wrong-numbers");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            return new DelegatingBackend(name(), new CpuBackendProvider().open(options)) {
                @Override
                public void run(Plan plan, Tensor q, KvCache cache, Tensor out, Tensor lse) {
                    super.run(plan, q, cache, out, lse);
                    skew(out);
                }
            };
        }

        private static void skew(Tensor out) {
            short[] bits = out.toShortArray();
            for (int i = 0; i < bits.length; i++) {
                bits[i] = Bf16.fromFloat(Bf16.toFloat(bits[i]) * 1.05f);
            }
            out.copyFrom(bits);
        }
    }

    /** Shares cpu's name from another class: a duplicate. */
    static final class DuplicateCpu extends Base {
        DuplicateCpu() {
            super("cpu");
        }
    }

    /** Works until {@link #FAULT} is set, then every decode raises a sticky device fault (an illegal address). */
    static final class Faulty extends FaultOnDemand {
        static final AtomicBoolean FAULT = new AtomicBoolean();

        Faulty() {
            super("t-faulty", FAULT, new DeviceException("t-faulty", "tLaunchKernel", 700, "T_ERROR_ILLEGAL_ADDRESS"));
        }
    }

    /** Works until {@link #FAULT} is set, then every decode runs out of memory: a fault that is not sticky. */
    static final class OutOfMemory extends FaultOnDemand {
        static final AtomicBoolean FAULT = new AtomicBoolean();

        OutOfMemory() {
            super("t-out-of-memory", FAULT, new DeviceException("t-out-of-memory", "tMemAlloc", 2,
                    "T_ERROR_OUT_OF_MEMORY", false, null));
        }
    }

    /** cpu underneath; while {@code fault} is set, every decode throws {@code error}. */
    abstract static class FaultOnDemand extends Base {
        private final AtomicBoolean fault;
        private final DeviceException error;

        FaultOnDemand(String name, AtomicBoolean fault, DeviceException error) {
            super(name);
            this.fault = fault;
            this.error = error;
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            return new DelegatingBackend(name(), new CpuBackendProvider().open(options)) {
                @Override
                public void run(Plan plan, Tensor q, KvCache cache, Tensor out, Tensor lse) {
                    if (plan.kind() != OpKind.DECODE) {   // the bug is in decode only
                        super.run(plan, q, cache, out, lse);
                        return;
                    }
                    if (fault.get()) {
                        throw error;
                    }
                    super.run(plan, q, cache, out, lse);
                }
            };
        }
    }

    /** Its open returns null. */
    static final class OpenReturnsNull extends Base {
        OpenReturnsNull() {
            super("t-open-null");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            return null;
        }
    }

    /** Its open throws an error, as a broken assertion or a runaway recursion in native glue would. */
    static final class OpenThrowsError extends Base {
        static volatile Error error = new AssertionError("invariant broken (test)");

        OpenThrowsError() {
            super("t-open-error");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            throw error;
        }
    }

    /** Records whether the backends it opened were closed. */
    abstract static class Tracked extends Base {
        final List<DelegatingBackend> opened = new java.util.concurrent.CopyOnWriteArrayList<>();

        Tracked(String name) {
            super(name);
        }

        boolean allClosed() {
            return !opened.isEmpty() && opened.stream().allMatch(AttentionBackend::isClosed);
        }
    }

    /** Opens, then its backend's capability check throws. */
    static final class CheckThrowsAfterOpen extends Tracked {
        CheckThrowsAfterOpen() {
            super("t-check-throws");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            DelegatingBackend b = new DelegatingBackend(name(), new CpuBackendProvider().open(options)) {
                @Override
                public dev.attn4j.api.CapabilityCheck check(dev.attn4j.api.Requirements r) {
                    throw new IllegalStateException("check is broken (test)");
                }
            };
            opened.add(b);
            return b;
        }
    }

    /** Opens, then its decode overflows the stack during validation. */
    static final class ValidationOverflowsTheStack extends Tracked {
        ValidationOverflowsTheStack() {
            super("t-validation-overflow");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            DelegatingBackend b = new DelegatingBackend(name(), new CpuBackendProvider().open(options)) {
                @Override
                public void run(Plan plan, Tensor q, KvCache cache, Tensor out, Tensor lse) {
                    throw new StackOverflowError("deep recursion (test)");
                }
            };
            opened.add(b);
            return b;
        }
    }

    /** Its probe never returns until {@link #RELEASE} opens. */
    static final class ProbeHangs extends Base {
        static final java.util.concurrent.CountDownLatch RELEASE = new java.util.concurrent.CountDownLatch(1);

        ProbeHangs() {
            super("t-probe-hangs");
        }

        @Override
        public Availability probe(BackendOptions options) {
            try {
                RELEASE.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Availability.available(List.of());
        }
    }

    /** Its open returns only when {@link #release} opens; what it returns then must be closed. */
    static final class OpenHangs extends Tracked {
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);

        OpenHangs() {
            super("t-open-hangs");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            DelegatingBackend b = new DelegatingBackend(name(), new CpuBackendProvider().open(options));
            opened.add(b);
            return b;
        }
    }

    /** Its priority() throws (read once, at discovery). */
    static final class PriorityThrows extends Base {
        PriorityThrows() {
            super("t-priority-throws");
        }

        @Override
        public int priority() {
            throw new AssertionError("no priority (test)");
        }
    }

    /** Two devices; opens the cpu backend for each and records the device indices it was opened on. */
    static class TwoDevices extends Base {
        static final List<Integer> OPENED = new java.util.concurrent.CopyOnWriteArrayList<>();

        TwoDevices() {
            this("t-two-devices");
        }

        TwoDevices(String name) {
            super(name);
        }

        @Override
        public Availability probe(BackendOptions options) {
            return Availability.available(List.of(
                    new dev.attn4j.api.spi.DeviceInfo(0, "test device 0", "test", 1L << 30, java.util.Map.of()),
                    new dev.attn4j.api.spi.DeviceInfo(1, "test device 1", "test", 1L << 30, java.util.Map.of())));
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            OPENED.add(options.deviceIndex());
            // Both "devices" are the host: the cpu backend behind them has device 0 only.
            return super.open(BackendOptions.builder().threads(options.threads()).build());
        }
    }

    /** Two devices, of which device 1 cannot be opened. */
    static final class SecondDeviceFails extends TwoDevices {
        SecondDeviceFails() {
            super("t-second-device-fails");
        }

        @Override
        public AttentionBackend open(BackendOptions options) {
            if (options.deviceIndex() == 1) {
                throw new IllegalStateException("device 1 is gone (test)");
            }
            return super.open(options);
        }
    }
}
