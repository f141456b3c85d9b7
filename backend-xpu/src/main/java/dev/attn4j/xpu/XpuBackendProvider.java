package dev.attn4j.xpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.BackendUnavailableException;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.DType;
import dev.attn4j.api.Feature;
import dev.attn4j.api.InvalidRequestException;
import dev.attn4j.api.KvDType;
import dev.attn4j.api.KvLayout;
import dev.attn4j.api.ScaleGranularity;
import dev.attn4j.api.SupportedInts;
import dev.attn4j.api.spi.AttentionBackendProvider;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;

import java.util.EnumSet;

/**
 * Registers the {@code xpu} backend (priority 50: below the CUDA-family GPU backends, whose
 * kernels are tuned on their hardware, above cpu). Its probe says exactly what is missing
 * ({@link XpuProbe}). Options: {@code attn4j.xpu.allowAnyOpenClDevice} (run on any OpenCL device,
 * e.g. PoCL), {@code attn4j.xpu.levelZeroLoader} (the loader library),
 * {@code attn4j.xpu.minSplitTokens} (shortest KV range a split-KV work item gets; default 256).
 */
public final class XpuBackendProvider implements AttentionBackendProvider {
    public static final String NAME = "xpu";

    /**
     * Every KV dtype, granularity and layout; head dims up to 256 in steps of 8 (the kernels hold
     * 16 x 1/2/4/8/16 channels per sub-group); any block size up to 1024 and group size up to 128
     * (the attention kernel serves a KV group's heads in passes); every feature but EXTERNAL_MEMORY
     * ({@link XpuBackend#wrap} is not implemented).
     */
    static final Capabilities CAPABILITIES = Capabilities.builder(NAME)
            .kvDtypes(EnumSet.allOf(KvDType.class))
            .granularities(EnumSet.allOf(ScaleGranularity.Kind.class))
            .tokenGroupSizes(SupportedInts.any())
            .layouts(EnumSet.allOf(KvLayout.class))
            .headDims(SupportedInts.rangeMultipleOf(8, 256, 8))
            .blockSizes(SupportedInts.range(1, 1024))
            .groupSizes(SupportedInts.range(1, 128))
            .queryDtypes(EnumSet.of(DType.BF16, DType.FP16))
            .features(EnumSet.complementOf(EnumSet.of(Feature.EXTERNAL_MEMORY)))
            .build();

    /** The constructor {@code ServiceLoader} calls; also for registering the provider in code. */
    public XpuBackendProvider() {
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
        return 50;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Availability probe() {
        return XpuProbe.run(XpuProbe.Settings.fromSystemProperties()).availability();
    }

    @Override
    public AttentionBackend open(BackendOptions options) {
        XpuProbe.Settings settings = new XpuProbe.Settings(
                options.property(ZeLoader.LIBRARY_PROPERTY).orElse(ZeLoader.DEFAULT_LIBRARY),
                Boolean.parseBoolean(options.property(DeviceFilter.ALLOW_ANY).orElse("false")));
        XpuProbe probe = XpuProbe.run(settings);
        Availability a = probe.availability();
        if (!a.isAvailable()) {
            throw new BackendUnavailableException(NAME, a.unavailabilityCause(), a.error().orElse(null));
        }
        int index = options.deviceIndex();
        if (index >= probe.devices().size()) {
            throw new BackendUnavailableException(NAME, "deviceIndex=" + index + " is not a usable device; usable: "
                    + a.devices());
        }
        int minSplit = minSplitTokens(options);
        return new XpuBackend(probe.devices().get(index).open(), minSplit);
    }

    private static int minSplitTokens(BackendOptions options) {
        String v = options.property(XpuBackend.MIN_SPLIT_PROPERTY).orElse(null);
        if (v == null) {
            return XpuBackend.DEFAULT_MIN_SPLIT_TOKENS;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException(XpuBackend.MIN_SPLIT_PROPERTY, v, "must be an integer >= 1");
    }
}
