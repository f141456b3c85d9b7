package dev.attn4j.xpu;

import dev.attn4j.api.DeviceException;
import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.BackendOptions;
import dev.attn4j.api.spi.KillSwitch;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each probe cause the issue names, produced for real: no Level Zero loader library; a loader with
 * no driver (Debian's libze1 alone, which scripts/setup.sh installs); a driver with no Intel GPU (a
 * stand-in loader built from src/test/native); no OpenCL platform (a child JVM whose ICD loader
 * finds no vendor file); and PoCL declined without attn4j.xpu.allowAnyOpenClDevice. Also: an Intel
 * GPU found through Level Zero, whose module build fails, gives a DeviceException with the
 * ze_result_t name and the build log; the kill switch is the cause when set.
 */
class XpuProbeCausesTest {
    private static final String ABSENT = "libze_loader_absent_for_this_test.so.1";

    private static String cause(String loader, boolean allowAny) {
        Availability a = XpuProbe.run(new XpuProbe.Settings(loader, allowAny)).availability();
        assertFalse(a.isAvailable(), () -> "expected unavailable, got " + a);
        return a.unavailabilityCause();
    }

    private static void requireShim() {
        OpenClDevices.require(ZeShim.load().isEmpty(), "the JNI shim is not loaded: " + ZeShim.load().orElse(""));
    }

    /** The stand-in loader's path, skipping (strict: failing) if build-fake-loader.sh did not build it. */
    private static String fakeLoader(String name) throws URISyntaxException {
        URL url = XpuProbeCausesTest.class.getResource("/fake-ze/" + name);
        OpenClDevices.require(url != null, "the stand-in loader " + name + " was not built (gcc, libze-dev)");
        return Path.of(url.toURI()).toString();
    }

    @Test
    void noLoaderLibrary() {
        requireShim();
        String cause = cause(ABSENT, false);
        assertTrue(cause.startsWith("Level Zero: no Level Zero loader: " + ABSENT + " could not be loaded ("), cause);
        assertTrue(cause.contains("libze1"), cause);
    }

    @Test
    void loaderWithoutDriver() {
        requireShim();
        ZeLoader.Discovery d = ZeLoader.discover(ZeLoader.DEFAULT_LIBRARY);
        OpenClDevices.require(d.cause() == null || !d.cause().startsWith("no Level Zero loader"),
                "libze_loader.so.1 is not installed (Debian: libze1): " + d.cause());
        OpenClDevices.require(d.devices().isEmpty(), "this machine's Level Zero loader has a driver");
        String cause = cause(ZeLoader.DEFAULT_LIBRARY, false);
        assertTrue(cause.startsWith("Level Zero: the Level Zero loader (libze_loader.so.1) found no driver: "
                + "zeInit -> ZE_RESULT_ERROR_UNINITIALIZED"), cause);
    }

    @Test
    void driverWithoutIntelGpu() throws URISyntaxException {
        requireShim();
        String cause = cause(fakeLoader("libfake_ze_no_intel_gpu.so"), false);
        assertTrue(cause.startsWith("Level Zero: the Level Zero driver has no Intel GPU: "
                + "Level Zero device \"Fake NVIDIA GPU (test loader)\" (vendor 0x10de, GPU) is not an Intel GPU; "
                + "Level Zero device \"Fake Intel CPU (test loader)\" (vendor 0x8086, CPU) is not an Intel GPU"), cause);
    }

    @Test
    void intelGpuThroughLevelZeroAndTheBuildLogOfAFailedModule() throws URISyntaxException {
        requireShim();
        OpenClDevices.require(XpuKernels.spirv().isPresent(), "the SPIR-V kernels were not built (clang-14, llvm-spirv-14)");
        String loader = fakeLoader("libfake_ze_intel_gpu.so");
        XpuProbe probe = XpuProbe.run(new XpuProbe.Settings(loader, false));
        assertTrue(probe.availability().isAvailable(), probe.availability()::toString);
        assertEquals("Fake Intel GPU (test loader)", probe.availability().devices().get(0).name());
        assertEquals("Intel", probe.availability().devices().get(0).vendor());
        assertEquals("Level Zero", probe.devices().get(0).api());
        DeviceException e = assertThrows(DeviceException.class, () -> new XpuBackendProvider().open(
                BackendOptions.builder().property(ZeLoader.LIBRARY_PROPERTY, loader).build()));
        assertEquals("ZE_RESULT_ERROR_MODULE_BUILD_FAILURE", e.errorName());
        assertEquals(0x70000004L, e.errorCode());
        assertTrue(e.call().startsWith("zeModuleCreate [fake loader: no SPIR-V compiler here]"), e.getMessage());
    }

    @Test
    void resultNamesComeFromTheShim() {
        requireShim();
        assertEquals("ZE_RESULT_ERROR_UNINITIALIZED", ZeNative.resultName(ZeNative.ERROR_UNINITIALIZED));
        assertEquals("ZE_RESULT_ERROR_DEVICE_LOST", ZeNative.resultName(0x70000001));
        assertEquals("ZE_RESULT_0x12345", ZeNative.resultName(0x12345));
    }

    @Test
    void noOpenClPlatform() throws IOException, InterruptedException {
        Path empty = Files.createTempDirectory("no-opencl-vendors");
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), ProbeCauseMain.class.getName(), ABSENT));
            pb.environment().put("OCL_ICD_VENDORS", empty.toString());  // ocl-icd reads this directory instead of /etc/OpenCL/vendors
            pb.redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains(" | OpenCL: no OpenCL platform: the OpenCL ICD loader found no driver registered"), out);
        } finally {
            Files.delete(empty);
        }
    }

    @Test
    void poclIsDeclinedUnlessAnyOpenClDeviceIsAllowed() {
        Availability any = OpenClDevices.probe();
        OpenClDevices.assume(any);
        OpenClDevices.require(!any.devices().get(0).vendor().equals("Intel")
                || !any.devices().get(0).details().get("type").equals("GPU"), "the OpenCL device is an Intel GPU");
        String cause = cause(ABSENT, false);
        // Without the property a non-Intel driver is not even loaded (OpenClVendors says why).
        assertTrue(cause.contains(" | OpenCL: no Intel GPU OpenCL driver is registered (found "), cause);
        assertTrue(cause.contains("libpocl"), cause);
        assertTrue(cause.contains("set -Dattn4j.xpu.allowAnyOpenClDevice=true to run the xpu kernels on any "
                + "OpenCL device, e.g. PoCL on the CPU)"), cause);
    }

    @Test
    void killSwitch() {
        String key = KillSwitch.property(XpuBackendProvider.NAME);
        System.setProperty(key, "true");
        try {
            assertEquals("disabled by attn4j.xpu.disabled=true", new XpuBackendProvider().probe().unavailabilityCause());
        } finally {
            System.clearProperty(key);
        }
    }
}
