package dev.attn4j.cudadriver;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUfunction_attribute;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A kernel image loaded into the current context with {@code cuModuleLoadData}, and what the
 * launcher asks of its kernels (function handles, dynamic shared memory, occupancy), each looked up
 * once per name.
 */
public final class LoadedKernels {
    private final String backend;
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final Map<String, Integer> sharedBytes = new ConcurrentHashMap<>();
    private final Map<String, Integer> residentBlocks = new ConcurrentHashMap<>();
    private final Map<String, Integer> blockThreads = new ConcurrentHashMap<>();
    private final Predicate<String> sized;

    /**
     * Loads {@code image} into the current context; {@code imageName} names it in errors.
     *
     * @param sized the kernels that store their dynamic shared memory size as {@code <name>_smem}
     *              (asking the driver for a global that is not there is an API error, which
     *              compute-sanitizer reports, so only those are asked)
     */
    public LoadedKernels(String backend, byte[] image, String imageName, Predicate<String> sized) {
        this.backend = backend;
        this.sized = sized;
        CudaResults.check(backend, JCudaDriver.cuModuleLoadData(module, image), "cuModuleLoadData(" + imageName + ")");
    }

    public CUfunction get(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            CudaResults.check(backend, JCudaDriver.cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
            return f;
        });
    }

    /**
     * The dynamic shared memory a kernel needs: for a sized kernel the int the image stores beside it
     * as the global {@code <name>_smem}, else 0. Read once per kernel, which is also when a size
     * above the default limit (48 KiB) is opted into.
     */
    public int sharedBytes(String name) {
        return sharedBytes.computeIfAbsent(name, n -> {
            if (!sized.test(n)) {
                return 0;
            }
            String global = n + "_smem";
            CUdeviceptr at = new CUdeviceptr();
            long[] size = new long[1];
            CudaResults.check(backend, JCudaDriver.cuModuleGetGlobal(at, size, module, global), "cuModuleGetGlobal(" + global + ")");
            int[] bytes = new int[1];
            CudaResults.check(backend, JCudaDriver.cuMemcpyDtoH(Pointer.to(bytes), at, 4), "cuMemcpyDtoH(" + global + ")");
            if (bytes[0] > 0) {
                CudaResults.check(backend, JCudaDriver.cuFuncSetAttribute(get(n),
                        CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes[0]),
                        "cuFuncSetAttribute(" + n + ", MAX_DYNAMIC_SHARED_SIZE_BYTES=" + bytes[0] + ")");
            }
            return bytes[0];
        });
    }

    /**
     * The threads per block a kernel is launched with: the bound its {@code __launch_bounds__} declares,
     * which every attn4j kernel sets to exactly the block size its code is written for (the driver
     * reports it as the kernel's largest launchable block).
     */
    public int blockThreads(String name) {
        return blockThreads.computeIfAbsent(name, n -> {
            int[] t = new int[1];
            CudaResults.check(backend, JCudaDriver.cuFuncGetAttribute(t,
                    CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, get(n)),
                    "cuFuncGetAttribute(" + n + ", MAX_THREADS_PER_BLOCK)");
            return t[0];
        });
    }

    /** How many blocks of {@code threads} threads of a kernel a multiprocessor holds at once (its occupancy). */
    public int residentBlocks(String name, int threads) {
        return residentBlocks.computeIfAbsent(name + "/" + threads, key -> {
            int[] n = new int[1];
            CudaResults.check(backend, JCudaDriver.cuOccupancyMaxActiveBlocksPerMultiprocessor(n, get(name), threads,
                    sharedBytes(name)), "cuOccupancyMaxActiveBlocksPerMultiprocessor(" + name + ")");
            return Math.max(1, n[0]);
        });
    }

    /** Unloads the module; its functions are invalid afterwards. */
    public void unload() {
        JCudaDriver.cuModuleUnload(module);
    }
}
