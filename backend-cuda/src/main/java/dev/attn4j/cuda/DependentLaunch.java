package dev.attn4j.cuda;

import dev.attn4j.api.support.NativeShim;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

import java.util.Objects;
import java.util.Optional;

/**
 * Programmatic dependent launch (CUDA 12, compute capability 9.0 and later) through the JNI shim
 * {@code src/main/native/dependent_launch.c}: a kernel launched this way may start while the kernel
 * before it on the stream is still running, so its blocks are resident, with their parameters and
 * plan metadata read, by the time that kernel ends, instead of after a launch gap. Every attn4j
 * cuda kernel waits for the kernels before it ({@code griddepcontrol.wait},
 * {@code cuda-driver/src/main/cuda/grid_dependency.cuh}) before its first access to memory another
 * kernel may write, so what a launch sees is what a plain one would. JCuda 12.6 has no
 * {@code cuLaunchKernelEx}, hence the shim.
 *
 * <p>On by default where the shim loads and the device is 9.0 or later;
 * {@code -Dattn4j.cuda.dependentLaunch=false} launches everything the plain way (to compare).
 */
final class DependentLaunch {
    static final String PROPERTY = "attn4j.cuda.dependentLaunch";
    private static final Optional<String> UNAVAILABLE = load();

    private DependentLaunch() {
    }

    /** Empty when devices of compute capability {@code ccMajor} get dependent launches; else why not. */
    static Optional<String> unavailabilityCause(int ccMajor) {
        if (!Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return Optional.of("off (-D" + PROPERTY + "=false)");
        }
        if (ccMajor < 9) {
            return Optional.of("off (compute capability " + ccMajor + ".x; it needs 9.0)");
        }
        return UNAVAILABLE.map(why -> "off (" + why + ")");
    }

    /** Launches as {@code cuLaunchKernel} would, with programmatic stream serialization; returns the CUresult. */
    static int launch(CUfunction function, int blocksX, int blocksY, int threads, int sharedBytes, CUstream stream,
                      byte[] params) {
        // The shim reads the handles' fields unchecked: a null here would crash the JVM, not throw.
        Objects.requireNonNull(function, "function");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(params, "params");
        return launch0(function, blocksX, blocksY, threads, sharedBytes, stream, params);
    }

    private static Optional<String> load() {
        Optional<String> failure = NativeShim.load(DependentLaunch.class, "/dev/attn4j/cuda/native",
                "libattn4j_cuda_launch.so", "the dependent-launch JNI shim",
                "gcc, nvcc or the JDK's JNI headers were missing when attn4j-backend-cuda was built",
                path -> System.load(path));
        if (failure.isPresent()) {
            return failure;
        }
        try {
            return Optional.ofNullable(init0());
        } catch (LinkageError e) {
            return Optional.of("the dependent-launch JNI shim could not start: " + e);
        }
    }

    private static native String init0();

    private static native int launch0(CUfunction function, int blocksX, int blocksY, int threads, int sharedBytes,
                                      CUstream stream, byte[] params);
}
