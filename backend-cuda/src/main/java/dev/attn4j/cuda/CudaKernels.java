package dev.attn4j.cuda;

import dev.attn4j.api.DType;
import dev.attn4j.api.KvDType;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kernels nvcc built into {@code dev/attn4j/cuda/attn4j.fatbin} (see {@code build-kernels.sh}),
 * loaded once per backend with {@code cuModuleLoadData}, and their extern "C" names as
 * {@code src/main/cuda/attn4j.cu} declares them.
 */
final class CudaKernels {
    static final String RESOURCE = "/dev/attn4j/cuda/attn4j.fatbin";

    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();

    /** The fatbin's bytes, or empty if the module was built without nvcc. */
    static Optional<byte[]> fatbin() {
        try (InputStream in = CudaKernels.class.getResourceAsStream(RESOURCE)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + RESOURCE, e);
        }
    }

    /** Loads the module into the current context. */
    CudaKernels(byte[] fatbin) {
        Cu.check(JCudaDriver.cuModuleLoadData(module, fatbin), "cuModuleLoadData(attn4j.fatbin)");
    }

    CUfunction get(String name) {
        return functions.computeIfAbsent(name, n -> {
            CUfunction f = new CUfunction();
            Cu.check(JCudaDriver.cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
            return f;
        });
    }

    void unload() {
        JCudaDriver.cuModuleUnload(module);
    }

    static String kv(KvDType t) {
        switch (t) {
            case FP8_E4M3: return "e4m3";
            case FP8_E5M2: return "e5m2";
            default: return t.name().toLowerCase(Locale.ROOT);
        }
    }

    static String half(DType t) {
        return t.name().toLowerCase(Locale.ROOT);
    }

    static String append(DType input, KvDType kv) {
        return "attn4j_append_" + half(input) + "_" + kv(kv);
    }

    /** Channels per lane for a head dim: 2, 4 or 8 (head dims up to 64, 128, 256). */
    static int channelsPerLane(int headDim) {
        return headDim <= 64 ? 2 : headDim <= 128 ? 4 : 8;
    }

    static String attention(KvDType kv, DType q, int headDim) {
        return "attn4j_attention_" + kv(kv) + "_" + half(q) + "_c" + channelsPerLane(headDim);
    }

    /** The GQA-packed decode kernel's head dims (its row mapping needs headDim / (16 / element size) lanes). */
    static boolean hasDecodeKernel(int headDim) {
        return headDim == 64 || headDim == 128 || headDim == 256;
    }

    static String decode(KvDType kv, DType q, int headDim) {
        return "attn4j_decode_" + kv(kv) + "_" + half(q) + "_d" + headDim;
    }

    /** The kernel a plan uses: the specialized decode where it applies, else the generic kernel. */
    static String attentionFor(dev.attn4j.api.PlanRequest r) {
        int d = r.cacheSpec().headDim();
        if (r.kind() == dev.attn4j.api.OpKind.DECODE && hasDecodeKernel(d)) {
            return decode(r.cacheSpec().kvDtype(), r.queryDtype(), d);
        }
        return attention(r.cacheSpec().kvDtype(), r.queryDtype(), d);
    }

    static String merge(DType q) {
        return "attn4j_merge_" + half(q);
    }
}
