package dev.attn4j.cuda;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.api.support.AbstractBackendProvider;
import dev.attn4j.cudadriver.DeviceSource;
import dev.attn4j.cudadriver.DriverProbe;

import java.util.Map;

/**
 * Registers the {@code cuda} backend (priority 100). Its probe says exactly why it cannot run:
 * disabled, kernels not built, no driver, no device, or every device declined
 * ({@link CudaDeviceFilter}).
 */
public final class CudaBackendProvider extends AbstractBackendProvider {
    public static final String NAME = "cuda";

    static final Capabilities CAPABILITIES = Capabilities.everyFormat(NAME).build();

    private final DeviceSource devices;

    /** The provider {@code ServiceLoader} finds: devices as libcuda lists them. */
    public CudaBackendProvider() {
        this(DeviceSource.driver(NAME));
    }

    /** A provider whose probe sees {@code devices}: for tests, and hosts that list devices themselves. */
    public CudaBackendProvider(DeviceSource devices) {
        super(SPI_VERSION, 100, CAPABILITIES);
        this.devices = devices;
    }

    @Override
    protected Availability probeDevices(BackendOptions options) {
        if (CudaKernels.fatbin().isEmpty()) {
            return Availability.unavailable("the CUDA kernels were not built (nvcc was not found when "
                    + "attn4j-backend-cuda was built)");
        }
        return DriverProbe.probe(devices, "", CudaDeviceFilter::declineReason, d -> new DeviceInfo(d.index(), d.name(),
                "NVIDIA", d.memoryBytes(), Map.of("computeCapability", d.ccMajor() + "." + d.ccMinor(),
                "dependentLaunch", DependentLaunch.unavailabilityCause(d.ccMajor()).orElse("on"))));
    }

    @Override
    protected AttentionBackend openDevice(BackendOptions options, DeviceInfo device) {
        return new CudaBackend(device.index(), device.name(), CudaKernels.fatbin().orElseThrow());
    }
}
