package dev.attn4j.xpu;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An OpenCL device (through JOCL) and the listing of every platform's devices. */
final class ClDevice implements XpuDevice {
    /** CL_PLATFORM_NOT_FOUND_KHR: what the ICD loader answers when no platform is registered. */
    static final int PLATFORM_NOT_FOUND = -1001;

    final cl_platform_id platform;
    final cl_device_id device;
    private final String name;
    private final String platformName;
    private final String vendorName;
    private final int vendorId;
    private final long type;
    private final long memory;
    private final int computeUnits;
    private final String openClCVersion;
    private final String extensions;
    private final String driverVersion;

    private ClDevice(cl_platform_id platform, cl_device_id device) {
        this.platform = platform;
        this.device = device;
        this.name = string(device, CL.CL_DEVICE_NAME).strip();
        this.platformName = platformString(platform, CL.CL_PLATFORM_NAME).strip();
        this.vendorName = string(device, CL.CL_DEVICE_VENDOR).strip();
        this.vendorId = (int) number(device, CL.CL_DEVICE_VENDOR_ID, Sizeof.cl_uint);
        this.type = number(device, CL.CL_DEVICE_TYPE, Sizeof.cl_ulong);
        this.memory = number(device, CL.CL_DEVICE_GLOBAL_MEM_SIZE, Sizeof.cl_ulong);
        this.computeUnits = (int) number(device, CL.CL_DEVICE_MAX_COMPUTE_UNITS, Sizeof.cl_uint);
        this.openClCVersion = string(device, CL.CL_DEVICE_OPENCL_C_VERSION).strip();
        this.extensions = string(device, CL.CL_DEVICE_EXTENSIONS);
        this.driverVersion = string(device, CL.CL_DRIVER_VERSION).strip();
    }

    /** The OpenCL devices found, or the cause there are none. */
    record Discovery(List<ClDevice> devices, String cause) {
        static Discovery missing(String cause) {
            return new Discovery(List.of(), cause);
        }
    }

    /** Every device of every OpenCL platform; each way this comes up empty has its own cause. */
    static Discovery discover() {
        try {
            CL.setExceptionsEnabled(false);
            int[] n = new int[1];
            int r = CL.clGetPlatformIDs(0, null, n);
            if (r == PLATFORM_NOT_FOUND || (r == CL.CL_SUCCESS && n[0] == 0)) {
                return Discovery.missing("no OpenCL platform: the OpenCL ICD loader found no driver registered in "
                        + "/etc/OpenCL/vendors (Intel GPUs: install intel-opencl-icd; any device: pocl-opencl-icd)");
            }
            if (r != CL.CL_SUCCESS) {
                return Discovery.missing("OpenCL failed: clGetPlatformIDs -> " + CL.stringFor_errorCode(r));
            }
            cl_platform_id[] platforms = new cl_platform_id[n[0]];
            CL.clGetPlatformIDs(n[0], platforms, null);
            List<ClDevice> out = new ArrayList<>();
            for (cl_platform_id p : platforms) {
                int[] nd = new int[1];
                if (CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, 0, null, nd) != CL.CL_SUCCESS || nd[0] == 0) {
                    continue;
                }
                cl_device_id[] ds = new cl_device_id[nd[0]];
                CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, nd[0], ds, null);
                for (cl_device_id d : ds) {
                    out.add(new ClDevice(p, d));
                }
            }
            return out.isEmpty() ? Discovery.missing("the OpenCL platforms have no device") : new Discovery(out, null);
        } catch (LinkageError e) {
            return Discovery.missing(OpenClLoaderLibrary.missingCause(OpenClLoaderLibrary.searchDirectories(),
                    e.getMessage()));
        }
    }

    @Override
    public String api() {
        return "OpenCL";
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int vendorId() {
        return vendorId;
    }

    @Override
    public String vendorName() {
        return vendorName;
    }

    @Override
    public boolean isGpu() {
        return (type & CL.CL_DEVICE_TYPE_GPU) != 0;
    }

    @Override
    public String typeName() {
        if (isGpu()) {
            return "GPU";
        }
        if ((type & CL.CL_DEVICE_TYPE_CPU) != 0) {
            return "CPU";
        }
        return (type & CL.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? "accelerator" : "type " + type;
    }

    @Override
    public long memoryBytes() {
        return memory;
    }

    int computeUnits() {
        return Math.max(1, computeUnits);
    }

    /** True when the device compiles OpenCL C 2.0 or later. */
    boolean hasOpenClC2() {
        // "OpenCL C <major>.<minor> ..."
        String[] words = openClCVersion.split(" ");
        return words.length >= 3 && !words[2].startsWith("1.");
    }

    boolean hasExtension(String ext) {
        return (" " + extensions + " ").contains(" " + ext + " ");
    }

    @Override
    public Map<String, String> details() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("api", "OpenCL");
        d.put("platform", platformName);
        d.put("type", typeName());
        d.put("computeUnits", Integer.toString(computeUnits));
        d.put("openClC", openClCVersion);
        d.put("driver", driverVersion);
        d.put("intelSubgroups", Boolean.toString(hasExtension("cl_intel_subgroups")));
        return d;
    }

    @Override
    public DeviceRuntime open() {
        return new ClRuntime(this);
    }

    private static String string(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static String cString(byte[] b) {
        int len = 0;
        while (len < b.length && b[len] != 0) {
            len++;
        }
        return new String(b, 0, len, StandardCharsets.UTF_8);
    }

    private static long number(cl_device_id d, int param, int size) {
        long[] v = new long[1];
        if (size == Sizeof.cl_ulong) {
            CL.clGetDeviceInfo(d, param, size, Pointer.to(v), null);
            return v[0];
        }
        int[] i = new int[1];
        CL.clGetDeviceInfo(d, param, size, Pointer.to(i), null);
        return Integer.toUnsignedLong(i[0]);
    }
}
