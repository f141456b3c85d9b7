package dev.attn4j.cudadriver;

import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a probe gets its device list: the driver ({@link #driver}) in normal use, a fixed list in
 * tests and in hosts that enumerate devices themselves, so device filtering runs without a GPU.
 */
@FunctionalInterface
public interface DeviceSource {

    /**
     * Every device there is.
     *
     * @throws RuntimeException if the driver fails (a {@link dev.attn4j.api.DeviceException})
     * @throws LinkageError     if the driver library cannot be loaded (an {@code UnsatisfiedLinkError}
     *                          whose message is {@link JCudaNatives#load}'s reason)
     */
    List<DeviceDescription> devices();

    /** The devices libcuda reports, errors named after {@code backend}; none when it finds no device. */
    static DeviceSource driver(String backend) {
        return () -> describeDevices(backend);
    }

    private static List<DeviceDescription> describeDevices(String backend) {
        Optional<String> notLoaded = JCudaNatives.load();
        if (notLoaded.isPresent()) {
            throw new UnsatisfiedLinkError(notLoaded.get());
        }
        int r = JCudaDriver.cuInit(0);
        if (r == CUresult.CUDA_ERROR_NO_DEVICE) {
            return List.of();
        }
        CudaResults.check(backend, r, "cuInit");
        int[] count = new int[1];
        CudaResults.check(backend, JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        List<DeviceDescription> out = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            CUdevice dev = new CUdevice();
            CudaResults.check(backend, JCudaDriver.cuDeviceGet(dev, i), "cuDeviceGet");
            byte[] name = new byte[256];
            CudaResults.check(backend, JCudaDriver.cuDeviceGetName(name, name.length, dev), "cuDeviceGetName");
            int[] major = new int[1];
            int[] minor = new int[1];
            CudaResults.check(backend, JCudaDriver.cuDeviceGetAttribute(major,
                    CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev), "cuDeviceGetAttribute");
            CudaResults.check(backend, JCudaDriver.cuDeviceGetAttribute(minor,
                    CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev), "cuDeviceGetAttribute");
            long[] mem = new long[1];
            CudaResults.check(backend, JCudaDriver.cuDeviceTotalMem(mem, dev), "cuDeviceTotalMem");
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            out.add(new DeviceDescription(i, new String(name, 0, len, StandardCharsets.UTF_8), major[0], minor[0], mem[0]));
        }
        return out;
    }
}
