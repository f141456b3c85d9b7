package dev.attn4j.cudadriver;

import jcuda.driver.CUdeviceptr;

/**
 * A device pointer whose address Java can read: kernel parameter blocks hold raw addresses, and
 * memory the host already owns arrives as one ({@link dev.attn4j.api.ExternalMemory}).
 */
public final class DevPtr extends CUdeviceptr {
    public DevPtr() {
    }

    private DevPtr(DevPtr base, long offset) {
        super(base, offset);
    }

    /** A pointer to an address allocated elsewhere (not owned). */
    public static DevPtr at(long address) {
        return new DevPtr(new DevPtr(), address);
    }

    /** This pointer plus {@code bytes}. */
    public DevPtr plus(long bytes) {
        return new DevPtr(this, bytes);
    }

    public long address() {
        return getNativePointer() + getByteOffset();
    }
}
