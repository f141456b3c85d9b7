package dev.attn4j.cuda;

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
 * Registers the {@code cuda} backend (priority 100). Its probe says exactly why it cannot run:
 * disabled, kernels not built, no driver, no device, or every device declined
 * ({@link DeviceFilter}).
 */
public final class CudaBackendProvider implements AttentionBackendProvider {
    public static final String NAME = "cuda";

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

    /** The provider {@code ServiceLoader} finds: devices as libcuda lists them. */
    public CudaBackendProvider() {
        this(DeviceSource.driver(NAME));
    }

    /** A provider whose probe sees {@code devices}: for tests, and hosts that list devices themselves. */
    public CudaBackendProvider(DeviceSource devices) {
        this.devices = devices;
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
        return 100;
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
        if (CudaKernels.fatbin().isEmpty()) {
            return Availability.unavailable("the CUDA kernels were not built (nvcc was not found when "
                    + "attn4j-backend-cuda was built)");
        }
        try {
            List<DeviceDescription> listed = devices.devices();
            if (listed.isEmpty()) {
                return Availability.unavailable("the CUDA driver found no device");
            }
            List<DeviceInfo> accepted = new ArrayList<>();
            List<String> declined = new ArrayList<>();
            for (DeviceDescription d : listed) {
                Optional<String> why = DeviceFilter.declineReason(d);
                if (why.isPresent()) {
                    declined.add(why.get());
                } else {
                    accepted.add(new DeviceInfo(d.index(), d.name(), "NVIDIA", d.memoryBytes(),
                            Map.of("computeCapability", d.ccMajor() + "." + d.ccMinor())));
                }
            }
            return accepted.isEmpty() ? Availability.unavailable(String.join("; ", declined))
                    : Availability.available(accepted);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return Availability.unavailable(JCudaNatives.isDriverMissing(String.valueOf(e.getMessage()))
                    ? "no CUDA driver: the JCuda driver library could not load libcuda.so.1 (" + e.getMessage() + ")"
                    : "JCuda's driver library could not be loaded (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            return Availability.unavailable("the CUDA driver failed: " + e.getMessage(), e);
        }
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
        return new CudaBackend(index, device.name(), CudaKernels.fatbin().orElseThrow());
    }
}
