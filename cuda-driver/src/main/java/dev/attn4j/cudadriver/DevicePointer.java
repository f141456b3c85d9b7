package dev.attn4j.cudadriver;

import jcuda.driver.CUdeviceptr;

/**
 * A device pointer whose address Java can read: kernel parameter blocks hold raw addresses, and
 * memory the host already owns arrives as one ({@link dev.attn4j.api.ExternalMemory}).
 */
public final class DevicePointer extends CUdeviceptr {
    public DevicePointer() {
    }

    private DevicePointer(DevicePointer base, long offset) {
        super(base, offset);
    }

    /** A pointer to an address allocated elsewhere (not owned). */
    public static DevicePointer at(long address) {
        return new DevicePointer(new DevicePointer(), address);
    }

    /** This pointer plus {@code bytes}. */
    public DevicePointer plus(long bytes) {
        return new DevicePointer(this, bytes);
    }

    public long address() {
        return getNativePointer() + getByteOffset();
    }
}
