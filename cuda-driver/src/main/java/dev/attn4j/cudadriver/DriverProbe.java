package dev.attn4j.cudadriver;

import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.DeviceInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The probe the libcuda backends (cuda, ilu) share: list the driver's devices, let the backend
 * decline each with a reason or describe it, and turn a driver that is missing or failing into a
 * cause that says so. What differs per backend is only which devices it takes.
 */
public final class DriverProbe {
    private DriverProbe() {
    }

    /**
     * @param devices       the devices the driver lists
     * @param driverNote    appended to "no CUDA driver" (e.g. who else provides libcuda.so.1)
     * @param declineReason why a device is not taken, or empty to take it
     * @param describe      how a taken device is reported
     */
    public static Availability probe(DeviceSource devices, String driverNote,
                                     Function<DeviceDescription, Optional<String>> declineReason,
                                     Function<DeviceDescription, DeviceInfo> describe) {
        try {
            List<DeviceDescription> listed = devices.devices();
            if (listed.isEmpty()) {
                return Availability.unavailable("the CUDA driver found no device");
            }
            List<DeviceInfo> accepted = new ArrayList<>();
            List<String> declined = new ArrayList<>();
            for (DeviceDescription d : listed) {
                Optional<String> why = declineReason.apply(d);
                if (why.isPresent()) {
                    declined.add(why.get());
                } else {
                    accepted.add(describe.apply(d));
                }
            }
            return accepted.isEmpty() ? Availability.unavailable(String.join("; ", declined))
                    : Availability.available(accepted);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return Availability.unavailable(JCudaNatives.isDriverMissing(String.valueOf(e.getMessage()))
                    ? "no CUDA driver" + driverNote + ": the JCuda driver library could not load libcuda.so.1 ("
                            + e.getMessage() + ")"
                    : "JCuda's driver library could not be loaded (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            return Availability.unavailable("the CUDA driver failed: " + e.getMessage(), e);
        }
    }
}
