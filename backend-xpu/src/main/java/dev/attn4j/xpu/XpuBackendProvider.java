package dev.attn4j.xpu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.BackendUnavailableException;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.Feature;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.api.support.AbstractBackendProvider;

import java.util.EnumSet;

/**
 * Registers the {@code xpu} backend (priority 50: below the CUDA-family GPU backends, whose
 * kernels are tuned on their hardware, above cpu). Its probe says exactly what is missing
 * ({@link XpuProbe}). Options: {@code attn4j.xpu.allowAnyOpenClDevice} (run on any OpenCL device,
 * e.g. PoCL), {@code attn4j.xpu.levelZeroLoader} (the loader library),
 * {@code attn4j.xpu.minSplitTokens} (shortest KV range a split-KV work item gets; default 256).
 */
public final class XpuBackendProvider extends AbstractBackendProvider {
    public static final String NAME = "xpu";

    /**
     * What the shared kernels implement ({@link Capabilities#everyFormat}: the attention kernel serves
     * a KV group's heads in passes), but no EXTERNAL_MEMORY ({@link XpuBackend#wrap} is not implemented).
     */
    static final Capabilities CAPABILITIES = Capabilities.everyFormat(NAME)
            .features(EnumSet.complementOf(EnumSet.of(Feature.EXTERNAL_MEMORY)))
            .build();

    /** The constructor {@code ServiceLoader} calls; also for registering the provider in code. */
    public XpuBackendProvider() {
        super(SPI_VERSION, 50, CAPABILITIES);
    }

    @Override
    protected Availability probeDevices(BackendOptions options) {
        return XpuProbe.run(XpuProbe.Settings.from(options)).availability();
    }

    /**
     * Probes again for the device objects (the Availability holds only their descriptions). Keeping
     * the probe's objects in the provider instead would save the second listing at open, but held
     * past it they keep an uninstalled bundle's class loader alive (OsgiFrameworkTest catches it).
     */
    @Override
    protected AttentionBackend openDevice(BackendOptions options, DeviceInfo device) {
        XpuProbe probe = XpuProbe.run(XpuProbe.Settings.from(options));
        if (device.index() >= probe.devices().size()) {
            throw new BackendUnavailableException(NAME, "device " + device.index() + " went away between probe and open");
        }
        int minSplit = options.intProperty(XpuBackend.MIN_SPLIT_PROPERTY, XpuBackend.DEFAULT_MIN_SPLIT_TOKENS, 1);
        return new XpuBackend(probe.devices().get(device.index()).open(), minSplit);
    }
}
