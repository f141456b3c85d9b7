package dev.attn4j.api.support;

import dev.attn4j.api.AttentionBackend;
import dev.attn4j.api.DType;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;

/**
 * A tensor in a device's memory. Owned memory is freed by {@link #close()}, or, if the tensor is
 * leaked, by a {@link Cleaner} running its {@link DeviceMemoryRelease}, which logs the leak; wrapped
 * memory (no release) is never freed. Host copies are size-checked here and carried out by the
 * backend ({@link #upload}, {@link #download}).
 */
public abstract class DeviceTensor extends AbstractTensor {
    private static final Cleaner CLEANER = Cleaner.create();
    private final DeviceMemoryRelease release;
    private final Cleaner.Cleanable cleanable;

    /** @param release how to free owned memory, or null for wrapped memory */
    protected DeviceTensor(AttentionBackend backend, DType dtype, int[] shape, DeviceMemoryRelease release) {
        super(backend, dtype, shape, release != null);
        this.release = release;
        this.cleanable = release == null ? null : CLEANER.register(this, release);
    }

    @Override
    public final void copyFromHost(ByteBuffer src) {
        checkUploadSize(src);
        upload(src);
    }

    @Override
    public final void copyToHost(ByteBuffer dst) {
        checkDownloadSize(dst);
        download(dst);
    }

    /** Copies exactly byteSize() bytes from the host, waiting for earlier operations. */
    protected abstract void upload(ByteBuffer src);

    /** Copies byteSize() bytes to the host after every earlier operation. */
    protected abstract void download(ByteBuffer dst);

    @Override
    public final void close() {
        if (markClosed() && cleanable != null) {
            release.closedExplicitly();
            cleanable.clean();
        }
    }
}
