package dev.attn4j.cudadriver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Device memory for plans (metadata, split workspace), recycled: a closed plan's buffers go back
 * to the pool and the next plan of about the same size takes them, so a step loop that plans once
 * per step allocates nothing after its first step and its closes free nothing (a free would wait
 * for the device). Sizes are rounded up to powers of two (at least 4 KiB), which keeps a growing
 * context inside its class for many steps. Reuse is safe without waiting: every backend operation
 * runs on its one stream, so a new plan's upload into a recycled buffer is ordered after each
 * kernel that read the old plan's. At most {@link #MAX_IDLE_BYTES} wait idle; beyond that a closed
 * buffer is freed. Used under the backend's lock.
 */
final class DevicePool {
    static final long MAX_IDLE_BYTES = 256L << 20;
    private static final long MIN_BYTES = 4096;

    private final Map<Long, ArrayDeque<DevicePointer>> idle = new HashMap<>();
    private long idleBytes;

    /** The size class of a request: a power of two of at least 4 KiB. */
    static long sizeClass(long bytes) {
        return bytes <= MIN_BYTES ? MIN_BYTES : Long.highestOneBit(bytes - 1) << 1;
    }

    /** An idle buffer of that class, or null. */
    DevicePointer take(long sizeClass) {
        ArrayDeque<DevicePointer> q = idle.get(sizeClass);
        if (q == null || q.isEmpty()) {
            return null;
        }
        idleBytes -= sizeClass;
        return q.pop();
    }

    /** Keeps a buffer for reuse; false if the pool is full (the caller frees it). */
    boolean giveBack(DevicePointer p, long sizeClass) {
        if (idleBytes + sizeClass > MAX_IDLE_BYTES) {
            return false;
        }
        idle.computeIfAbsent(sizeClass, c -> new ArrayDeque<>()).push(p);
        idleBytes += sizeClass;
        return true;
    }

    /** Empties the pool, returning what it held (to free). */
    List<DevicePointer> drain() {
        List<DevicePointer> all = new ArrayList<>();
        idle.values().forEach(all::addAll);
        idle.clear();
        idleBytes = 0;
        return all;
    }
}
