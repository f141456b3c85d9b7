package dev.attn4j.api.support;

import dev.attn4j.api.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * A device backend's reusable int32 buffer for append's slot ids: one per backend, used under its
 * lock, grown (never shrunk) when a call brings more slots. Growing first waits for the queued work
 * that may still read the old buffer.
 *
 * @param <T> the backend's tensor type
 */
public final class SlotScratch<T extends Tensor> implements AutoCloseable {
    private static final int MIN_SLOTS = 1024;
    private final IntFunction<T> allocateInts;
    private final Runnable drain;
    private final BiConsumer<T, ByteBuffer> writePrefix;
    private T buffer;

    /**
     * @param allocateInts a device INT32 tensor of that many elements
     * @param drain        waits for the work already issued (before the old buffer is freed)
     * @param writePrefix  copies the bytes given into the start of the buffer (only the call's slots
     *                     travel, not the whole grow-only buffer)
     */
    public SlotScratch(IntFunction<T> allocateInts, Runnable drain, BiConsumer<T, ByteBuffer> writePrefix) {
        this.allocateInts = allocateInts;
        this.drain = drain;
        this.writePrefix = writePrefix;
    }

    /** The buffer, holding {@code slots} at its start (copied from the host, in stream order). */
    public T upload(int[] slots) {
        if (buffer == null || buffer.numElements() < slots.length) {
            if (buffer != null) {
                drain.run();
                buffer.close();
            }
            buffer = allocateInts.apply(Math.max(slots.length, MIN_SLOTS));
        }
        ByteBuffer b = ByteBuffer.allocate(4 * slots.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(slots);
        writePrefix.accept(buffer, b);
        return buffer;
    }

    @Override
    public void close() {
        if (buffer != null) {
            buffer.close();
            buffer = null;
        }
    }
}
