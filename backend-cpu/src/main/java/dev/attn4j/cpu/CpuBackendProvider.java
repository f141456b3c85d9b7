package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.SupportedInts;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.api.support.AbstractBackendProvider;

import java.util.List;
import java.util.Map;

/**
 * Registers the {@code cpu} backend (priority 0: chosen when nothing faster is present). Options:
 * {@code threads} (or {@code attn4j.cpu.threads}; default one per processor),
 * {@code attn4j.cpu.minSplitTokens} (shortest KV range of a split work item; default 256) and
 * {@code attn4j.cpu.vector} (default true: the Vector API kernels where the JVM has
 * {@code jdk.incubator.vector}; false runs the scalar loops). The probe's device details say which
 * loops run, and how to get the vector ones where they do not.
 */
public final class CpuBackendProvider extends AbstractBackendProvider {
    public static final String NAME = "cpu";
    /** Largest head dim accepted: real models stop at 256; the bound keeps per-thread scratch small. */
    public static final int MAX_HEAD_DIM = 1024;
    /** Option (and system property): false runs the scalar loops even where the Vector API is present. */
    public static final String VECTOR_PROPERTY = "attn4j.cpu.vector";

    static final Capabilities CAPABILITIES = Capabilities.everyFormat(NAME)
            .headDims(SupportedInts.range(1, MAX_HEAD_DIM))
            .blockSizes(SupportedInts.any())
            .groupSizes(SupportedInts.any())
            .build();

    /** The constructor {@code ServiceLoader} calls; also for registering the provider in code. */
    public CpuBackendProvider() {
        super(SPI_VERSION, 0, CAPABILITIES);
    }

    @Override
    protected Availability probeDevices(BackendOptions options) {
        int cores = Runtime.getRuntime().availableProcessors();
        boolean vector = vectorFrom(options);
        Lanes lanes = Lanes.choose(vector);
        String why = Lanes.scalarReason(lanes, vector);
        DeviceInfo host = new DeviceInfo(0, System.getProperty("os.arch") + " host", "JVM " + Runtime.version(),
                Runtime.getRuntime().maxMemory(), Map.of("processors", Integer.toString(cores),
                        "loops", why == null ? lanes.describe() : why));
        return Availability.available(List.of(host));
    }

    @Override
    protected AttentionBackend openDevice(BackendOptions options, DeviceInfo device) {
        return new CpuBackend(threadsFrom(options),
                options.intProperty(CpuBackend.MIN_SPLIT_PROPERTY, CpuBackend.DEFAULT_MIN_SPLIT_TOKENS, 1),
                Lanes.choose(vectorFrom(options)));
    }

    /** Whether the Vector API kernels are wanted: {@code attn4j.cpu.vector}, default true. */
    static boolean vectorFrom(BackendOptions options) {
        return !options.property(VECTOR_PROPERTY).map(v -> v.trim().equals("false")).orElse(false);
    }

    /** Threads: the option if set, else {@code attn4j.cpu.threads}, else one per processor. */
    static int threadsFrom(BackendOptions options) {
        return options.threads() > 0 ? options.threads()
                : options.intProperty("attn4j.cpu.threads", Runtime.getRuntime().availableProcessors(), 1);
    }
}
