package dev.attn4j.xpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Level Zero loader library opened through the shim, and the devices its drivers report. The
 * library is {@code libze_loader.so.1}, or what {@code attn4j.xpu.levelZeroLoader} names (a path,
 * for a loader outside the linker's search path; the tests name stand-ins). An opened loader stays
 * open for the life of the process, as a driver library does: zeInit is global state.
 */
final class ZeLoader {
    static final String DEFAULT_LIBRARY = "libze_loader.so.1";
    static final String LIBRARY_PROPERTY = "attn4j.xpu.levelZeroLoader";
    private static final Map<String, ZeLoader> OPEN = new ConcurrentHashMap<>();

    final String library;
    final long api;

    private ZeLoader(String library, long api) {
        this.library = library;
        this.api = api;
    }

    /** The Level Zero devices found through a loader, or the cause there are none. */
    record Discovery(List<ZeDevice> devices, String cause) {
        static Discovery missing(String cause) {
            return new Discovery(List.of(), cause);
        }
    }

    /** The loader library to use: the property (options, then system properties), else libze_loader.so.1. */
    static String library(dev.attn4j.api.spi.BackendOptions options) {
        String v = options.property(LIBRARY_PROPERTY).orElse(null);
        return v == null || v.isBlank() ? DEFAULT_LIBRARY : v.trim();
    }

    /**
     * Opens the loader, initializes it and lists every device of every driver. Each way this can
     * come up empty has its own cause: no shim, no loader library, a loader without a driver.
     */
    static Discovery discover(String library) {
        java.util.Optional<String> shim = ZeShim.load();
        if (shim.isPresent()) {
            return Discovery.missing(shim.get());
        }
        ZeLoader loader = OPEN.get(library);
        if (loader == null) {
            long[] handle = new long[1];
            String error = ZeNative.open(library, handle);
            if (error != null) {
                return Discovery.missing("no Level Zero loader: " + library + " could not be loaded (" + error
                        + "); install the Level Zero loader (Debian: libze1)");
            }
            loader = OPEN.computeIfAbsent(library, l -> new ZeLoader(l, handle[0]));
            if (loader.api != handle[0]) {
                ZeNative.close(handle[0]);  // another thread opened it first
            }
        }
        int r = ZeNative.init(loader.api, 0);
        if (r == ZeNative.ERROR_UNINITIALIZED) {
            return Discovery.missing("the Level Zero loader (" + library + ") found no driver: zeInit -> "
                    + ZeNative.resultName(r) + "; install Intel's GPU compute runtime (level-zero-gpu), "
                    + "the loader alone (Debian's libze1) has no driver");
        }
        if (r != ZeNative.SUCCESS) {
            return Discovery.missing("the Level Zero loader (" + library + ") failed: zeInit -> " + ZeNative.resultName(r));
        }
        try {
            long[] drivers = ZeNative.drivers(loader.api);
            if (drivers.length == 0) {
                return Discovery.missing("the Level Zero loader (" + library + ") found no driver: zeDriverGet returned none");
            }
            List<ZeDevice> devices = new ArrayList<>();
            for (long driver : drivers) {
                for (long device : ZeNative.devices(loader.api, driver)) {
                    long[] props = ZeNative.deviceProperties(loader.api, driver, device);
                    devices.add(new ZeDevice(loader, driver, device, ZeNative.deviceName(loader.api, device), props));
                }
            }
            if (devices.isEmpty()) {
                return Discovery.missing("the Level Zero driver found no device");
            }
            return new Discovery(devices, null);
        } catch (ZeException e) {
            return Discovery.missing("the Level Zero driver failed: " + e.getMessage());
        }
    }
}
