package dev.attn4j.ilu;

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
import dev.attn4j.cudadriver.DeviceDescription;
import dev.attn4j.cudadriver.DeviceSource;
import dev.attn4j.cudadriver.JCudaNatives;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Registers the {@code ilu} backend (priority 80: below cuda, above xpu and cpu). Its probe says
 * exactly why it cannot run: disabled, no driver, no device, every device declined
 * ({@link IluDeviceFilter}: NVIDIA devices need compat mode), or no kernels built for the
 * accepted device (CoreX's compiler was not there at build time; the sources are in the jar).
 */
public final class IluBackendProvider implements AttentionBackendProvider {
    public static final String NAME = "ilu";
    /** The vendor an accepted Iluvatar device is reported with (open picks its kernels by it). */
    private static final String ILUVATAR = "Iluvatar";

    static final Capabilities CAPABILITIES = Capabilities.builder(NAME)
            .kvDtypes(EnumSet.allOf(KvDType.class))
            .granularities(EnumSet.allOf(ScaleGranularity.Kind.class))
            .tokenGroupSizes(SupportedInts.any())
            .layouts(EnumSet.allOf(KvLayout.class))
            .headDims(SupportedInts.rangeMultipleOf(8, 256, 8))
            .blockSizes(SupportedInts.range(1, 1024))
            .groupSizes(SupportedInts.range(1, 128))
            .queryDtypes(EnumSet.of(DType.BF16, DType.FP16))
            .features(EnumSet.allOf(Feature.class))
            .build();

    private final DeviceSource devices;
    private final KernelImages images;

    /** The provider ServiceLoader finds: the driver's devices, the kernels in the jar. */
    public IluBackendProvider() {
        this(DeviceSource.driver(NAME), KernelImages.fromJar());
    }

    /** For tests and embedders that list devices or supply kernel images themselves. */
    public IluBackendProvider(DeviceSource devices, KernelImages images) {
        this.devices = devices;
        this.images = images;
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
        return 80;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Availability probe() {
        Optional<String> disabled = KillSwitch.cause(NAME);
        if (disabled.isPresent()) {
            return Availability.unavailable(disabled.get());
        }
        try {
            List<DeviceDescription> listed = devices.devices();
            if (listed.isEmpty()) {
                return Availability.unavailable("the CUDA driver found no device");
            }
            boolean compat = IluDeviceFilter.compatMode();
            List<DeviceInfo> accepted = new ArrayList<>();
            List<String> declined = new ArrayList<>();
            for (DeviceDescription d : listed) {
                Optional<String> why = IluDeviceFilter.declineReason(d, compat);
                if (why.isEmpty() && image(d).isEmpty()) {
                    why = Optional.of("device " + d.index() + " (" + d.name() + "): " + missingKernels(d));
                }
                if (why.isPresent()) {
                    declined.add(why.get());
                } else {
                    accepted.add(new DeviceInfo(d.index(), d.name(), d.isIluvatar() ? ILUVATAR : "NVIDIA",
                            d.memoryBytes(), Map.of("kernels", d.isIluvatar() ? "CoreX" : "nvcc (compat mode)")));
                }
            }
            return accepted.isEmpty() ? Availability.unavailable(String.join("; ", declined))
                    : Availability.available(accepted);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return Availability.unavailable(JCudaNatives.isDriverMissing(String.valueOf(e.getMessage()))
                    ? "no CUDA driver (CoreX provides libcuda.so.1 too): the JCuda driver library could not load it ("
                            + e.getMessage() + ")"
                    : "JCuda's driver library could not be loaded (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            return Availability.unavailable("the CUDA driver failed: " + e.getMessage(), e);
        }
    }

    private Optional<byte[]> image(DeviceDescription d) {
        return d.isIluvatar() ? images.corex() : images.nvidia();
    }

    private static String missingKernels(DeviceDescription d) {
        return d.isIluvatar()
                ? "the ilu kernels for CoreX were not built (CoreX's clang++ was not found when attn4j-backend-ilu was "
                        + "built; build dev/attn4j/ilu/src/attn4j_ilu.cu from the jar and pass it with -D"
                        + KernelImages.OVERRIDE_PROPERTY + "=FILE)"
                : "the ilu kernels for NVIDIA were not built (nvcc was not found when attn4j-backend-ilu was built)";
    }

    @Override
    public AttentionBackend open(BackendOptions options) {
        Availability a = probe();
        if (!a.isAvailable()) {
            throw new BackendUnavailableException(NAME, a.unavailabilityCause(), a.error().orElse(null));
        }
        int index = options.deviceIndex();
        DeviceInfo device = a.devices().stream().filter(d -> d.index() == index).findFirst()
                .orElseThrow(() -> new BackendUnavailableException(NAME, "deviceIndex=" + index
                        + " is not a usable device; usable: " + a.devices()));
        boolean iluvatar = device.vendor().equals(ILUVATAR);
        byte[] image = (iluvatar ? images.corex() : images.nvidia()).orElseThrow();
        return new IluBackend(index, device.name(), image, iluvatar ? "attn4j_ilu.corex" : "attn4j_ilu.fatbin");
    }
}
