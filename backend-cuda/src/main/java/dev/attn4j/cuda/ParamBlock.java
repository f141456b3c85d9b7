package dev.attn4j.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A kernel's parameter struct, laid out as the C compiler lays it out (each field at its natural
 * alignment, the whole rounded to 8), passed by value through {@code cuLaunchKernel}. Fields must be
 * added in the order the struct in {@code src/main/cuda} declares them.
 */
final class ParamBlock {
    private final ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);

    ParamBlock ptr(DevPtr p) {
        return ptr(p == null ? 0L : p.address());
    }

    ParamBlock ptr(long address) {
        align(8);
        b.putLong(address);
        return this;
    }

    ParamBlock i32(int v) {
        align(4);
        b.putInt(v);
        return this;
    }

    ParamBlock f32(float v) {
        align(4);
        b.putFloat(v);
        return this;
    }

    private void align(int a) {
        while (b.position() % a != 0) {
            b.put((byte) 0);
        }
    }

    /** The struct's bytes, padded to 8. */
    byte[] bytes() {
        align(8);
        byte[] out = new byte[b.position()];
        b.duplicate().flip().get(out);
        return out;
    }
}
