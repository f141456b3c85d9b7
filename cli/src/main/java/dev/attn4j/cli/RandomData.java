package dev.attn4j.cli;

import dev.attn4j.api.DType;
import dev.attn4j.api.numeric.HalfFormat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Fresh random 16-bit data for benchmark inputs, uniform in [-1, 1). Never zeros: an all-zero cache
 * can take shortcuts (all-equal scales, zero codes) and gives no meaningful timing. Generated in
 * parallel segments, each from its own split of a time-seeded generator, because a GPU benchmark
 * fills caches of billions of elements.
 */
final class RandomData {
    private static final int SEGMENT = 1 << 16;
    private final SplittableRandom master = new SplittableRandom(System.nanoTime());

    /** {@code n} random BF16 or FP16 elements as a little-endian buffer. */
    ByteBuffer half(DType dtype, long n) {
        if (!dtype.isHalf()) {
            throw new IllegalArgumentException("dtype " + dtype + " is not a 16-bit float type");
        }
        int count = Math.toIntExact(n);
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(count, 2)).order(ByteOrder.LITTLE_ENDIAN);
        int segments = (count + SEGMENT - 1) / SEGMENT;
        SplittableRandom[] rnd = new SplittableRandom[segments];
        for (int s = 0; s < segments; s++) {
            rnd[s] = master.split();
        }
        IntStream.range(0, segments).parallel().forEach(s -> {
            SplittableRandom r = rnd[s];
            int end = Math.min(count, (s + 1) * SEGMENT);
            for (int i = s * SEGMENT; i < end; i++) {
                float x = (float) (r.nextDouble() * 2.0 - 1.0);
                b.putShort(2 * i, HalfFormat.fromFloat(dtype, x));
            }
        });
        return b;
    }

    /** {@code n} random bytes (the memory-copy tensors; their values do not matter, only that they are written). */
    ByteBuffer bytes(int n) {
        byte[] a = new byte[n];
        master.split().nextBytes(a);
        return ByteBuffer.wrap(a);
    }
}
