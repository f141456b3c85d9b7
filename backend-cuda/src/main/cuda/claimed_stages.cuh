// The stages a decode block streams when its split unit's items share the unit's last stages
// (AttnParams.claims, CudaKernels.claimsStages). The unit's visible range is cut into T stages of
// TOKENS tokens; item i of the unit's n streams stages i*K ... i*K + K - 1 first (K = T / n - 2),
// then takes stages from the pool n*K ... T - 1 one at a time, in the order its claims on the unit's
// counter come back, until a claim falls past the pool. Items of equal ranges end unequally (one
// long sequence of 131072 tokens: the mean SM idled 4 us before the last finished, Nsight Compute,
// docs/PERF.md); with a pool, the items that run faster take more of it. The stages' order inside
// an item does not matter to the online softmax, and every stage is streamed by exactly one item:
// claims return distinct values, and an item stops only at a claim past the pool, after which its
// later claims lie further past it.
//
// Claims are made ahead of their use so that the atomic's round trip hides behind the math:
// thread 0 issues the claim for stage s at iteration s - AHEAD of stream_through_ring, writes what
// came back into shared memory at the next iteration, and the block's barrier after it makes it
// visible by iteration s - STAGES, when the ring looks up the stage's block ids. Whoever merges
// the unit puts its counter back to zero for the plan's next launch: the last item
// (last_of_unit), or the merge kernel.
#pragma once
#include "ring.cuh"

namespace attn4j {

template <int TOKENS, int STAGES>
struct ClaimedStages {
    static constexpr int AHEAD = STAGES + 2;   // iterations between a claim and its stage
    static constexpr int SLOTS = 8;            // published claims kept: stage s's from s - AHEAD + 1 to s
    static_assert(SLOTS > AHEAD, "a slot outlives its stage");
    int lo, stages, first, static_count, pool;   // unit range start, T, i * K, K, n * K
    int* counter;
    int* slot;     // [SLOTS] in shared memory
    int pending;   // thread 0: the claim in flight
    bool stopped;  // thread 0: a claim fell past the pool

    // Stage s's index in the unit: s < K the item's own, else the claim published for it.
    __device__ __forceinline__ int index(int s) const { return s < static_count ? first + s : slot[s % SLOTS]; }
    __device__ __forceinline__ bool has(int s) const { return index(s) < stages; }
    __device__ __forceinline__ int t0(int s) const { return lo + index(s) * TOKENS; }

    // Right after iteration `it`'s barrier: thread 0 publishes the claim issued at it - 1 and issues
    // the next one.
    __device__ __forceinline__ void advance(int it) {
        if (threadIdx.x != 0) return;
        const int pub = it + AHEAD - 1;
        if (pub >= static_count) {
            slot[pub % SLOTS] = pending;
            stopped = stopped || pending >= stages;
        }
        if (it + AHEAD >= static_count) pending = stopped ? stages : pool + atomicAdd(counter, 1);
    }
};

// The stages of work item `it` over [lo, hi), claimed from its unit's pool where the plan asks for
// it and the unit is long enough for every item to stream AHEAD stages of its own before its first
// claim is needed; else the item's own range. Plan metadata only: read before the wait.
template <int TOKENS, int STAGES>
struct DecodeStages {
    ClaimedStages<TOKENS, STAGES> c;
    bool claimed;
    int hi;   // the masks' end: the unit's where claimed, else the item's
    __device__ __forceinline__ DecodeStages(const AttnParams& p, int it, int lo, int hi, int* slot) {
        using C = ClaimedStages<TOKENS, STAGES>;
        claimed = false;
        this->hi = hi;
        const int m = p.claims != nullptr ? p.item_merge[it] : -1;
        if (m >= 0) {
            const int first_item = p.merge_first[m], n = p.merge_count[m];
            const int unit_lo = p.item_lo[first_item], unit_hi = p.item_hi[first_item + n - 1];
            const int stages = (unit_hi - unit_lo + TOKENS - 1) / TOKENS;
            const int k = stages / n - 2;   // two stages an item, on average, in the pool
            if (k >= C::AHEAD) {
                claimed = true;
                this->hi = unit_hi;
                c.lo = unit_lo;
                c.stages = stages;
                c.static_count = k;
                c.first = (it - first_item) * k;
                c.pool = n * k;
                c.counter = p.claims + m;
                c.slot = slot;
                c.pending = 0;
                c.stopped = false;
                return;
            }
        }
        c.lo = lo;   // the item's own range: no claims (K = T, no pool)
        c.stages = (hi - lo + TOKENS - 1) / TOKENS;
        c.static_count = c.stages;
        c.first = 0;
    }
    // Unclaimed: first = 0 and K = T, so the item's own stages in order.
    __device__ __forceinline__ bool has(int s) const { return claimed ? c.has(s) : s < c.stages; }
    __device__ __forceinline__ int t0(int s) const { return claimed ? c.t0(s) : c.lo + s * TOKENS; }
    __device__ __forceinline__ void advance(int it) {
        if (claimed) c.advance(it);
    }
};

}  // namespace attn4j
