package dev.attn4j.xpu;

import dev.attn4j.api.spi.Availability;
import dev.attn4j.api.spi.DeviceInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the xpu backend can run on, tried in order: Level Zero (Intel GPUs, the SPIR-V built at build
 * time), then OpenCL (Intel GPUs through intel-opencl-icd; any device when
 * {@code attn4j.xpu.allowAnyOpenClDevice=true}). The outcome is either the accepted devices of the
 * first path that has any, or one cause naming what each path lacks: the shim or the SPIR-V not
 * built, no loader library, a loader without a driver, a driver without an Intel GPU, no OpenCL
 * platform, or only OpenCL devices that are not Intel GPUs. Never throws.
 *
 * @param availability what {@code probe()} reports
 * @param devices      the accepted devices, in the order {@code deviceIndex} counts them
 */
record XpuProbe(Availability availability, List<XpuDevice> devices) {

    /** Where to look: the Level Zero loader library and whether any OpenCL device will do. */
    record Settings(String levelZeroLoader, boolean allowAnyOpenClDevice) {
        /** As the options say (their properties first, then system properties): probe and open alike. */
        static Settings from(dev.attn4j.api.spi.BackendOptions options) {
            return new Settings(ZeLoader.library(options), options.flag(XpuDeviceFilter.ALLOW_ANY));
        }
    }

    /** The probe of these settings (the provider has checked the kill switch). */
    static XpuProbe run(Settings s) {
        try {
            List<String> causes = new ArrayList<>();
            List<XpuDevice> zero = accepted(levelZero(s.levelZeroLoader()), causes, "Level Zero");
            if (!zero.isEmpty()) {
                return available(zero);
            }
            List<String> vendors = OpenClVendors.registered();
            if (vendors.isEmpty()) {
                causes.add("OpenCL: no OpenCL platform: the OpenCL ICD loader found no driver registered in "
                        + "/etc/OpenCL/vendors (Intel GPUs: install intel-opencl-icd; any device: pocl-opencl-icd)");
                return new XpuProbe(Availability.unavailable(String.join(" | ", causes)), List.of());
            }
            if (!s.allowAnyOpenClDevice() && vendors.stream().noneMatch(OpenClVendors::isIntelGpuDriver)) {
                causes.add("OpenCL: no Intel GPU OpenCL driver is registered (found " + String.join(", ", vendors)
                        + "; not loaded: set -D" + XpuDeviceFilter.ALLOW_ANY + "=true to run the xpu kernels on any "
                        + "OpenCL device, e.g. PoCL on the CPU)");
                return new XpuProbe(Availability.unavailable(String.join(" | ", causes)), List.of());
            }
            ClDevice.Discovery cl = ClDevice.discover();
            List<XpuDevice> accepted = new ArrayList<>();
            List<String> declined = new ArrayList<>();
            for (ClDevice d : cl.devices()) {
                Optional<String> why = XpuDeviceFilter.declineOpenCl(d, s.allowAnyOpenClDevice());
                if (why.isPresent()) {
                    declined.add(why.get());
                } else {
                    accepted.add(d);
                }
            }
            if (!accepted.isEmpty()) {
                return available(accepted);
            }
            causes.add("OpenCL: " + (cl.cause() != null ? cl.cause() : String.join("; ", declined)));
            return new XpuProbe(Availability.unavailable(String.join(" | ", causes)), List.of());
        } catch (RuntimeException | LinkageError e) {
            return new XpuProbe(Availability.unavailable("the xpu probe failed: " + e, e), List.of());
        }
    }

    /** The Level Zero path's devices, or its cause (the SPIR-V missing counts only once a GPU is found). */
    private static ZeLoader.Discovery levelZero(String library) {
        ZeLoader.Discovery d = ZeLoader.discover(library);
        if (d.cause() != null) {
            return d;
        }
        List<ZeDevice> gpus = new ArrayList<>();
        List<String> declined = new ArrayList<>();
        for (ZeDevice dev : d.devices()) {
            XpuDeviceFilter.declineLevelZero(dev).ifPresentOrElse(declined::add, () -> gpus.add(dev));
        }
        if (gpus.isEmpty()) {
            return ZeLoader.Discovery.missing("the Level Zero driver has no Intel GPU: " + String.join("; ", declined));
        }
        if (XpuKernels.spirv().isEmpty()) {
            return ZeLoader.Discovery.missing("an Intel GPU was found but the SPIR-V kernels were not built "
                    + "(clang-14, llvm-spirv-14 or spirv-val were missing when attn4j-backend-xpu was built)");
        }
        return new ZeLoader.Discovery(gpus, null);
    }

    private static List<XpuDevice> accepted(ZeLoader.Discovery d, List<String> causes, String api) {
        if (d.cause() != null) {
            causes.add(api + ": " + d.cause());
        }
        return new ArrayList<>(d.devices());
    }

    private static XpuProbe available(List<XpuDevice> devices) {
        List<DeviceInfo> infos = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            infos.add(devices.get(i).info(i));
        }
        return new XpuProbe(Availability.available(infos), List.copyOf(devices));
    }
}
