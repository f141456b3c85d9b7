package dev.attn4j.ilu;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.Capabilities;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.DeviceInfo;
import dev.attn4j.api.support.AbstractBackendProvider;
import dev.attn4j.cudadriver.DeviceDescription;
import dev.attn4j.cudadriver.DeviceSource;
import dev.attn4j.cudadriver.DriverProbe;

import java.util.Map;
import java.util.Optional;

/**
 * Registers the {@code ilu} backend (priority 80: below cuda, above xpu and cpu). Its probe says
 * exactly why it cannot run: disabled, no driver, no device, every device declined
 * ({@link IluDeviceFilter}: NVIDIA devices need compat mode), or no kernels built for the
 * accepted device (CoreX's compiler was not there at build time; the sources are in the jar).
 */
public final class IluBackendProvider extends AbstractBackendProvider {
    public static final String NAME = "ilu";
    /** The vendor an accepted Iluvatar device is reported with (open picks its kernels by it). */
    private static final String ILUVATAR = "Iluvatar";

    static final Capabilities CAPABILITIES = Capabilities.everyFormat(NAME).build();

    private final DeviceSource devices;
    private final IluImages images;

    /** The provider ServiceLoader finds: the driver's devices, the kernels in the jar. */
    public IluBackendProvider() {
        this(DeviceSource.driver(NAME), IluImages.fromJar());
    }

    /** For tests and embedders that list devices or supply kernel images themselves. */
    public IluBackendProvider(DeviceSource devices, IluImages images) {
        super(SPI_VERSION, 80, CAPABILITIES);
        this.devices = devices;
        this.images = images;
    }

    @Override
    protected Availability probeDevices(BackendOptions options) {
        boolean compat = IluDeviceFilter.compatMode(options);
        return DriverProbe.probe(devices, " (CoreX provides libcuda.so.1 too)", d -> {
            Optional<String> why = IluDeviceFilter.declineReason(d, compat);
            return why.isEmpty() && image(d).isEmpty()
                    ? Optional.of("device " + d.index() + " (" + d.name() + "): " + missingKernels(d)) : why;
        }, d -> new DeviceInfo(d.index(), d.name(), d.isIluvatar() ? ILUVATAR : "NVIDIA", d.memoryBytes(),
                Map.of("kernels", d.isIluvatar() ? "CoreX" : "nvcc (compat mode)")));
    }

    private Optional<byte[]> image(DeviceDescription d) {
        return d.isIluvatar() ? images.corex() : images.nvidia();
    }

    private static String missingKernels(DeviceDescription d) {
        return d.isIluvatar()
                ? "the ilu kernels for CoreX were not built (CoreX's clang++ was not found when attn4j-backend-ilu was "
                        + "built; build dev/attn4j/ilu/src/attn4j_ilu.cu from the jar and pass it with -D"
                        + IluImages.OVERRIDE_PROPERTY + "=FILE)"
                : "the ilu kernels for NVIDIA were not built (nvcc was not found when attn4j-backend-ilu was built)";
    }

    @Override
    protected AttentionBackend openDevice(BackendOptions options, DeviceInfo device) {
        boolean iluvatar = device.vendor().equals(ILUVATAR);
        byte[] image = (iluvatar ? images.corex() : images.nvidia()).orElseThrow();
        return new IluBackend(device.index(), device.name(), image, iluvatar ? "attn4j_ilu.corex" : "attn4j_ilu.fatbin");
    }
}
