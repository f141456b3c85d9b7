package dev.attn4j.cudadriver;

import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;

/**
 * Asynchronous host-to-device uploads for what the step loop sends every call (append's slot ids,
 * a plan's metadata): the bytes are copied into a pinned host ring and a cuMemcpyHtoDAsync is
 * queued on the backend's stream, so the caller never waits for the device. A region of the ring is
 * written again only once the copy that read it has run (an event recorded after each copy; copies
 * on one stream finish in order): normally long since, so no call blocks; a host more than a ring's
 * worth of uploads ahead of the device waits for the oldest copies (backpressure, counted as a
 * synchronize). The ring grows (never shrinks) when one upload would take more than a quarter of
 * it. Used under the backend's lock, with its context current.
 */
final class PinnedStaging implements AutoCloseable {
    private static final long INITIAL_BYTES = 1 << 20;
    private static final int ALIGN = 16;

    private record InFlight(long start, long end, CUevent done) {
    }

    private final DriverBackend<?> backend;
    private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    private final ArrayDeque<CUevent> spareEvents = new ArrayDeque<>();
    private Pointer host;
    private ByteBuffer view;
    private long capacity;
    private long head;

    PinnedStaging(DriverBackend<?> backend) {
        this.backend = backend;
    }

    /** Queues the copy of {@code src}'s remaining bytes to {@code dst}; returns once they are staged. */
    void upload(DevicePointer dst, ByteBuffer src) {
        int n = src.remaining();
        if (n == 0) {
            return;
        }
        if (host == null || n > capacity / 4) {
            grow(Math.max(INITIAL_BYTES, Long.highestOneBit(4L * n) << 1));
        }
        long at = head + n <= capacity ? head : 0;
        waitForRegion(at, at + n);
        ByteBuffer region = view.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        region.position((int) at);
        region.put(src.duplicate());
        backend.check(JCudaDriver.cuMemcpyHtoDAsync(dst, host.withByteOffset(at), n, backend.stream()),
                "cuMemcpyHtoDAsync");
        CUevent done = spareEvents.isEmpty() ? newEvent() : spareEvents.pop();
        backend.check(JCudaDriver.cuEventRecord(done, backend.stream()), "cuEventRecord");
        inFlight.addLast(new InFlight(at, at + n, done));
        head = (at + n + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** Retires finished copies; if one still reading [start, end) is queued, waits for it. */
    private void waitForRegion(long start, long end) {
        InFlight newestOverlap = null;
        for (InFlight f : inFlight) {
            if (f.start < end && start < f.end) {
                newestOverlap = f;
            }
        }
        if (newestOverlap != null && JCudaDriver.cuEventQuery(newestOverlap.done) == CUresult.CUDA_ERROR_NOT_READY) {
            backend.eventSynchronize(newestOverlap.done);
        }
        // Copies finish in stream order: everything up to the newest overlap is done now.
        while (!inFlight.isEmpty()) {
            InFlight f = inFlight.peekFirst();
            boolean done = newestOverlap != null || JCudaDriver.cuEventQuery(f.done) == CUresult.CUDA_SUCCESS;
            if (!done) {
                break;
            }
            inFlight.removeFirst();
            spareEvents.push(f.done);
            if (f == newestOverlap) {
                newestOverlap = null;
            }
        }
    }

    private void grow(long bytes) {
        if (host != null) {
            if (!inFlight.isEmpty()) {
                backend.eventSynchronize(inFlight.peekLast().done);
            }
            while (!inFlight.isEmpty()) {
                spareEvents.push(inFlight.removeFirst().done);
            }
            JCudaDriver.cuMemFreeHost(host);
        }
        host = backend.hostAlloc(bytes);
        view = host.getByteBuffer(0, bytes);
        capacity = bytes;
        head = 0;
    }

    private CUevent newEvent() {
        CUevent e = new CUevent();
        backend.check(JCudaDriver.cuEventCreate(e, CUevent_flags.CU_EVENT_DISABLE_TIMING), "cuEventCreate");
        return e;
    }

    /** Frees the ring and its events; the stream has drained. Errors are ignored, as in any release. */
    @Override
    public void close() {
        if (host != null) {
            JCudaDriver.cuMemFreeHost(host);
            host = null;
        }
        while (!inFlight.isEmpty()) {
            JCudaDriver.cuEventDestroy(inFlight.removeFirst().done);
        }
        while (!spareEvents.isEmpty()) {
            JCudaDriver.cuEventDestroy(spareEvents.pop());
        }
    }
}
