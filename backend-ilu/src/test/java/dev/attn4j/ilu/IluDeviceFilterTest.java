package dev.attn4j.ilu;

import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.cudadriver.DeviceDescription;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which devices ilu takes: Iluvatar always, NVIDIA only in compat mode (and then 8.0 or newer). */
class IluDeviceFilterTest {
    private static final DeviceDescription ILUVATAR = new DeviceDescription(0, "Iluvatar BI-V150", 8, 0, 32L << 30);
    private static final DeviceDescription MR = new DeviceDescription(1, "MR-V100", 8, 0, 32L << 30);
    private static final DeviceDescription H200 = new DeviceDescription(0, "NVIDIA H200", 9, 0, 141L << 30);
    private static final DeviceDescription V100 = new DeviceDescription(2, "Tesla V100-SXM2-32GB", 7, 0, 32L << 30);

    @Test
    void acceptsIluvatarWithOrWithoutCompatMode() {
        assertTrue(IluDeviceFilter.declineReason(ILUVATAR, false).isEmpty());
        assertTrue(IluDeviceFilter.declineReason(MR, false).isEmpty());
        assertTrue(IluDeviceFilter.declineReason(ILUVATAR, true).isEmpty());
    }

    @Test
    void declinesNvidiaUnlessCompatModeAndSaysHowToAllowIt() {
        String why = IluDeviceFilter.declineReason(H200, false).orElseThrow();
        assertTrue(why.contains("NVIDIA H200") && why.contains("not an Iluvatar CoreX GPU")
                && why.contains("-Dattn4j.ilu.allowAnyCudaDevice=true"), why);
        assertTrue(IluDeviceFilter.declineReason(H200, true).isEmpty());
    }

    @Test
    void compatModeStillNeedsComputeCapability8() {
        String why = IluDeviceFilter.declineReason(V100, true).orElseThrow();
        assertTrue(why.contains("compute capability 7.0") && why.contains("8.0"), why);
    }

    @Test
    void compatModeIsReadFromTheProperty() {
        String before = System.getProperty(IluDeviceFilter.COMPAT_PROPERTY);
        try {
            System.setProperty(IluDeviceFilter.COMPAT_PROPERTY, "true");
            assertTrue(IluDeviceFilter.compatMode(BackendOptions.defaults()));
            System.setProperty(IluDeviceFilter.COMPAT_PROPERTY, "false");
            assertEquals(false, IluDeviceFilter.compatMode(BackendOptions.defaults()));
            // The options win over the system property, in probe and open alike.
            assertTrue(IluDeviceFilter.compatMode(BackendOptions.builder()
                    .property(IluDeviceFilter.COMPAT_PROPERTY, "true").build()));
        } finally {
            if (before == null) {
                System.clearProperty(IluDeviceFilter.COMPAT_PROPERTY);
            } else {
                System.setProperty(IluDeviceFilter.COMPAT_PROPERTY, before);
            }
        }
    }
}
