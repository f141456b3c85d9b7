package dev.attn4j.cudadriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A kernel's parameter struct, laid out as the C compiler lays it out (each field at its natural
 * alignment, the whole rounded to 8), passed by value through {@code cuLaunchKernel}. Fields must be
 * added in the order the kernel's struct declares them.
 */
public final class ParamBlock {
    private final ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);

    /** An empty block; fields are appended in the order the kernel's struct declares them. */
    public ParamBlock() {
    }

    /** A pointer field; null is the null pointer. */
    public ParamBlock ptr(DevPtr p) {
        return ptr(p == null ? 0L : p.address());
    }

    public ParamBlock ptr(long address) {
        align(8);
        b.putLong(address);
        return this;
    }

    public ParamBlock i32(int v) {
        align(4);
        b.putInt(v);
        return this;
    }

    public ParamBlock f32(float v) {
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
    public byte[] bytes() {
        align(8);
        byte[] out = new byte[b.position()];
        b.duplicate().flip().get(out);
        return out;
    }
}
