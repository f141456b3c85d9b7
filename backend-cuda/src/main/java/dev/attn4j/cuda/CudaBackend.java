package dev.attn4j.cuda;

import dev.attn4j.api.KvCache;
import dev.attn4j.api.Plan;
import dev.attn4j.api.PlanRequest;
import dev.attn4j.api.Tensor;
import dev.attn4j.api.support.ValidatedBatch;
import dev.attn4j.cudadriver.AttentionParams;
import dev.attn4j.cudadriver.DriverBackend;
import dev.attn4j.cudadriver.DriverKvCache;
import dev.attn4j.cudadriver.DriverTensor;
import dev.attn4j.cudadriver.WaveSplit;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUfunction;

/**
 * The cuda backend on one device: what the driver layer ({@link DriverBackend}: context, stream,
 * memory, append) leaves to it, namely choosing each plan's kernel and split and launching attention
 * and the split merge.
 */
public final class CudaBackend extends DriverBackend<CudaPlan> {
    /** Whether kernels go out as programmatic dependent launches ({@link DependentLaunch}). */
    private final boolean dependent;

    CudaBackend(int deviceIndex, String deviceName, byte[] fatbin) {
        super(CudaBackendProvider.NAME, CudaBackendProvider.CAPABILITIES, deviceIndex, deviceName, fatbin,
                "attn4j.fatbin", n -> n.startsWith("attn4j_flash_") || n.startsWith("attn4j_decode_"));
        int ccMajor = deviceAttribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
                "COMPUTE_CAPABILITY_MAJOR");
        // The probe's device report says the same ("dependentLaunch": on, or off and why).
        this.dependent = DependentLaunch.unavailabilityCause(ccMajor).isEmpty();
    }

    @Override
    protected int launchKernel(String kernel, CUfunction function, int blocksX, int blocksY, int threads, int sharedBytes, byte[] params) {
        return dependent ? DependentLaunch.launch(function, blocksX, blocksY, threads, sharedBytes, stream(), params)
                : super.launchKernel(kernel, function, blocksX, blocksY, threads, sharedBytes, params);
    }

    @Override
    protected String launchCall() {
        return dependent ? "cuLaunchKernelEx" : super.launchCall();
    }

    /** Whether this backend's launches overlap the kernel before them (for tests and the report). */
    boolean dependentLaunch() {
        return dependent;
    }

    @Override
    protected CudaPlan planValidated(PlanRequest request, ValidatedBatch batch) {
        int group = request.numQoHeads() / request.cacheSpec().numKvHeads();
        int capacity = CudaKernels.itemRowCapacity(request.cacheSpec(), request.queryDtype());
        int itemRows = Math.max(1, Math.min(capacity / group, batch.maxQLen())) * group;   // WorkSplit.tileRows x G
        String kernel = CudaKernels.attentionFor(request.cacheSpec(), request.queryDtype(), itemRows);
        int resident = guarded(() -> kernels().residentBlocks(kernel, kernels().blockThreads(kernel)));
        int slots = multiprocessors() * CudaKernels.planBlocksPerSm(resident);
        return new CudaPlan(this, request, batch, WaveSplit.forWaves(request, batch, slots, capacity), kernel);
    }

    /** Launched under the backend's lock, after validation (see {@link DriverBackend#guarded}). */
    @Override
    protected void attentionValidated(CudaPlan p, DriverTensor q, DriverKvCache cache, DriverTensor o, DriverTensor l) {
        boolean aligned = q.ptr().address() % 16 == 0 && o.ptr().address() % 16 == 0;
        String kernel = aligned ? p.kernel : p.fallbackKernel;
        // Decode kernels merge units split a few ways in place (the last item of a unit merges it);
        // otherwise the merge kernel combines the partials.
        boolean mergeInPlace = aligned && p.mergeInPlace;
        // Their items of a split unit share the unit's last stages (claimed_stages.cuh).
        boolean claimStages = aligned && p.claimStages;
        byte[] params = AttentionParams.attention(p, q, o, l, AttentionParams.KvSource.of(cache, p), mergeInPlace,
                claimStages);
        launch(kernel, p.split.items(), kernels().blockThreads(kernel), params);   // 128, or 64 (decode.cuh's Decode::WARPS)
        if (!mergeInPlace) {
            launchMerge(CudaKernels.merge(p.request().queryDtype()), p, o, l);
        }
    }
}
