package dev.attn4j.cudadriver;

import dev.attn4j.api.support.ParamLayout;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A kernel's parameter struct, laid out as the C compiler lays it out (each field at its natural
 * alignment, the whole rounded to 8), passed by value through {@code cuLaunchKernel}. Built on a
 * {@link ParamLayout}: each field is written by name, and a name out of the layout's order is a
 * programming error ({@link IllegalStateException}), so the bytes cannot drift from the struct the
 * layout (and the ABI test) describes.
 */
public final class ParamBlock {
    private final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
    private final ParamLayout layout;
    private int next;

    /** An empty block of {@code layout}'s struct. */
    public ParamBlock(ParamLayout layout) {
        this.layout = layout;
    }

    /** A pointer field; null is the null pointer. */
    public ParamBlock ptr(String name, DevicePointer p) {
        return ptr(name, p == null ? 0L : p.address());
    }

    public ParamBlock ptr(String name, long address) {
        return put(name, "ptr", 8, b -> b.putLong(address));
    }

    public ParamBlock i32(String name, int v) {
        return put(name, "i32", 4, b -> b.putInt(v));
    }

    public ParamBlock f32(String name, float v) {
        return put(name, "f32", 4, b -> b.putFloat(v));
    }

    /**
     * A fixed-length int array field ({@code int name[capacity]}): {@code values}, then zeros.
     *
     * @throws IllegalArgumentException when there are more values than the field holds
     */
    public ParamBlock i32s(String name, int[] values, int capacity) {
        if (values.length > capacity) {
            throw new IllegalArgumentException(name + " holds " + capacity + " ints, not " + values.length);
        }
        return put(name, "i32[" + capacity + "]", 4, b -> {
            for (int i = 0; i < capacity; i++) {
                b.putInt(i < values.length ? values[i] : 0);
            }
        });
    }

    /** The next field, {@code name} of {@code kind}, at its natural alignment (as the C compiler lays it out). */
    private ParamBlock put(String name, String kind, int alignment, java.util.function.Consumer<ByteBuffer> write) {
        field(name, kind);
        align(alignment);
        write.accept(b);
        return this;
    }

    private void field(String name, String kind) {
        layout.expect(next++, name, kind);
    }

    private void align(int a) {
        while (b.position() % a != 0) {
            b.put((byte) 0);
        }
    }

    /** The struct's bytes, padded to 8; every field of the layout must have been written. */
    public byte[] bytes() {
        layout.expectComplete(next);
        align(8);
        byte[] out = new byte[b.position()];
        b.duplicate().flip().get(out);
        return out;
    }
}
