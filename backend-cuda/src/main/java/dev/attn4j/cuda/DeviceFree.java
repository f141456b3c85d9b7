package dev.attn4j.cuda;

import dev.attn4j.api.support.BackendHealth;
import jcuda.driver.CUcontext;
import jcuda.driver.JCudaDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Frees one tensor's device memory, once: run by {@link CudaTensor#close()} or, for a tensor
 * nobody closed, by the Cleaner (then it logs the leak). Holds no reference to the tensor, as a
 * Cleaner action must not.
 */
final class DeviceFree implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceFree.class);
    private final CUcontext context;
    private final DevPtr ptr;
    private final String what;
    private final BackendHealth health;
    private volatile boolean explicit;

    DeviceFree(CUcontext context, DevPtr ptr, String what, BackendHealth health) {
        this.context = context;
        this.ptr = ptr;
        this.what = what;
        this.health = health;
    }

    void closedExplicitly() {
        explicit = true;
    }

    @Override
    public void run() {
        if (!explicit) {
            LOG.warn("a cuda tensor {} was never closed; the cleaner freed it", what);
        }
        if (health.isClosed()) {
            return; // the backend released its context, and the memory with it
        }
        JCudaDriver.cuCtxSetCurrent(context);
        JCudaDriver.cuMemFree(ptr);
    }
}
