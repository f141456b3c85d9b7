package dev.attn4j.cpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.BackendUnavailableException;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.SupportedInts;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.api.spi.KillSwitch;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Registers the {@code cpu} backend (priority 0: chosen when nothing faster is present). */
public final class CpuBackendProvider implements AttentionBackendProvider {
    public static final String NAME = "cpu";
    /** Largest head dim accepted: real models stop at 256; the bound keeps per-thread scratch small. */
    public static final int MAX_HEAD_DIM = 1024;

    static final Capabilities CAPABILITIES = Capabilities.builder(NAME)
            .kvDtypes(EnumSet.allOf(KvDType.class))
            .granularities(EnumSet.allOf(ScaleGranularity.Kind.class))
            .tokenGroupSizes(SupportedInts.any())
            .layouts(EnumSet.allOf(KvLayout.class))
            .headDims(SupportedInts.range(1, MAX_HEAD_DIM))
            .blockSizes(SupportedInts.any())
            .groupSizes(SupportedInts.any())
            .queryDtypes(EnumSet.of(DType.BF16, DType.FP16))
            .features(EnumSet.allOf(Feature.class))
            .build();

    /** The constructor {@code ServiceLoader} calls; also for registering the provider in code. */
    public CpuBackendProvider() {
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability probe() {
        Optional<String> disabled = KillSwitch.cause(NAME);
        if (disabled.isPresent()) {
            return Availability.unavailable(disabled.get());
        }
        int cores = Runtime.getRuntime().availableProcessors();
        DeviceInfo host = new DeviceInfo(0, System.getProperty("os.arch") + " host", "JVM " + Runtime.version(),
                Runtime.getRuntime().maxMemory(), Map.of("processors", Integer.toString(cores)));
        return Availability.available(List.of(host));
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public AttentionBackend open(BackendOptions options) {
        Optional<String> disabled = KillSwitch.cause(NAME);
        if (disabled.isPresent()) {
            throw new BackendUnavailableException(NAME, disabled.get());
        }
        return new CpuBackend(threadsFrom(options));
    }

    /** Threads: the option if set, else {@code attn4j.cpu.threads}, else one per processor. */
    static int threadsFrom(BackendOptions options) {
        if (options.threads() > 0) {
            return options.threads();
        }
        String key = "attn4j.cpu.threads";
        Optional<String> p = options.property(key);
        if (p.isPresent()) {
            try {
                int t = Integer.parseInt(p.get().trim());
                if (t >= 1) {
                    return t;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new dev.attn4j.api.InvalidRequestException(key, p.get(), "must be an integer >= 1");
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
