package dev.attn4j.api;

import java.nio.ByteBuffer;

/**
 * Memory the host application already owns, to be wrapped by {@link AttentionBackend#wrap}
 * without copying and without taking ownership: a raw device pointer (GPU backends, in the
 * device's primary context) or a host {@link ByteBuffer} (the cpu backend). The caller keeps the
 * memory alive for as long as the wrapping tensor is used.
 */
public final class ExternalMemory {
    /** What kind of memory is wrapped. */
    public enum Kind { DEVICE_POINTER, HOST_BUFFER }

    private final Kind kind;
    private final long address;
    private final long byteSize;
    private final ByteBuffer buffer;

    private ExternalMemory(Kind kind, long address, long byteSize, ByteBuffer buffer) {
        this.kind = kind;
        this.address = address;
        this.byteSize = byteSize;
        this.buffer = buffer;
    }

    /** A device pointer of {@code byteSize} bytes on the backend's device. */
    public static ExternalMemory devicePointer(long address, long byteSize) {
        if (address == 0) {
            throw new InvalidRequestException("memory.address", "0x0", "null device pointer");
        }
        if (byteSize < 1) {
            throw new InvalidRequestException("memory.byteSize", byteSize, "must be >= 1");
        }
        return new ExternalMemory(Kind.DEVICE_POINTER, address, byteSize, null);
    }

    /** A host buffer; its remaining bytes, from its position, are the memory wrapped. */
    public static ExternalMemory hostBuffer(ByteBuffer buffer) {
        InvalidRequestException.requireNonNull(buffer, "buffer");
        return new ExternalMemory(Kind.HOST_BUFFER, 0, buffer.remaining(), buffer);
    }

    public Kind kind() {
        return kind;
    }

    /** The device pointer (DEVICE_POINTER only). */
    public long address() {
        return address;
    }

    public long byteSize() {
        return byteSize;
    }

    /** The host buffer (HOST_BUFFER only), as given. */
    public ByteBuffer buffer() {
        return buffer;
    }
}
